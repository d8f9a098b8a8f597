"""The safe-motherhood payment register and the community event register.

Payments name a person: her name, ID number and address are sealed (app/crypto, one mechanism). Which key:
not a case's. These women are not survivors and have no case; sealing them under a case key would tie a
payment to a case, and the case key dies with the case. Each payment has its own data key, wrapped by its
own key in the case-key store (group = the payment's id, name "record"), kept outside the database and the
backups. Erasing a payment's person data shreds its ciphertexts and DEK in the database and, once the
transaction commits, destroys that store key: an old backup plus today's key file can no longer open it
(app/crypto/casekeys.py says where copies could hide). The payment itself (commune, package, amount, date,
voucher number) stays: it is the settlement record of public money, and says nothing about who was paid
once the name is gone. A voided entry (typed in error, paid twice) is erased at once: a mistaken row has no
reason to keep a name.

Events name nobody: counts of participants by sex and by ethnicity only.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import casekeys
from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit


class SafeMotherhoodPayment(EncryptedRecord, Model):
    """One payment of a safe-motherhood package to a mother, against a voucher."""

    __tablename__ = "register_payment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)  # the commune that paid
    package: Mapped[str] = mapped_column(String(20))
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # đồng
    voucher_number: Mapped[str] = mapped_column(String(40), index=True)  # the accounting voucher (chứng từ)
    # Coded, for the disaggregation of CT5 (women of the ethnic groups with high home-birth rates): no name.
    ethnic_code: Mapped[str | None] = mapped_column(String(8))
    age_band: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(8), default="valid", index=True)
    void_reason: Mapped[str | None] = mapped_column(Text)  # why it was voided (no person data: the form says so)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    full_name = Encrypted()
    id_number = Encrypted()  # CCCD, when the voucher carries it
    address = Encrypted()  # village (bản) and house, as on the voucher
    note = Encrypted()

    unit: Mapped[Unit] = relationship(lazy="joined")

    PERSON_FIELDS = ("full_name", "id_number", "address", "note")

    def key_owner(self) -> tuple[str, str]:
        return self.id, casekeys.RECORD

    def owned_store_key(self) -> tuple[str, str]:
        return self.id, casekeys.RECORD

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


class CommunityEvent(Model):
    """A communication event, policy dialogue, exchange or training held in a village or commune."""

    __tablename__ = "register_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)  # the commune that reports it
    place_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)  # the village or the commune itself
    kind: Mapped[str] = mapped_column(String(20), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(300), default="")
    participants: Mapped[int] = mapped_column(Integer)
    female: Mapped[int] = mapped_column(Integer)
    male: Mapped[int] = mapped_column(Integer)
    by_ethnicity: Mapped[dict] = mapped_column(JSON, default=dict)  # {bucket code: count}, adds up to participants
    status: Mapped[str] = mapped_column(String(8), default="valid", index=True)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined", foreign_keys=[unit_id])
    place: Mapped[Unit] = relationship(lazy="joined", foreign_keys=[place_id])

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    @property
    def ethnic_minority(self) -> int:
        from .reference_data import KINH

        return self.participants - int((self.by_ethnicity or {}).get(KINH, 0))
