"""How identifying the plain summary tier is: k-anonymity of the cases on quasi-identifier combinations.

The summary tier is plaintext (for scoping and statistics), so whoever holds the database file or a backup
reads it without any key. A combination of its fields that singles a person out in a small commune is as
good as a name. This module measures it: for a combination of fields, how many cases sit in a group of
fewer than k cases sharing the same values (k = 5, the small-cell threshold of the reports).

The combinations measured are those the reports use (the indicator figures count cases per trusted address,
kind and year; the disaggregations of the plan are sex, ethnic group and age band per commune and year) and,
for comparison, the whole summary tier. Erased cases keep only what the yearly counts need (unit, kind,
quarter of opening and closing; see services.clear_summary_tier).
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..units.models import Unit
from ..units.queries import nearest_of_kind
from .models import Case

K = 5
FULL_TIER = ("unit", "village", "kind", "sex", "age_band", "ethnic", "disability", "poverty", "risk",
             "opened_on", "closed_on")
COMBINATIONS = {
    "indicator figures: trusted address × kind × year": ("unit", "kind", "year"),
    "commune × kind × year": ("commune", "kind", "year"),
    "commune × sex × age band × year": ("commune", "sex", "age_band", "year"),
    "commune × ethnic group × age band × year": ("commune", "ethnic", "age_band", "year"),
    "commune × kind × quarter": ("commune", "kind", "quarter"),
    "the whole summary tier": FULL_TIER,
}


@dataclass
class Exposure:
    fields: tuple[str, ...]
    cases: int
    unique: int  # alone in their group
    below_k: int  # in a group of fewer than K


def quarter(day) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else ""


def summary_rows() -> list[dict]:
    """The summary tier of every case as plain values (what a stolen database shows)."""
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    communes: dict[str, str] = {}
    rows = []
    for case in db.session.execute(select(Case.unit_id, Case.village_id, Case.kind, Case.sex, Case.age_band,
                                          Case.ethnic_code, Case.disability, Case.poverty_status, Case.risk_level,
                                          Case.opened_on, Case.closed_on)):
        if case.unit_id not in communes:
            commune = nearest_of_kind(units[case.unit_id], ("commune",)) if case.unit_id in units else None
            communes[case.unit_id] = commune.id if commune else case.unit_id
        rows.append({"unit": case.unit_id, "commune": communes[case.unit_id], "village": case.village_id,
                     "kind": case.kind, "sex": case.sex, "age_band": case.age_band, "ethnic": case.ethnic_code,
                     "disability": case.disability, "poverty": case.poverty_status, "risk": case.risk_level,
                     "opened_on": case.opened_on, "closed_on": case.closed_on,
                     "year": case.opened_on.year if case.opened_on else None, "quarter": quarter(case.opened_on)})
    return rows


def exposure(rows: list[dict], fields: tuple[str, ...], k: int = K) -> Exposure:
    groups = Counter(tuple(row[f] for f in fields) for row in rows)
    sizes = [groups[tuple(row[f] for f in fields)] for row in rows]
    return Exposure(fields, len(rows), sum(1 for s in sizes if s == 1), sum(1 for s in sizes if s < k))


def report(k: int = K) -> dict[str, Exposure]:
    rows = summary_rows()
    return {name: exposure(rows, fields, k) for name, fields in COMBINATIONS.items()}
