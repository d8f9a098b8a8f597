"""Operations of the indicator module: each changes state, writes the audit entry and flushes; the request commits.

Also the reference loader `load_catalogue` (called by `setup`) and `livelihood_budget`, which the
livelihood area asks for the yearly budget of livelihood support.
"""

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import events
from ..audit import services as audit
from ..extensions import db, utcnow
from ..services import ensure
from ..units.models import Unit
from ..units.queries import scope_ids
from . import catalogue_data as data
from .models import (
    ACTIVITY_STATUSES,
    BUDGET_SOURCES,
    ROUNDS,
    ActivityStatus,
    BudgetLine,
    IndicatorActivity,
    IndicatorDef,
    IndicatorPlan,
    IndicatorTarget,
    RegistryEntry,
    ReportingCycle,
    Submission,
    SubmissionValue,
)
from .rules import value_errors

PLAN_CODE = "TG-DA8-2021-2025"
LIVELIHOOD_ACTIVITY = "II.4"  # Phụ biểu II.4: livelihood support for trafficking survivors


# --- reference data --------------------------------------------------------------------------------


def load_catalogue() -> None:
    """Insert or update the plan, its indicators and the Phụ biểu activities, by code (safe to run again)."""
    data.validate()
    _upsert(IndicatorPlan, PLAN_CODE, title=data.PLAN_TITLE, phase_start=data.PHASE[0], phase_end=data.PHASE[1],
            budget_total=data.BUDGET_TOTAL_DONG, budget_source_text=data.BUDGET_SOURCE_TEXT)
    sort = 0
    for ind in data.INDICATORS:
        sort += 10
        _upsert(IndicatorDef, ind["code"], parent_code=None, sort=sort, name=ind["name"],
                short_name=data.SHORT_NAMES[ind["code"]], unit_label=ind["unit"], kind=ind["kind"],
                model_kind=ind["model_kind"], disaggregation=list(ind["disaggregation"]),
                phase_target=ind["phase_target"])
        for offset, sub in enumerate(ind["sub_targets"], start=1):
            _upsert(IndicatorDef, sub["code"], parent_code=ind["code"], sort=sort + offset, name=sub["name"],
                    short_name=data.SHORT_NAMES[sub["code"]], unit_label=sub["unit"], kind=sub["kind"],
                    model_kind=data.SUB_TARGET_MODEL_KINDS.get(sub["code"]), disaggregation=[],
                    phase_target=sub["phase_target"])
    rows = [dict(g, is_group=True) for g in data.ACTIVITY_GROUPS] + [dict(a, is_group=False) for a in data.ACTIVITIES]
    for sort, row in enumerate(sorted(rows, key=lambda r: _code_key(r["code"])), start=1):
        _upsert(IndicatorActivity, row["code"], sort=sort, is_group=row["is_group"],
                component=row["code"].split(".", 1)[0], name=row["name"],
                lead_district=row.get("lead_district"), coordinating_district=row.get("coordinating_district"),
                lead_commune=row.get("lead_commune"), coordinating_commune=row.get("coordinating_commune"),
                years=list(row.get("years", [])), indicator_codes=list(row.get("indicator_codes", [])),
                note=data.ACTIVITY_NOTES.get(row["code"]))
    db.session.flush()


def _code_key(code: str) -> tuple:
    """Order "II.4.10" after "II.4.9": roman component first, then the numbers."""
    head, *rest = code.split(".")
    return (("I", "II", "III", "IV").index(head), *(int(p) for p in rest))


def _upsert(model, code: str, **fields):
    row = db.session.scalar(select(model).where(model.code == code))
    if row is None:
        row = model(code=code)
        db.session.add(row)
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row


@events.livelihood_budget_asked.connect
def _budget_asked(unit: Unit, *, year: int) -> int | None:
    return livelihood_budget(year, unit)


def livelihood_budget(year: int, unit: Unit) -> int | None:
    """The allocated budget of livelihood support (Phụ biểu II.4) for `year` in `unit`'s scope, or None."""
    units = scope_ids(unit)
    lines = db.session.scalars(select(BudgetLine).where(
        BudgetLine.year == year, BudgetLine.unit_id.in_(units),
        BudgetLine.activity_code.startswith(LIVELIHOOD_ACTIVITY))).all()
    if not lines:
        return None
    return sum(line.allocated or line.planned for line in lines)


# --- targets -----------------------------------------------------------------------------------------


def set_target(indicator: IndicatorDef, unit: Unit, year: int | None, value: int | None, *, actor):
    """Set (or with None, clear) the target of a unit for a year or the phase."""
    ensure(value is None or value >= 0, _l("Chỉ tiêu phải là số nguyên không âm."))
    ensure(value is None or not indicator.is_percent or value <= 100, _l("Tỷ lệ không được vượt quá 100%."))
    year_clause = IndicatorTarget.year.is_(None) if year is None else IndicatorTarget.year == year
    row = db.session.scalar(select(IndicatorTarget).where(
        IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.unit_id == unit.id, year_clause))
    if value is None:
        if row is not None:
            db.session.delete(row)
            audit.record(actor, "indicator.target_clear", row, detail={"unit_id": unit.id, "year": year})
        return None
    if row is None:
        row = IndicatorTarget(indicator_id=indicator.id, unit_id=unit.id, year=year, value=value)
        db.session.add(row)
    elif row.value == value:
        return row
    row.value, row.set_by_id = value, getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "indicator.target_set", row, detail={"unit_id": unit.id, "year": year,
                                                             "indicator": indicator.code})
    return row


# --- reporting cycles and submissions ----------------------------------------------------------------


def deadlines() -> dict:
    """The deadlines of the plan, (month, day) per level and round; INDICATOR_DEADLINES in config overrides."""
    return {**data.REPORTING_DEADLINES, **(current_app.config.get("INDICATOR_DEADLINES") or {})}


def default_due(year: int, round_: str, level: str) -> date:
    """The preliminary round is due in the report's year; the update in January of the next."""
    month, day = deadlines()[f"{level}_{round_}"]
    return date(year if round_ == "preliminary" else year + 1, month, day)


def open_cycle(year: int, round_: str, *, actor, commune_due_on: date | None = None,
               district_due_on: date | None = None) -> ReportingCycle:
    """Open a reporting round (or return the open one), with the plan's deadlines unless others are given."""
    ensure(round_ in ROUNDS, _l("Đợt báo cáo không hợp lệ."), "round")
    ensure(2021 <= year <= 2035, _l("Năm báo cáo không hợp lệ."), "year")
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year,
                                                           ReportingCycle.round == round_))
    if cycle is not None:
        return cycle
    cycle = ReportingCycle(year=year, round=round_,
                           commune_due_on=commune_due_on or default_due(year, round_, "commune"),
                           district_due_on=district_due_on or default_due(year, round_, "district"))
    db.session.add(cycle)
    db.session.flush()
    audit.record(actor, "indicator.cycle_open", cycle, detail={"year": year, "round": round_})
    return cycle


def start_submission(cycle: ReportingCycle, unit: Unit, *, actor) -> Submission:
    """The unit's report for the cycle: the existing one, or a new draft."""
    from . import district
    sub = db.session.scalar(select(Submission).where(Submission.cycle_id == cycle.id, Submission.unit_id == unit.id))
    if sub is not None:
        return sub
    ensure(unit.kind in ("commune", "district"), _l("Chỉ xã và huyện lập báo cáo chỉ tiêu."))
    ensure(unit.kind == "commune" or district.has_report(cycle, unit),
           _l("Huyện không còn vào hạn báo cáo của đợt này (cấp huyện kết thúc ngày 30/06/2025): các xã báo cáo "
              "thẳng lên tỉnh."))
    sub = Submission(cycle_id=cycle.id, unit_id=unit.id, level=unit.kind, status="draft",
                     created_by_id=getattr(actor, "id", None))
    db.session.add(sub)
    db.session.flush()
    audit.record(actor, "indicator.submission_start", sub, detail={"cycle_id": cycle.id, "unit_id": unit.id})
    if sub.level == "district":
        district.prefill(sub, actor=actor)  # the district starts from its communes' confirmed figures
    return sub


def save_draft(sub: Submission, values: dict, narrative: dict, *, actor) -> None:
    """Store what the reporter typed. `values`: {(indicator_id, kind): (value, denominator, breakdown)}."""
    ensure(sub.is_editable, _l("Báo cáo đã gửi hoặc đã khóa, không sửa được."))
    indicators = {i.id: i for i in db.session.scalars(select(IndicatorDef))}
    for (indicator_id, kind), (value, denominator, breakdown) in values.items():
        indicator = indicators[indicator_id]
        ensure(not indicator.derived, _l("Chỉ tiêu này tính từ sổ mô hình, không nhập tay."))
        problems = value_errors(indicator, value, denominator, breakdown)
        ensure(not problems, next(iter(problems.values()), ""))
        row = sub.value(indicator_id, kind)
        if value is None:
            if row is not None:
                sub.values.remove(row)
            continue
        if row is None:
            row = SubmissionValue(indicator_id=indicator_id, indicator=indicator, value_kind=kind)
            sub.values.append(row)
        row.value, row.denominator, row.breakdown = value, denominator, breakdown or {}
    for field in ("results", "difficulties", "recommendations"):
        if field in narrative:
            setattr(sub, field, (narrative[field] or "").strip())
    sub.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "indicator.submission_save", sub)


def required_kinds(cycle: ReportingCycle) -> tuple[str, ...]:
    """The preliminary report carries the actual to date and a full-year estimate; the update the final actual."""
    return ("actual", "estimate") if cycle.round == "preliminary" else ("actual",)


def missing_values(sub: Submission) -> list[str]:
    """Codes of the typed indicators whose required figure is not filled in."""
    typed = db.session.scalars(select(IndicatorDef).order_by(IndicatorDef.sort)).all()
    kinds = required_kinds(sub.cycle)
    return [i.code for i in typed if not i.derived for k in kinds if sub.value(i.id, k) is None][:20]


def submit(sub: Submission, *, actor) -> None:
    """Send the report to the level above; the registry's stock figures are frozen into it."""
    ensure(sub.is_editable, _l("Chỉ gửi được báo cáo đang soạn hoặc bị trả lại."))
    missing = missing_values(sub)
    ensure(not missing, _l("Chưa nhập đủ số liệu: %(codes)s.", codes=", ".join(sorted(set(missing)))))
    freeze_registry_figures(sub)
    now = utcnow()
    sub.status, sub.submitted_at, sub.submitted_by_id = "submitted", now, getattr(actor, "id", None)
    sub.first_submitted_at = sub.first_submitted_at or now
    db.session.flush()
    audit.record(actor, "indicator.submission_submit", sub)


def freeze_registry_figures(sub: Submission) -> None:
    """Copy the registry-derived figures at the period end into the report, so it stays as sent."""
    from .queries import registry_figures
    figures = registry_figures(scope_ids(sub.unit), sub.cycle.period_end)
    for indicator in db.session.scalars(select(IndicatorDef)):
        if not indicator.derived or indicator.code not in figures:
            continue
        value, denominator = figures[indicator.code]
        row = sub.value(indicator.id, "actual")
        if row is None:
            row = SubmissionValue(indicator_id=indicator.id, indicator=indicator, value_kind="actual")
            sub.values.append(row)
        row.value, row.denominator, row.breakdown, row.from_registry = value, denominator, {}, True


def return_submission(sub: Submission, reason: str, *, actor) -> None:
    """Send a report back to the commune with the reason; it becomes editable again."""
    ensure(sub.status == "submitted", _l("Chỉ trả lại được báo cáo đã gửi."))
    ensure((reason or "").strip(), _l("Vui lòng ghi lý do trả lại."), "reason")
    sub.status, sub.return_reason = "returned", reason.strip()
    sub.reviewed_at, sub.reviewed_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "indicator.submission_return", sub)


def confirm(sub: Submission, *, actor) -> None:
    """Confirm (xác nhận) a submitted report: its figures count as confirmed."""
    ensure(sub.status == "submitted", _l("Chỉ xác nhận được báo cáo đã gửi."))
    ensure(sub.submitted_by_id is None or sub.submitted_by_id != getattr(actor, "id", None),
           _l("Người gửi báo cáo không tự xác nhận được."))
    sub.status, sub.reviewed_at, sub.reviewed_by_id = "confirmed", utcnow(), getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "indicator.submission_confirm", sub)


def lock(sub: Submission, *, actor) -> None:
    """Lock a confirmed report: nobody changes it again unless an administrator reopens it."""
    ensure(sub.status == "confirmed", _l("Chỉ khóa được báo cáo đã xác nhận."))
    sub.status, sub.locked_at = "locked", utcnow()
    db.session.flush()
    audit.record(actor, "indicator.submission_lock", sub)


def reopen(sub: Submission, reason: str, *, actor) -> None:
    """An administrator reopens a confirmed or locked report, with a reason; the commune corrects it."""
    ensure(sub.status in ("confirmed", "locked"), _l("Chỉ mở lại được báo cáo đã xác nhận hoặc đã khóa."))
    ensure((reason or "").strip(), _l("Vui lòng ghi lý do mở lại."), "reason")
    sub.status, sub.reopen_reason, sub.reopened_at = "returned", reason.strip(), utcnow()
    sub.return_reason, sub.locked_at = reason.strip(), None
    db.session.flush()
    audit.record(actor, "indicator.submission_reopen", sub)


# --- registry ------------------------------------------------------------------------------------------

REGISTRY_FIELDS = ("kind", "name", "decision_number", "founded_on", "status", "ended_on", "members_total",
                   "members_women", "members_ethnic_minority", "members_linked_finance", "members_livelihood",
                   "applies_gals", "meetings_held")


def save_registry_entry(entry: RegistryEntry | None, unit: Unit, fields: dict, *, actor) -> RegistryEntry:
    """Create or update a model of the commune (the form has checked the figures)."""
    ensure(fields["members_women"] <= fields["members_total"], _l("Số nữ không được lớn hơn tổng số thành viên."),
           "members_women")
    ensure(unit.kind == "commune", _l("Mô hình phải thuộc một xã."), "unit_id")
    created = entry is None
    if created:
        entry = RegistryEntry(unit_id=unit.id, created_by_id=getattr(actor, "id", None))
        db.session.add(entry)
    for name in REGISTRY_FIELDS:
        if name in fields:
            setattr(entry, name, fields[name])
    if entry.kind != "savings_group":
        entry.members_linked_finance = entry.members_livelihood = 0
        entry.applies_gals = False
    entry.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "indicator.registry_create" if created else "indicator.registry_update", entry,
                 detail={"unit_id": unit.id, "kind": entry.kind})
    return entry


# --- activity plan and budget ----------------------------------------------------------------------------


def set_activity_status(activity: IndicatorActivity, unit: Unit, year: int, status: str, reason: str, *,
                        actor) -> ActivityStatus:
    """Record how an activity stands in a unit for a year; "not done" needs its reason."""
    ensure(not activity.is_group, _l("Đây là nhóm hoạt động, hãy chọn một hoạt động cụ thể."))
    ensure(status in ACTIVITY_STATUSES, _l("Trạng thái không hợp lệ."), "status")
    ensure(status != "not_done" or (reason or "").strip(), _l("Vui lòng ghi lý do chưa thực hiện."), "reason")
    row = db.session.scalar(select(ActivityStatus).where(
        ActivityStatus.activity_id == activity.id, ActivityStatus.unit_id == unit.id, ActivityStatus.year == year))
    if row is None:
        row = ActivityStatus(activity_id=activity.id, unit_id=unit.id, year=year)
        db.session.add(row)
    row.status, row.reason = status, (reason or "").strip() if status == "not_done" else ""
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "indicator.activity_status", row, detail={"activity": activity.code, "year": year,
                                                                  "status": status})
    return row


def save_budget_line(line: BudgetLine | None, unit: Unit, fields: dict, *, actor) -> BudgetLine:
    """Create or update a budget line; disbursed never exceeds allocated (checked by the form too)."""
    ensure(fields["disbursed"] <= max(fields["allocated"], 0), _l("Số đã giải ngân không được lớn hơn số được giao."),
           "disbursed")
    created = line is None
    if created:
        line = BudgetLine(unit_id=unit.id)
        db.session.add(line)
    for name in ("component", "activity_code", "year", "source", "planned", "allocated", "disbursed", "note"):
        setattr(line, name, fields.get(name) if name != "note" else (fields.get(name) or ""))
    line.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "indicator.budget_create" if created else "indicator.budget_update", line,
                 detail={"year": line.year, "component": line.component})
    return line


def plan() -> IndicatorPlan | None:
    return db.session.scalar(select(IndicatorPlan).where(IndicatorPlan.code == PLAN_CODE))


def budget_totals(units: frozenset[str]) -> dict:
    """Planned, allocated and disbursed over all lines in scope, and the disbursement rate (of allocated)."""
    row = db.session.execute(select(func.coalesce(func.sum(BudgetLine.planned), 0),
                                    func.coalesce(func.sum(BudgetLine.allocated), 0),
                                    func.coalesce(func.sum(BudgetLine.disbursed), 0))
                             .where(BudgetLine.unit_id.in_(units))).one()
    planned, allocated, disbursed = (int(v) for v in row)
    return {"planned": planned, "allocated": allocated, "disbursed": disbursed,
            "rate": round(100 * disbursed / allocated, 1) if allocated else None}


def _rate(disbursed: int, allocated: int) -> float | None:
    return round(100 * disbursed / allocated, 1) if allocated else None


def budget_summary(units: frozenset[str]) -> dict:
    """What the budget screen and the Excel report both show: the lines (by year and component), the sums per
    year and per source with their disbursement rates, the totals and what the plan's envelope leaves."""
    lines = db.session.scalars(select(BudgetLine).where(BudgetLine.unit_id.in_(list(units)))
                               .order_by(BudgetLine.year, BudgetLine.component, BudgetLine.activity_code,
                                         BudgetLine.source)).all()
    by_year: dict = {}
    by_source: dict = {}
    for line in lines:
        for group in (by_year.setdefault(line.year, {}), by_source.setdefault(line.source, {})):
            for key in ("planned", "allocated", "disbursed"):
                group[key] = group.get(key, 0) + getattr(line, key)
    for group in (*by_year.values(), *by_source.values()):
        group["rate"] = _rate(group["disbursed"], group["allocated"])
    totals = budget_totals(units)
    the_plan = plan()
    envelope = the_plan.budget_total if the_plan else None
    return {"lines": lines, "by_year": dict(sorted(by_year.items())),
            "by_source": {s: by_source[s] for s in BUDGET_SOURCES if s in by_source}, "totals": totals,
            "envelope": envelope, "unplanned": None if envelope is None else envelope - totals["planned"],
            "line_rate": {line.id: _rate(line.disbursed, line.allocated) for line in lines}}
