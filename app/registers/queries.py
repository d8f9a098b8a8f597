"""Scoped reads of the registers: every entry is loaded through the units of the user's roles."""

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..units.models import Unit
from ..units.queries import scope_for
from .models import CommunityEvent, SafeMotherhoodPayment


def payment_for(user, payment_id: str) -> SafeMotherhoodPayment | None:
    return db.session.scalar(
        select(SafeMotherhoodPayment).where(
            SafeMotherhoodPayment.id == payment_id,
            SafeMotherhoodPayment.unit_id.in_(scope_for(user, "reporter", "district_reviewer")),
        )
    )


def event_for(user, event_id: str) -> CommunityEvent | None:
    return db.session.scalar(
        select(CommunityEvent).where(
            CommunityEvent.id == event_id, CommunityEvent.unit_id.in_(scope_for(user, "reporter", "district_reviewer"))
        )
    )


def _year_filter(column, year: int | None):
    return [column >= date(year, 1, 1), column <= date(year, 12, 31)] if year else []


def _listing(model, day_column, units, year: int | None, **equal):
    """The entries of `units` (in a year, with the given column values), the latest first."""
    stmt = select(model).where(model.unit_id.in_(list(units)), *_year_filter(day_column, year))
    for column, value in equal.items():
        if value:
            stmt = stmt.where(getattr(model, column) == value)
    return stmt.order_by(day_column.desc(), model.created_at.desc())


def payments(units, *, year: int | None = None, package: str | None = None, status: str | None = None):
    """The payments of `units`, the latest first: a query for the one pager (only its page is decrypted)."""
    return _listing(SafeMotherhoodPayment, SafeMotherhoodPayment.paid_on, units, year, package=package, status=status)


def events(units, *, year: int | None = None, kind: str | None = None, status: str | None = None):
    """The community events of `units`, the latest first: a query for the one pager."""
    return _listing(CommunityEvent, CommunityEvent.held_on, units, year, kind=kind, status=status)


def communes(unit_ids) -> list[Unit]:
    """The communes among `unit_ids`, by code (current and merged-away ones alike)."""
    return list(
        db.session.scalars(select(Unit).where(Unit.id.in_(list(unit_ids)), Unit.kind == "commune").order_by(Unit.code))
    )


def places(commune: Unit) -> list[Unit]:
    """Where an event of the commune can be held: the commune itself or one of its villages."""
    villages = db.session.scalars(
        select(Unit).where(Unit.parent_id == commune.id, Unit.kind == "village").order_by(Unit.name)
    )
    return [commune, *villages]
