"""The export for the national domestic-violence database (Decree 110/2025/NĐ-CP): de-identified records,
one per incident, in the structure of a versioned mapping file (national_db_mapping_v1.json).

The official record structure was not available when this was written, so the mapping is ours, versioned,
and named in every file exported (its header rows); a new version of the schema is a new mapping file. The
test suite checks that every field exported is in the mapping and every field of the mapping is exported.

De-identification: no name, ID number, phone, address, village, exact date or narrative ever leaves; dates
are months; the ethnic group is Kinh / minority / foreign / unknown (a small group identifies a person in a
commune); the age is the circular's group; the case and incident ids are replaced by keyed pseudonyms (HMAC
under a key derived from the index root), stable across exports so that the database can update a record,
never reversible. A record leaves only for a case that counts in statistics (no restriction of processing, no
withdrawal) and holds a valid consent for statistics on the day of export (PDP Law 91/2025: withdrawal stops
processing for that purpose); the file says how many were left out.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select

from .. import clock
from ..cases.models import Case
from ..cases.reference_data import CHILD_AGE_BANDS
from ..crypto.records import current_keyring
from ..extensions import db
from ..protection.models import (
    Incident,
    IncidentPerpetrator,
    IncidentViolence,
    Measure,
    NoContactOrder,
    Perpetrator,
)
from ..units.models import Unit
from ..units.queries import nearest_of_kind, scope_ids
from . import sheet as xl
from . import source
from .circular07 import DV_KINDS

MAPPING_FILE = Path(__file__).with_name("national_db_mapping_v1.json")
FORMS = ("physical", "psychological", "sexual", "economic")
QUARTER_MONTHS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}
WORKING_AGE = ("16_17", "18_29", "30_44", "45_59")


@lru_cache(maxsize=1)
def mapping() -> dict:
    return json.loads(MAPPING_FILE.read_text(encoding="utf-8"))


def field_names() -> list[str]:
    return [f["name"] for f in mapping()["fields"]]


@dataclass
class Export:
    province: Unit
    period: str
    start: date
    end: date
    exported_on: date
    records: list[dict]
    left_out: int  # incidents of the period whose case is out of statistics or holds no valid consent for them


def period_of(year: int, quarter: int) -> tuple[str, date, date]:
    """The label and the first and last day of a year (quarter 0) or of one of its quarters."""
    if not quarter:
        return str(year), date(year, 1, 1), date(year, 12, 31)
    first, last = QUARTER_MONTHS[quarter]
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return f"{year}-Q{quarter}", date(year, first, 1), date.fromordinal(end.toordinal() - 1)


@lru_cache(maxsize=8)
def _pseudonym_key(index_root: bytes, kind: str) -> bytes:
    info = f"tincay|national-db|v1|{kind}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(index_root)


def pseudonym(kind: str, value: str) -> str:
    """A stable, irreversible reference for an id: the same in every export of this installation."""
    key = _pseudonym_key(current_keyring().index_root, kind)
    return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()[:20]


def month(day: date | None) -> str:
    return day.strftime("%Y-%m") if day else ""


def age_group(band: str) -> str:
    if band in CHILD_AGE_BANDS:
        return "under_16"
    if band in WORKING_AGE:
        return "16_59"
    return "60_plus" if band == "60_plus" else "unknown"


def ethnicity(code: str | None) -> str:
    if code == source.KINH:
        return "kinh"
    if code == "99":
        return "foreign"
    return "unknown" if code in (None, "", "00") else "minority"


def build(province: Unit, year: int, quarter: int) -> Export:
    """The records of the province's incidents in the period, de-identified as the mapping says."""
    label, start, end = period_of(year, quarter)
    quarters = [f"{year}-Q{q}" for q in ((quarter,) if quarter else (1, 2, 3, 4))]
    # Selected by the quarter of the day it counts on, the one date of an incident kept in clear for this.
    incidents = db.session.execute(
        select(Incident.id, Incident.case_id)
        .join(Case, Case.id == Incident.case_id)
        .where(Case.unit_id.in_(list(scope_ids(province))), Case.kind.in_(DV_KINDS), Incident.quarter.in_(quarters))
    ).all()
    today = clock.today()
    case_ids = sorted({i.case_id for i in incidents})
    profiles = source.profiles(sorted(source.statistics_consented(case_ids, today)))
    # A record-level read of the incidents exported only (their day is sealed with the case), in day order.
    kept_ids = [i.id for i in incidents if i.case_id in profiles]
    kept = sorted(
        db.session.scalars(select(Incident).where(Incident.id.in_(kept_ids))),
        key=lambda i: (i.counting_day, i.id),
    )
    parts = _parts([i.id for i in kept], sorted(profiles), start, end)
    places = _places({p.unit_id for p in profiles.values()})
    records = [_record(i, profiles[i.case_id], parts, places, label) for i in kept]
    return Export(province, label, start, end, today, records, len(incidents) - len(kept))


def _parts(incident_ids: list[str], case_ids: list[str], start: date, end: date) -> dict:
    """The coded rows hanging off the incidents and cases exported, each read in one query."""
    forms: dict[str, set] = {}
    for incident_id, form in db.session.execute(
        select(IncidentViolence.incident_id, IncidentViolence.form).where(
            IncidentViolence.incident_id.in_(incident_ids)
        )
    ):
        forms.setdefault(incident_id, set()).add(form)
    perpetrators: dict[str, list] = {}
    # A record-level read, like the victims' profiles: a perpetrator's codes are sealed with the case.
    for incident_id, person in db.session.execute(
        select(IncidentPerpetrator.incident_id, Perpetrator)
        .join(Perpetrator, Perpetrator.id == IncidentPerpetrator.perpetrator_id)
        .where(IncidentPerpetrator.incident_id.in_(incident_ids))
    ):
        perpetrators.setdefault(incident_id, []).append((person.sex, person.relation))
    measures: dict[str, set] = {}
    # Record-level, of the cases exported only: a measure's code and day are sealed with the case.
    for measure in db.session.scalars(select(Measure).where(Measure.case_id.in_(case_ids))):
        if measure.decided_on and start <= measure.decided_on <= end:
            measures.setdefault(measure.case_id, set()).add(measure.measure)
    orders: dict[str, int] = {
        case_id: n
        for case_id, n in db.session.execute(
            select(NoContactOrder.case_id, func.count())
            .where(
                NoContactOrder.case_id.in_(case_ids),
                NoContactOrder.status == "granted",
                NoContactOrder.decided_at.between(clock.start_of_day(start), clock.end_of_day(end)),
            )
            .group_by(NoContactOrder.case_id)
        )
    }
    return {"forms": forms, "perpetrators": perpetrators, "measures": measures, "orders": orders}


def _places(unit_ids: set[str]) -> dict[str, tuple[str, str]]:
    """{unit id: (province code, commune code)}: the village below a commune is never named."""
    places = {}
    for unit in db.session.scalars(select(Unit).where(Unit.id.in_(list(unit_ids)))):
        province, commune = nearest_of_kind(unit, ("province",)), nearest_of_kind(unit, ("commune",))
        places[unit.id] = (province.code if province else "", commune.code if commune else "")
    return places


def sexual_kind(incident, forms: set) -> str:
    """The coded sub-form of a sexual incident; "unclassified" for one recorded before the sub-form existed."""
    if "sexual" not in forms:
        return ""
    return incident.sexual_kind or "unclassified"


def _record(incident, profile: source.Profile, parts: dict, places: dict, period: str) -> dict:
    forms = parts["forms"].get(incident.id, set())
    perpetrators = parts["perpetrators"].get(incident.id, [])
    sexes = [sex for sex, _ in perpetrators]
    province_code, commune_code = places[profile.unit_id]
    return {
        "record_ref": pseudonym("incident", incident.id),
        "victim_ref": pseudonym("case", profile.case_id),
        "period": period,
        "province_code": province_code,
        "commune_code": commune_code,
        "incident_month": month(incident.counting_day),
        "date_approximate": int(incident.occurred_on is None),
        "place_type": incident.place_type,
        **{f"form_{form}": int(form in forms) for form in FORMS},
        "sexual_kind": sexual_kind(incident, forms),
        "forced_marriage": int(bool(incident.forced_marriage)),
        "reported_to_police": int(bool(incident.reported_to_police)),
        "perpetrators_male": sexes.count("male"),
        "perpetrators_female": sexes.count("female"),
        "perpetrators_unknown_sex": sexes.count("unknown"),
        "perpetrator_relations": ";".join(sorted({relation for _, relation in perpetrators})),
        "victim_sex": profile.sex,
        "victim_age_group": age_group(profile.age_band),
        "victim_ethnicity": ethnicity(profile.ethnic_code),
        "victim_disability": int(profile.disability),
        "victim_poverty": profile.poverty_status,
        "case_kind": profile.kind,
        "case_opened_month": month(profile.opened_on),
        "case_status": profile.status,
        "case_closed_month": month(profile.closed_on),
        "measures": ";".join(sorted(parts["measures"].get(profile.case_id, set()))),
        "orders_granted": int(parts["orders"].get(profile.case_id, 0)),
    }


def header(export: Export) -> list[tuple[str, object]]:
    """The file's header rows: machine-readable keys, so that an importer can check what it reads."""
    return [
        ("mapping", mapping()["mapping"]),
        ("mapping_version", mapping()["version"]),
        ("mapping_file", MAPPING_FILE.name),
        ("period", export.period),
        ("period_start", export.start.isoformat()),
        ("period_end", export.end.isoformat()),
        ("province_code", export.province.code),
        ("exported_on", export.exported_on.isoformat()),
        ("records", len(export.records)),
        ("left_out_not_in_statistics", export.left_out),
    ]


HEADER_ROWS = 12  # the title, the header rows and a blank line: the field names are on row 13


def workbook(export: Export) -> bytes:
    """The records sheet (header rows, field names, one row per record) and the structure sheet (the mapping)."""
    book = Workbook()
    records = book.active
    records.title = _("Bản ghi")
    records.append(
        [
            _(
                "Dữ liệu cho Cơ sở dữ liệu quốc gia về phòng, chống bạo lực gia đình (Nghị định "
                "110/2025/NĐ-CP) — đã khử định danh"
            )
        ]
    )
    for key, value in header(export):
        records.append([key, value])
    names = field_names()
    for row, values in enumerate(
        [names] + [[r[name] for name in names] for r in export.records], start=HEADER_ROWS + 1
    ):
        for column, value in enumerate(values, start=1):
            records.cell(row=row, column=column, value=value)
    structure = book.create_sheet(_("Cấu trúc"))
    structure.append(["name", "type", "source", "transform", "description_vi"])
    for field in mapping()["fields"]:
        structure.append([field["name"], field["type"], field["source"], field["transform"], field["vi"]])
    structure.append([])
    structure.append(["status", mapping()["status"]])
    structure.append(["record", mapping()["record"]])
    structure.append(["never_exported", ", ".join(mapping()["never_exported"])])
    for sheet, widths in ((records, (24, 24)), (structure, (26, 12, 34, 60, 40))):
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[xl.letter(column)].width = width
    return xl.finish(book, landscape=True)
