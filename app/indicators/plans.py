"""Plans as data: which plan a year or a cycle belongs to, when a cycle is due, and the plan editor's operations
(create from scratch or from a copy, edit indicators, targets, cycle rules, activity and budget lines, activate,
new version, archive). Each operation checks, writes the audit entry and flushes; the request commits.

Rules the editor keeps:
- an archived plan is read-only (its reports and exports stay open);
- an active plan whose cycles already hold reports does not change its definitions (indicators, cycle rules)
  in place: a new version is made, edited, and activated in its place;
- two plans of one programme never cover the same year (versions of one plan replace each other);
- a target is for a unit that exists in the plan's period (communes merged on 1/7/2025 are gone from 2026 on);
- a formula names only indicators of its own plan; a value source must be registered by some area.
"""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import clock, valuesources
from ..audit import services as audit
from ..audit.labels import register as register_labels
from ..deadlines import add_working_days
from ..extensions import db, utcnow
from ..services import ensure, ensure_found
from ..units.models import Unit
from . import formula as formulas
from .catalogue_data import DISAGGREGATIONS, INDICATOR_KINDS, MODEL_KINDS
from .models import (
    ActivityStatus,
    BudgetLine,
    CycleRule,
    IndicatorActivity,
    IndicatorDef,
    IndicatorPlan,
    IndicatorTarget,
    ReportingCycle,
    Submission,
)

REFERENCE_CODE = "TG-DA8-2021-2025"  # the 2022 plan, loaded by `setup`
FIRST_YEAR, LAST_YEAR = 2021, 2045
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
ROUNDS_OF = {"yearly": ("preliminary", "update"), "quarterly": ("quarter",)}
LEVELS = ("commune", "middle")

register_labels(
    {
        "indicator.plan_create": _l("Tạo kế hoạch"),
        "indicator.plan_update": _l("Sửa thông tin kế hoạch"),
        "indicator.plan_activate": _l("Áp dụng kế hoạch"),
        "indicator.plan_archive": _l("Lưu trữ kế hoạch"),
        "indicator.definition_create": _l("Thêm chỉ tiêu vào kế hoạch"),
        "indicator.definition_update": _l("Sửa định nghĩa chỉ tiêu"),
        "indicator.definition_delete": _l("Xoá chỉ tiêu khỏi kế hoạch"),
        "indicator.cycle_rule_create": _l("Thêm kỳ báo cáo"),
        "indicator.cycle_rule_update": _l("Sửa kỳ báo cáo"),
        "indicator.cycle_rule_delete": _l("Xoá kỳ báo cáo"),
        "indicator.activity_create": _l("Thêm hoạt động"),
        "indicator.activity_update": _l("Sửa hoạt động"),
        "indicator.activity_delete": _l("Xoá hoạt động"),
        "indicator.budget_delete": _l("Xoá dòng ngân sách"),
    }
)

ARCHIVED = _l("Kế hoạch này đã lưu trữ: chỉ xem và xuất báo cáo, không sửa được.")
IN_USE = _l("Kế hoạch đang áp dụng đã có báo cáo: không sửa định nghĩa tại chỗ được, hãy tạo phiên bản mới.")

# --- reading ------------------------------------------------------------------------------------------------


def reference() -> IndicatorPlan | None:
    return db.session.scalar(select(IndicatorPlan).where(IndicatorPlan.code == REFERENCE_CODE))


def all_plans() -> list[IndicatorPlan]:
    return list(
        db.session.scalars(
            select(IndicatorPlan).order_by(
                IndicatorPlan.programme, IndicatorPlan.phase_start.desc(), IndicatorPlan.version.desc()
            )
        )
    )


def get(plan_id: str | None) -> IndicatorPlan | None:
    return db.session.get(IndicatorPlan, plan_id) if plan_id else None


def for_year(year: int) -> IndicatorPlan | None:
    """The plan reports of `year` belong to: the active (else the newest archived) plan covering the year; for a
    year no plan covers, the latest plan begun before it (its figures are still shown); else the 2022 plan."""
    rows = [p for p in all_plans() if p.status != "draft"]
    covering = [p for p in rows if p.phase_start <= year <= p.phase_end]
    if covering:
        return sorted(covering, key=lambda p: (p.status == "active", p.version))[-1]
    before = [p for p in rows if p.phase_start <= year]
    if before:
        return sorted(before, key=lambda p: (p.phase_start, p.status == "active", p.version))[-1]
    return reference() or (rows[0] if rows else None)


def current() -> IndicatorPlan | None:
    return for_year(clock.today().year)


def valid_between(row, plan: IndicatorPlan | None, start: date, end: date) -> bool:
    """Whether a plan's row (indicator, cycle rule) is in force on some day of start..end. An edge the row shares
    with its plan is open: a row valid to the plan's end stays valid while the plan is still used after its phase
    (the 2022 plan's figures for 2026), while a row ended inside the phase (an indicator dropped from 2027) is not
    asked after it ends."""
    plan_from = plan.valid_from if plan is not None else None
    plan_to = plan.valid_to if plan is not None else None
    starts_ok = row.valid_from is None or row.valid_from <= end or row.valid_from == plan_from
    ends_ok = row.valid_to is None or row.valid_to >= start or row.valid_to == plan_to
    return starts_ok and ends_ok


def indicators(plan: IndicatorPlan | None, start: date | None = None, end: date | None = None) -> list[IndicatorDef]:
    """The plan's indicators in its order; with a period, only those in force in it."""
    if plan is None:
        return []
    rows = list(
        db.session.scalars(
            select(IndicatorDef).where(IndicatorDef.plan_id == plan.id).order_by(IndicatorDef.sort, IndicatorDef.code)
        )
    )
    if start is None or end is None:
        return rows
    return [i for i in rows if valid_between(i, plan, start, end)]


def cycle_indicators(cycle: ReportingCycle) -> list[IndicatorDef]:
    """The indicators a cycle asks for: its plan's, in force in its period."""
    return indicators(cycle.plan or for_year(cycle.year), cycle.period_start, cycle.period_end)


def activities(plan: IndicatorPlan | None) -> list[IndicatorActivity]:
    if plan is None:
        return []
    return list(
        db.session.scalars(
            select(IndicatorActivity)
            .where(IndicatorActivity.plan_id == plan.id)
            .order_by(IndicatorActivity.sort, IndicatorActivity.code)
        )
    )


def cycle_rules(plan: IndicatorPlan) -> list[CycleRule]:
    return list(
        db.session.scalars(
            select(CycleRule)
            .where(CycleRule.plan_id == plan.id)
            .order_by(CycleRule.frequency.desc(), CycleRule.level, CycleRule.round)
        )
    )


def budget_lines(plan: IndicatorPlan) -> list[BudgetLine]:
    return list(
        db.session.scalars(
            select(BudgetLine)
            .where(BudgetLine.plan_id == plan.id)
            .order_by(BudgetLine.year, BudgetLine.component, BudgetLine.activity_code)
        )
    )


def has_reports(plan: IndicatorPlan) -> bool:
    """Whether any cycle of the plan holds a report (a draft included: someone reported against it)."""
    return bool(
        db.session.scalar(
            select(func.count()).select_from(Submission).join(ReportingCycle).where(ReportingCycle.plan_id == plan.id)
        )
    )


def definitions_locked(plan: IndicatorPlan) -> bool:
    return plan.status == "archived" or (plan.status == "active" and has_reports(plan))


def targets(plan: IndicatorPlan, year: int | None = None) -> list[IndicatorTarget]:
    ids = [i.id for i in indicators(plan)]
    clause = IndicatorTarget.year.is_(None) if year is None else IndicatorTarget.year == year
    return list(db.session.scalars(select(IndicatorTarget).where(IndicatorTarget.indicator_id.in_(ids), clause)))


# --- deadlines ---------------------------------------------------------------------------------------------


def rule_for(plan: IndicatorPlan, round_: str, level: str = "commune", on: date | None = None) -> CycleRule | None:
    """The plan's rule for a round and level; with `on` (the period's last day), the one in force then (a rule
    changed from 2027 gives 2026 and 2027 their own deadlines)."""
    frequency = "quarterly" if round_ == "quarter" else "yearly"
    found = [r for r in cycle_rules(plan) if r.frequency == frequency and r.round == round_ and r.level == level]
    if on is not None:
        found = [r for r in found if valid_between(r, plan, on, on)]
    return max(found, key=lambda r: r.valid_from or date.min, default=None)


def period_end(year: int, period: str) -> date:
    return ReportingCycle(year=year, period=period).period_end


def due_on(rule: CycleRule, year: int, period: str = "Y") -> date:
    """The day a report is due: a fixed day (the update round's in January of the next year), or `working_days`
    Vietnamese working days after the period ends (weekends, public holidays and Tết not counted)."""
    if rule.working_days is not None:
        return add_working_days(period_end(year, period), rule.working_days)
    assert rule.fixed_month is not None and rule.fixed_day is not None
    return date(year + 1 if rule.round == "update" else year, rule.fixed_month, rule.fixed_day)


# --- guards ------------------------------------------------------------------------------------------------


def ensure_open(plan: IndicatorPlan | None, field: str | None = None) -> None:
    """Refuse any change to an archived plan (or to no plan at all)."""
    ensure(plan is not None, _l("Chưa có kế hoạch cho giai đoạn này."), field)
    assert plan is not None
    ensure(plan.status != "archived", ARCHIVED, field)


REPORTED = ("submitted", "confirmed", "locked")


def sent_report(plan_id: str | None, unit: Unit, year: int) -> Submission | None:
    """The unit's report of a cycle of the plan's `year` that has been sent (submitted, confirmed or locked)."""
    return db.session.scalar(
        select(Submission)
        .join(ReportingCycle)
        .where(
            ReportingCycle.plan_id == plan_id,
            ReportingCycle.year == year,
            Submission.unit_id == unit.id,
            Submission.status.in_(REPORTED),
        )
        .limit(1)
    )


def ensure_targets_open(plan_id: str | None, unit: Unit, year: int | None, field: str | None = None) -> None:
    """Refuse to change in place what a sent report of the unit's year was made from (its targets of that year);
    the reviewer reopening the report unlocks it. A phase target (no year) is not one report's."""
    if year is None:
        return
    sent = sent_report(plan_id, unit, year)
    ensure(
        sent is None,
        _l(
            "Báo cáo năm %(year)d của %(unit)s đã gửi: số liệu của kỳ này không sửa tại chỗ được. "
            "Người duyệt mở lại (trả lại) báo cáo thì mới sửa được.",
            year=year,
            unit=unit.name,
        ),
        field,
    )


def ensure_definitions_open(plan: IndicatorPlan, field: str | None = None) -> None:
    """Refuse to change the definitions of an archived plan, or of an active plan that already has reports."""
    ensure_open(plan, field)
    ensure(not (plan.status == "active" and has_reports(plan)), IN_USE, field)


# --- plans -------------------------------------------------------------------------------------------------

PLAN_FIELDS = ("title", "programme", "phase_start", "phase_end", "budget_total", "budget_source_text", "middle_level")


def _check_plan_fields(fields: dict, plan: IndicatorPlan | None) -> None:
    start, end = fields["phase_start"], fields["phase_end"]
    ensure((fields.get("title") or "").strip(), _l("Vui lòng nhập tên kế hoạch."), "title")
    ensure(
        FIRST_YEAR <= start <= LAST_YEAR,
        _l("Năm bắt đầu phải từ %(a)d đến %(b)d.", a=FIRST_YEAR, b=LAST_YEAR),
        "phase_start",
    )
    ensure(start <= end <= LAST_YEAR, _l("Năm kết thúc không được trước năm bắt đầu."), "phase_end")
    ensure((fields.get("budget_total") or 0) >= 0, _l("Tổng kinh phí không được âm."), "budget_total")
    ensure(fields.get("middle_level") in (None, "", "district"), _l("Cấp trung gian không hợp lệ."), "middle_level")
    clash = overlapping(fields["programme"], start, end, plan)
    ensure(
        clash is None,
        _l(
            "Chương trình %(programme)s đã có kế hoạch %(other)s trùng giai đoạn.",
            programme=fields["programme"],
            other=clash.label if clash else "",
        ),
        "phase_start",
    )


def _lineage(plan: IndicatorPlan | None) -> set[str]:
    """The ids of the plan's versions: those it was made from and those made from it by `new_version` (a copy to
    another phase starts again at version 1 and is a plan of its own)."""
    if plan is None:
        return set()
    ids, frontier = {plan.id}, [plan]
    while frontier:
        here = frontier.pop()
        linked = []
        if here.previous_id and here.version > 1:
            linked.append(get(here.previous_id))
        linked += [
            p
            for p in db.session.scalars(select(IndicatorPlan).where(IndicatorPlan.previous_id == here.id))
            if p.version == here.version + 1
        ]
        for other in linked:
            if other is not None and other.id not in ids:
                ids.add(other.id)
                frontier.append(other)
    return ids


def overlapping(programme: str, start: int, end: int, plan: IndicatorPlan | None = None) -> IndicatorPlan | None:
    """Another plan of the programme covering one of the years (the plan's own versions excepted)."""
    mine = _lineage(plan)
    for other in db.session.scalars(select(IndicatorPlan).where(IndicatorPlan.programme == programme)):
        if other.id in mine:
            continue
        if other.phase_start <= end and start <= other.phase_end:
            return other
    return None


def _code_for(programme: str, start: int, end: int, version: int) -> str:
    base = f"{programme}-{start}-{end}-v{version}"
    code, n = base, 1
    while db.session.scalar(select(IndicatorPlan.id).where(IndicatorPlan.code == code)):
        n += 1
        code = f"{base}-{n}"
    return code[:40]


def create_plan(
    fields: dict,
    *,
    actor,
    owner: Unit | None,
    copy_from: IndicatorPlan | None = None,
    version_of: IndicatorPlan | None = None,
) -> IndicatorPlan:
    """A draft plan, empty or with the definitions of `copy_from` (a new version: of `version_of`)."""
    fields = {
        **fields,
        "programme": (fields.get("programme") or "DA8").strip()[:40],
        "middle_level": fields.get("middle_level") or None,
    }
    version = (version_of.version + 1) if version_of else 1
    source = version_of or copy_from
    draft = IndicatorPlan(status="draft", version=version, previous_id=source.id if source else None)
    if version_of is None:
        _check_plan_fields(fields, None)
    for name in PLAN_FIELDS:
        setattr(draft, name, fields.get(name) if name != "budget_total" else int(fields.get(name) or 0))
    draft.title = draft.title.strip()
    draft.budget_source_text = (draft.budget_source_text or "").strip()
    draft.code = _code_for(draft.programme, draft.phase_start, draft.phase_end, version)
    draft.owner_unit_id = owner.id if owner else None
    draft.valid_from, draft.valid_to = date(draft.phase_start, 1, 1), date(draft.phase_end, 12, 31)
    db.session.add(draft)
    db.session.flush()
    origin = copy_from or version_of
    copied = _copy_definitions(origin, draft) if origin else {}
    audit.record(
        actor,
        "indicator.plan_create",
        draft,
        detail={
            "code": draft.code,
            "copy_of": origin.code if origin else None,
            "version": version,
            **copied,
        },
    )
    return draft


def new_version(plan: IndicatorPlan, *, actor) -> IndicatorPlan:
    """A draft copy of an active plan, to change its definitions; activating it archives this one."""
    ensure(plan.status == "active", _l("Chỉ tạo phiên bản mới cho kế hoạch đang áp dụng."))
    fields = {name: getattr(plan, name) for name in PLAN_FIELDS}
    return create_plan(
        fields,
        actor=actor,
        owner=db.session.get(Unit, plan.owner_unit_id) if plan.owner_unit_id else None,
        version_of=plan,
    )


def _copy_definitions(source: IndicatorPlan, target: IndicatorPlan) -> dict:
    """Copy indicators, cycle rules, activity lines and the targets of units that still exist; say what was
    left out."""
    start, end = date(target.phase_start, 1, 1), date(target.phase_end, 12, 31)
    new_ids = {}
    for ind in indicators(source):
        if _clamped(ind, source, start, end)["valid_from"] > _clamped(ind, source, start, end)["valid_to"]:
            continue  # ended before the new phase begins
        copy = IndicatorDef(
            plan_id=target.id,
            code=ind.code,
            parent_code=ind.parent_code,
            sort=ind.sort,
            name=ind.name,
            short_name=ind.short_name,
            unit_label=ind.unit_label,
            kind=ind.kind,
            model_kind=ind.model_kind,
            disaggregation=list(ind.disaggregation or []),
            phase_target=ind.phase_target,
            formula=ind.formula,
            source=ind.source,
            **_clamped(ind, source, start, end),
        )
        db.session.add(copy)
        db.session.flush()
        new_ids[ind.id] = copy.id
    for rule in cycle_rules(source):
        if rule.level == "middle" and not target.middle_level:
            continue  # no middle level in the new plan: communes report to the province
        days = _clamped(rule, source, start, end)
        if days["valid_from"] > days["valid_to"] or any(
            days["valid_from"] <= r.valid_to and r.valid_from <= days["valid_to"]
            for r in db.session.scalars(
                select(CycleRule).where(
                    CycleRule.plan_id == target.id,
                    CycleRule.frequency == rule.frequency,
                    CycleRule.round == rule.round,
                    CycleRule.level == rule.level,
                )
            )
        ):
            continue  # not in force in the new phase, or a later rule of the same round already covers it
        db.session.add(
            CycleRule(
                plan_id=target.id,
                frequency=rule.frequency,
                round=rule.round,
                level=rule.level,
                working_days=rule.working_days,
                fixed_month=rule.fixed_month,
                fixed_day=rule.fixed_day,
                **_clamped(rule, source, start, end),
            )
        )
    years = list(range(target.phase_start, target.phase_end + 1))
    for act in activities(source):
        kept = [y for y in act.years or [] if y in years]
        db.session.add(
            IndicatorActivity(
                plan_id=target.id,
                code=act.code,
                sort=act.sort,
                is_group=act.is_group,
                component=act.component,
                name=act.name,
                lead_district=act.lead_district,
                coordinating_district=act.coordinating_district,
                lead_commune=act.lead_commune,
                coordinating_commune=act.coordinating_commune,
                years=kept or ([] if act.is_group else years),
                indicator_codes=list(act.indicator_codes or []),
                note=act.note,
                valid_from=start,
                valid_to=end,
            )
        )
    copied = skipped = 0
    for row in db.session.scalars(select(IndicatorTarget).where(IndicatorTarget.indicator_id.in_(list(new_ids)))):
        if row.year is not None and row.year not in years:
            continue
        unit = db.session.get(Unit, row.unit_id)
        day_from, day_to = (start, end) if row.year is None else (date(row.year, 1, 1), date(row.year, 12, 31))
        if unit is None or not unit.exists_between(day_from, day_to):
            skipped += 1  # a commune merged in 2025: its successor gets a target of its own
            continue
        db.session.add(
            IndicatorTarget(indicator_id=new_ids[row.indicator_id], unit_id=row.unit_id, year=row.year, value=row.value)
        )
        copied += 1
    db.session.flush()
    return {"indicators": len(new_ids), "targets": copied, "targets_skipped": skipped}


def _clamped(row, source: IndicatorPlan, start: date, end: date) -> dict:
    """A copied row's validity in the new phase start..end: the source row's own limits where it had them (an
    indicator ended in 2026 stays ended), the new phase's where the row ran with its plan."""
    own_from = row.valid_from if row.valid_from and row.valid_from != source.valid_from else None
    own_to = row.valid_to if row.valid_to and row.valid_to != source.valid_to else None
    return {"valid_from": max(own_from or start, start), "valid_to": min(own_to or end, end)}


def save_plan(plan: IndicatorPlan, fields: dict, *, actor) -> IndicatorPlan:
    """Change a plan's title, phase, envelope or middle level (its period only while it is a draft)."""
    ensure_open(plan)
    fields = {
        **fields,
        "programme": (fields.get("programme") or plan.programme).strip()[:40],
        "middle_level": fields.get("middle_level") or None,
    }
    if plan.status != "draft":
        ensure(
            (fields["phase_start"], fields["phase_end"], fields["programme"])
            == (plan.phase_start, plan.phase_end, plan.programme),
            _l("Giai đoạn của kế hoạch đang áp dụng không đổi được: hãy tạo phiên bản mới."),
            "phase_start",
        )
    _check_plan_fields(fields, plan)
    for name in PLAN_FIELDS:
        setattr(plan, name, fields.get(name) if name != "budget_total" else int(fields.get(name) or 0))
    plan.title, plan.budget_source_text = plan.title.strip(), (plan.budget_source_text or "").strip()
    plan.valid_from, plan.valid_to = date(plan.phase_start, 1, 1), date(plan.phase_end, 12, 31)
    db.session.flush()
    audit.record(actor, "indicator.plan_update", plan, detail={"code": plan.code})
    return plan


def activate(plan: IndicatorPlan, *, actor) -> IndicatorPlan:
    """Put a draft plan in force; the version it replaces is archived (its reports stay with it)."""
    ensure(plan.status == "draft", _l("Chỉ kích hoạt được kế hoạch đang soạn."))
    inds = indicators(plan)
    ensure(inds, _l("Kế hoạch chưa có chỉ tiêu nào."))
    ensure(cycle_rules(plan), _l("Kế hoạch chưa có kỳ báo cáo nào."))
    codes = {i.code for i in inds}
    for ind in inds:
        if ind.formula:
            missing = [c for c in formulas.references(ind.formula) if c not in codes]
            ensure(
                not missing,
                _l(
                    "Công thức của %(code)s dùng chỉ tiêu không có: %(missing)s.",
                    code=ind.code,
                    missing=", ".join(missing),
                ),
            )
    clash = overlapping(plan.programme, plan.phase_start, plan.phase_end, plan)
    ensure(
        clash is None,
        _l(
            "Chương trình %(programme)s đã có kế hoạch %(other)s trùng giai đoạn.",
            programme=plan.programme,
            other=clash.label if clash else "",
        ),
    )
    replaced = get(plan.previous_id) if plan.version > 1 else None
    if replaced is not None and replaced.status == "active":
        replaced.status = "archived"
        audit.record(actor, "indicator.plan_archive", replaced, detail={"code": replaced.code, "by": plan.code})
    plan.status, plan.activated_at = "active", utcnow()
    db.session.flush()
    audit.record(actor, "indicator.plan_activate", plan, detail={"code": plan.code})
    return plan


def archive(plan: IndicatorPlan, *, actor) -> IndicatorPlan:
    """Close an active plan: read-only from now on, its reports and exports still open."""
    ensure(plan.status == "active", _l("Chỉ lưu trữ được kế hoạch đang áp dụng."))
    plan.status = "archived"
    db.session.flush()
    audit.record(actor, "indicator.plan_archive", plan, detail={"code": plan.code})
    return plan


# --- validity ----------------------------------------------------------------------------------------------


def _validity(plan: IndicatorPlan, fields: dict, row=None) -> tuple[date, date]:
    """The days a row is in force, from the years typed ("valid_from_year", "valid_to_year"; empty: the plan's
    first or last day), within the phase; a field not sent at all keeps the row's (a new row: the plan's)."""
    days: list[date] = []
    # A plan is in force over its phase (set when it is made); the phase stands in should a plan have no dates.
    for name, edge, default in (
        ("valid_from_year", lambda y: date(y, 1, 1), plan.valid_from or date(plan.phase_start, 1, 1)),
        ("valid_to_year", lambda y: date(y, 12, 31), plan.valid_to or date(plan.phase_end, 12, 31)),
    ):
        if name not in fields:
            current = getattr(row, name.removesuffix("_year")) if row is not None else None
            days.append(current or default)
            continue
        year = fields.get(name)
        ensure(
            year is None or plan.phase_start <= year <= plan.phase_end,
            _l("Năm phải nằm trong giai đoạn %(a)d–%(b)d.", a=plan.phase_start, b=plan.phase_end),
            name,
        )
        days.append(edge(year) if year else default)
    start, end = days
    ensure(
        start <= end,
        _l("Năm hết hiệu lực không được trước năm bắt đầu."),
        "valid_to_year",
    )
    return start, end


# --- indicators --------------------------------------------------------------------------------------------

INDICATOR_FIELDS = (
    "code",
    "parent_code",
    "name",
    "short_name",
    "unit_label",
    "kind",
    "model_kind",
    "disaggregation",
    "phase_target",
    "formula",
    "source",
)


def save_indicator(plan: IndicatorPlan, ind: IndicatorDef | None, fields: dict, *, actor) -> IndicatorDef:
    """Add or change an indicator of a plan whose definitions are open; each problem is a field error."""
    ensure_definitions_open(plan, "code")
    code = (fields.get("code") or "").strip()
    ensure(
        CODE_PATTERN.match(code) and len(code) <= 12,
        _l("Mã chỉ tiêu gồm chữ, số và dấu chấm (ví dụ CT2.1), tối đa 12 ký tự."),
        "code",
    )
    same = db.session.scalar(select(IndicatorDef).where(IndicatorDef.plan_id == plan.id, IndicatorDef.code == code))
    ensure(same is None or same is ind, _l("Kế hoạch đã có chỉ tiêu mã %(code)s.", code=code), "code")
    ensure((fields.get("name") or "").strip(), _l("Vui lòng nhập tên chỉ tiêu."), "name")
    ensure(fields.get("kind") in INDICATOR_KINDS, _l("Loại chỉ tiêu không hợp lệ."), "kind")
    ensure(
        not fields.get("model_kind") or fields["model_kind"] in MODEL_KINDS,
        _l("Loại mô hình không hợp lệ."),
        "model_kind",
    )
    ensure(
        set(fields.get("disaggregation") or []) <= set(DISAGGREGATIONS), _l("Phân tổ không hợp lệ."), "disaggregation"
    )
    not_whole = _l("Chỉ tiêu cả giai đoạn phải là số nguyên không âm.")
    target = ensure_found(fields.get("phase_target"), not_whole, "phase_target")
    ensure(target >= 0, not_whole, "phase_target")
    ensure(
        fields.get("kind") != "percent" or target <= 100,
        _l("Tỷ lệ không được vượt quá 100%."),
        "phase_target",
    )
    parent = (fields.get("parent_code") or "").strip() or None
    codes = {i.code for i in indicators(plan)} | {code}
    ensure(
        parent is None or (parent in codes and parent != code),
        _l("Chỉ tiêu cha không có trong kế hoạch."),
        "parent_code",
    )
    text = (fields.get("formula") or "").strip() or None
    if text:
        try:
            named = formulas.references(text)
        except formulas.FormulaError:
            named = None
        ensure(named is not None, _l("Công thức chỉ gồm mã chỉ tiêu, số, + - * / và dấu ngoặc."), "formula")
        missing = [c for c in named or [] if c not in codes or c == code]
        ensure(
            not missing,
            _l("Công thức dùng chỉ tiêu không có trong kế hoạch: %(missing)s.", missing=", ".join(missing)),
            "formula",
        )
    source = (fields.get("source") or "").strip() or None
    ensure(
        source is None or valuesources.get(source) is not None,
        _l("Nguồn số liệu “%(name)s” chưa được đăng ký.", name=source or ""),
        "source",
    )
    ensure(
        fields.get("kind") != "stock" or fields.get("model_kind") or source or text,
        _l("Chỉ tiêu đếm mô hình cần loại mô hình, nguồn số liệu hoặc công thức."),
        "model_kind",
    )
    valid_from, valid_to = _validity(plan, fields, ind)
    created = ind is None
    if ind is None:
        last = max([i.sort for i in indicators(plan)] or [0])
        ind = IndicatorDef(plan_id=plan.id, sort=last + 10)
        db.session.add(ind)
    ind.valid_from, ind.valid_to = valid_from, valid_to
    ind.code, ind.parent_code, ind.name = code, parent, fields["name"].strip()
    ind.short_name = ((fields.get("short_name") or "").strip() or ind.name)[:120]
    ind.unit_label = (
        (fields.get("unit_label") or "").strip() or "%"
        if fields["kind"] == "percent"
        else (fields.get("unit_label") or "").strip()
    )[:30]
    ind.kind, ind.model_kind = fields["kind"], fields.get("model_kind") or None
    ind.disaggregation = list(fields.get("disaggregation") or [])
    ind.phase_target, ind.formula, ind.source = target, text, source
    db.session.flush()
    audit.record(
        actor,
        "indicator.definition_create" if created else "indicator.definition_update",
        ind,
        detail={"plan_id": plan.id, "code": code},
    )
    return ind


def delete_indicator(plan: IndicatorPlan, ind: IndicatorDef, *, actor) -> None:
    ensure_definitions_open(plan)
    used = [i.code for i in indicators(plan) if i.formula and ind.code in formulas.references(i.formula)]
    ensure(not used, _l("Chỉ tiêu đang được dùng trong công thức của %(codes)s.", codes=", ".join(used)))
    for row in db.session.scalars(select(IndicatorTarget).where(IndicatorTarget.indicator_id == ind.id)):
        db.session.delete(row)
    audit.record(actor, "indicator.definition_delete", ind, detail={"plan_id": plan.id, "code": ind.code})
    db.session.delete(ind)
    db.session.flush()


# --- targets -----------------------------------------------------------------------------------------------


def save_target(
    plan: IndicatorPlan, ind: IndicatorDef, unit: Unit | None, year: int | None, value: int | None, *, actor
) -> IndicatorTarget | None:
    """Set (None: clear) a target of a unit that exists in the period, for a year of the phase or the phase."""
    ensure_open(plan, "value")
    ensure(ind.plan_id == plan.id, _l("Chỉ tiêu không thuộc kế hoạch này."), "indicator_id")
    ensure(
        year is None or plan.phase_start <= year <= plan.phase_end,
        _l("Năm phải nằm trong giai đoạn %(a)d–%(b)d.", a=plan.phase_start, b=plan.phase_end),
        "year",
    )
    ensure(unit is not None, _l("Vui lòng chọn đơn vị."), "unit_id")
    assert unit is not None
    start = date(year, 1, 1) if year else date(plan.phase_start, 1, 1)
    end = date(year, 12, 31) if year else date(plan.phase_end, 12, 31)
    ensure(
        unit.exists_between(start, end),
        _l(
            "%(unit)s không tồn tại trong kỳ này (đến %(day)s): giao chỉ tiêu cho đơn vị kế thừa.",
            unit=unit.name,
            day=unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "—",
        ),
        "unit_id",
    )
    ensure(
        unit.kind in ("province", "district", "commune"), _l("Chỉ giao chỉ tiêu cho tỉnh, huyện hoặc xã."), "unit_id"
    )
    ensure(value is None or value >= 0, _l("Chỉ tiêu phải là số nguyên không âm."), "value")
    ensure(value is None or ind.kind != "percent" or value <= 100, _l("Tỷ lệ không được vượt quá 100%."), "value")
    from . import services

    return services.set_target(ind, unit, year, value, actor=actor)


# --- cycle rules -------------------------------------------------------------------------------------------


def save_cycle_rule(plan: IndicatorPlan, rule: CycleRule | None, fields: dict, *, actor) -> CycleRule:
    """Add or change when reports are due: working days after the period (quarterly or yearly) or a fixed day."""
    ensure_definitions_open(plan, "frequency")
    frequency, round_ = fields.get("frequency") or "", fields.get("round") or ""
    level = fields.get("level") or "commune"
    ensure(frequency in ROUNDS_OF, _l("Tần suất không hợp lệ."), "frequency")
    ensure(round_ in ROUNDS_OF.get(frequency or "", ()), _l("Đợt báo cáo không hợp với tần suất."), "round")
    ensure(
        level in LEVELS and (level == "commune" or plan.middle_level),
        _l("Kế hoạch không có cấp trung gian: xã báo cáo thẳng lên tỉnh."),
        "level",
    )
    days, month, day = fields.get("working_days"), fields.get("fixed_month"), fields.get("fixed_day")
    ensure(
        (days is None) != (month is None and day is None),
        _l("Chọn một cách tính hạn: số ngày làm việc sau kỳ, hoặc một ngày cố định."),
        "working_days",
    )
    ensure(days is None or 1 <= days <= 60, _l("Số ngày làm việc phải từ 1 đến 60."), "working_days")
    if days is None:
        ensure(frequency == "yearly", _l("Kỳ báo cáo quý tính hạn theo ngày làm việc sau quý."), "fixed_month")
        valid = False
        if month is not None and day is not None and 1 <= month <= 12 and 1 <= day <= 31:
            try:
                valid = bool(date(2024, month, day))
            except ValueError:
                valid = False
        ensure(valid, _l("Ngày cố định không hợp lệ."), "fixed_day")
    valid_from, valid_to = _validity(plan, fields, rule)
    same = [
        r
        for r in db.session.scalars(
            select(CycleRule).where(
                CycleRule.plan_id == plan.id,
                CycleRule.frequency == frequency,
                CycleRule.round == round_,
                CycleRule.level == level,
            )
        )
        if r is not rule and (r.valid_from or date.min) <= valid_to and valid_from <= (r.valid_to or date.max)
    ]
    # A new rule from a later year changes the rule in force until then: that one ends the year before.
    ended = [r for r in same if rule is None and (r.valid_from or date.min) < valid_from]
    ensure(len(same) == len(ended), _l("Kế hoạch đã có kỳ báo cáo này trong cùng thời gian."), "round")
    for old_rule in ended:
        old_rule.valid_to = date(valid_from.year - 1, 12, 31)
        audit.record(
            actor,
            "indicator.cycle_rule_update",
            old_rule,
            detail={"plan_id": plan.id, "valid_to": old_rule.valid_to.isoformat()},
        )
    db.session.flush()
    created = rule is None
    if rule is None:
        rule = CycleRule(plan_id=plan.id)
        db.session.add(rule)
    rule.valid_from, rule.valid_to = valid_from, valid_to
    rule.frequency, rule.round, rule.level = frequency, round_, level
    rule.working_days, rule.fixed_month, rule.fixed_day = days, month, day
    db.session.flush()
    audit.record(
        actor,
        "indicator.cycle_rule_create" if created else "indicator.cycle_rule_update",
        rule,
        detail={
            "plan_id": plan.id,
            "frequency": frequency,
            "round": round_,
            "level": level,
            "valid_from": valid_from.isoformat(),
        },
    )
    return rule


def delete_cycle_rule(plan: IndicatorPlan, rule: CycleRule, *, actor) -> None:
    ensure_definitions_open(plan)
    audit.record(actor, "indicator.cycle_rule_delete", rule, detail={"plan_id": plan.id})
    db.session.delete(rule)
    db.session.flush()


# --- activity lines and budget lines -----------------------------------------------------------------------


def save_activity(plan: IndicatorPlan, act: IndicatorActivity | None, fields: dict, *, actor) -> IndicatorActivity:
    """Add or change an activity line: its code (component first: I, II, III, IV), name, lead unit, years."""
    ensure_open(plan, "code")
    code = (fields.get("code") or "").strip()
    ensure(
        re.match(r"^(I|II|III|IV)(\.\d+)*$", code),
        _l("Mã hoạt động bắt đầu bằng hợp phần I, II, III hoặc IV (ví dụ II.4.1)."),
        "code",
    )
    same = db.session.scalar(
        select(IndicatorActivity).where(IndicatorActivity.plan_id == plan.id, IndicatorActivity.code == code)
    )
    ensure(same is None or same is act, _l("Kế hoạch đã có hoạt động mã %(code)s.", code=code), "code")
    ensure((fields.get("name") or "").strip(), _l("Vui lòng nhập tên hoạt động."), "name")
    years = sorted(set(fields.get("years") or []))
    ensure(
        all(plan.phase_start <= y <= plan.phase_end for y in years),
        _l("Năm phải nằm trong giai đoạn %(a)d–%(b)d.", a=plan.phase_start, b=plan.phase_end),
        "years",
    )
    codes = {i.code for i in indicators(plan)}
    linked = [c.strip() for c in fields.get("indicator_codes") or [] if c.strip()]
    missing = [c for c in linked if c not in codes]
    ensure(
        not missing, _l("Chỉ tiêu không có trong kế hoạch: %(missing)s.", missing=", ".join(missing)), "indicator_codes"
    )
    created = act is None
    if act is None:
        last = max([a.sort for a in activities(plan)] or [0])
        act = IndicatorActivity(
            plan_id=plan.id, sort=last + 1, is_group=False, valid_from=plan.valid_from, valid_to=plan.valid_to
        )
        db.session.add(act)
    act.code, act.component, act.name = code, code.split(".", 1)[0], fields["name"].strip()
    act.lead_commune = (fields.get("lead") or "").strip()[:120] or None
    act.years, act.indicator_codes = years, linked
    db.session.flush()
    audit.record(
        actor,
        "indicator.activity_create" if created else "indicator.activity_update",
        act,
        detail={"plan_id": plan.id, "code": code},
    )
    return act


def delete_activity(plan: IndicatorPlan, act: IndicatorActivity, *, actor) -> None:
    """Remove an activity line of an open plan, unless units already recorded how it stands."""
    ensure_open(plan)
    ensure(act.plan_id == plan.id, _l("Hoạt động không thuộc kế hoạch này."))
    recorded = db.session.scalar(
        select(func.count()).select_from(ActivityStatus).where(ActivityStatus.activity_id == act.id)
    )
    ensure(
        not recorded,
        _l("Hoạt động %(code)s đã có tình hình thực hiện được ghi: không xoá được.", code=act.code),
    )
    audit.record(actor, "indicator.activity_delete", act, detail={"plan_id": plan.id, "code": act.code})
    db.session.delete(act)
    db.session.flush()


def save_budget_line(plan: IndicatorPlan, line: BudgetLine | None, unit: Unit, fields: dict, *, actor) -> BudgetLine:
    """Add or change a budget line of an open plan, for a year of its phase."""
    ensure_open(plan, "year")
    ensure(line is None or line.plan_id == plan.id, _l("Dòng ngân sách không thuộc kế hoạch này."), "year")
    ensure(
        plan.phase_start <= (fields.get("year") or 0) <= plan.phase_end,
        _l("Năm phải nằm trong giai đoạn %(a)d–%(b)d.", a=plan.phase_start, b=plan.phase_end),
        "year",
    )
    from . import services

    return services.save_budget_line(line, unit, fields, actor=actor, plan=plan)


def delete_budget_line(plan: IndicatorPlan, line: BudgetLine, *, actor) -> None:
    """Remove a budget line of an open plan."""
    ensure_open(plan)
    ensure(line.plan_id == plan.id, _l("Dòng ngân sách không thuộc kế hoạch này."))
    audit.record(
        actor,
        "indicator.budget_delete",
        line,
        detail={"plan_id": plan.id, "year": line.year, "component": line.component, "planned": line.planned},
    )
    db.session.delete(line)
    db.session.flush()


# --- the closing report ------------------------------------------------------------------------------------


@dataclass
class ClosingRow:
    indicator: IndicatorDef
    target: int | None
    achieved: float | int | None
    rate: float | None

    @property
    def state(self) -> str:
        """ "met", "not_met" or "unknown" (no target or no figure)."""
        if self.rate is None:
            return "unknown"
        return "met" if self.rate >= 100 else "not_met"
