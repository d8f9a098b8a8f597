"""The rights desk and the controller's breach register.

A survivor's request (view, correct, withdraw consent, restrict, object, delete, protective measures) is a
row of its case: what was asked and every explanation are sealed under the case's key, so they die with it.
The dates, kinds and states are plain: the clocks and the data-protection officer's overview need them.
A breach is the controller's own record, sealed under its own key; it names no survivor.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cases.models import Case, CaseKeyed
from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import db, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit


class RightsRequest(CaseKeyed, db.Model):
    __tablename__ = "rights_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    identity_check: Mapped[str] = mapped_column(String(20))
    third_parties: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusal_code: Mapped[str | None] = mapped_column(String(30))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    answered_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    details = Encrypted()            # what the person asked, in their words
    extension_reason = Encrypted()
    answer = Encrypted()             # what was done, or the written explanation of a refusal
    notes = Encrypted(kind="json")   # annotations after the answer: [{"at", "by", "text"}]

    case: Mapped[Case] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status in ("received", "acknowledged")


class Breach(EncryptedRecord, db.Model):
    """A personal-data breach: detected, contained, notified to the authority within 72 hours."""

    __tablename__ = "data_breach"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notify_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    contained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    persons_affected: Mapped[int] = mapped_column(Integer, default=0)
    persons_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    description = Encrypted()        # what happened (no survivor's name: the form says so)
    measures = Encrypted()           # containment and remedies
    late_reason = Encrypted()        # required when notified after 72 hours

    unit: Mapped[Unit] = relationship(lazy="joined")
