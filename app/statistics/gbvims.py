"""GBVIMS-style monthly tables, for partners who use the Gender-Based Violence Information Management System's
categories: incidents by type, perpetrators by relation, services provided, referral outcomes. One row per
month of a year, one column per category, counted from the statistics' counts for what is sealed with the case
(an incident's day, a perpetrator's relation, a measure) and from the coded rows for the rest (regimes,
referrals) — nothing decrypts, no demographic field is read — of the cases that count in statistics (a
withdrawn consent for statistics takes a case out), suppressed as the indicator figures are.

How our codes become GBVIMS categories (the mapping is ours; GBVIMS classifies, the law does not):
* incident type — GBVIMS gives each incident ONE type, the first in its order (rape, sexual assault, physical
  assault, forced marriage, denial of resources, psychological abuse). Our codes follow it: the "sexual" form
  with its sub-form rape, then with its sub-form other sexual assault, then the "physical" form, then the forced
  (child) marriage mark (Law 13/2022/QH15 Art. 3(1)), then "economic" (denial of resources), then
  "psychological". An incident recorded before the sexual sub-form existed (migration 2700) is not guessed into
  rape or assault: it counts in a column of its own, "sexual, not classified", shown only in a year that has
  one. Circular 07/2017 reads the four forms only, so these distinctions leave its figures as they were;
* perpetrator relation — per perpetrator of each incident: intimate partner (husband, wife, former partner),
  primary caregiver (parent), other family (child, in-law, other relative), acquaintance, no relation
  (stranger), trafficker or broker;
* services provided to the survivor — protective and support measures (Law 13/2022 Art. 22) decided in the
  month and support regimes (Decree 162/2025) granted in it, by GBVIMS service: health, psychosocial, legal,
  safety and security, safe shelter, livelihood, other. Measures aimed at the perpetrator (behaviour-change
  education, community criticism, community service) are not services to the survivor and are not counted;
  Art. 22's "legal aid and psychological counselling" is counted as legal;
* referral outcomes — referrals sent in the month, by where they stand today.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import case, func, select

from .. import clock
from ..cases import tally
from ..cases.models import Case, StatTally, in_statistics, out_of_statistics
from ..extensions import db
from ..indicators.derived import Cell, Table, protect
from ..protection.models import Entitlement
from ..referrals.models import Referral
from ..units.models import Unit
from ..units.queries import scope_ids
from ..web.filters import date_vn
from . import sheet as xl

# GBVIMS order: the first type an incident's codes match decides its one type (app/protection/tally.py, incident_type).
TYPES = (
    ("rape", _l("Hiếp dâm")),
    ("sexual_assault", _l("Tấn công tình dục")),
    ("physical", _l("Tấn công thân thể")),
    ("forced_marriage", _l("Cưỡng ép kết hôn")),
    ("economic", _l("Từ chối nguồn lực, cơ hội, dịch vụ")),
    ("psychological", _l("Bạo hành tinh thần")),
)
# Sexual violence recorded before the sub-form: a column only in a year that has some (never guessed).
UNCLASSIFIED = ("sexual_unclassified", _l("Tình dục, chưa phân loại (ghi trước khi có phân loại)"))


RELATION_GROUPS = {
    "husband": "partner",
    "wife": "partner",
    "ex_partner": "partner",
    "parent": "caregiver",
    "child": "family",
    "in_law": "family",
    "other_family": "family",
    "acquaintance": "acquaintance",
    "stranger": "none",
    "broker": "trafficker",
}
RELATIONS = (
    ("partner", _l("Chồng, vợ, bạn đời (kể cả trước đây)")),
    ("caregiver", _l("Cha mẹ, người chăm sóc")),
    ("family", _l("Người thân khác trong gia đình")),
    ("acquaintance", _l("Người quen")),
    ("none", _l("Không quen biết")),
    ("trafficker", _l("Kẻ mua bán người, môi giới")),
)
MEASURE_SERVICES = {
    "stop_violence": "safety",
    "summon": "safety",
    "no_contact": "safety",
    "administrative_criminal": "safety",
    "shelter_essentials": "shelter",
    "medical": "health",
    "legal_psych": "legal",
}  # the measures on the perpetrator are not services to the survivor
REGIME_SERVICES = {
    "essential_needs": "shelter",
    "travel_home": "other",
    "medical": "health",
    "psychological": "psychosocial",
    "legal_aid": "legal",
    "schooling_vocational": "livelihood",
    "initial_hardship": "livelihood",
    "loan": "livelihood",
    "job_counselling": "livelihood",
}
SERVICES = (
    ("health", _l("Y tế")),
    ("psychosocial", _l("Tâm lý, xã hội")),
    ("legal", _l("Pháp lý")),
    ("safety", _l("An ninh, bảo vệ")),
    ("shelter", _l("Nơi tạm lánh, nhu cầu thiết yếu")),
    ("livelihood", _l("Sinh kế, học nghề")),
    ("other", _l("Khác")),
)
REFERRAL_GROUPS = {
    "sent": "waiting",
    "acknowledged": "waiting",
    "accepted": "accepted",
    "services_recorded": "accepted",
    "completed": "completed",
    "declined": "declined",
    "withdrawn": "withdrawn",
}
OUTCOMES = (
    ("waiting", _l("Chờ trả lời")),
    ("accepted", _l("Đã nhận, đang hỗ trợ")),
    ("completed", _l("Đã hoàn thành")),
    ("declined", _l("Bị từ chối")),
    ("withdrawn", _l("Đã rút lại")),
)


@dataclass
class Monthly:
    root: Unit
    year: int
    months: list[int]
    tables: list[Table]


def months_of(year: int) -> list[int]:
    """The months of the year up to this one (a month not yet begun has nothing to count)."""
    today = clock.today()
    return list(range(1, (today.month if year == today.year else 12) + 1)) if year <= today.year else []


def _table(key: str, title, months: list[int], columns, counts: dict, units: frozenset) -> Table:
    """A month × category table from {(month, category): n}: every table here is additive."""
    rows = [[Cell(counts.get((m, code), 0), units) for code, _ in columns] for m in months]
    col_totals = [Cell(sum(r[j].value for r in rows), units) for j in range(len(columns))]
    row_totals = [Cell(sum(c.value for c in r), units) for r in rows]
    return Table(
        key,
        title,
        [_("Tháng %(m)d", m=m) for m in months],
        [label for _, label in columns],
        rows,
        col_totals,
        row_totals=row_totals,
        grand=Cell(sum(c.value for c in col_totals), units),
    )


def _add(counts: dict, month: int, category: str | None) -> None:
    if category:
        counts[(month, category)] = counts.get((month, category), 0) + 1


def incident_types(units: list[str], year: int) -> dict:
    """Each incident by month and its one type: from the counts (app/protection/tally.py), since an incident's
    day is sealed with the case."""
    counts: dict = {}
    for _unit, month, _until, kind, n in tally.counts(
        "incident_type", units, StatTally.period.between(f"{year}-01", f"{year}-12")
    ):
        key = (int(month[5:]), kind)
        counts[key] = counts.get(key, 0) + n
    return counts


def type_columns(counts: dict) -> tuple:
    """The GBVIMS types, with the "not classified" column where the year has such an incident."""
    if any(category == UNCLASSIFIED[0] and n for (_month, category), n in counts.items()):
        return (*TYPES[:2], UNCLASSIFIED, *TYPES[2:])
    return TYPES


def relations(units: list[str], year: int) -> dict:
    """Each perpetrator of each incident, by the incident's month: from the counts (app/protection/tally.py),
    since a perpetrator's relation is sealed with the case."""
    counts: dict = {}
    for _unit, month, _until, relation, n in tally.counts(
        "perpetrator_month", units, StatTally.period.between(f"{year}-01", f"{year}-12")
    ):
        group = RELATION_GROUPS.get(relation)
        if group:
            key = (int(month[5:]), group)
            counts[key] = counts.get(key, 0) + n
    return counts


def services(units: list[str], year: int) -> dict:
    start, end = date(year, 1, 1), date(year, 12, 31)
    counts: dict = {}
    # Measures from the counts (a measure is sealed with the case), each by the month of its decision.
    for _unit, month, _until, code, n in tally.counts(
        "measure_month", units, StatTally.period.between(f"{year}-01", f"{year}-12")
    ):
        service = MEASURE_SERVICES.get(code)
        if service:
            key = (int(month[5:]), service)
            counts[key] = counts.get(key, 0) + n
    for day, code in db.session.execute(
        select(Entitlement.granted_on, Entitlement.regime)
        .join(Case, Case.id == Entitlement.case_id)
        .where(Case.unit_id.in_(units), in_statistics(), Entitlement.granted_on.between(start, end))
    ):
        _add(counts, day.month, REGIME_SERVICES.get(code, "other"))
    return counts


def referral_outcomes(units: list[str], year: int) -> dict:
    """The year's referrals by month (Việt Nam's calendar) and outcome, counted in SQL: one row per month and
    status comes back, not one per referral (at 1 000 000 cases a province sends tens of thousands a year)."""
    starts = [clock.start_of_day(date(year, month, 1)) for month in range(1, 13)]
    end = clock.start_of_day(date(year + 1, 1, 1))
    month = case(*((Referral.sent_at < bound, number) for number, bound in enumerate([*starts[1:], end], 1)))
    counts: dict = {}
    for number, status, n in db.session.execute(
        select(month, Referral.status, func.count())
        .where(
            Referral.sender_unit_id.in_(units),
            Referral.case_id.not_in(out_of_statistics()),
            Referral.sent_at >= starts[0],
            Referral.sent_at < end,
        )
        .group_by(month, Referral.status)
    ):
        category = REFERRAL_GROUPS.get(status)
        if category:
            counts[(number, category)] = counts.get((number, category), 0) + n
    return counts


def build(root: Unit, year: int, viewer_units: frozenset) -> Monthly:
    """The four tables for the root's units and the year, suppressed for the viewer."""
    scope = frozenset(scope_ids(root))
    units = list(scope)
    months = months_of(year)
    types = incident_types(units, year)
    built = [
        _table(
            "types",
            _l("1. Vụ việc theo loại bạo lực (mỗi vụ một loại, theo thứ tự GBVIMS)"),
            months,
            type_columns(types),
            types,
            scope,
        ),
        _table(
            "relations",
            _l("2. Người gây bạo lực theo quan hệ với người bị bạo lực"),
            months,
            RELATIONS,
            relations(units, year),
            scope,
        ),
        _table(
            "services",
            _l("3. Dịch vụ đã cung cấp cho người bị bạo lực"),
            months,
            SERVICES,
            services(units, year),
            scope,
        ),
        _table(
            "referrals",
            _l("4. Chuyển gửi trong tháng theo kết quả"),
            months,
            OUTCOMES,
            referral_outcomes(units, year),
            scope,
        ),
    ]
    return Monthly(root, year, months, [protect(t, viewer_units) for t in built])


def workbook(report: Monthly) -> bytes:
    """The four tables on one sheet, under the official heading, with the signatures."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("GBVIMS theo tháng")
    width = 2 + max(len(t.col_labels) + 1 for t in report.tables)
    last = xl.letter(width)
    row = xl.heading(
        sheet,
        report.root.name,
        [
            (
                _("BẢNG SỐ LIỆU HẰNG THÁNG VỀ BẠO LỰC TRÊN CƠ SỞ GIỚI (THEO PHÂN LOẠI GBVIMS)"),
                {"bold": True, "size": 14},
            ),
            (_("Đơn vị báo cáo: %(unit)s", unit=report.root.name), {}),
            (
                _(
                    "Kỳ báo cáo: năm %(year)d (từ ngày %(start)s đến ngày %(end)s)",
                    year=report.year,
                    start=date_vn(date(report.year, 1, 1)),
                    end=date_vn(date(report.year, 12, 31)),
                ),
                {"italic": True},
            ),
            (_("Đơn vị tính: vụ, lượt"), {"italic": True}),
        ],
        last,
    )
    row = xl.suppression_note(sheet, row, last)
    for table in report.tables:
        row += 1
        sheet.cell(row=row, column=1, value=str(table.title)).font = xl.table_font()
        row = xl.write_table(sheet, row + 1, table, first_header=_("Tháng"), number_rows=False)
    xl.signature(sheet, row + 1)
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 14
    for column in range(3, width + 1):
        sheet.column_dimensions[xl.letter(column)].width = 15
    return xl.finish(book, landscape=True)
