"""Referrals of a case to a receiving agency, and the encrypted packet the agency reads instead of the case.

* Referral — who, to whom, what is asked, on what legal basis, and where it stands. Its own data key seals
  what the two sides write to each other (the reason for an emergency, a decline, the feedback); that key is
  wrapped by the case's key, so it dies with the case.
* ReferralPacket — a snapshot of exactly the fields the counsellor chose, under the packet's OWN data key,
  wrapped by the packet's own key in the case-key store (app/crypto/casekeys.py): destroying that key
  destroys the packet alone, and erasing the case destroys every packet key of the case with it. It lives
  only while the referral is open and its consent stands: a withdrawn consent, a declined, completed or
  withdrawn referral and the case's erasure each destroy it (services.tombstone); the agency keeps the
  referral row as a tombstone — code, dates, outcome, and why the packet is gone.
  "Send an update" adds a new version; a packet is never changed.
* ReferralServiceDelivered, ReferralPrint — what the agency did, and every printed slip.
* AgencyMapping — an admin's decision that an old (merged) agency's referrals are read by a new agency.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import casekeys
from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit

URGENCIES = ("normal", "urgent")
STATUSES = ("sent", "acknowledged", "accepted", "declined", "services_recorded", "completed", "withdrawn")
OPEN_STATUSES = ("sent", "acknowledged", "accepted", "services_recorded")
BASES = ("consent", "emergency")


class Referral(EncryptedRecord, Model):
    __tablename__ = "referral"
    # An agency's inbox, newest first, straight from the index; the monthly statistics (app/statistics/gbvims.py)
    # count the referrals the units of a commune, district or province sent in a year from the second.
    __table_args__ = (
        Index("ix_referral_agency_sent", "agency_id", "sent_at"),
        Index("ix_referral_sender_sent", "sender_unit_id", "sent_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # the referral's own code, not the case's
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    sender_unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))  # always named: the agency answers it
    # The directory service asked (None for referrals sent before the directory existed).
    service_id: Mapped[str | None] = mapped_column(ForeignKey("directory_service.id"), index=True)
    # Set when the addressed service closed while the referral was open: its successor's agency handles it.
    # agency_id and service_id keep the original addressee (history is never rewritten).
    successor_agency_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # An onward referral: the agency that received `parent` passed the case on (within the survivor's consent).
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("referral.id"), index=True)
    services: Mapped[list] = mapped_column(JSON, default=list)  # codes of services asked
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="sent", index=True)
    legal_basis: Mapped[str] = mapped_column(String(12))  # consent, emergency
    consent_id: Mapped[str | None] = mapped_column(ForeignKey("case_consent.id"))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # emergency basis
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    sent_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # accepted or declined
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    withdraw_cause: Mapped[str | None] = mapped_column(String(20))  # sender, consent_withdrawn, case_erased
    packet_destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the packet is gone (the agency's tombstone says it): withdrawn, consent_withdrawn, declined,
    # completed, case_erased, sender (destroyed by the sender's choice).
    packet_destroyed_cause: Mapped[str | None] = mapped_column(String(20))
    case_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the case was erased after sending
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    emergency_reason = Encrypted()  # why sharing without consent protects life or health (Law 91/2025 Art. 19)
    decline_reason = Encrypted()
    feedback = Encrypted()  # the agency's outcome, for the sender

    agency: Mapped[Unit] = relationship(foreign_keys=[agency_id], lazy="joined")
    sender_unit: Mapped[Unit] = relationship(foreign_keys=[sender_unit_id], lazy="joined")
    successor_agency: Mapped[Unit | None] = relationship(foreign_keys=[successor_agency_id])
    packets: Mapped[list["ReferralPacket"]] = relationship(back_populates="referral", order_by="ReferralPacket.number")
    delivered: Mapped[list["ReferralServiceDelivered"]] = relationship(
        back_populates="referral", order_by="ReferralServiceDelivered.delivered_on"
    )

    def key_owner(self) -> tuple[str, str]:
        return self.case_id, casekeys.CASE  # what the two sides wrote about the case dies with the case

    def addressed_to(self, agency_ids) -> bool:
        """Addressed to one of these agencies, or handed to one of them as the successor of a closed service."""
        return self.agency_id in agency_ids or (
            self.successor_agency_id is not None and self.successor_agency_id in agency_ids
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def sender_may_withdraw_or_destroy(self) -> bool:
        """The sender's status panel draws a form: withdraw while the referral is open, destroy the packet once it
        is closed and the packet still exists (templates/referrals/_status.html; a refusal goes beside it)."""
        return self.is_open or self.packet_destroyed_at is None

    @property
    def latest_packet(self) -> "ReferralPacket | None":
        return self.packets[-1] if self.packets else None

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Not yet acknowledged after its deadline (working days; urgent: the same day)."""
        return self.status == "sent" and (now or utcnow()) > self.ack_due_at


class ReferralPacket(EncryptedRecord, Model):
    """One version of what the agency may read: exactly the chosen fields, frozen at sending."""

    __tablename__ = "referral_packet"
    __table_args__ = (UniqueConstraint("referral_id", "number", name="uq_referral_packet_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)  # version: 1 at sending, +1 per update
    fields: Mapped[list] = mapped_column(JSON, default=list)  # names of the shared fields (no values)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content = Encrypted(kind="json")  # {"values": {field: value}, "message": text}

    referral: Mapped[Referral] = relationship(back_populates="packets")

    def key_owner(self) -> tuple[str, str]:
        # Its own key in the case's group: destroyed alone when the packet is, and with the case in any event.
        return self.referral.case_id, casekeys.packet_name(self.id)

    def owned_store_key(self) -> tuple[str, str]:
        return self.key_owner()

    @property
    def case_id(self) -> str:  # puts audit entries about the packet on the case timeline
        return self.referral.case_id


class ReferralKeyed:
    """A row whose protected fields are sealed under its referral's own data key."""

    if TYPE_CHECKING:  # what the mapped classes that mix this in have
        __tablename__: str
        referral: Referral

    @classmethod
    def crypto_table(cls) -> str:
        return cls.__tablename__

    def data_key(self) -> bytes:
        return self.referral.data_key()


class ReferralServiceDelivered(ReferralKeyed, Model):
    __tablename__ = "referral_service_delivered"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    delivered_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notes = Encrypted()

    referral: Mapped[Referral] = relationship(back_populates="delivered")

    @property
    def case_id(self) -> str:
        return self.referral.case_id


class ReferralPrint(Model):
    """A referral slip was printed (by whom, which packet version)."""

    __tablename__ = "referral_print"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    packet_id: Mapped[str | None] = mapped_column(ForeignKey("referral_packet.id"))
    printed_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgencyMapping(Model):
    """Referrals addressed to `old_agency` are also read by the officers of `new_agency`.

    Deliberately not the unit lineage: which body took over depends on the service asked for, so an
    admin decides it, agency by agency.
    """

    __tablename__ = "referral_agency_map"
    __table_args__ = (UniqueConstraint("old_agency_id", "new_agency_id", name="uq_referral_agency_map_pair"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    old_agency_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    new_agency_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    mapped_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    mapped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    old_agency: Mapped[Unit] = relationship(foreign_keys=[old_agency_id], lazy="joined")
    new_agency: Mapped[Unit] = relationship(foreign_keys=[new_agency_id], lazy="joined")


class SenderContact(Model):
    """A counsellor's choice to let receiving agencies see their name and work phone, so they can call back.

    Staff contact details the counsellor publishes themself (not survivor data), so plain columns; shown only
    while `share` is on, on the agency's referral page and on the paper slip."""

    __tablename__ = "referral_sender_contact"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    work_phone: Mapped[str] = mapped_column(String(20), default="")
    share: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
