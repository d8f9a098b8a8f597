"""The lists, drafting and submitting a plan, the plan page and its versions."""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.permissions import ensure_authorized, has_permission, permission_required
from ...cases import queries as case_queries
from ...extensions import htmx
from ...services import ServiceError
from ...web.paging import page_of
from ...web.unit_of_work import attempt
from .. import queries, services
from ..forms import PlanForm
from ..models import STATUSES, LivelihoodPlan
from . import bp
from .common import commune_of, load, refuse, render_detail


@bp.get("/livelihood/")
@permission_required("livelihood.list")
def index():
    """The counsellor's plans and/or the district reviewer's queue of submitted plans, oldest first."""
    status = request.args.get("status", "")
    pages = {}
    if has_permission(current_user, "livelihood.propose"):
        stmt = queries.counsellor_plans(current_user)
        if status in STATUSES:
            stmt = stmt.where(LivelihoodPlan.status == status)
        pages["mine"] = page_of(stmt, "page")
    if has_permission(current_user, "livelihood.review"):
        pages["queue"] = page_of(queries.review_queue(current_user), "queue_page")
        pages["decided"] = page_of(queries.decided_in_district(current_user), "decided_page")
    context: dict[str, Any] = {
        name: (pages[name].rows if name in pages else None) for name in ("mine", "queue", "decided")
    }
    context.update(
        status=status,
        statuses=STATUSES,
        pages=pages,
        communes={p.id: commune_of(p.case) for p in (context["queue"] or [])},
    )
    if htmx.target == "plan-lists":
        return render_template("livelihood/_lists.html", **context)
    return render_template("livelihood/index.html", **context)


def _plan_data(form: PlanForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/cases/<uuid:case_id>/livelihood/new", methods=("GET", "POST"))
@permission_required("livelihood.propose")
def create(case_id):
    """Draft a livelihood plan for a case."""
    case = ensure_authorized("edit", case_queries.case_for(current_user, str(case_id)))
    form = PlanForm()
    if form.is_submitted() and form.validate():
        try:
            with attempt():
                plan = services.create_plan(case, _plan_data(form), actor=current_user)
        except ServiceError as exc:
            refuse(form, exc, "description")
        else:
            flash(_("Đã lưu bản nháp kế hoạch sinh kế."), "success")
            return redirect(url_for("livelihood.detail", plan_id=plan.id), 303)
    return render_template("livelihood/form.html", case=case, form=form, plan=None)


@bp.route("/livelihood/<uuid:plan_id>/edit", methods=("GET", "POST"))
@permission_required("livelihood.propose")
def edit(plan_id):
    """Change a draft or a returned plan."""
    plan = load(plan_id, "work")
    form = PlanForm(obj=None if request.method == "POST" else plan)
    if form.is_submitted() and form.validate():
        try:
            with attempt():
                services.update_plan(plan, _plan_data(form), actor=current_user)
        except ServiceError as exc:
            refuse(form, exc, "description")
        else:
            flash(_("Đã lưu kế hoạch."), "success")
            return redirect(url_for("livelihood.detail", plan_id=plan.id), 303)
    return render_template("livelihood/form.html", case=plan.case, form=form, plan=plan)


@bp.post("/livelihood/<uuid:plan_id>/submit")
@permission_required("livelihood.propose")
def submit(plan_id):
    """Send the plan to the district for review (a new version is kept)."""
    plan = load(plan_id, "work")
    try:
        with attempt():
            version = services.submit_plan(plan, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")  # shown once, inside the plan's body htmx swaps (_macros/flashes.html)
        return render_detail(load(plan_id, "work"))
    flash(_("Đã gửi kế hoạch (phiên bản %(n)d) lên huyện để duyệt.", n=version.number), "success")
    return redirect(url_for("livelihood.detail", plan_id=plan.id), 303)


@bp.get("/livelihood/<uuid:plan_id>")
@permission_required("livelihood.list")
def detail(plan_id):
    """A plan: its versions, the decision, disbursements, visits and outcomes."""
    plan = load(plan_id)
    return render_detail(plan)  # audited there, page or fragment


@bp.get("/livelihood/<uuid:plan_id>/versions/<int:number>")
@permission_required("livelihood.list")
def version(plan_id, number):
    """One submitted version of the plan, as the district saw it."""
    plan = load(plan_id)
    found = next((v for v in plan.versions if v.number == number), None)
    if found is None or plan.case.is_erased:
        abort(404)
    services.record_read(plan, actor=current_user)
    return render_template(
        "livelihood/version.html", plan=plan, version=found, content=found.content or {}, commune=commune_of(plan.case)
    )
