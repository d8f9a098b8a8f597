"""A supervisor's sign-off of a high-risk case's safety plan or closure."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cases.models import Case, CaseKeyed
from ..crypto.records import Encrypted
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime

KINDS = ("safety_plan", "closure")
DECISIONS = ("approved", "returned")
# A return says what to fix: a word or two ("sửa lại") tells the counsellor nothing.
RETURN_REASON_MIN = 10
RETURN_REASON_MAX = 2000


class CaseSignOff(CaseKeyed, Model):
    """What the supervisor decided, on which version of the case (a later edit needs a new sign-off).

    A return carries the supervisor's reason, which may name people: sealed under the case's key, so erasing
    the case erases it (and never in the audit detail)."""

    __tablename__ = "case_signoff"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(12))
    case_version: Mapped[int] = mapped_column(Integer)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason = Encrypted()  # a return's reason (none for an approval)

    case: Mapped[Case] = relationship()
