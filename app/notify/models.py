"""A user's notification choices, and the outbox the worker sends from."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime

CHANNELS = ("email", "sms")
KINDS = ("digest", "alert")
STATUSES = ("pending", "sent", "failed", "dropped")


class NotificationPref(Model):
    """Opt-in per channel, the work address or phone (staff's own, never a survivor's) and quiet hours."""

    __tablename__ = "notify_pref"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email_on: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_on: Mapped[bool] = mapped_column(Boolean, default=False)
    alerts_on: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_hour: Mapped[int] = mapped_column(Integer, default=7)  # Việt Nam time
    quiet_from: Mapped[int] = mapped_column(Integer, default=21)  # hours, Việt Nam time; from == to: none
    quiet_to: Mapped[int] = mapped_column(Integer, default=6)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def quiet_at(self, hour: int) -> bool:
        if self.quiet_from == self.quiet_to:
            return False
        if self.quiet_from < self.quiet_to:
            return self.quiet_from <= hour < self.quiet_to
        return hour >= self.quiet_from or hour < self.quiet_to


class Notification(Model):
    """One message to send: to whom, how, how many items; never what they are about."""

    __tablename__ = "notify_outbox"
    __table_args__ = (Index("ix_notify_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)  # digest:<user>:<day>, alert:<user>:<item>
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(40))  # a code ("smtp_unavailable"), never a message
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def not_delivered_yet(self) -> bool:
        """Tried and not sent: shown as "chưa gửi được"."""
        return self.status == "pending" and self.attempts > 0
