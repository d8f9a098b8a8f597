"""The rights desk and the controller's breach register.

A survivor's request (view, correct, withdraw consent, restrict, object, delete, protective measures) is a
row of its case: what was asked and every explanation are sealed under the case's key, so they die with it.
The dates, kinds and states are plain: the clocks and the data-protection officer's overview need them.
A breach is the controller's own record, sealed under its own key; it names no survivor.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cases.models import Case, CaseKeyed
from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit


class RightsRequest(CaseKeyed, Model):
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
    copy_made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the survivor's copy, last produced
    details = Encrypted()  # what the person asked, in their words
    extension_reason = Encrypted()
    answer = Encrypted()  # what was done, or the written explanation of a refusal
    notes = Encrypted(kind="json")  # annotations after the answer: [{"at", "by", "text"}]

    case: Mapped[Case] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status in ("received", "acknowledged")


def _case_fk():
    return mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)


def _request_fk():
    return mapped_column(ForeignKey("rights_request.id", ondelete="SET NULL"), index=True)


class CaseCorrection(CaseKeyed, Model):
    """A field of the case corrected on the survivor's request: the value it had, sealed under the case key."""

    __tablename__ = "rights_correction"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    request_id: Mapped[str | None] = _request_fk()
    field: Mapped[str] = mapped_column(String(30))
    corrected_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    previous = Encrypted(kind="json")  # {"value": ...}: the value before the correction

    case: Mapped[Case] = relationship(lazy="joined")


class Restriction(Model):
    """Processing of a case restricted on the survivor's request: no referral, no edit, no statistics until
    lifted. Dates and people only; why it was asked is in the request, sealed."""

    __tablename__ = "rights_restriction"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    request_id: Mapped[str | None] = _request_fk()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    lifted_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    lift_reason: Mapped[str | None] = mapped_column(String(30))  # coded (reference_data.LIFT_REASONS)


class LegalHold(CaseKeyed, Model):
    """Why a case may not be erased yet: an open court order, an open criminal proceeding, a retention period.
    In force until released, and until its end date when it has one."""

    __tablename__ = "rights_legal_hold"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    kind: Mapped[str] = mapped_column(String(30))
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    reason = Encrypted()  # e.g. the court and case number

    case: Mapped[Case] = relationship(lazy="joined")

    def in_force(self, on: date) -> bool:
        return self.released_at is None and (self.ends_on is None or on <= self.ends_on)


class ErasureSignOff(Model):
    """An erasure waiting for a supervisor of the case's unit (second person, step-up), who approves it (the
    case is erased, app/cases erase_case) or returns it. Two origins: the survivor's request, proposed by the
    counsellor (`request_id`), or the retention schedule, proposed by the data-protection officer on a closed
    case past its retention period (`retention_review_id`, no request: nobody asked, the schedule says so).
    A retention proposal still waiting when the survivor's own erasure request is proposed is closed as
    `superseded`, pointing at the request's sign-off (`superseded_by_id`; app/rights/answers.py says why)."""

    __tablename__ = "rights_erasure"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    origin: Mapped[str] = mapped_column(String(12), default="request", server_default="request")  # or retention
    request_id: Mapped[str | None] = mapped_column(ForeignKey("rights_request.id", ondelete="CASCADE"), index=True)
    retention_review_id: Mapped[str | None] = mapped_column(
        ForeignKey("privacy_retention_review.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    # pending, approved, returned, superseded (a retention proposal the survivor's own request took over)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    proposed_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[str | None] = mapped_column(ForeignKey("rights_erasure.id", ondelete="SET NULL"))

    request: Mapped[RightsRequest | None] = relationship(lazy="joined")
    case: Mapped[Case] = relationship(lazy="joined")


class Breach(EncryptedRecord, Model):
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
    description = Encrypted()  # what happened (no survivor's name: the form says so)
    measures = Encrypted()  # containment and remedies
    late_reason = Encrypted()  # required when notified after 72 hours

    unit: Mapped[Unit] = relationship(lazy="joined")
