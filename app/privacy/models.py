"""The controller's own records (Law 91/2025/QH15, Decree 356/2025/NĐ-CP; legal-2026.md §5).

None of them holds a survivor's data: the notice, the dossier, the agreements and the retention schedule are
the organisation's texts and dates, kept in plaintext; a retention review names a record by its type and id
only. Versions are never edited in place: a new version is saved and the old one stays as evidence.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..directory.models import Service
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit


class PrivacyNotice(Model):
    """One version of the sensitive-data notice read to a survivor before consent (Decree 356/2025 Art. 6)."""

    __tablename__ = "privacy_notice"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # the day the next version took over (exclusive)
    text_vi: Mapped[str] = mapped_column(Text)  # the notice in full
    text_plain: Mapped[str] = mapped_column(Text)  # short sentences, for readers of Thái or H'Mông
    change_note: Mapped[str] = mapped_column(String(300), default="")
    published_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)


class DossierVersion(Model):
    """One version of the impact-assessment dossier (form 10 with its annex 02a; Law Art. 21–22, Decree 356
    Art. 19–20): the officer's sections and a snapshot of the system's facts when it was saved."""

    __tablename__ = "privacy_dossier"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    reason: Mapped[str] = mapped_column(String(20))  # initial, periodic, reorganisation, other
    processing_started_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date] = mapped_column(Date, index=True)
    sent_on: Mapped[date | None] = mapped_column(Date)  # sent to the authority (A05, Bộ Công an)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reorganisation(Model):
    """A reorganisation of the controller (a merger, a new processing): the dossier is updated within 10 days
    (form 03a; Decree 356/2025 Art. 20)."""

    __tablename__ = "privacy_reorganisation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300))
    answered_by_id: Mapped[str | None] = mapped_column(ForeignKey("privacy_dossier.id"))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TransferAgreement(Model):
    """The written agreement under which personal data go to one receiving service of the directory (Decree
    356/2025 Art. 7: a transfer to each receiver rests on its own agreement). A referral goes to a service, and
    one agency runs several (Sở Y tế: social protection, trafficking verification…), each with its own scope.

    `agency_id` is the agency that runs the service (kept for listing, and for the agency-level agreements
    recorded before 2500_agreement_per_service, which copied each onto every service of its agency; an
    agency that ran no service keeps its agreement with no service, covering nothing)."""

    __tablename__ = "privacy_agreement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    agency_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("directory_service.id"), index=True)
    reference: Mapped[str] = mapped_column(String(80))  # the agreement's number, e.g. "12/2026/TTBM"
    signed_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # the last day it covers
    ended_on: Mapped[date | None] = mapped_column(Date)  # ended early (from this day on it no longer covers)
    scope: Mapped[str] = mapped_column(String(500))  # which data, for which purposes
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Unit] = relationship(lazy="joined")
    service: Mapped[Service | None] = relationship(lazy="joined")

    def live_on(self, day: date) -> bool:
        return (
            self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
            and (self.ended_on is None or day < self.ended_on)
        )


class RetentionRule(Model):
    """How long one type of record is kept after its end, and on what basis (the retention schedule)."""

    __tablename__ = "privacy_retention_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    record_type: Mapped[str] = mapped_column(String(30), unique=True)  # reference_data.RECORD_TYPES
    months: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(300))
    updated_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RetentionReview(Model):
    """A record found past its retention by the monthly job, waiting for the officer's decision: it is never
    deleted silently. Names the record by type and id only."""

    __tablename__ = "privacy_retention_review"
    __table_args__ = (UniqueConstraint("record_type", "record_id", "due_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(36))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))  # the record's code (e.g. TG-2026-0042), never a name
    ended_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open, keep, erase, erased
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    keep_until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
