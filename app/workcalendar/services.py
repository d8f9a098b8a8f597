"""The admin's calendar changes (audited, flushed; the view commits) and the provider app/deadlines reads."""

from datetime import date

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, select

from ..audit import services as audit
from ..deadlines import workdays
from ..extensions import db
from ..services import ensure, ensure_found
from .models import KINDS, CalendarDay

_CACHE = "_installation_days"


def installation_days() -> workdays.ExtraDays:
    """Every day the installation declared, read once per request (or app context) and kept on `g`."""
    if not has_app_context():
        return workdays.NONE
    found = g.get(_CACHE)
    if found is None:
        rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
        found = workdays.ExtraDays(
            off=frozenset(d for d, k in rows if k == "off"), work=frozenset(d for d, k in rows if k == "work")
        )
        setattr(g, _CACHE, found)
    return found


def _forget() -> None:
    """The next deadline in this request sees the change (other requests read the table afresh)."""
    g.pop(_CACHE, None)


def install(app) -> None:
    workdays.set_extra_days_provider(installation_days)


def days_of_year(year: int) -> list[CalendarDay]:
    return list(
        db.session.scalars(
            select(CalendarDay).where(extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)
        )
    )


def add_day(day: date | None, kind: str, note: str | None, *, actor) -> CalendarDay:
    """Declare a day off or a working day; one entry per day."""
    day = ensure_found(day, _l("Vui lòng nhập ngày."), "day")
    ensure(kind in KINDS, _l("Vui lòng chọn loại ngày."), "kind")
    ensure(
        db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == day)) is None,
        _l("Ngày này đã có trong lịch; hãy xoá mục cũ trước."),
        "day",
    )
    entry = CalendarDay(day=day, kind=kind, note=(note or "").strip() or None, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "calendar.add", entry, detail={"day": day.isoformat(), "kind": kind})
    _forget()
    return entry


def remove_day(day: date | None, *, actor) -> None:
    entry = ensure_found(
        db.session.scalar(select(CalendarDay).where(CalendarDay.day == day)) if day else None,
        _l("Không tìm thấy ngày này trong lịch."),
        "day",
    )
    audit.record(actor, "calendar.remove", entry, detail={"day": entry.day.isoformat(), "kind": entry.kind})
    db.session.delete(entry)
    db.session.flush()
    _forget()
