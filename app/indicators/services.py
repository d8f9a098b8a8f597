"""Operations of the indicator module: each changes state, writes the audit entry and flushes; the request commits.

Also the reference loader `load_catalogue` (called by `setup`) and `livelihood_budget`, which the
livelihood area asks for the yearly budget of livelihood support.
"""

from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, true, update

from .. import clock, events
from ..audit import services as audit
from ..extensions import db, utcnow
from ..services import ensure, ensure_found
from ..units.models import Unit
from ..units.queries import in_force_as, nearest_of_kind, scope_ids, validity_note
from ..web.filters import date_vn
from . import catalogue_data as data
from .models import (
    ACTIVITY_STATUSES,
    BUDGET_SOURCES,
    CYCLE_ROUNDS,
    PERIODS,
    PROJECT_SUPPORT,
    ROUNDS,
    ActivityStatus,
    BudgetLine,
    CycleRule,
    IndicatorActivity,
    IndicatorDef,
    IndicatorPlan,
    IndicatorTarget,
    RegistryEntry,
    RegistryMeeting,
    ReportingCycle,
    Submission,
    SubmissionValue,
)
from .plans import ensure_open, ensure_targets_open
from .rules import value_errors

PLAN_CODE = "TG-DA8-2021-2025"  # the 2022 plan (plans.REFERENCE_CODE)
LIVELIHOOD_ACTIVITY = "II.4"  # Phụ biểu II.4: livelihood support for trafficking survivors


# --- reference data --------------------------------------------------------------------------------


def load_catalogue() -> None:
    """Load the 2022 plan as the first plan's rows: the plan (archived: the phase ended in 2025), its indicators,
    the Phụ biểu activities and its reporting deadlines, by code within the plan (safe to run again)."""
    from ..units.queries import by_code

    data.validate()
    district = by_code("099")
    the_plan = _upsert(
        IndicatorPlan,
        PLAN_CODE,
        title=data.PLAN_TITLE,
        phase_start=data.PHASE[0],
        phase_end=data.PHASE[1],
        budget_total=data.BUDGET_TOTAL_DONG,
        budget_source_text=data.BUDGET_SOURCE_TEXT,
        programme=data.PROGRAMME,
        version=1,
        status="archived",
        middle_level="district",
        owner_unit_id=district.id if district else None,
        valid_from=date(data.PHASE[0], 1, 1),
        valid_to=date(data.PHASE[1], 12, 31),
    )
    db.session.flush()
    valid = {"valid_from": the_plan.valid_from, "valid_to": the_plan.valid_to}
    sort = 0
    for ind in data.INDICATORS:
        sort += 10
        _upsert(
            IndicatorDef,
            ind["code"],
            plan=the_plan,
            parent_code=None,
            sort=sort,
            name=ind["name"],
            short_name=data.SHORT_NAMES[ind["code"]],
            unit_label=ind["unit"],
            kind=ind["kind"],
            model_kind=ind["model_kind"],
            disaggregation=list(ind["disaggregation"]),
            phase_target=ind["phase_target"],
            **valid,
        )
        for offset, sub in enumerate(ind["sub_targets"], start=1):
            _upsert(
                IndicatorDef,
                sub["code"],
                plan=the_plan,
                parent_code=ind["code"],
                sort=sort + offset,
                name=sub["name"],
                short_name=data.SHORT_NAMES[sub["code"]],
                unit_label=sub["unit"],
                kind=sub["kind"],
                model_kind=data.SUB_TARGET_MODEL_KINDS.get(sub["code"]),
                disaggregation=[],
                phase_target=sub["phase_target"],
                **valid,
            )
    rows: list[dict[str, Any]] = [dict(g, is_group=True) for g in data.ACTIVITY_GROUPS] + [
        dict(a, is_group=False) for a in data.ACTIVITIES
    ]
    for sort, row in enumerate(sorted(rows, key=lambda r: _code_key(r["code"])), start=1):
        _upsert(
            IndicatorActivity,
            row["code"],
            plan=the_plan,
            sort=sort,
            is_group=row["is_group"],
            component=row["code"].split(".", 1)[0],
            name=row["name"],
            lead_district=row.get("lead_district"),
            coordinating_district=row.get("coordinating_district"),
            lead_commune=row.get("lead_commune"),
            coordinating_commune=row.get("coordinating_commune"),
            years=list(row.get("years", [])),
            indicator_codes=list(row.get("indicator_codes", [])),
            note=data.ACTIVITY_NOTES.get(row["code"]),
            **valid,
        )
    for key, (month, day) in data.REPORTING_DEADLINES.items():
        level, round_ = key.split("_", 1)
        level = "commune" if level == "commune" else "middle"
        rule = db.session.scalar(
            select(CycleRule).where(
                CycleRule.plan_id == the_plan.id, CycleRule.round == round_, CycleRule.level == level
            )
        )
        if rule is None:
            rule = CycleRule(plan_id=the_plan.id, frequency="yearly", round=round_, level=level)
            db.session.add(rule)
        rule.fixed_month, rule.fixed_day, rule.working_days = month, day, None
        rule.valid_from, rule.valid_to = the_plan.valid_from, the_plan.valid_to
    for model in (IndicatorDef, IndicatorActivity, ReportingCycle, BudgetLine):  # rows from before plans were data
        db.session.execute(update(model).where(model.plan_id.is_(None)).values(plan_id=the_plan.id))
    db.session.flush()


def _code_key(code: str) -> tuple:
    """Order "II.4.10" after "II.4.9": roman component first, then the numbers."""
    head, *rest = code.split(".")
    return (("I", "II", "III", "IV").index(head), *(int(p) for p in rest))


def _upsert(model, code: str, plan: IndicatorPlan | None = None, **fields):
    """The row of `code` (within `plan`, for a plan's rows), created if missing, with `fields` set."""
    query = select(model).where(model.code == code)
    if plan is not None:
        query = query.where(or_(model.plan_id == plan.id, model.plan_id.is_(None)))
    row = db.session.scalar(query)
    if row is None:
        row = model(code=code)
        db.session.add(row)
    if plan is not None:
        row.plan_id = plan.id
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row


@events.livelihood_budget_asked.connect
def _budget_asked(unit: Unit, *, year: int) -> int | None:
    return livelihood_budget(year, unit)


@events.period_reported.connect
def _period_reported(unit_id: str, *, day: date):
    return period_locked(unit_id, day)


@events.entries_locked.connect
def _entries_locked(_sender, *, entries: set[tuple[str, date]]) -> set[tuple[str, date]]:
    from .queries import locking_reports

    return set(locking_reports(entries))


def period_locked(unit_id: str, day: date | None):
    """Why the register of `unit_id` is locked on `day` (a Vietnamese message naming the report), or None."""
    from .queries import locking_report

    sub = locking_report(unit_id, day) if day is not None else None
    if sub is None:
        return None
    return _l(
        "Ngày %(day)s thuộc kỳ đã có %(report)s gửi lên: sổ của kỳ này đã khoá, không thêm, sửa hay huỷ được. "
        "Nếu cần sửa, đề nghị người duyệt trả lại hoặc mở lại báo cáo.",
        day=date_vn(day),
        report=report_label(sub),
    )


def report_label(sub: Submission) -> str:
    """The report in words, e.g. "báo cáo quý 2/2026 của Xã Quài Tở"."""
    cycle, unit = sub.cycle, sub.unit.name
    if cycle.round == "quarter":
        return str(_l("báo cáo quý %(q)s/%(year)d của %(unit)s", q=cycle.period[1:], year=cycle.year, unit=unit))
    if cycle.round == "preliminary":
        return str(_l("báo cáo sơ bộ năm %(year)d của %(unit)s", year=cycle.year, unit=unit))
    return str(_l("báo cáo năm %(year)d của %(unit)s", year=cycle.year, unit=unit))


def ensure_period_open(unit_id: str, day: date | None, field: str | None = None) -> None:
    """Refuse a change to the register of a day whose report is sent (see queries.locking_report)."""
    locked = period_locked(unit_id, day)
    ensure(locked is None, locked, field)


def livelihood_budget(year: int, unit: Unit) -> int | None:
    """The allocated budget of livelihood support (Phụ biểu II.4) for `year` in `unit`'s scope, or None."""
    units = scope_ids(unit)
    lines = db.session.scalars(
        select(BudgetLine).where(
            BudgetLine.year == year,
            BudgetLine.unit_id.in_(units),
            BudgetLine.activity_code.startswith(LIVELIHOOD_ACTIVITY),
        )
    ).all()
    if not lines:
        return None
    return sum(line.allocated or line.planned for line in lines)


# --- targets -----------------------------------------------------------------------------------------


def set_target(indicator: IndicatorDef, unit: Unit, year: int | None, value: int | None, *, actor):
    """Set (or with None, clear) the target of a unit for a year or the phase; refused for an archived plan and,
    when it changes, for a year whose report the unit has sent (the target fed it: reopening the report
    unlocks it)."""
    ensure_open(_plan_of(indicator), "value")
    ensure(value is None or value >= 0, _l("Chỉ tiêu phải là số nguyên không âm."), "value")
    ensure(value is None or not indicator.is_percent or value <= 100, _l("Tỷ lệ không được vượt quá 100%."), "value")
    year_clause = IndicatorTarget.year.is_(None) if year is None else IndicatorTarget.year == year
    row = db.session.scalar(
        select(IndicatorTarget).where(
            IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.unit_id == unit.id, year_clause
        )
    )
    if (row.value if row is not None else None) == value:
        return row  # unchanged (a grid sends every cell): nothing to refuse, nothing to record
    ensure_targets_open(indicator.plan_id, unit, year, "value")
    if value is None:
        db.session.delete(row)
        audit.record(
            actor,
            "indicator.target_clear",
            row,
            detail={"unit_id": unit.id, "year": year, "plan_id": indicator.plan_id},
        )
        return None
    if row is None:
        row = IndicatorTarget(indicator_id=indicator.id, unit_id=unit.id, year=year, value=value)
        db.session.add(row)
    row.value, row.set_by_id = value, getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        actor,
        "indicator.target_set",
        row,
        detail={"unit_id": unit.id, "year": year, "indicator": indicator.code, "plan_id": indicator.plan_id},
    )
    return row


# --- reporting cycles and submissions ----------------------------------------------------------------


def deadlines() -> dict:
    """The deadlines of the plan, (month, day) per level and round; INDICATOR_DEADLINES in config overrides."""
    return {**data.REPORTING_DEADLINES, **(current_app.config.get("INDICATOR_DEADLINES") or {})}


def default_due(year: int, round_: str, level: str) -> date:
    """The preliminary round is due in the report's year; the update in January of the next."""
    month, day = deadlines()[f"{level}_{round_}"]
    return date(year if round_ == "preliminary" else year + 1, month, day)


def open_cycle(
    year: int,
    round_: str,
    *,
    actor,
    commune_due_on: date | None = None,
    district_due_on: date | None = None,
    plan: IndicatorPlan | None = None,
    period: str | None = None,
) -> ReportingCycle:
    """Open a reporting round of a plan (by default the year's), or return the open one; deadlines come from the
    plan's cycle rules (fixed days, or working days after the quarter or year) unless others are given."""
    from . import plans

    ensure(round_ in CYCLE_ROUNDS, _l("Đợt báo cáo không hợp lệ."), "round")
    ensure(2021 <= year <= 2045, _l("Năm báo cáo không hợp lệ."), "year")
    period = period or ("Q1" if round_ == "quarter" else "Y")
    ensure(period in PERIODS and (period == "Y") == (round_ != "quarter"), _l("Kỳ báo cáo không hợp lệ."), "period")
    plan = plan or plans.for_year(year)
    ensure(
        plan is not None and plan.status != "draft",
        _l("Chưa có kế hoạch đang áp dụng cho năm %(year)d.", year=year),
        "year",
    )
    assert plan is not None
    ensure_open(plan, "year")  # an archived plan's cycles are closed
    ensure(
        plan.code == PLAN_CODE or plan.phase_start <= year <= plan.phase_end,
        _l("Năm phải nằm trong giai đoạn %(a)d–%(b)d.", a=plan.phase_start, b=plan.phase_end),
        "year",
    )
    cycle = db.session.scalar(
        select(ReportingCycle).where(
            ReportingCycle.plan_id == plan.id,
            ReportingCycle.year == year,
            ReportingCycle.round == round_,
            ReportingCycle.period == period,
        )
    )
    if cycle is not None:
        return cycle
    commune_due_on = commune_due_on or _due(plan, year, round_, period, "commune")
    middle_due_on = district_due_on or (
        _due(plan, year, round_, period, "middle") if plan.middle_level else commune_due_on
    )
    cycle = ReportingCycle(
        plan_id=plan.id,
        year=year,
        round=round_,
        period=period,
        commune_due_on=commune_due_on,
        district_due_on=middle_due_on,
    )
    db.session.add(cycle)
    db.session.flush()
    audit.record(
        actor,
        "indicator.cycle_open",
        cycle,
        detail={"year": year, "round": round_, "period": period, "plan": plan.code},
    )
    return cycle


def _due(plan: IndicatorPlan, year: int, round_: str, period: str, level: str) -> date:
    """The deadline from the plan's rule; the 2022 plan keeps its fixed days (and INDICATOR_DEADLINES)."""
    from . import plans

    rule = plans.rule_for(plan, round_, level, on=plans.period_end(year, period))
    if plan.code == PLAN_CODE and round_ in ROUNDS:
        return default_due(year, round_, "commune" if level == "commune" else "district")
    ensure(rule is not None, _l("Kế hoạch chưa quy định hạn cho đợt báo cáo này."), "round")
    assert rule is not None
    return plans.due_on(rule, year, period)


def start_submission(cycle: ReportingCycle, unit: Unit, *, actor) -> Submission:
    """The unit's report for the cycle: the existing one, or a new draft."""
    from . import district

    sub = db.session.scalar(select(Submission).where(Submission.cycle_id == cycle.id, Submission.unit_id == unit.id))
    if sub is not None:
        return sub
    ensure_open(_cycle_plan(cycle))
    ensure(unit.kind in ("commune", "district"), _l("Chỉ xã và huyện lập báo cáo chỉ tiêu."))
    ensure(
        unit.kind == "commune" or district.has_report(cycle, unit),
        _l(
            "Huyện không còn vào hạn báo cáo của đợt này (cấp huyện kết thúc ngày 30/06/2025): các xã báo cáo "
            "thẳng lên tỉnh."
        ),
    )
    ensure_exists_in(cycle, unit)
    sub = Submission(
        cycle_id=cycle.id, unit_id=unit.id, level=unit.kind, status="draft", created_by_id=getattr(actor, "id", None)
    )
    db.session.add(sub)
    db.session.flush()
    audit.record(actor, "indicator.submission_start", sub, detail={"cycle_id": cycle.id, "unit_id": unit.id})
    if sub.level == "district":
        district.prefill(sub, actor=actor)  # the district starts from its communes' confirmed figures
    return sub


def ensure_exists_in(cycle: ReportingCycle, unit: Unit) -> None:
    """A unit reports in a cycle only if it exists on some day of the cycle's period (Unit.exists_between, as
    queries.expected_communes): a commune merged on 1/7/2025 (QĐ 19/2025/QĐ-TTg) has its 2025 report and none for
    2026, whose figures its successor reports; the district, abolished the same day, none either."""
    ensure(
        unit.exists_between(cycle.period_start, cycle.period_end),
        _l(
            "%(unit)s không còn hoạt động trong kỳ báo cáo của đợt này (%(note)s), nên không lập báo cáo cho đợt này. "
            "Số liệu của địa bàn do đơn vị kế thừa báo cáo; báo cáo các năm trước của đơn vị vẫn xem được.",
            unit=unit.name,
            note=validity_note(unit, cycle.period_start, cycle.period_end),
        ),
    )


def save_draft(sub: Submission, values: dict, narrative: dict, *, actor) -> None:
    """Store what the reporter typed. `values`: {(indicator_id, kind): (value, denominator, breakdown)}."""
    ensure(sub.is_editable, _l("Báo cáo đã gửi hoặc đã khóa, không sửa được."))
    ensure_open(_cycle_plan(sub.cycle))
    indicators = {i.id: i for i in _cycle_indicators(sub.cycle)}
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


def _cycle_plan(cycle: ReportingCycle) -> IndicatorPlan | None:
    from . import plans

    return cycle.plan or plans.for_year(cycle.year)


def _plan_of(row) -> IndicatorPlan | None:
    """The plan a row (indicator, activity, budget line) belongs to."""
    return db.session.get(IndicatorPlan, row.plan_id) if row.plan_id else None


def _cycle_indicators(cycle: ReportingCycle) -> list[IndicatorDef]:
    """The indicators the cycle asks for (its plan's, in force in its period)."""
    from . import plans

    return plans.cycle_indicators(cycle)


def missing_values(sub: Submission) -> list[str]:
    """Codes of the typed indicators whose required figure is not filled in."""
    typed = _cycle_indicators(sub.cycle)
    kinds = required_kinds(sub.cycle)
    return [i.code for i in typed if not i.derived for k in kinds if sub.value(i.id, k) is None][:20]


def submit(sub: Submission, *, actor) -> None:
    """Send the report to the level above; the registry's stock figures are frozen into it."""
    ensure(sub.is_editable, _l("Chỉ gửi được báo cáo đang soạn hoặc bị trả lại."))
    ensure_open(_cycle_plan(sub.cycle))
    missing = missing_values(sub)
    ensure(not missing, _l("Chưa nhập đủ số liệu: %(codes)s.", codes=", ".join(sorted(set(missing)))))
    freeze_registry_figures(sub)
    now = utcnow()
    sub.status, sub.submitted_at, sub.submitted_by_id = "submitted", now, getattr(actor, "id", None)
    sub.first_submitted_at = sub.first_submitted_at or now
    db.session.flush()
    audit.record(actor, "indicator.submission_submit", sub)


def freeze_registry_figures(sub: Submission) -> None:
    """Copy the counted figures (the registry's at the period end, the value sources' over the period with
    their breakdown by the indicator's disaggregations) into the report, so it stays as sent."""
    from .queries import counted_values, stock_day

    inds = _cycle_indicators(sub.cycle)
    period_end = sub.cycle.period_end
    stock_on = stock_day(sub.unit, period_end)  # an old commune's 2025 report: its models of 30/06/2025
    figures = counted_values(inds, scope_ids(sub.unit), sub.cycle.period_start, period_end, stock_on=stock_on)
    for indicator in inds:
        if not indicator.derived or figures.get(indicator.code) is None:
            continue
        value, denominator, breakdown = figures[indicator.code]
        if value is None:
            continue
        row = sub.value(indicator.id, "actual")
        if row is None:
            row = SubmissionValue(indicator_id=indicator.id, indicator=indicator, value_kind="actual")
            sub.values.append(row)
        row.value, row.denominator, row.breakdown, row.from_registry = value, denominator, breakdown, True


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
    ensure(
        sub.submitted_by_id is None or sub.submitted_by_id != getattr(actor, "id", None),
        _l("Người gửi báo cáo không tự xác nhận được."),
    )
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

REGISTRY_FIELDS = (
    "kind",
    "name",
    "decision_number",
    "founded_on",
    "status",
    "ended_on",
    "members_total",
    "members_women",
    "members_ethnic_minority",
    "members_linked_finance",
    "members_livelihood",
    "applies_gals",
    "meetings_held",
    "project_support",
    "address_unit_id",
)


def save_registry_entry(entry: RegistryEntry | None, unit: Unit, fields: dict, *, actor) -> RegistryEntry:
    """Create or update a model of the commune (the form has checked the figures)."""
    ensure(
        fields["members_women"] <= fields["members_total"],
        _l("Số nữ không được lớn hơn tổng số thành viên."),
        "members_women",
    )
    ensure(unit.kind == "commune", _l("Mô hình phải thuộc một xã."), "unit_id")
    ensure(fields.get("project_support", "") in ("", *PROJECT_SUPPORT), _l("Vui lòng chọn một mục."), "project_support")
    _check_address(entry, unit, fields)
    created = entry is None
    if entry is None:
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
    audit.record(
        actor,
        "indicator.registry_create" if created else "indicator.registry_update",
        entry,
        detail={"unit_id": unit.id, "kind": entry.kind},
    )
    return entry


def ensure_maintainable(entry: RegistryEntry | None, unit: Unit, user) -> None:
    """A model is added to, or updated in, a unit that exists today, by a reporter of a unit in force whose scope
    holds it (queries.maintains). The district abolished and the communes merged on 1/7/2025 (legal-2026.md §1,
    QĐ 19/2025/QĐ-TTg) keep their models as history, read-only; a model that carries on stands under the successor
    commune, whose reporter keeps it up. `unit` is the commune chosen for a new model."""
    from .queries import entry_stands_in, maintained_units

    today, field = clock.today(), "unit_id" if entry is None else "maintainer"
    where = unit if entry is None else db.session.get(Unit, entry_stands_in(entry, today)) or entry.unit
    ensure(
        where.is_current(today),
        _l(
            "%(unit)s không còn hoạt động (%(note)s): không thêm hoặc sửa mô hình của đơn vị này. Các mô hình cũ "
            "vẫn xem được trong sổ.",
            unit=where.name,
            note=validity_note(where) or _l("đã ngừng"),
        )
        if entry is None or where.id == entry.unit_id
        else _l("Mô hình này nay thuộc %(unit)s, nơi đã ngừng hoạt động.", unit=where.name),
        field,
    )
    commune = where if where.kind == "commune" else nearest_of_kind(where, ("commune",)) or where
    ensure(
        where.id in maintained_units(user, today),
        _l(
            "Mô hình này nay thuộc %(unit)s: cán bộ báo cáo của %(unit)s cập nhật mô hình. Bạn vẫn xem được mô hình "
            "và sổ sinh hoạt.",
            unit=commune.name,
        )
        if entry is not None
        else _l("Bạn không phụ trách báo cáo của %(unit)s.", unit=where.name),
        field,
    )


def _check_address(entry: RegistryEntry | None, unit: Unit, fields: dict) -> None:
    """A trusted address model names the trusted address it is: a unit of that kind in the commune, registered
    once (the model indicator counts it once); other kinds name none."""
    if fields.get("kind") != "trusted_address":
        fields["address_unit_id"] = None
        return
    wrong = _l("Vui lòng chọn địa chỉ tin cậy của xã mà mô hình này là.")
    address = ensure_found(db.session.get(Unit, fields.get("address_unit_id") or ""), wrong, "address_unit_id")
    ensure(address.kind == "trusted_address" and address.id in scope_ids(unit), wrong, "address_unit_id")
    ensure(not _address_taken(entry, address), _l("Địa chỉ tin cậy này đã có trong sổ mô hình."), "address_unit_id")


def _address_taken(entry: RegistryEntry | None, address: Unit) -> bool:
    """Whether another model names this address, or the same address under its other code: TA-02 (until 30/06/2025)
    and its successor 2025-TA-02 are one address (units.queries.in_force_as), counted once."""
    today = clock.today()
    same = {address.id, in_force_as(address.id, today)}
    others = db.session.execute(
        select(RegistryEntry.address_unit_id).where(
            RegistryEntry.address_unit_id.is_not(None), RegistryEntry.id != (entry.id if entry else "")
        )
    )
    return any(other in same or in_force_as(other, today) in same for (other,) in others)


def log_meeting(entry: RegistryEntry, fields: dict, *, actor) -> RegistryMeeting:
    """Add a dated meeting to a model's log."""
    ensure(fields.get("held_on") is not None, _l("Vui lòng nhập ngày, dạng ngày/tháng/năm."), "held_on")
    ensure(fields["held_on"] <= clock.today(), _l("Ngày sinh hoạt không được sau hôm nay."), "held_on")
    ensure(fields["held_on"] >= entry.founded_on, _l("Ngày sinh hoạt không được trước ngày thành lập."), "held_on")
    attendees, women = fields.get("attendees") or 0, fields.get("women") or 0
    ensure(attendees >= 0 and women >= 0, _l("Phải là số nguyên không âm."), "attendees")
    ensure(women <= attendees, _l("Số nữ không được lớn hơn số người tham gia."), "women")
    ensure_period_open(entry.unit_id, fields["held_on"], "held_on")
    meeting = RegistryMeeting(
        entry_id=entry.id,
        held_on=fields["held_on"],
        attendees=attendees,
        women=women,
        topic=(fields.get("topic") or "").strip(),
        recorded_by_id=getattr(actor, "id", None),
    )
    entry.meetings.append(meeting)
    db.session.flush()
    audit.record(actor, "indicator.registry_meeting", entry, detail={"meeting_id": meeting.id})
    return meeting


def void_meeting(meeting: RegistryMeeting, reason: str, *, actor) -> None:
    """Strike a meeting logged in error; it stays in the log with its reason."""
    ensure(meeting.status == "valid", _l("Buổi sinh hoạt này đã được huỷ."))
    ensure((reason or "").strip(), _l("Vui lòng ghi lý do huỷ."), "reason")
    ensure_period_open(meeting.entry.unit_id, meeting.held_on, "reason")
    meeting.status, meeting.void_reason = "void", reason.strip()
    db.session.flush()
    audit.record(actor, "indicator.registry_meeting_void", meeting.entry, detail={"meeting_id": meeting.id})


# --- activity plan and budget ----------------------------------------------------------------------------


def set_activity_status(
    activity: IndicatorActivity, unit: Unit, year: int, status: str, reason: str, *, actor
) -> ActivityStatus:
    """Record how an activity stands in a unit for a year; "not done" needs its reason."""
    ensure_open(_plan_of(activity))
    ensure(not activity.is_group, _l("Đây là nhóm hoạt động, hãy chọn một hoạt động cụ thể."))
    ensure(status in ACTIVITY_STATUSES, _l("Trạng thái không hợp lệ."), "status")
    ensure(status != "not_done" or (reason or "").strip(), _l("Vui lòng ghi lý do chưa thực hiện."), "reason")
    row = db.session.scalar(
        select(ActivityStatus).where(
            ActivityStatus.activity_id == activity.id, ActivityStatus.unit_id == unit.id, ActivityStatus.year == year
        )
    )
    if row is None:
        row = ActivityStatus(activity_id=activity.id, unit_id=unit.id, year=year)
        db.session.add(row)
    row.status, row.reason = status, (reason or "").strip() if status == "not_done" else ""
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        actor, "indicator.activity_status", row, detail={"activity": activity.code, "year": year, "status": status}
    )
    return row


def save_budget_line(
    line: BudgetLine | None, unit: Unit, fields: dict, *, actor, plan: IndicatorPlan | None = None
) -> BudgetLine:
    """Create or update a budget line of an open plan; disbursed never exceeds allocated (the form checks too)."""
    from . import plans

    the_plan = _plan_of(line) if line is not None else plan or plans.for_year(fields["year"])
    ensure_open(the_plan, "year")
    for name in ("planned", "allocated", "disbursed"):
        amount = fields.get(name)
        ensure(isinstance(amount, int) and amount >= 0, _l("Phải là số nguyên không âm."), name)
    ensure(
        fields["disbursed"] <= max(fields["allocated"], 0),
        _l("Số đã giải ngân không được lớn hơn số được giao."),
        "disbursed",
    )
    created = line is None
    if line is None:
        line = BudgetLine(unit_id=unit.id, plan_id=the_plan.id if the_plan else None)
        db.session.add(line)
    for name in ("component", "activity_code", "year", "source", "planned", "allocated", "disbursed", "note"):
        setattr(line, name, fields.get(name) if name != "note" else (fields.get(name) or ""))
    line.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        actor,
        "indicator.budget_create" if created else "indicator.budget_update",
        line,
        detail={"year": line.year, "component": line.component, "plan_id": line.plan_id},
    )
    return line


def plan() -> IndicatorPlan | None:
    """The 2022 plan."""
    return db.session.scalar(select(IndicatorPlan).where(IndicatorPlan.code == PLAN_CODE))


def budget_totals(units: frozenset[str], plan: IndicatorPlan | None = None) -> dict:
    """Planned, allocated and disbursed over all lines in scope (of `plan`, when given), and the disbursement rate
    (of allocated)."""
    query = select(
        func.coalesce(func.sum(BudgetLine.planned), 0),
        func.coalesce(func.sum(BudgetLine.allocated), 0),
        func.coalesce(func.sum(BudgetLine.disbursed), 0),
    ).where(BudgetLine.unit_id.in_(units))
    if plan is not None:
        query = query.where(BudgetLine.plan_id == plan.id)
    row = db.session.execute(query).one()
    planned, allocated, disbursed = (int(v) for v in row)
    return {
        "planned": planned,
        "allocated": allocated,
        "disbursed": disbursed,
        "rate": round(100 * disbursed / allocated, 1) if allocated else None,
    }


def _rate(disbursed: int, allocated: int) -> float | None:
    return round(100 * disbursed / allocated, 1) if allocated else None


def budget_summary(units: frozenset[str], for_plan: IndicatorPlan | None = None) -> dict:
    """What the budget screen and the Excel report both show: the lines (by year and component), the sums per
    year and per source with their disbursement rates, the totals and what the plan's envelope leaves."""
    the_plan = for_plan or plan()
    lines = db.session.scalars(
        select(BudgetLine)
        .where(BudgetLine.unit_id.in_(list(units)), BudgetLine.plan_id == the_plan.id if the_plan else true())
        .order_by(BudgetLine.year, BudgetLine.component, BudgetLine.activity_code, BudgetLine.source)
    ).all()
    by_year: dict = {}
    by_source: dict = {}
    for line in lines:
        for group in (by_year.setdefault(line.year, {}), by_source.setdefault(line.source, {})):
            for key in ("planned", "allocated", "disbursed"):
                group[key] = group.get(key, 0) + getattr(line, key)
    for group in (*by_year.values(), *by_source.values()):
        group["rate"] = _rate(group["disbursed"], group["allocated"])
    totals = budget_totals(units, the_plan)
    envelope = the_plan.budget_total if the_plan else None
    return {
        "lines": lines,
        "by_year": dict(sorted(by_year.items())),
        "by_source": {s: by_source[s] for s in BUDGET_SOURCES if s in by_source},
        "totals": totals,
        "envelope": envelope,
        "unplanned": None if envelope is None else envelope - totals["planned"],
        "line_rate": {line.id: _rate(line.disbursed, line.allocated) for line in lines},
    }
