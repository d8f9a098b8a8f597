"""Planning screens: targets by commune and year (with the check that communes add up to the district),
the activity plan of the Phụ biểu with a status per year per unit, and the budget."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.permissions import deny, ensure_authorized, has_permission, permission_required
from ...extensions import db, htmx
from ...services import ServiceError, ensure_found
from ...units.queries import scope_ids
from ...web.forms import whole_number
from ...web.unit_of_work import attempt
from .. import plans, queries, services
from ..forms import ActivityStatusForm, BudgetLineForm, parse_int
from ..models import ActivityStatus, BudgetLine, IndicatorActivity
from ..permissions import UnitTask
from . import bp
from .common import focus_unit, selected_year, unit_in_scope, viewer_root, year_choices
from .plan_editor import plan_for_page

# --- targets -------------------------------------------------------------------------------------------


def _target_year() -> int | None:
    """?year=2024 for the year's targets; no year (or "phase") for the phase 2021-2025."""
    return selected_year() if whole_number(request.values.get("year")) is not None else None


def _period_day(year: int | None, plan=None) -> date:
    """The day whose communes carry the targets: the year's end, or for the phase the first day of the plan
    (for the 2022 plan, the last day of its communes, before the 2025 mergers)."""
    if year:
        return date(year, 12, 31)
    if plan is None or plan.code == services.PLAN_CODE:
        return date(2025, 6, 30)
    return date(plan.phase_start, 1, 1)


def _grid_communes(root, year: int | None, plan) -> list:
    """The communes whose targets the grid offers: those of the year (or of the plan's phase) only; the abolished
    district has none for 2026, its old communes' targets are in the earlier years. A commune's own user sees
    their commune's line as before."""
    if root.kind == "commune":
        return queries.communes_of(root, _period_day(year, plan))
    if year:
        start, end = date(year, 1, 1), date(year, 12, 31)
    else:
        first, last = (plan.phase_start, plan.phase_end) if plan is not None else (2021, 2025)
        start, end = date(first, 1, 1), date(last, 12, 31)
    return queries.communes_offered(root, _period_day(year, plan), start, end)


def _plan_of_page(year: int | None):
    """The plan of the targets asked: ?plan=, else the year's plan, else this year's."""
    return plan_for_page() if request.values.get("plan") or year is None else plans.for_year(year)


def _targets_page(year, raw=None, errors=None, status=200):
    root = viewer_root()
    plan = _plan_of_page(year)
    communes = _grid_communes(root, year, plan)
    context = {
        "root": root,
        "year": year,
        "years": year_choices(),
        "communes": communes,
        "plan": plan,
        "checks": queries.cascade(root, communes, year, plan),
        "raw": raw or {},
        "errors": errors or {},
        "can_plan": has_permission(current_user, "indicator.plan") and plan is not None and plan.status != "archived",
    }
    if htmx.target == "target-grid":
        return render_template("indicators/_targets_grid.html", **context), status
    return render_template("indicators/targets.html", **context), status


@bp.get("/targets")
@permission_required("indicator.view")
def targets():
    """Targets per commune for the phase or a year, and whether the communes add up to the district."""
    return _targets_page(_target_year())


@bp.post("/targets")
@permission_required("indicator.plan")
def save_targets():
    """Save the grid of commune targets; a wrong cell keeps everything typed and says why beside it."""
    year = _target_year()
    root = viewer_root()
    ensure_authorized("plan", UnitTask(root))
    plan = _plan_of_page(year)
    if plan is None or plan.status == "archived":
        flash(str(plans.ARCHIVED), "error")  # read-only: its targets are history
        return _targets_page(year, {k: v[:12] for k, v in request.form.items() if k.startswith("t-")})
    units = [root, *_grid_communes(root, year, plan)]
    raw, errors, wanted = {}, {}, []
    for ind in queries.indicators(plan):
        for unit in units:
            name = f"t-{ind.code}-{unit.id}"
            if name not in request.form:
                continue
            raw[name] = request.form.get(name, "")[:12]
            value = parse_int(raw[name])
            if isinstance(value, str) or (isinstance(value, int) and value < 0):
                errors[name] = _("Phải là số nguyên không âm.")
            elif ind.is_percent and value is not None and value > 100:
                errors[name] = _("Tỷ lệ không được vượt quá 100%.")
            else:
                wanted.append((name, ind, unit, value))
    if errors:
        return _targets_page(year, raw, errors)
    try:
        with attempt():
            for name, ind, unit, value in wanted:
                ensure_authorized("plan", UnitTask(unit))
                try:
                    services.set_target(ind, unit, year, value, actor=current_user)
                except ServiceError as exc:  # e.g. the year's report of that unit was sent: beside its cell
                    errors[name] = str(exc)
            if errors:
                raise ServiceError("")  # the grid is saved whole or not at all: undo the cells saved before
    except ServiceError:
        return _targets_page(year, raw, errors)
    flash(_("Đã lưu chỉ tiêu."), "success")
    return redirect(url_for(".targets", year=year or "phase"), 303)


# --- activity plan -------------------------------------------------------------------------------------


@bp.get("/activities")
@permission_required("indicator.view")
def activities():
    """The Phụ biểu: each activity with its lead and coordinating units and its status this year here."""
    root = viewer_root()
    focus = focus_unit(root)
    year = selected_year()
    plan = plan_for_page()
    rows = plans.activities(plan)
    statuses = {
        s.activity_id: s
        for s in db.session.scalars(
            select(ActivityStatus).where(ActivityStatus.unit_id == focus.id, ActivityStatus.year == year)
        )
    }
    from ..permissions import unit_task_policy

    context = {
        "rows": rows,
        "statuses": statuses,
        "focus": focus,
        "root": root,
        "year": year,
        "plan": plan,
        "years": year_choices(),
        "can_update": unit_task_policy(current_user, "activity", UnitTask(focus))
        and plan is not None
        and plan.status != "archived",
        "form": ActivityStatusForm(formdata=None),
    }
    return render_template("indicators/activities.html", **context)


@bp.post("/activities/<uuid:activity_id>/status")
@permission_required("indicator.view")
def activity_status(activity_id):
    """Record how an activity stands this year in a unit (its reporter or district reviewer)."""
    unit = unit_in_scope(request.form.get("unit_id"), "activity")
    activity = db.session.get(IndicatorActivity, str(activity_id))
    if activity is None:
        deny("activity", UnitTask(None), status=404)
    year = min(max(whole_number(request.form.get("year"), 1, 9999) or clock.today().year, 2021), 2035)
    form = ActivityStatusForm()
    back = url_for(".activities", year=year, unit=unit.id)
    if not form.validate():
        flash("; ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(back, 303)
    try:
        with attempt():
            plans.ensure_open(plans.get(activity.plan_id))
            services.set_activity_status(
                activity, unit, year, form.status.data, form.reason.data or "", actor=current_user
            )
            flash(_("Đã cập nhật trạng thái hoạt động %(code)s.", code=activity.code), "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(back, 303)


# --- budget --------------------------------------------------------------------------------------------


def _budget_page(form, line=None, status=200):
    root = viewer_root()
    plan = plans.get(line.plan_id) if line is not None else plan_for_page()
    context = {
        "root": root,
        "summary": services.budget_summary(scope_ids(root), plan),
        "plan": plan,
        "form": form,
        "line": line,
        "can_plan": has_permission(current_user, "indicator.plan") and plan is not None and plan.status != "archived",
    }
    return render_template("indicators/budget.html", **context), status


@bp.get("/budget")
@permission_required("indicator.view")
def budget():
    """Budget lines by component and year against the plan's 12.380 triệu đồng, with the disbursement rate."""
    return _budget_page(BudgetLineForm(formdata=None))


@bp.post("/budget")
@permission_required("indicator.plan")
def add_budget_line():
    """Add a budget line for the district."""
    root = viewer_root()
    ensure_authorized("plan", UnitTask(root))
    form = BudgetLineForm()
    if not form.validate():
        return _budget_page(form)
    try:
        with attempt():
            plan = plans.for_year(ensure_found(form.year.data, _l("Vui lòng nhập mục này."), "year"))
            plans.ensure_open(plan, "year")
            services.save_budget_line(None, root, form.data, actor=current_user, plan=plan)
    except ServiceError as exc:
        getattr(form, exc.field or "note").errors.append(str(exc))
        return _budget_page(form)
    flash(_("Đã thêm dòng ngân sách."), "success")
    return redirect(url_for(".budget"), 303)


@bp.route("/budget/<uuid:line_id>", methods=["GET", "POST"])
@permission_required("indicator.plan")
def edit_budget_line(line_id):
    """Update a budget line (allocation, disbursement)."""
    line = db.session.get(BudgetLine, str(line_id))
    if line is None:
        deny("plan", UnitTask(None), status=404)
    ensure_authorized("plan", UnitTask(line.unit))
    form = BudgetLineForm(obj=line)
    if request.method == "POST" and form.validate():
        try:
            with attempt():
                plans.ensure_open(plans.get(line.plan_id), "year")
                services.save_budget_line(line, line.unit, form.data, actor=current_user)
                flash(_("Đã cập nhật dòng ngân sách."), "success")
                return redirect(url_for(".budget"), 303)
        except ServiceError as exc:
            getattr(form, exc.field or "note").errors.append(str(exc))
    return _budget_page(form, line)
