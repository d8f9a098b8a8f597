"""The plan editor's activity and budget lines: change or remove one (each change audited). A line is loaded
through its plan (the editor's permission on the plan, and for a budget line its unit in the user's scope); what
the rules refuse (an archived plan, a negative amount, digits other than 0–9, a year outside the phase) comes
back beside the field with everything typed kept."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.permissions import deny, ensure_authorized, permission_required
from ...extensions import db
from ...services import ServiceError
from ...web.unit_of_work import attempt
from .. import plans
from ..models import BudgetLine, IndicatorActivity, IndicatorPlan
from ..permissions import PlanTask, UnitTask
from ..plan_forms import ActivityForm, PlanBudgetLineForm
from . import bp
from .plan_editor import _plan, _refused


def _activity(plan: IndicatorPlan, plan_activity_id) -> IndicatorActivity:
    act = db.session.get(IndicatorActivity, str(plan_activity_id))
    if act is None or act.plan_id != plan.id or act.is_group:
        deny("edit", PlanTask(None), status=404)
    assert act is not None
    return act


def _line(plan: IndicatorPlan, plan_line_id) -> BudgetLine:
    line = db.session.get(BudgetLine, str(plan_line_id))
    if line is None or line.plan_id != plan.id:
        deny("edit", PlanTask(None), status=404)
    assert line is not None
    ensure_authorized("plan", UnitTask(line.unit))
    return line


def _back(plan: IndicatorPlan, anchor: str):
    return redirect(url_for(".plan_view", indicator_plan_id=plan.id) + anchor, 303)


def _activity_page(plan, act, form, status=200):
    return render_template("indicators/plans/activity.html", plan=plan, act=act, form=form), status


@bp.route("/plans/<uuid:indicator_plan_id>/activities/<uuid:plan_activity_id>", methods=["GET", "POST"])
@permission_required("indicator.plan")
def plan_activity_edit(indicator_plan_id, plan_activity_id):
    """Change an activity line: code, content, lead unit, years and the indicators it serves."""
    plan = _plan(indicator_plan_id, "edit")
    act = _activity(plan, plan_activity_id)
    if request.method == "GET":
        form = ActivityForm(formdata=None, prefix="activity")
        form.code.data, form.name.data, form.lead.data = act.code, act.name, act.lead_commune or ""
        form.years.data = ", ".join(str(y) for y in act.years or [])
        form.indicator_codes.data = ", ".join(act.indicator_codes or [])
        return _activity_page(plan, act, form)
    form = ActivityForm(request.form, prefix="activity")
    years = form.parsed_years() if form.validate() else None
    if years is None:
        return _activity_page(plan, act, form)
    fields = {
        **form.data,
        "years": years,
        "indicator_codes": [c for c in (form.indicator_codes.data or "").split(",") if c.strip()],
    }
    try:
        with attempt():
            plans.save_activity(plan, act, fields, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "code")
        return _activity_page(plan, act, form)
    flash(_("Đã lưu hoạt động %(code)s.", code=form.code.data), "success")
    return _back(plan, "#plan-activities")


@bp.post("/plans/<uuid:indicator_plan_id>/activities/<uuid:plan_activity_id>/delete")
@permission_required("indicator.plan")
def plan_activity_delete(indicator_plan_id, plan_activity_id):
    """Remove an activity line no unit has recorded progress on."""
    plan = _plan(indicator_plan_id, "edit")
    act = _activity(plan, plan_activity_id)
    try:
        with attempt():
            plans.delete_activity(plan, act, actor=current_user)
            flash(_("Đã xóa hoạt động."), "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return _back(plan, "#plan-activities")


def _budget_page(plan, line, form, status=200):
    return render_template("indicators/plans/budget_line.html", plan=plan, line=line, form=form), status


@bp.route("/plans/<uuid:indicator_plan_id>/budget/<uuid:plan_line_id>", methods=["GET", "POST"])
@permission_required("indicator.plan")
def plan_budget_edit(indicator_plan_id, plan_line_id):
    """Change a budget line: year, component, activity, money planned, allocated and disbursed."""
    plan = _plan(indicator_plan_id, "edit")
    line = _line(plan, plan_line_id)
    if request.method == "GET":
        return _budget_page(plan, line, PlanBudgetLineForm(formdata=None, obj=line, prefix="budget"))
    form = PlanBudgetLineForm(request.form, prefix="budget")
    if not form.validate():
        return _budget_page(plan, line, form)
    try:
        with attempt():
            plans.save_budget_line(plan, line, line.unit, form.data, actor=current_user)
    except ServiceError as exc:
        _refused(form, exc, "year")
        return _budget_page(plan, line, form)
    flash(_("Đã cập nhật dòng ngân sách."), "success")
    return _back(plan, "#plan-budget")


@bp.post("/plans/<uuid:indicator_plan_id>/budget/<uuid:plan_line_id>/delete")
@permission_required("indicator.plan")
def plan_budget_delete(indicator_plan_id, plan_line_id):
    """Remove a budget line of the plan."""
    plan = _plan(indicator_plan_id, "edit")
    line = _line(plan, plan_line_id)
    try:
        with attempt():
            plans.delete_budget_line(plan, line, actor=current_user)
            flash(_("Đã xóa dòng ngân sách."), "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return _back(plan, "#plan-budget")
