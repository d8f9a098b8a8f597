"""The general indicator module (Project 8): catalogue, targets, reports, registry, activity plan, budget.

Reference tables (loaded by `setup`, kept between tests): IndicatorDef, IndicatorPlan, IndicatorActivity.
Everything else is entered in the app. None of these tables holds person data: figures, model names
(teams, groups, clubs) and the reporters' narrative only. Never store the names of survivors here.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit

ROUNDS = ("preliminary", "update")  # báo cáo sơ bộ (5/9, with a full-year estimate) and cập nhật (20/1)
LEVELS = ("commune", "district")
SUBMISSION_STATUSES = ("draft", "submitted", "returned", "confirmed", "locked")
EDITABLE_STATUSES = ("draft", "returned")
VALUE_KINDS = ("actual", "estimate")
MODEL_STATUSES = ("active", "inactive", "dissolved")
ACTIVITY_STATUSES = ("planned", "in_progress", "done", "not_done")
BUDGET_SOURCES = ("central", "local", "integrated", "other")


class IndicatorDef(db.Model):
    """One headline indicator (CT1…CT8) or sub-target (CT2.1…) of section III of the plan."""

    __tablename__ = "indicator_def"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(12))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(String(120))
    unit_label: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))  # stock, count, percent
    model_kind: Mapped[str | None] = mapped_column(String(30))  # the registry kind a stock counts
    disaggregation: Mapped[list] = mapped_column(JSON, default=list)
    phase_target: Mapped[int] = mapped_column(Integer)  # the plan's figure for Tuần Giáo 2021-2025

    @property
    def derived(self) -> bool:
        """Stock indicators and the savings-group shares come from the registry: never typed."""
        return self.kind == "stock" or self.code in ("CT2.1", "CT2.2")

    @property
    def is_percent(self) -> bool:
        return self.kind == "percent"


class IndicatorPlan(db.Model):
    """The plan itself: its phase and its budget envelope (12.380 triệu đồng)."""

    __tablename__ = "indicator_plan"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(Text)
    phase_start: Mapped[int] = mapped_column(Integer)
    phase_end: Mapped[int] = mapped_column(Integer)
    budget_total: Mapped[int] = mapped_column(BigInteger)  # đồng
    budget_source_text: Mapped[str] = mapped_column(Text)


class IndicatorActivity(db.Model):
    """A row of the Phụ biểu: an activity (or a heading that groups activities)."""

    __tablename__ = "indicator_activity"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    component: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(Text)
    lead_district: Mapped[str | None] = mapped_column(String(120))
    coordinating_district: Mapped[str | None] = mapped_column(String(200))
    lead_commune: Mapped[str | None] = mapped_column(String(120))
    coordinating_commune: Mapped[str | None] = mapped_column(String(200))
    years: Mapped[list] = mapped_column(JSON, default=list)
    indicator_codes: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)


class IndicatorTarget(db.Model):
    """A target of one unit for one year, or for the phase (year NULL)."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_id", "year", name="uq_indicator_target_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicator_def.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    indicator: Mapped[IndicatorDef] = relationship(lazy="joined")


class ReportingCycle(db.Model):
    """One round of one year's reporting, with the deadline of each level."""

    __tablename__ = "indicator_cycle"
    __table_args__ = (UniqueConstraint("year", "round", name="uq_indicator_cycle_year_round"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    year: Mapped[int] = mapped_column(Integer)
    round: Mapped[str] = mapped_column(String(12))  # preliminary, update
    commune_due_on: Mapped[date] = mapped_column(Date)
    district_due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def due_on(self, level: str) -> date:
        return self.commune_due_on if level == "commune" else self.district_due_on

    @property
    def period_end(self) -> date:
        return date(self.year, 12, 31)


class Submission(db.Model):
    """A unit's report for one cycle: values, narrative, and where it stands."""

    __tablename__ = "indicator_submission"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id", name="uq_indicator_submission_cycle_unit"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    cycle_id: Mapped[str] = mapped_column(ForeignKey("indicator_cycle.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    level: Mapped[str] = mapped_column(String(10), default="commune")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    results: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str | None] = mapped_column(Text)
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # lateness counts from here
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cycle: Mapped[ReportingCycle] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    values: Mapped[list["SubmissionValue"]] = relationship(back_populates="submission", cascade="all, delete-orphan")

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def value(self, indicator_id: str, kind: str = "actual") -> "SubmissionValue | None":
        return next((v for v in self.values if v.indicator_id == indicator_id and v.value_kind == kind), None)


class SubmissionValue(db.Model):
    """One figure of a report: the actual or the full-year estimate, never both in one row.

    `value` is the count (or the numerator of a percentage, with `denominator`); `breakdown` holds the
    marginal disaggregations, e.g. {"sex": {"female": 3, "male": 2}, "age_band": {...}}.
    """

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("submission_id", "indicator_id", "value_kind", name="uq_indicator_value_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    submission_id: Mapped[str] = mapped_column(ForeignKey("indicator_submission.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicator_def.id"), index=True)
    value_kind: Mapped[str] = mapped_column(String(10), default="actual")
    value: Mapped[int] = mapped_column(Integer, default=0)
    denominator: Mapped[int | None] = mapped_column(Integer)
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    from_registry: Mapped[bool] = mapped_column(Boolean, default=False)

    submission: Mapped[Submission] = relationship(back_populates="values")
    indicator: Mapped[IndicatorDef] = relationship(lazy="joined")


class RegistryEntry(db.Model):
    """A model of the commune (team, group, trusted address, club): stock indicators are counted from here."""

    __tablename__ = "indicator_registry"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)  # the commune
    kind: Mapped[str] = mapped_column(String(30), index=True)
    name: Mapped[str] = mapped_column(String(200))  # the model's name (e.g. "Tổ truyền thông bản Có")
    decision_number: Mapped[str] = mapped_column(String(60), default="")
    founded_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    ended_on: Mapped[date | None] = mapped_column(Date)  # dissolved or stopped
    members_total: Mapped[int] = mapped_column(Integer, default=0)
    members_women: Mapped[int] = mapped_column(Integer, default=0)
    members_ethnic_minority: Mapped[int] = mapped_column(Integer, default=0)
    members_linked_finance: Mapped[int] = mapped_column(Integer, default=0)  # savings groups (CT2.1)
    members_livelihood: Mapped[int] = mapped_column(Integer, default=0)  # savings groups (CT2.2)
    applies_gals: Mapped[bool] = mapped_column(Boolean, default=False)  # savings groups (CT2.3)
    meetings_held: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    def active_on(self, day: date) -> bool:
        """Established and maintained at `day`: founded by then, and not ended by then."""
        if self.founded_on > day:
            return False
        if self.ended_on is not None and self.ended_on <= day:
            return False
        return self.status == "active" or self.ended_on is not None


class ActivityStatus(db.Model):
    """How an activity stands in one unit in one year."""

    __tablename__ = "indicator_activity_status"
    __table_args__ = (UniqueConstraint("activity_id", "unit_id", "year", name="uq_indicator_activity_status_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    activity_id: Mapped[str] = mapped_column(ForeignKey("indicator_activity.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was not done
    updated_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    activity: Mapped[IndicatorActivity] = relationship(lazy="joined")


class BudgetLine(db.Model):
    """Money of one component (optionally one activity) in one year from one source, in integer đồng."""

    __tablename__ = "indicator_budget_line"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    component: Mapped[str] = mapped_column(String(4))  # I, II, III, IV
    activity_code: Mapped[str | None] = mapped_column(String(20))  # e.g. "II.4" for livelihood support
    year: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(12), default="central")
    planned: Mapped[int] = mapped_column(BigInteger, default=0)
    allocated: Mapped[int] = mapped_column(BigInteger, default=0)
    disbursed: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
