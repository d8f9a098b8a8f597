"""A case conference and its actions; what was said is sealed under the case's data key (erased with it)."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cases.models import Case, CaseKeyed
from ..crypto.records import Encrypted
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime


class ConferenceMeeting(Model):
    """One meeting about several cases at once (siblings, one perpetrator's victims): holds no person data and no
    case id; each case's part is a CaseConference sealed under that case's own key, seen only through that case."""

    __tablename__ = "case_conference_meeting"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    held_on: Mapped[date] = mapped_column(Date)
    case_count: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseConference(CaseKeyed, Model):
    __tablename__ = "case_conference"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("case_conference_meeting.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    services_present: Mapped[list] = mapped_column(JSON, default=list)  # directory service ids
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decisions = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    meeting: Mapped[ConferenceMeeting | None] = relationship()
    actions: Mapped[list["ConferenceAction"]] = relationship(
        back_populates="conference", order_by="ConferenceAction.due_on"
    )


class ConferenceAction(CaseKeyed, Model):
    __tablename__ = "case_conference_action"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    conference_id: Mapped[str] = mapped_column(ForeignKey("case_conference.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open, done
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    what = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    conference: Mapped[CaseConference] = relationship(back_populates="actions")
