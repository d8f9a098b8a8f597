"""Scoped loading for the rights desk: counsellors see their cases' requests; the data-protection officer sees
every request and breach of its units (dates and states; the person's words only through the counsellor)."""

from sqlalchemy import select

from ..cases.models import Case
from ..cases.queries import scope_for
from ..extensions import db
from ..units.queries import scope_ids
from .models import Breach, RightsRequest

READER_ROLES = ("counsellor", "dpo")


def visible_requests(user, *, open_only: bool = False, limit: int = 200) -> list[RightsRequest]:
    stmt = (
        select(RightsRequest)
        .join(Case, RightsRequest.case_id == Case.id)
        .where(Case.unit_id.in_(scope_for(user, *READER_ROLES)))
    )
    if open_only:
        stmt = stmt.where(RightsRequest.status.in_(("received", "acknowledged")))
    return list(db.session.scalars(stmt.order_by(RightsRequest.answer_due_at).limit(limit)))


def request_for(user, rights_id: str) -> RightsRequest | None:
    return db.session.scalar(
        select(RightsRequest)
        .join(Case, RightsRequest.case_id == Case.id)
        .where(RightsRequest.id == rights_id, Case.unit_id.in_(scope_for(user, *READER_ROLES)))
    )


def dpo_units(user) -> frozenset[str]:
    ids: set[str] = set()
    for assignment in user.roles:
        if assignment.role == "dpo":
            ids |= scope_ids(assignment.unit)
    return frozenset(ids)


def visible_breaches(user) -> list[Breach]:
    return list(
        db.session.scalars(
            select(Breach).where(Breach.unit_id.in_(dpo_units(user))).order_by(Breach.detected_at.desc()).limit(200)
        )
    )


def breach_for(user, breach_id: str) -> Breach | None:
    return db.session.scalar(select(Breach).where(Breach.id == breach_id, Breach.unit_id.in_(dpo_units(user))))


def hold_for(user, hold_id: str):
    """A legal hold of a case in the counsellor's scope."""
    from .models import LegalHold

    return db.session.scalar(
        select(LegalHold)
        .join(Case, LegalHold.case_id == Case.id)
        .where(LegalHold.id == hold_id, Case.unit_id.in_(scope_for(user, "counsellor")))
    )


def supervised_request(user, rights_id: str) -> RightsRequest | None:
    """A request on a case of the supervisor's scope (for the erasure sign-off)."""
    return db.session.scalar(
        select(RightsRequest)
        .join(Case, RightsRequest.case_id == Case.id)
        .where(RightsRequest.id == rights_id, Case.unit_id.in_(scope_for(user, "supervisor")))
    )


def supervised_erasure(user, erasure_id: str):
    """An erasure proposed by the retention schedule, on a case of the supervisor's scope."""
    from .models import ErasureSignOff

    return db.session.scalar(
        select(ErasureSignOff)
        .join(Case, ErasureSignOff.case_id == Case.id)
        .where(
            ErasureSignOff.id == erasure_id,
            ErasureSignOff.origin == "retention",
            Case.unit_id.in_(scope_for(user, "supervisor")),
        )
    )
