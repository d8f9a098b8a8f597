"""One row per day the installation declares: an extra day off, or an extra working day (a swap)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime

KINDS = ("off", "work")


class CalendarDay(Model):
    __tablename__ = "calendar_day"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "off" | "work"
    # The announcement it comes from ("Thông báo 6150/TB-BLĐTBXH"): public text, never person data.
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
