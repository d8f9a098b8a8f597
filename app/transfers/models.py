"""A request to move a case to another unit (and, optionally, a named counsellor there)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit

STATUSES = ("pending", "accepted", "declined", "cancelled")


class CaseTransfer(Model):
    __tablename__ = "case_transfer"
    # The receiving side's queue: pending transfers into a unit.
    __table_args__ = (Index("ix_case_transfer_to_status", "to_unit_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id"), index=True)
    from_unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    to_unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    to_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    requested_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason_code: Mapped[str] = mapped_column(String(20), default="moved")  # moved, workload, other (no free text)

    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id], lazy="joined")
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id], lazy="joined")

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"
