"""Offline capture: registered devices, the cases a counsellor keeps available offline, and received items.

Nothing here holds what a survivor said in clear. A device is known by its public signing key; an offline
case is a pointer (case id) whose device-side label is made from the case code and kind only; a received
item keeps its content only when it could not be saved (validation failed, access lost), sealed under its
own data key, so that the counsellor can finish it online from the work queue. That data key is wrapped by a
destroyable key of the case-key store (app/crypto/casekeys.py): the case's key when the item names a case, so
the item dies with the case exactly as the case does (an old backup plus today's keys cannot open it), and
otherwise the item's own key, destroyed when the item is resolved.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import casekeys
from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime

ITEM_KINDS = ("intake", "followup", "note")
# accepted: saved into the case flow; rejected: kept sealed as a work-queue task (validation, access);
# resolved: the counsellor finished or dismissed that task online.
ITEM_STATUSES = ("accepted", "rejected", "resolved")


class OfflineDevice(Model):
    """A phone (browser profile) a counsellor registered for offline capture."""

    __tablename__ = "offline_device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60))  # "Điện thoại 1": chosen from a list, never a free name
    # ECDSA P-256 public key (SubjectPublicKeyInfo DER) of the device's non-extractable signing key.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id], lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class OfflineCase(Model):
    """A case the counsellor chose to make available offline (its code travels to the device, nothing else)."""

    __tablename__ = "offline_case"
    __table_args__ = (UniqueConstraint("user_id", "case_id", name="uq_offline_case_user_case"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case = relationship("Case", lazy="joined")


class OfflineItem(EncryptedRecord, Model):
    """One item a device sent; its id is the device's idempotency key, so a repeated send changes nothing."""

    __tablename__ = "offline_item"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # chosen by the device (random UUID)
    device_id: Mapped[str] = mapped_column(ForeignKey("offline_device.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), index=True)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the phone's clock: kept, flagged if implausible
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clock_flag: Mapped[str | None] = mapped_column(String(20))  # "future", "before_registration", "stale"
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_record.id", ondelete="SET NULL"), index=True)
    result_id: Mapped[str | None] = mapped_column(String(36))  # the case, follow-up or note it became
    reason: Mapped[str | None] = mapped_column(String(40))  # why rejected: "invalid", "no_access", "duplicate"
    size: Mapped[int] = mapped_column(Integer, default=0)
    # Only for rejected items: what the counsellor typed and the field errors, sealed under this row's key.
    values = Encrypted(kind="json")
    errors = Encrypted(kind="json")

    device = relationship(OfflineDevice, lazy="joined")

    # The sweep destroys the `offline` keys of items that no longer exist (a device or account deleted).
    orphan_key_name = casekeys.OFFLINE

    def key_owner(self) -> tuple[str, str]:
        # case_id is set before anything is sealed (services._save_on_case) and never changes afterwards.
        return (self.case_id, casekeys.CASE) if self.case_id else (self.id, casekeys.OFFLINE)

    def owned_store_key(self) -> tuple[str, str] | None:
        return None if self.case_id else (self.id, casekeys.OFFLINE)
