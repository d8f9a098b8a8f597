"""How identifying the plain summary tier is: k-anonymity of the cases on quasi-identifier combinations.

The summary tier is plaintext (for scoping and the work lists), so whoever holds the database file or a backup
reads it without any key. A combination of its fields that singles a person out in a small commune is as
good as a name. This module measures it: for a combination of fields, how many cases sit in a group of
fewer than k cases sharing the same values (k = 5, the small-cell threshold of the reports).

Since the profile (sex, age band, ethnic group, disability, poverty status, village) and the closure reason are
sealed with the case, the plaintext row holds unit, kind, status, risk, dates, the case code and bookkeeping;
which columns are plaintext is read from the schema (`plain_columns`), so the whole row is measured whatever is
added to it later. The combinations the reports use are measured on what of them a stolen file shows (a sealed
field is no help to it), next to the same combination had the profile stayed in clear, for comparison. The
statistics' counts (`StatTally`) hold no case id; their small cells are counted apart (`small_cells`).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, Table, select

from ..clock import local_date
from ..extensions import db
from ..units.models import Unit
from ..units.queries import nearest_of_kind
from .models import Case, StatTally

K = 5
PROFILE = ("village", "sex", "age_band", "ethnic", "disability", "poverty")  # sealed with the case
# Columns of case_record that are no quasi-identifier: the row's id (an outsider does not know it), its version
# counter and the key bookkeeping (the wrapped data key, the key's version, the blind indexes' scheme).
BOOKKEEPING = ("id", "version", "wrapped_dek", "kek_version", "bidx_scheme")
# Fields the combinations name that are derived from a plaintext column: shown while that column is.
DERIVED = {"unit": "unit_id", "commune": "unit_id", "year": "opened_on", "quarter": "opened_on"}
LINKED = "linked"  # the plaintext codes of other tables' rows that name the case (`linked_codes`)


def plain_columns(table: Table | None = None) -> tuple[str, ...]:
    """Every column of case_record a stolen file shows in clear, read from the schema: all but the sealed fields
    (`…_enc`), the blind indexes (`bidx_…`) and BOOKKEEPING. A plaintext column added later is measured without
    a change here."""
    columns = (table if table is not None else Case.__table__).c
    return tuple(
        c.name
        for c in columns
        if not c.name.endswith("_enc") and not c.name.startswith("bidx_") and c.name not in BOOKKEEPING
    )


WHOLE_ROW = "the whole plain row (every plaintext column of case_record, timestamps as their day)"
WITHOUT_CODE = "the whole plain row but the case code"
COMBINATIONS = {
    "indicator figures: trusted address × kind × year": ("unit", "kind", "year"),
    "commune × kind × year": ("commune", "kind", "year"),
    "commune × sex × age band × year": ("commune", "sex", "age_band", "year"),
    "commune × ethnic group × age band × year": ("commune", "ethnic", "age_band", "year"),
    "commune × kind × quarter": ("commune", "kind", "quarter"),
    "profile alone: village × sex × age band × ethnic group × disability × poverty": PROFILE,
    "trusted address alone (scoping)": ("unit",),
    WHOLE_ROW: plain_columns(),
    # The code (TG-<year>-<number>) is unique: with it every row is alone. Without it, what the rest shows.
    WITHOUT_CODE: tuple(c for c in plain_columns() if c != "code"),
    "trusted address × coded rows linked to the case (other tables)": ("unit", LINKED),
}


def visible(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of a combination that the plaintext row shows (the linked rows are other tables' plaintext)."""
    plain = set(plain_columns())
    return tuple(f for f in fields if f in plain or DERIVED.get(f) in plain or f == LINKED)


@dataclass
class Exposure:
    fields: tuple[str, ...]
    cases: int
    unique: int  # alone in their group
    below_k: int  # in a group of fewer than K


def quarter(day) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else ""


def summary_rows(with_profile: bool = False) -> list[dict]:
    """The plain row of every case as values (what a stolen database shows: every plaintext column, a timestamp
    as its Việt Nam day), with the fields derived from them; `with_profile` opens the sealed profile too (needs
    the keys), for the comparison only."""
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    communes: dict[str, str] = {}
    linked = linked_codes()
    table = Case.__table__
    names = plain_columns()
    cases = {c.id: c for c in db.session.scalars(select(Case))} if with_profile else {}
    rows = []
    for found in db.session.execute(select(table.c.id, *(table.c[n] for n in names))):
        case_id, values = found[0], dict(zip(names, found[1:], strict=True))
        row = {name: local_date(v) if isinstance(v, datetime) else v for name, v in values.items()}
        unit_id = values["unit_id"]
        if unit_id not in communes:
            commune = nearest_of_kind(units[unit_id], ("commune",)) if unit_id in units else None
            communes[unit_id] = commune.id if commune else unit_id
        opened = values["opened_on"]
        row.update(
            case_id=case_id,
            unit=unit_id,
            commune=communes[unit_id],
            year=opened.year if opened else None,
            quarter=quarter(opened),
        )
        row[LINKED] = linked.get(case_id, frozenset())
        if with_profile:
            case = cases[case_id]
            row.update(
                village=case.village_id,
                sex=case.sex,
                age_band=case.age_band,
                ethnic=case.ethnic_code,
                disability=case.disability,
                poverty=case.poverty_status,
            )
        rows.append(row)
    return rows


# Row identifiers (a referral's code, a decision or receipt number) and the audit entry's detail are not codes
# an outsider could know of a person: they would make every row unique and measure nothing.
NOT_CODES = ("code", "decision_number", "receipt_number", "detail")


def linked_codes() -> dict[str, frozenset]:
    """Per case, the plaintext codes of the rows of other tables that name it (case_id): a perpetrator's sex and
    relation, a measure, a service kind… Read from the schema, so a new table is measured without a change here;
    ids, dates and free text are left out (codes are what an outsider could match)."""
    found: dict[str, set] = {}
    for table in db.metadata.sorted_tables:
        if "case_id" not in table.c or table.name == "case_record":
            continue
        codes = [
            c
            for c in table.c
            if isinstance(c.type, String)
            and not c.foreign_keys
            and not c.primary_key
            and not c.name.endswith("_id")
            and (c.type.length or 0) <= 40
            and c.name not in NOT_CODES
        ]
        if not codes:
            continue
        for row in db.session.execute(select(table.c.case_id, *codes)):
            found.setdefault(row[0], set()).update(
                (table.name, c.name, value) for c, value in zip(codes, row[1:], strict=True) if value
            )
    return {case_id: frozenset(values) for case_id, values in found.items()}


def linked_by_table(k: int = K) -> dict[str, int]:
    """{table: cases below k on trusted address × that table's coded rows alone}: which tables single cases out."""
    rows = summary_rows()
    linked = linked_codes()
    tables = sorted({table for values in linked.values() for table, _column, _value in values})
    found = {}
    for table in tables:
        for row in rows:
            row["only"] = frozenset(v for v in linked.get(row["case_id"], ()) if v[0] == table)
        found[table] = exposure(rows, ("unit", "only"), k).below_k
    return found


def by_column(k: int = K) -> dict[str, int]:
    """{plaintext column: cases below k on trusted address × that column alone}: which columns single cases out."""
    rows = summary_rows()
    return {name: exposure(rows, ("unit", name), k).below_k for name in plain_columns() if name != "unit_id"}


def exposure(rows: list[dict], fields: tuple[str, ...], k: int = K) -> Exposure:
    groups = Counter(tuple(row[f] for f in fields) for row in rows)
    sizes = [groups[tuple(row[f] for f in fields)] for row in rows]
    return Exposure(fields, len(rows), sum(1 for s in sizes if s == 1), sum(1 for s in sizes if s < k))


def report(k: int = K) -> dict[str, Exposure]:
    """Each combination the reports use, on what the plaintext row shows of it."""
    rows = summary_rows()
    return {name: exposure(rows, visible(fields), k) for name, fields in COMBINATIONS.items()}


def report_in_clear(k: int = K) -> dict[str, Exposure]:
    """The same combinations had the profile stayed in clear (as before it was sealed): for comparison."""
    rows = summary_rows(with_profile=True)
    return {name: exposure(rows, fields, k) for name, fields in COMBINATIONS.items()}


def small_cells(k: int = K) -> tuple[int, int]:
    """(cells, cells counting fewer than k cases) of the statistics' counts: they name no case, but a small
    cell says that someone of that unit, period and category is a case."""
    counts = list(db.session.scalars(select(StatTally.count).where(StatTally.count > 0)))
    return len(counts), sum(1 for n in counts if n < k)
