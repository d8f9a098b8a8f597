"""Scoped reads of cases: a user only ever reaches the cases of the units their role covers."""

from sqlalchemy import Select, select

from ..extensions import db, utcnow
from ..units.queries import scope_ids
from .models import BreakGlassGrant, Case


def scope_for(user, *roles: str) -> frozenset[str]:
    """Every unit id that `user` covers through any of `roles` (subtrees plus merged predecessors)."""
    ids: set[str] = set()
    for assignment in user.roles:
        if assignment.role in roles:
            ids |= scope_ids(assignment.unit)
    return frozenset(ids)


def visible_cases(user) -> Select:
    """The cases the user may list: counsellors and district reviewers, within their scope."""
    return select(Case).where(Case.unit_id.in_(scope_for(user, "counsellor", "district_reviewer")))


def case_for(user, case_id: str) -> Case | None:
    """Load one case only through the user's scope (None when it is not theirs or does not exist)."""
    return db.session.scalar(visible_cases(user).where(Case.id == case_id))


def active_grant(user, case: Case) -> BreakGlassGrant | None:
    return db.session.scalar(select(BreakGlassGrant).where(
        BreakGlassGrant.case_id == case.id, BreakGlassGrant.user_id == user.id,
        BreakGlassGrant.expires_at > utcnow()).order_by(BreakGlassGrant.expires_at.desc()).limit(1))
