"""Scoped reads of referrals: the sender side through the case's unit, the agency side through the addressee."""

from sqlalchemy import Select, or_, select

from ..cases.models import Case
from ..cases.queries import scope_for
from ..extensions import db
from .models import AgencyMapping, Referral


def agency_ids(user) -> frozenset[str]:
    """The agencies whose referrals the user reads: their own, plus old agencies an admin mapped to them.

    Only exact agency units count (not subtrees, not the unit lineage): a referral reaches an agency
    because it was addressed to it, or because an admin decided that this agency took over.
    """
    ids = {a.unit_id for a in user.roles if a.role == "agency_officer"}
    frontier = set(ids)
    while frontier:  # a chain old -> mid -> new reaches the newest agency
        olds = set(
            db.session.scalars(select(AgencyMapping.old_agency_id).where(AgencyMapping.new_agency_id.in_(frontier)))
        )
        frontier = olds - ids
        ids |= olds
    return frozenset(ids)


def inbox(user) -> Select:
    """Referrals addressed to the user's agencies, newest first."""
    ids = agency_ids(user)
    return (
        select(Referral)
        .where(or_(Referral.agency_id.in_(ids), Referral.successor_agency_id.in_(ids)))
        .order_by(Referral.sent_at.desc())
    )


def outbox(user) -> Select:
    """Referrals sent from the cases of the counsellor's scope, newest first."""
    return (
        select(Referral)
        .join(Case, Referral.case_id == Case.id)
        .where(Case.unit_id.in_(scope_for(user, "counsellor")))
        .order_by(Referral.sent_at.desc())
    )


def referrals_of_case(case_id: str) -> list[Referral]:
    return list(
        db.session.scalars(select(Referral).where(Referral.case_id == case_id).order_by(Referral.sent_at.desc()))
    )


def case_codes(case_ids) -> dict[str, str]:
    """Human case codes for the sender's outbox (summary tier)."""
    ids = list(case_ids)
    return (
        {cid: code for cid, code in db.session.execute(select(Case.id, Case.code).where(Case.id.in_(ids)))}
        if ids
        else {}
    )


def case_of(referral: Referral) -> Case:
    return db.session.get_one(Case, referral.case_id)
