"""The yearly budget for livelihood support, and how much of it is already committed.

The budget of a year for a district comes from the indicator module's budget lines when that module
provides them (`app.indicators.services.livelihood_budget(year, unit)` returning đồng, or None when no
line is set); otherwise from the configured ceiling LIVELIHOOD_YEARLY_CEILING. The pool is the district
above the case's unit (or, for units created after the district level ended in July 2025, the province).
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from .. import events
from ..cases.models import Case
from ..extensions import db
from ..units.models import Unit
from ..units.queries import nearest_of_kind, scope_ids
from .models import Disbursement, LivelihoodPlan

SOURCES = ("indicators", "config")


@dataclass
class Budget:
    year: int
    pool: Unit
    total: int
    source: str  # "indicators" (budget lines) or "config" (the configured ceiling)
    committed: int

    @property
    def left(self) -> int:
        return self.total - self.committed


def pool_of(unit: Unit) -> Unit:
    """The unit whose yearly budget pays for plans of `unit`: its district, else its province."""
    return nearest_of_kind(unit, ("district",)) or nearest_of_kind(unit, ("province",)) or unit


def indicator_budget(year: int, pool: Unit) -> int | None:
    """The livelihood budget lines planned for the pool and year (the indicators area answers), or None."""
    return events.answer(events.livelihood_budget_asked, pool, year=year)


def yearly_total(year: int, pool: Unit) -> tuple[int, str]:
    """The budget of the year for the pool, and where the figure comes from."""
    amount = indicator_budget(year, pool)
    if amount is not None:
        return int(amount), "indicators"
    return int(current_app.config["LIVELIHOOD_YEARLY_CEILING"]), "config"


def committed(year: int, pool: Unit) -> int:
    """Approved amounts of the year's plans in the pool; a discontinued plan counts what it received."""
    units = list(scope_ids(pool))
    in_pool = (LivelihoodPlan.budget_year == year, Case.unit_id.in_(units))
    approved = db.session.scalar(
        select(func.coalesce(func.sum(LivelihoodPlan.amount_approved), 0))
        .join(Case, LivelihoodPlan.case_id == Case.id, isouter=True)  # from the plans: see livelihood/queries.py
        .where(*in_pool, LivelihoodPlan.status.in_(("approved", "active", "completed")))
    )
    paid_discontinued = db.session.scalar(
        select(func.coalesce(func.sum(Disbursement.amount), 0))
        .join(LivelihoodPlan, Disbursement.plan_id == LivelihoodPlan.id)
        .join(Case, LivelihoodPlan.case_id == Case.id, isouter=True)
        .where(*in_pool, LivelihoodPlan.status == "discontinued")
    )
    return int(approved or 0) + int(paid_discontinued or 0)


def budget_for(year: int, pool: Unit) -> Budget:
    total, source = yearly_total(year, pool)
    return Budget(year, pool, total, source, committed(year, pool))


def lock_pool(pool: Unit) -> None:
    """Serialise approvals drawing on one pool (PostgreSQL row lock; SQLite writes are serial already)."""
    db.session.execute(select(Unit.id).where(Unit.id == pool.id).with_for_update())
