"""Livelihood support (Phụ biểu II.4, pilot model 4): a plan per case, reviewed by the district.

* LivelihoodPlan — the plan as it stands now. Amounts, activity, status and dates stay plain for the
  overview; the free text (description, training needs, risks, reasons) may tell personal circumstances,
  so it is sealed under the CASE's key (`CaseKeyed`): erasing the case erases it too. No names, ever.
* PlanVersion — a snapshot taken at every submission, so both sides can see what was reviewed.
* PlanDecision — approve / return / reject, with who, when and the comment.
* Disbursement, MonitoringVisit, PlanOutcome — what happened after approval.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cases.models import Case, CaseKeyed
from ..crypto.records import Encrypted
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime

ACTIVITIES = ("livestock", "crops", "weaving", "small_trade", "service", "wage_job", "other")
STATUSES = ("draft", "submitted", "returned", "approved", "rejected", "active", "completed", "discontinued")
EDITABLE_STATUSES = ("draft", "returned")
DECISIONS = ("approve", "return", "reject")
FUNDED_STATUSES = ("approved", "active", "completed", "discontinued")
MAX_AMOUNT = 200_000_000  # đồng: far above any plan of the pilot; a typo with extra zeros is caught


def _case_fk():
    return mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)


def _plan_fk():
    return mapped_column(ForeignKey("livelihood_plan.id", ondelete="CASCADE"), index=True)


class LivelihoodPlan(CaseKeyed, Model):
    __tablename__ = "livelihood_plan"
    # The reviewer's lists read the plans already in their order, so a page never sorts every plan.
    __table_args__ = (
        Index("ix_livelihood_plan_status_submitted", "status", "submitted_at", "id"),
        Index("ix_livelihood_plan_decided", "decided_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    status: Mapped[str] = mapped_column(String(14), default="draft", index=True)
    activity: Mapped[str] = mapped_column(String(20))
    amount_requested: Mapped[int] = mapped_column(Integer)
    amount_approved: Mapped[int | None] = mapped_column(Integer)
    cofund_own: Mapped[int] = mapped_column(Integer, default=0)
    cofund_family: Mapped[int] = mapped_column(Integer, default=0)
    cofund_bank: Mapped[int] = mapped_column(Integer, default=0)  # loan from the Bank for Social Policies
    cofund_other: Mapped[int] = mapped_column(Integer, default=0)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    expected_income: Mapped[int | None] = mapped_column(Integer)  # đồng per month once running
    budget_year: Mapped[int | None] = mapped_column(Integer, index=True)  # the year whose budget it draws on
    versions_count: Mapped[int] = mapped_column(Integer, default=0)
    proposed_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    activated_on: Mapped[date | None] = mapped_column(Date)  # the first disbursement
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    description = Encrypted()
    training_needs = Encrypted()
    risks = Encrypted()
    close_reason = Encrypted()  # why it was discontinued (or how it ended)

    case: Mapped[Case] = relationship(lazy="joined")
    versions: Mapped[list["PlanVersion"]] = relationship(back_populates="plan", order_by="PlanVersion.number")
    decisions: Mapped[list["PlanDecision"]] = relationship(back_populates="plan", order_by="PlanDecision.decided_at")
    disbursements: Mapped[list["Disbursement"]] = relationship(back_populates="plan", order_by="Disbursement.paid_on")
    visits: Mapped[list["MonitoringVisit"]] = relationship(back_populates="plan", order_by="MonitoringVisit.visited_on")
    outcomes: Mapped[list["PlanOutcome"]] = relationship(back_populates="plan", order_by="PlanOutcome.milestone")

    @property
    def cofunding_total(self) -> int:
        return self.cofund_own + self.cofund_family + self.cofund_bank + self.cofund_other

    @property
    def disbursed(self) -> int:
        return sum(d.amount for d in self.disbursements)

    @property
    def remaining(self) -> int:
        return max(0, (self.amount_approved or 0) - self.disbursed)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class PlanVersion(CaseKeyed, Model):
    """The plan as it was submitted the n-th time: plain figures, sealed text."""

    __tablename__ = "livelihood_plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = _plan_fk()
    case_id: Mapped[str] = _case_fk()
    number: Mapped[int] = mapped_column(Integer)
    activity: Mapped[str] = mapped_column(String(20))
    amount_requested: Mapped[int] = mapped_column(Integer)
    submitted_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content = Encrypted(kind="json")  # every field of the plan at submission

    case: Mapped[Case] = relationship(lazy="joined")
    plan: Mapped[LivelihoodPlan] = relationship(back_populates="versions")


class PlanDecision(CaseKeyed, Model):
    """A district reviewer's decision on one submitted version."""

    __tablename__ = "livelihood_decision"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = _plan_fk()
    case_id: Mapped[str] = _case_fk()
    version_number: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(10))  # approve, return, reject
    amount: Mapped[int | None] = mapped_column(Integer)  # approved amount
    budget_source: Mapped[str | None] = mapped_column(String(20))  # indicators or config: what the check used
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    plan: Mapped[LivelihoodPlan] = relationship(back_populates="decisions")


class Disbursement(CaseKeyed, Model):
    __tablename__ = "livelihood_disbursement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = _plan_fk()
    case_id: Mapped[str] = _case_fk()
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(Integer)
    payment_form: Mapped[str] = mapped_column(String(10))  # cash, in_kind
    receipt_number: Mapped[str] = mapped_column(String(40))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    items = Encrypted()  # what was given in kind

    case: Mapped[Case] = relationship(lazy="joined")
    plan: Mapped[LivelihoodPlan] = relationship(back_populates="disbursements")


class MonitoringVisit(CaseKeyed, Model):
    __tablename__ = "livelihood_visit"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = _plan_fk()
    case_id: Mapped[str] = _case_fk()
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    progress: Mapped[str] = mapped_column(String(12))  # on_track, slow, stopped
    income: Mapped[int | None] = mapped_column(Integer)  # đồng earned this period
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    problems = Encrypted()
    support_needed = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    plan: Mapped[LivelihoodPlan] = relationship(back_populates="visits")


class PlanOutcome(CaseKeyed, Model):
    """The outcome 6 and 12 months after the first disbursement."""

    __tablename__ = "livelihood_outcome"
    __table_args__ = (UniqueConstraint("plan_id", "milestone"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = _plan_fk()
    case_id: Mapped[str] = _case_fk()
    milestone: Mapped[int] = mapped_column(Integer)  # 6 or 12 (months)
    recorded_on: Mapped[date] = mapped_column(Date)
    still_active: Mapped[bool] = mapped_column(Boolean)
    income_change: Mapped[str] = mapped_column(String(12))  # increased, same, decreased
    wellbeing: Mapped[int] = mapped_column(Integer)  # self-assessed, 1 (bad) to 5 (good)
    reintegration: Mapped[str] = mapped_column(String(12))  # good, partial, difficult
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    plan: Mapped[LivelihoodPlan] = relationship(back_populates="outcomes")
