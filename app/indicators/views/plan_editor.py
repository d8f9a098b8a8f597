"""The plan editor: the plans (archived, active, drafts), a new plan from a copy or from scratch, its indicators,
targets, cycle rules, activity and budget lines, activation, a new version, and the closing report of a plan.

Every page is open to those who see indicators; every change needs `indicator.plan` and the plan's unit in the
user's reviewer scope. What the rules refuse (an archived plan, definitions of a plan in use, overlapping
periods, a unit that no longer exists, a formula naming a missing indicator) comes back beside the field, with
everything typed kept.
"""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from ... import valuesources
from ...audit import services as audit
from ...audit.labels import action_label
from ...audit.models import AuditEntry
from ...auth.permissions import authorize, deny, ensure_authorized, permission_required
from ...auth.stepup import step_up_required
from ...extensions import db
from ...services import ServiceError
from ...units.models import Unit
from ...units.queries import scope_ids, unit_label
from ...web.unit_of_work import attempt
from .. import figures, plans
from ..models import CycleRule, IndicatorDef, IndicatorPlan
from ..permissions import PlanTask
from ..plan_forms import (
    ActivityForm,
    CycleRuleForm,
    IndicatorForm,
    NewPlanForm,
    PlanBudgetForm,
    PlanForm,
    TargetForm,
)
from . import bp
from .common import uuid_or_none, viewer_root


def _plan(indicator_plan_id, action: str = "view") -> IndicatorPlan:
    plan = plans.get(uuid_or_none(str(indicator_plan_id)))
    ensure_authorized(action, PlanTask(plan))
    assert plan is not None
    return plan


def _refused(form, exc: ServiceError, fallback: str) -> None:
    """Put a refusal beside its field (or the form's first field), so the page shows it with the input kept."""
    name = exc.field if exc.field and hasattr(form, exc.field) else fallback
    getattr(form, name).errors = [*getattr(form, name).errors, str(exc)]


# --- the plans -----------------------------------------------------------------------------------------------


def _new_form(formdata=None) -> NewPlanForm:
    form = NewPlanForm(formdata=formdata) if formdata is not None else NewPlanForm(formdata=None)
    form.copy_from.choices = [("", _("Kế hoạch trống"))] + [
        (p.id, _("Bản sao của %(label)s", label=p.label)) for p in plans.all_plans()
    ]
    if formdata is None:
        form.programme.data = form.programme.data or "DA8"
    return form


def _index(form, status=200):
    root = viewer_root()
    context = {
        "plans": plans.all_plans(),
        "form": form,
        "root": root,
        "can_create": root.kind == "province" and authorize(current_user, "edit", PlanTask(None, root)),
        "has_reports": {p.id: plans.has_reports(p) for p in plans.all_plans()},
    }
    return render_template("indicators/plans/index.html", **context), status


@bp.get("/plans")
@permission_required("indicator.view")
def plan_list():
    """Every plan: archived, active and drafts; a province user starts a new one here."""
    return _index(_new_form())


@bp.post("/plans")
@permission_required("indicator.plan")
def plan_create():
    """Create a draft plan, empty or as a copy of another (its indicators, cycles, activities and targets)."""
    root = viewer_root()
    ensure_authorized("edit", PlanTask(None, root if root.kind == "province" else None))
    form = _new_form(request.form)
    if not form.validate():
        return _index(form)
    source = plans.get(uuid_or_none(form.copy_from.data)) if form.copy_from.data else None
    try:
        with attempt():
            plan = plans.create_plan(form.data, actor=current_user, owner=root, copy_from=source)
    except ServiceError as exc:
        _refused(form, exc, "title")
        return _index(form)
    flash(_("Đã tạo kế hoạch %(label)s (đang soạn).", label=plan.label), "success")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id), 303)


def _plan_page(plan: IndicatorPlan, *, forms: dict | None = None, status=200):
    forms = forms or {}
    root = viewer_root()
    plan_form = forms.get("plan") or PlanForm(formdata=None, obj=plan, prefix="plan")
    if "plan" not in forms:
        plan_form.middle_level.data = plan.middle_level or ""
    target_form = forms.get("target") or TargetForm(formdata=None, prefix="target")
    _target_choices(target_form, plan, root)
    inds = plans.indicators(plan)
    context = {
        "plan": plan,
        "root": root,
        "indicators": inds,
        "rules": plans.cycle_rules(plan),
        "activities": plans.activities(plan),
        "budget_lines": plans.budget_lines(plan),
        "targets": _targets_table(plan),
        "can_edit": authorize(current_user, "edit", PlanTask(plan)),
        "locked": plans.definitions_locked(plan),
        "has_reports": plans.has_reports(plan),
        "plan_form": plan_form,
        "target_form": target_form,
        "rule_form": forms.get("rule") or CycleRuleForm(formdata=None, prefix="rule"),
        "activity_form": forms.get("activity") or ActivityForm(formdata=None, prefix="activity"),
        "budget_form": forms.get("budget") or PlanBudgetForm(formdata=None, prefix="budget"),
        "history": _history(plan),
        "due_examples": _due_examples(plan),
        "previous": plans.get(plan.previous_id),
        "sources": dict(valuesources.choices()),
        "action_label": action_label,
    }
    return render_template("indicators/plans/plan.html", **context), status


def _targets_table(plan: IndicatorPlan) -> list:
    by_id = {i.id: i for i in plans.indicators(plan)}
    rows = []
    for year in [None, *range(plan.phase_start, plan.phase_end + 1)]:
        for target in plans.targets(plan, year):
            unit = db.session.get(Unit, target.unit_id)
            rows.append((by_id[target.indicator_id], unit, year, target.value))
    return sorted(rows, key=lambda r: (r[0].sort, r[2] or 0, r[1].code if r[1] else ""))


def _target_choices(form: TargetForm, plan: IndicatorPlan, root: Unit) -> None:
    """The plan's indicators, and the units of the viewer's scope that exist in some year of the plan."""
    form.indicator_id.choices = [("", _("— chọn —"))] + [
        (i.id, f"{i.code} · {i.short_name}") for i in plans.indicators(plan)
    ]
    start, end = date(plan.phase_start, 1, 1), date(plan.phase_end, 12, 31)
    units = db.session.scalars(
        select(Unit)
        .where(Unit.id.in_(list(scope_ids(root))), Unit.kind.in_(("province", "district", "commune")))
        .order_by(Unit.kind.desc(), Unit.name)
    ).all()
    alive = [u for u in units if u.exists_between(start, end)]
    # labelled for the phase: the old and the new Xã Quài Tở both exist in 2021–2025, one stopping, one starting
    form.unit_id.choices = [("", _("— chọn —"))] + [(u.id, unit_label(u, start, end, code=False)) for u in alive]
    if form.unit_id.data and form.unit_id.data not in {u.id for u in alive}:
        # a unit sent that the list does not offer (merged in 2025): kept, so its error shows beside it
        unit = db.session.get(Unit, uuid_or_none(form.unit_id.data))
        form.unit_id.choices.append((form.unit_id.data, unit.name if unit else form.unit_id.data))


def _history(plan: IndicatorPlan) -> list[AuditEntry]:
    """The plan's audit trail: every change of it and of its rows (entries name the plan's id)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.action.like("indicator.%"),
                or_(AuditEntry.object_id == plan.id, AuditEntry.detail.contains(plan.id)),
            )
            .order_by(AuditEntry.seq.desc())
            .limit(50)
        )
    )


def _due_examples(plan: IndicatorPlan) -> dict:
    """For each rule, the deadline of its first period (the first year it is in force), as the user will see it."""
    examples = {}
    for rule in plans.cycle_rules(plan):
        period = "Q1" if rule.frequency == "quarterly" else "Y"
        year = max(rule.valid_from.year if rule.valid_from else plan.phase_start, plan.phase_start)
        examples[rule.id] = plans.due_on(rule, year, period)
    return examples


@bp.get("/plans/<uuid:indicator_plan_id>")
@permission_required("indicator.view")
def plan_view(indicator_plan_id):
    """A plan: its phase, indicators, targets, cycles, activity and budget lines, and its change history."""
    return _plan_page(_plan(indicator_plan_id))


@bp.post("/plans/<uuid:indicator_plan_id>")
@permission_required("indicator.plan")
def plan_update(indicator_plan_id):
    """Change a plan's title, phase (a draft's), envelope or middle level."""
    plan = _plan(indicator_plan_id, "edit")
    form = PlanForm(request.form, prefix="plan")
    if not form.validate():
        return _plan_page(plan, forms={"plan": form})
    try:
        with attempt():
            plans.save_plan(plan, form.data, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "title")
        return _plan_page(plan, forms={"plan": form})
    flash(_("Đã lưu kế hoạch."), "success")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id), 303)


def _state_change(indicator_plan_id, operation, done_message):
    plan = _plan(indicator_plan_id, "edit")
    try:
        with attempt():
            result = operation(plan, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".plan_view", indicator_plan_id=plan.id), 303)
    flash(done_message, "success")
    return redirect(url_for(".plan_view", indicator_plan_id=result.id), 303)


@bp.post("/plans/<uuid:indicator_plan_id>/activate")
@permission_required("indicator.plan")
def plan_activate(indicator_plan_id):
    """Put a draft in force (the version it replaces is archived)."""
    return _state_change(indicator_plan_id, plans.activate, _("Kế hoạch đã được áp dụng."))


@bp.post("/plans/<uuid:indicator_plan_id>/version")
@permission_required("indicator.plan")
def plan_new_version(indicator_plan_id):
    """A new version of an active plan, to change definitions the reports already use."""
    return _state_change(indicator_plan_id, plans.new_version, _("Đã tạo phiên bản mới (đang soạn)."))


@bp.post("/plans/<uuid:indicator_plan_id>/archive")
@permission_required("indicator.plan")
def plan_archive(indicator_plan_id):
    """Close an active plan: read-only, its reports and exports stay open."""
    return _state_change(indicator_plan_id, plans.archive, _("Kế hoạch đã được lưu trữ."))


# --- indicators ----------------------------------------------------------------------------------------------


def _indicator_form(plan: IndicatorPlan, formdata=None, obj=None) -> IndicatorForm:
    form = IndicatorForm(formdata=formdata, obj=obj) if formdata is not None else IndicatorForm(formdata=None, obj=obj)
    form.source.choices = [("", _("— nhập tay hoặc tính từ sổ mô hình —"))] + [
        (name, str(label)) for name, label in valuesources.choices()
    ]
    if formdata is None and obj is not None:
        form.model_kind.data, form.source.data = obj.model_kind or "", obj.source or ""
        form.formula.data, form.parent_code.data = obj.formula or "", obj.parent_code or ""
        # a limit of its own (an indicator dropped from 2027); the plan's own edges show as empty
        form.valid_from_year.data = (
            obj.valid_from.year if obj.valid_from and obj.valid_from != plan.valid_from else None
        )
        form.valid_to_year.data = obj.valid_to.year if obj.valid_to and obj.valid_to != plan.valid_to else None
    return form


def _indicator_page(plan, form, ind=None, status=200):
    return render_template(
        "indicators/plans/indicator.html", plan=plan, form=form, ind=ind, locked=plans.definitions_locked(plan)
    ), status


@bp.route("/plans/<uuid:indicator_plan_id>/indicators/new", methods=["GET", "POST"])
@permission_required("indicator.plan")
def plan_indicator_new(indicator_plan_id):
    """Add an indicator: definition, unit of measure, disaggregations, target, formula or value source."""
    plan = _plan(indicator_plan_id, "edit")
    return _indicator_save(plan, None)


@bp.route("/plans/<uuid:indicator_plan_id>/indicators/<uuid:indicator_id>", methods=["GET", "POST"])
@permission_required("indicator.plan")
def plan_indicator_edit(indicator_plan_id, indicator_id):
    """Change an indicator of a plan whose definitions are open."""
    plan = _plan(indicator_plan_id, "edit")
    ind = db.session.get(IndicatorDef, str(indicator_id))
    if ind is None or ind.plan_id != plan.id:
        deny("edit", PlanTask(None), status=404)
    return _indicator_save(plan, ind)


def _indicator_save(plan, ind):
    if request.method == "GET":
        return _indicator_page(plan, _indicator_form(plan, obj=ind), ind)
    form = _indicator_form(plan, request.form)
    if not form.validate():
        return _indicator_page(plan, form, ind)
    try:
        with attempt():
            plans.save_indicator(plan, ind, form.data, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "code")
        return _indicator_page(plan, form, ind)
    flash(_("Đã lưu chỉ tiêu %(code)s.", code=form.code.data), "success")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + "#plan-indicators", 303)


@bp.post("/plans/<uuid:indicator_plan_id>/indicators/<uuid:indicator_id>/delete")
@permission_required("indicator.plan")
def plan_indicator_delete(indicator_plan_id, indicator_id):
    """Remove an indicator (and its targets) from a plan whose definitions are open."""
    plan = _plan(indicator_plan_id, "edit")
    ind = db.session.get(IndicatorDef, str(indicator_id))
    if ind is None or ind.plan_id != plan.id:
        deny("edit", PlanTask(None), status=404)
    try:
        with attempt():
            plans.delete_indicator(plan, ind, actor=current_user)
            flash(_("Đã xóa chỉ tiêu."), "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + "#plan-indicators", 303)


# --- targets, cycles, activities, budget ---------------------------------------------------------------------


@bp.post("/plans/<uuid:indicator_plan_id>/targets")
@permission_required("indicator.plan")
def plan_target(indicator_plan_id):
    """Set (empty value: clear) a target of a unit for a year of the phase or the whole phase."""
    plan = _plan(indicator_plan_id, "edit")
    form = TargetForm(request.form, prefix="target")
    _target_choices(form, plan, viewer_root())
    if not form.validate():
        return _plan_page(plan, forms={"target": form})
    ind = db.session.get(IndicatorDef, uuid_or_none(form.indicator_id.data) or "")
    unit = db.session.get(Unit, uuid_or_none(form.unit_id.data) or "")
    if unit is not None:
        ensure_authorized("plan", _unit_task(unit))
    try:
        with attempt():
            if ind is None:
                raise ServiceError(_("Chỉ tiêu không thuộc kế hoạch này."), "indicator_id")
            plans.save_target(plan, ind, unit, form.year.data, form.value.data, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "value")
        return _plan_page(plan, forms={"target": form})
    flash(_("Đã lưu chỉ tiêu giao."), "success")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + "#plan-targets", 303)


def _unit_task(unit):
    from ..permissions import UnitTask

    return UnitTask(unit)


@bp.post("/plans/<uuid:indicator_plan_id>/cycles")
@permission_required("indicator.plan")
def plan_cycle_rule(indicator_plan_id):
    """Add a reporting cycle: quarterly or yearly, due a number of working days after the period or on a day."""
    plan = _plan(indicator_plan_id, "edit")
    form = CycleRuleForm(request.form, prefix="rule")
    if not form.validate():
        return _plan_page(plan, forms={"rule": form})
    try:
        with attempt():
            plans.save_cycle_rule(plan, None, form.data, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "frequency")
        return _plan_page(plan, forms={"rule": form})
    flash(_("Đã thêm kỳ báo cáo."), "success")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + "#plan-cycles", 303)


@bp.post("/plans/<uuid:indicator_plan_id>/cycles/<uuid:rule_id>/delete")
@permission_required("indicator.plan")
def plan_cycle_rule_delete(indicator_plan_id, rule_id):
    """Remove a reporting cycle of a plan whose definitions are open."""
    plan = _plan(indicator_plan_id, "edit")
    rule = db.session.get(CycleRule, str(rule_id))
    if rule is None or rule.plan_id != plan.id:
        deny("edit", PlanTask(None), status=404)
    try:
        with attempt():
            plans.delete_cycle_rule(plan, rule, actor=current_user)
            flash(_("Đã xóa kỳ báo cáo."), "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + "#plan-cycles", 303)


@bp.post("/plans/<uuid:indicator_plan_id>/activities")
@permission_required("indicator.plan")
def plan_activity(indicator_plan_id):
    """Add an activity line: code, content, lead unit, years and the indicators it serves."""
    plan = _plan(indicator_plan_id, "edit")
    form = ActivityForm(request.form, prefix="activity")
    years = form.parsed_years() if form.validate() else None
    if years is None:
        return _plan_page(plan, forms={"activity": form})
    fields = {
        **form.data,
        "years": years,
        "indicator_codes": [c for c in (form.indicator_codes.data or "").split(",") if c.strip()],
    }
    try:
        with attempt():
            plans.save_activity(plan, None, fields, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "code")
        return _plan_page(plan, forms={"activity": form})
    flash(_("Đã thêm hoạt động."), "success")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + "#plan-activities", 303)


@bp.post("/plans/<uuid:indicator_plan_id>/budget")
@permission_required("indicator.plan")
def plan_budget(indicator_plan_id):
    """Add a budget line of the plan (planned money of a component or activity in a year)."""
    plan = _plan(indicator_plan_id, "edit")
    form = PlanBudgetForm(request.form, prefix="budget")
    if not form.validate():
        return _plan_page(plan, forms={"budget": form})
    fields = {**form.data, "source": "central", "allocated": 0, "disbursed": 0, "note": ""}
    try:
        with attempt():
            plans.save_budget_line(plan, None, viewer_root(), fields, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "year")
        return _plan_page(plan, forms={"budget": form})
    flash(_("Đã thêm dòng ngân sách."), "success")
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + "#plan-budget", 303)


# --- the closing report --------------------------------------------------------------------------------------


def _closing(plan: IndicatorPlan) -> dict:
    """What the closing page and its Excel file both show, for the viewer's unit."""
    root = viewer_root()
    report = figures.build(root, plan.phase_end, plan=plan)
    rows = [plans.ClosingRow(r.indicator, r.total.target, r.total.achieved, r.total.rate) for r in report.rows]
    years = [(year, _year_summary(root, plan, year)) for year in range(plan.phase_start, plan.phase_end + 1)]
    return {
        "plan": plan,
        "root": root,
        "rows": rows,
        "years": years,
        "report": report,
        "met": sum(1 for r in rows if r.state == "met"),
        "counted": sum(1 for r in rows if r.state != "unknown"),
        "budget": _budget_totals(root, plan),
    }


@bp.get("/plans/<uuid:indicator_plan_id>/closing")
@permission_required("indicator.view")
def plan_closing(indicator_plan_id):
    """The plan's targets for the phase against what was achieved by its last year, indicator by indicator."""
    return render_template("indicators/plans/closing.html", **_closing(_plan(indicator_plan_id)))


@bp.get("/plans/<uuid:indicator_plan_id>/closing.xlsx")
@permission_required("indicator.export")
@step_up_required
def plan_closing_export(indicator_plan_id):
    """The closing report as an Excel file in the official layout."""
    from ..closing_export import workbook

    context = _closing(_plan(indicator_plan_id))
    plan, root = context["plan"], context["root"]
    content = workbook(plan, root, context["rows"], context["years"], context["budget"])
    audit.record(current_user, "indicator.export", plan, detail={"unit_id": root.id, "closing": plan.code})
    filename = f"tong-ket-{plan.programme}-{plan.phase_start}-{plan.phase_end}-{root.code}.xlsx".lower()
    return (
        content,
        200,
        {
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def _year_summary(root, plan, year) -> dict:
    report = figures.build(root, year, plan=plan)
    return {r.indicator.code: r.total.achieved for r in report.rows}


def _budget_totals(root, plan) -> dict:
    from .. import services

    return services.budget_totals(scope_ids(root), plan)


def plan_for_page() -> IndicatorPlan | None:
    """The plan a page is about: ?plan=<id>, else the plan of the year asked (or this year)."""
    chosen = plans.get(uuid_or_none(request.args.get("plan")))
    if chosen is not None:
        return chosen
    from .common import selected_year

    return plans.for_year(selected_year())
