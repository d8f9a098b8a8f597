"""Form drafts: what a user was typing when the idle lock came, kept server-side and encrypted."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..crypto import casekeys
from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime


class FormDraft(EncryptedRecord, Model):
    """One draft per user and form; the form data is sealed under the draft's own data key.

    That key is wrapped by a destroyable key of the case-key store: the case's key for a draft typed on a
    case's form (it dies with the case, and the erasure deletes the row), else the draft's own key, destroyed
    when the draft is deleted (app/web/drafts.py)."""

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("user_id", "form_key", name="uq_form_draft_user_form"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    form_key: Mapped[str] = mapped_column(String(80))  # e.g. "case-intake", "case-edit-<uuid>": ids, never names
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The case whose form this is (edit forms); None for a form that has no case yet (intake).
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    data = Encrypted(kind="json")  # {field name: [values]}, as the browser posted them

    # The sweep destroys the `draft` keys of drafts that no longer exist (app/crypto/case_store.py).
    orphan_key_name = casekeys.DRAFT

    def key_owner(self) -> tuple[str, str]:
        return (self.case_id, casekeys.CASE) if self.case_id else (self.id, casekeys.DRAFT)

    def owned_store_key(self) -> tuple[str, str] | None:
        return None if self.case_id else (self.id, casekeys.DRAFT)
