"""Scoped reads of livelihood plans: always through the unit of the plan's case.

The district's lists start from the plans, which are few, and look up each plan's case: `_from_plans`
joins the case as an outer join, which steers SQLite (it has no statistics) towards walking the plans
rather than every case of the district; tests/test_perf_queries.py checks the plans it makes. The WHERE
on the case's unit rejects plans without a case, so the rows are those of an inner join; PostgreSQL, which
has statistics, plans it freely.
"""

from sqlalchemy import Select, select

from ..cases.models import Case
from ..cases.queries import scope_for
from ..extensions import db
from .models import LivelihoodPlan


def counsellor_plans(user) -> Select:
    """The plans of the cases of the counsellor's units, latest change first."""
    return (
        select(LivelihoodPlan)
        .join(Case, LivelihoodPlan.case_id == Case.id)
        .where(Case.unit_id.in_(scope_for(user, "counsellor")))
        .order_by(LivelihoodPlan.updated_at.desc())
    )


def _from_plans() -> Select:
    return select(LivelihoodPlan).join(Case, LivelihoodPlan.case_id == Case.id, isouter=True)


def review_queue(user) -> Select:
    """Submitted plans of the reviewer's district, the longest waiting first."""
    return (
        _from_plans()
        .where(Case.unit_id.in_(scope_for(user, "district_reviewer")), LivelihoodPlan.status == "submitted")
        .order_by(LivelihoodPlan.submitted_at.asc(), LivelihoodPlan.id)
    )


def decided_in_district(user) -> Select:
    """Plans of the reviewer's district that have a decision, the latest first."""
    return (
        _from_plans()
        .where(
            Case.unit_id.in_(scope_for(user, "district_reviewer")),
            LivelihoodPlan.decided_at.is_not(None),
            LivelihoodPlan.status != "submitted",
        )
        .order_by(LivelihoodPlan.decided_at.desc())
    )


def plans_in(unit_ids) -> Select:
    """Every plan of the cases of these units (the district overview, the budget)."""
    return _from_plans().where(Case.unit_id.in_(list(unit_ids)))


def plans_of_case(case_id: str) -> list[LivelihoodPlan]:
    return list(
        db.session.scalars(
            select(LivelihoodPlan).where(LivelihoodPlan.case_id == case_id).order_by(LivelihoodPlan.created_at.desc())
        )
    )
