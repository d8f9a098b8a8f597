"""Form drafts: what a user was typing when the idle lock came, kept server-side and encrypted."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import db, new_uuid, utcnow
from ..types import UTCDateTime


class FormDraft(EncryptedRecord, db.Model):
    """One draft per user and form; the form data is sealed under the draft's own data key."""

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("user_id", "form_key", name="uq_form_draft_user_form"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    form_key: Mapped[str] = mapped_column(String(80))  # e.g. "case-intake", "case-edit-<uuid>": ids, never names
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    data = Encrypted(kind="json")  # {field name: [values]}, as the browser posted them
