"""The district side: deciding a plan, the district overview and its Excel export."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import clock
from ...audit import services as audit
from ...auth.permissions import permission_required
from ...auth.stepup import step_up_required
from ...cases.queries import scope_for
from ...extensions import htmx
from ...services import ServiceError
from ...web.forms import whole_number
from ...web.unit_of_work import attempt
from .. import budget, overview, services
from ..forms import DecisionForm
from . import bp
from .common import load, refuse, render_detail

DECIDED = {
    "approve": _l("Đã duyệt kế hoạch."),
    "return": _l("Đã trả lại kế hoạch để sửa."),
    "reject": _l("Đã ghi quyết định không duyệt."),
}


@bp.post("/livelihood/<uuid:plan_id>/decide")
@permission_required("livelihood.review")
def decide(plan_id):
    """Approve (optionally a lower amount), return with comments, or reject a submitted plan."""
    plan = load(plan_id, "decide")
    form = DecisionForm()
    if form.validate():
        try:
            with attempt():
                services.decide(
                    plan, form.decision.data, actor=current_user, amount=form.amount.data, comment=form.comment.data
                )
        except ServiceError as exc:
            plan = load(plan_id, "decide")  # as it is now: another reviewer may have decided it
            refuse(form, exc, "decision")
        else:
            message = str(DECIDED[form.decision.data])
            flash(message, "success")
            if htmx.target == "plan-body":  # shown once, inside the swapped body (_macros/flashes.html)
                return render_detail(plan)
            return redirect(url_for("livelihood.detail", plan_id=plan.id), 303)
    return render_detail(plan, decision_form=form)


def _year() -> int:
    return whole_number(request.values.get("year"), 2000, 2100) or clock.today().year


def _overview(year: int) -> overview.Overview:
    units = scope_for(current_user, "district_reviewer")
    pools = {
        budget.pool_of(a.unit).id: budget.pool_of(a.unit) for a in current_user.roles if a.role == "district_reviewer"
    }
    return overview.build(units, list(pools.values()), year)


@bp.get("/livelihood/overview")
@permission_required("livelihood.review")
def district_overview():
    """Plans by status and commune, money against the year's budget, overdue monitoring, outcomes."""
    year = _year()
    data = _overview(year)
    context = {
        "data": data,
        "year": year,
        "headers": overview.headers(),
        "row_values": overview.row_values,
        "codes": {},
        "source_label": overview.budget_source_label,
    }
    if htmx.target == "overview-table":
        return render_template("livelihood/_overview_table.html", **context)
    return render_template("livelihood/overview.html", **context)


@bp.post("/livelihood/overview/export")
@permission_required("livelihood.review")
@step_up_required
def export():
    """Download the overview as an Excel workbook (audited)."""
    year = _year()
    content = overview.to_excel(_overview(year))
    audit.record(current_user, "livelihood.export", detail={"year": year})
    return (
        content,
        200,
        {
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="sinh-ke-{year}.xlsx"',
        },
    )
