"""The general indicator module (Project 8): catalogue, targets, reports, registry, activity plan, budget.

Plans are data: a plan (programme, phase, version, status) owns its indicators, activity lines, cycle rules and
budget lines, each row with validity dates. The 2022 plan is loaded by `setup` (reference data, kept between
tests); later plans are made in the app from a copy or from scratch. Everything else is entered in the app.
None of these tables holds person data: figures, model names (teams, groups, clubs) and the reporters'
narrative only. Never store the names of survivors here.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit

ROUNDS = ("preliminary", "update")  # báo cáo sơ bộ (5/9, with a full-year estimate) and cập nhật (20/1)
LEVELS = ("commune", "district")
SUBMISSION_STATUSES = ("draft", "submitted", "returned", "confirmed", "locked")
EDITABLE_STATUSES = ("draft", "returned")
VALUE_KINDS = ("actual", "estimate")
MODEL_STATUSES = ("active", "inactive", "dissolved")
# Supported by the project (plan section III: "củng cố, nâng cao chất lượng hoặc thành lập mới"): founded new,
# or an existing model strengthened; "" for a model the project did not support.
PROJECT_SUPPORT = ("new", "strengthened")
ACTIVITY_STATUSES = ("planned", "in_progress", "done", "not_done")
BUDGET_SOURCES = ("central", "local", "integrated", "other")
PLAN_STATUSES = ("draft", "active", "archived")  # archived: read-only, its reports still open
FREQUENCIES = ("yearly", "quarterly")
CYCLE_ROUNDS = (*ROUNDS, "quarter")  # a quarterly report is one round per quarter
PERIODS = ("Y", "Q1", "Q2", "Q3", "Q4")


class IndicatorDef(Model):
    """One headline indicator (CT1…CT8) or sub-target (CT2.1…) of section III of the plan."""

    __tablename__ = "indicator_def"
    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_indicator_def_plan_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("indicator_plan.id"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(String(12))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(String(120))
    unit_label: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))  # stock, count, percent
    model_kind: Mapped[str | None] = mapped_column(String(30))  # the registry kind a stock counts
    disaggregation: Mapped[list] = mapped_column(JSON, default=list)
    phase_target: Mapped[int] = mapped_column(Integer)  # the plan's figure for the whole phase
    formula: Mapped[str | None] = mapped_column(Text)  # e.g. "CT2.1 * 100 / CT2": computed from other indicators
    source: Mapped[str | None] = mapped_column(String(80))  # a value source (app.valuesources), e.g. "register:…"
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    @property
    def derived(self) -> bool:
        """Stock indicators, the savings-group shares, formulas and value sources are counted: never typed."""
        return self.kind == "stock" or self.code in ("CT2.1", "CT2.2") or bool(self.formula) or bool(self.source)

    @property
    def is_percent(self) -> bool:
        return self.kind == "percent"


class IndicatorPlan(Model):
    """A plan of a programme for a phase, in one version: its indicators, cycles, activities and budget envelope.

    A draft is edited freely; an active plan is the one reports are made against (its definitions change in
    place only while no report of it exists, otherwise in a new version); an archived plan is read-only.
    """

    __tablename__ = "indicator_plan"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(Text)
    phase_start: Mapped[int] = mapped_column(Integer)
    phase_end: Mapped[int] = mapped_column(Integer)
    budget_total: Mapped[int] = mapped_column(BigInteger)  # đồng
    budget_source_text: Mapped[str] = mapped_column(Text)
    programme: Mapped[str] = mapped_column(String(40), default="DA8", server_default="DA8")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    status: Mapped[str] = mapped_column(String(10), default="draft", server_default="active")
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("indicator_plan.id"))  # copied from / version of
    middle_level: Mapped[str | None] = mapped_column(String(20))  # "district" in the 2022 plan; None: commune→province
    owner_unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"))  # whose plan (province, district)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"

    @property
    def label(self) -> str:
        return f"{self.phase_start}–{self.phase_end} · v{self.version}"


class CycleRule(Model):
    """When a plan's reports are due: per frequency, round and level, a fixed day or working days after the period.

    The 2022 plan's rules are fixed days (5/9 and 20/1 for communes, 10/9 and 25/1 for the district); a new plan
    counts Vietnamese working days after the quarter or year ends (app.deadlines, holidays and Tết excluded).
    """

    __tablename__ = "indicator_cycle_rule"
    __table_args__ = (
        UniqueConstraint("plan_id", "frequency", "round", "level", "valid_from", name="uq_indicator_cycle_rule_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = mapped_column(ForeignKey("indicator_plan.id"), index=True)
    frequency: Mapped[str] = mapped_column(String(10))  # yearly, quarterly
    round: Mapped[str] = mapped_column(String(12))  # preliminary, update, quarter
    level: Mapped[str] = mapped_column(String(10), default="commune")  # commune, middle
    working_days: Mapped[int | None] = mapped_column(Integer)  # due this many working days after the period end
    fixed_month: Mapped[int | None] = mapped_column(Integer)  # or on a fixed day (of the year, or the next for
    fixed_day: Mapped[int | None] = mapped_column(Integer)  # the update round)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class IndicatorActivity(Model):
    """A row of the Phụ biểu: an activity (or a heading that groups activities)."""

    __tablename__ = "indicator_activity"
    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_indicator_activity_plan_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("indicator_plan.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
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
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class IndicatorTarget(Model):
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


class ReportingCycle(Model):
    """One round of one year's reporting, with the deadline of each level."""

    __tablename__ = "indicator_cycle"
    __table_args__ = (UniqueConstraint("plan_id", "year", "round", "period", name="uq_indicator_cycle_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("indicator_plan.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    round: Mapped[str] = mapped_column(String(12))  # preliminary, update, quarter
    period: Mapped[str] = mapped_column(String(3), default="Y", server_default="Y")  # Y, Q1..Q4
    commune_due_on: Mapped[date] = mapped_column(Date)
    district_due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def due_on(self, level: str) -> date:
        return self.commune_due_on if level == "commune" else self.district_due_on

    plan: Mapped["IndicatorPlan | None"] = relationship(lazy="joined")

    @property
    def period_start(self) -> date:
        if self.period.startswith("Q"):
            return date(self.year, 3 * int(self.period[1]) - 2, 1)
        return date(self.year, 1, 1)

    @property
    def period_end(self) -> date:
        if self.period.startswith("Q"):
            quarter = int(self.period[1])
            return date(self.year, 12, 31) if quarter == 4 else date(self.year, 3 * quarter + 1, 1) - timedelta(days=1)
        return date(self.year, 12, 31)


class Submission(Model):
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


class SubmissionValue(Model):
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


class RegistryEntry(Model):
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
    meetings_held: Mapped[int] = mapped_column(Integer, default=0)  # as typed before the dated meeting log
    # Supported by the project: "new", "strengthened", or "" (not supported).
    project_support: Mapped[str] = mapped_column(String(12), default="", server_default="")
    # A trusted address model is the trusted address itself (a unit of kind trusted_address, where its cases
    # live): the link that lets the DV statistics count the victims it received under the model indicator.
    address_unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined", foreign_keys=[unit_id])
    address_unit: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[address_unit_id])
    meetings: Mapped[list["RegistryMeeting"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="RegistryMeeting.held_on.desc()"
    )

    @property
    def logged_meetings(self) -> int:
        return sum(1 for m in self.meetings if m.status == "valid")

    def active_on(self, day: date) -> bool:
        """Established and maintained at `day`: founded by then, and not ended by then."""
        if self.founded_on > day:
            return False
        if self.ended_on is not None and self.ended_on <= day:
            return False
        return self.status == "active" or self.ended_on is not None


class RegistryMeeting(Model):
    """A dated meeting (sinh hoạt) of a model: when, how many came (women among them), what about."""

    __tablename__ = "indicator_registry_meeting"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    entry_id: Mapped[str] = mapped_column(ForeignKey("indicator_registry.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    attendees: Mapped[int] = mapped_column(Integer, default=0)
    women: Mapped[int] = mapped_column(Integer, default=0)
    topic: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(8), default="valid")  # valid, void
    void_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[RegistryEntry] = relationship(back_populates="meetings")


class ActivityStatus(Model):
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


class BudgetLine(Model):
    """Money of one component (optionally one activity) in one year from one source, in integer đồng."""

    __tablename__ = "indicator_budget_line"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("indicator_plan.id"), index=True)
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
