"""Scoped reads of the registers: every entry is loaded through the units of the user's roles."""

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..units.models import Unit
from ..units.queries import scope_for
from .models import CommunityEvent, SafeMotherhoodPayment

PAGE = 100



def payment_for(user, payment_id: str) -> SafeMotherhoodPayment | None:
    return db.session.scalar(select(SafeMotherhoodPayment).where(
        SafeMotherhoodPayment.id == payment_id,
        SafeMotherhoodPayment.unit_id.in_(scope_for(user, "reporter", "district_reviewer"))))


def event_for(user, event_id: str) -> CommunityEvent | None:
    return db.session.scalar(select(CommunityEvent).where(
        CommunityEvent.id == event_id,
        CommunityEvent.unit_id.in_(scope_for(user, "reporter", "district_reviewer"))))


def _year_filter(column, year: int | None):
    return [column >= date(year, 1, 1), column <= date(year, 12, 31)] if year else []


def payments(units, *, year: int | None = None, package: str | None = None, status: str | None = None,
             offset: int = 0) -> list[SafeMotherhoodPayment]:
    """One page of the payments of `units`, the latest first (only this page is ever decrypted)."""
    stmt = select(SafeMotherhoodPayment).where(SafeMotherhoodPayment.unit_id.in_(list(units)),
                                               *_year_filter(SafeMotherhoodPayment.paid_on, year))
    if package:
        stmt = stmt.where(SafeMotherhoodPayment.package == package)
    if status:
        stmt = stmt.where(SafeMotherhoodPayment.status == status)
    stmt = stmt.order_by(SafeMotherhoodPayment.paid_on.desc(), SafeMotherhoodPayment.created_at.desc())
    return list(db.session.scalars(stmt.offset(offset).limit(PAGE)))


def events(units, *, year: int | None = None, kind: str | None = None, status: str | None = None,
           offset: int = 0) -> list[CommunityEvent]:
    stmt = select(CommunityEvent).where(CommunityEvent.unit_id.in_(list(units)),
                                        *_year_filter(CommunityEvent.held_on, year))
    if kind:
        stmt = stmt.where(CommunityEvent.kind == kind)
    if status:
        stmt = stmt.where(CommunityEvent.status == status)
    stmt = stmt.order_by(CommunityEvent.held_on.desc(), CommunityEvent.created_at.desc())
    return list(db.session.scalars(stmt.offset(offset).limit(PAGE)))


def communes(unit_ids) -> list[Unit]:
    """The communes among `unit_ids`, by code (current and merged-away ones alike)."""
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(list(unit_ids)), Unit.kind == "commune")
                                   .order_by(Unit.code)))


def places(commune: Unit) -> list[Unit]:
    """Where an event of the commune can be held: the commune itself or one of its villages."""
    villages = db.session.scalars(select(Unit).where(Unit.parent_id == commune.id, Unit.kind == "village")
                                  .order_by(Unit.name))
    return [commune, *villages]
