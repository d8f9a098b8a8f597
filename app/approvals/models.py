"""A pending change waiting for a second person."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit

KINDS = ("role_grant", "credential_reset", "second_factor_reset", "lineage", "agency_map")
STATUSES = ("pending", "approved", "refused", "withdrawn", "expired")


class ApprovalRequest(Model):
    __tablename__ = "approval_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    requested_by_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The account the change is for (role grants, credential resets); none for lineage and agency maps.
    subject_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # The unit whose case readers may approve (the role's unit, the new unit, the agency taking over).
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    # What will happen: ids and codes only (role, unit ids, dates), never person data.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")
    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="joined")
    subject = relationship("User", foreign_keys=[subject_user_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
