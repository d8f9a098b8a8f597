"""Scoped reads: every protection object is reached through its case, and the case through the user's scope."""

from sqlalchemy import select

from ..cases.models import Case
from ..cases.queries import scope_for
from ..extensions import db
from .models import (
    AddressNotice,
    Entitlement,
    ExceptionContact,
    Identification,
    Incident,
    Measure,
    NoContactOrder,
    Perpetrator,
    RiskAssessment,
)

READER_ROLES = ("counsellor", "supervisor")


def case_for(user, case_id: str) -> Case | None:
    """One case, only if a counsellor or supervisor scope of the user covers its unit."""
    return db.session.scalar(
        select(Case).where(Case.id == str(case_id), Case.unit_id.in_(scope_for(user, *READER_ROLES)))
    )


def part_for(user, model, part_id: str):
    """A row of a case (order, exception…), only through the scope of its case."""
    return db.session.scalar(
        select(model)
        .join(Case, Case.id == model.case_id)
        .where(model.id == str(part_id), Case.unit_id.in_(scope_for(user, *READER_ROLES)))
    )


def _of_case(model, case_id: str, *order):
    return db.session.scalars(select(model).where(model.case_id == case_id).order_by(*order)).all()


def case_parts(case: Case) -> dict:
    """Everything recorded for a case, in the order the pages show it."""
    incidents = sorted(_of_case(Incident, case.id, Incident.created_at), key=lambda i: i.sort_day, reverse=True)
    return {
        "incidents": incidents,
        "perpetrators": _of_case(Perpetrator, case.id, Perpetrator.created_at),
        # sorted once opened: the decision day is sealed (a case has a handful)
        "measures": sorted(_of_case(Measure, case.id, Measure.created_at), key=lambda m: m.decided_on, reverse=True),
        "orders": _of_case(NoContactOrder, case.id, NoContactOrder.requested_at.desc()),
        "identification": db.session.scalar(select(Identification).where(Identification.case_id == case.id)),
        "entitlements": _of_case(Entitlement, case.id, Entitlement.granted_on.desc()),
        "notices": _of_case(AddressNotice, case.id, AddressNotice.notified_on.desc()),
        "assessments": _of_case(RiskAssessment, case.id, RiskAssessment.assessed_on, RiskAssessment.created_at),
    }


def pending_exceptions(case_ids) -> list[ExceptionContact]:
    if not case_ids:
        return []
    return list(
        db.session.scalars(
            select(ExceptionContact).where(ExceptionContact.case_id.in_(case_ids), ExceptionContact.status == "pending")
        )
    )
