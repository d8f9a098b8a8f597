"""Counting functions of the registers: one figure per set of units and period, with its disaggregations.

These are what indicator values are computed from where a definition says so (never typed numbers). They read
plain columns only (codes, dates, counts): nothing here opens an encrypted field. The breakdown has the shape of
an indicator value's (app/indicators SubmissionValue.breakdown): {"sex": {"female": n, "male": n},
"ethnic_group": {"thai": n, ...}, "age_band": {...}}. Voided entries never count. A unit's figure is summed over
the unit ids given (the caller passes `scope_ids(unit)`, which holds the old communes merged into it).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from .models import CommunityEvent, SafeMotherhoodPayment

# The registers' ethnic buckets (GSO codes) as the indicator module's disaggregation keys.
ETHNIC_KEYS = {"03": "thai", "08": "mong", "23": "kho_mu", "01": "kinh", "other": "other"}
AGE_KEYS = ("under_18", "18_29", "30_44", "45_plus")


@dataclass
class Figure:
    """A count over a period, its amount where money is counted, and its marginal breakdowns."""

    value: int = 0
    amount: int = 0
    breakdown: dict = field(default_factory=dict)


def _ids(units) -> list[str]:
    return list(units)


def payments(units, start: date, end: date, package: str | None = None) -> Figure:
    """Valid payments of the units paid in [start, end] (optionally of one package): how many, how much, and by
    ethnic group and age band of the mothers."""
    stmt = (
        select(
            SafeMotherhoodPayment.ethnic_code,
            SafeMotherhoodPayment.age_band,
            func.count(),
            func.coalesce(func.sum(SafeMotherhoodPayment.amount), 0),
        )
        .where(
            SafeMotherhoodPayment.unit_id.in_(_ids(units)),
            SafeMotherhoodPayment.status == "valid",
            SafeMotherhoodPayment.paid_on >= start,
            SafeMotherhoodPayment.paid_on <= end,
        )
        .group_by(SafeMotherhoodPayment.ethnic_code, SafeMotherhoodPayment.age_band)
    )
    if package:
        stmt = stmt.where(SafeMotherhoodPayment.package == package)
    figure = Figure()
    ethnic: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    for ethnic_code, age_band, count, amount in db.session.execute(stmt):
        figure.value += int(count)
        figure.amount += int(amount)
        if ethnic_code in ETHNIC_KEYS:
            ethnic[ETHNIC_KEYS[ethnic_code]] += int(count)
        if age_band in AGE_KEYS:
            ages[age_band] += int(count)
    figure.breakdown = {
        "sex": {"female": figure.value, "male": 0},
        "ethnic_group": dict(ethnic),
        "age_band": dict(ages),
    }
    return figure


def mothers_supported(units, start: date, end: date) -> Figure:
    """Mothers who gave birth at a health facility with package 2 paid (one payment per birth)."""
    return payments(units, start, end, package="birth_care")


def events(units, start: date, end: date, kind: str | None = None) -> Figure:
    """Valid community events of the units held in [start, end] (optionally of one kind): how many."""
    rows = _event_rows(units, start, end, kind)
    return Figure(value=len(rows), breakdown={})


def participants(units, start: date, end: date, kind: str | None = None) -> Figure:
    """People who took part in the units' events in [start, end], by sex and by ethnic group."""
    rows = _event_rows(units, start, end, kind)
    ethnic: Counter = Counter()
    for row in rows:
        for code, n in (row.by_ethnicity or {}).items():
            if code in ETHNIC_KEYS and n:
                ethnic[ETHNIC_KEYS[code]] += int(n)
    return Figure(
        value=sum(r.participants for r in rows),
        breakdown={
            "sex": {"female": sum(r.female for r in rows), "male": sum(r.male for r in rows)},
            "ethnic_group": dict(ethnic),
        },
    )


def _event_rows(units, start: date, end: date, kind: str | None):
    stmt = select(CommunityEvent).where(
        CommunityEvent.unit_id.in_(_ids(units)),
        CommunityEvent.status == "valid",
        CommunityEvent.held_on >= start,
        CommunityEvent.held_on <= end,
    )
    if kind:
        stmt = stmt.where(CommunityEvent.kind == kind)
    return list(db.session.scalars(stmt))


def per_unit(count_fn, units_by_row: dict, start: date, end: date, **kwargs) -> dict:
    """{row key: Figure} for a table of units (e.g. each commune with its merged predecessors)."""
    return {key: count_fn(ids, start, end, **kwargs) for key, ids in units_by_row.items()}
