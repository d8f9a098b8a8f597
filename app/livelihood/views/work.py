"""After approval, the counsellor's side: disbursements, monitoring visits, outcomes, ending the plan."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.permissions import permission_required
from ...extensions import htmx
from ...services import ServiceError
from ...web.forms import whole_number
from ...web.unit_of_work import attempt
from .. import services
from ..forms import CloseForm, DisbursementForm, OutcomeForm, VisitForm
from . import bp
from .common import load, refuse, render_detail


def _data(form) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _apply(plan_id, form, form_key: str, default_field: str, operation, message: str):
    """Validate, run the service, commit once; errors go back beside the field with the input kept."""
    plan = load(plan_id, "work")
    if form.validate():
        try:
            with attempt():
                operation(plan, _data(form))
        except ServiceError as exc:
            plan = load(plan_id, "work")
            refuse(form, exc, default_field)
        else:
            flash(message, "success")
            if htmx.target == "plan-body":  # shown once, inside the swapped body (_macros/flashes.html)
                return render_detail(plan)
            return redirect(url_for("livelihood.detail", plan_id=plan.id), 303)
    return render_detail(plan, **{form_key: form})


@bp.post("/livelihood/<uuid:plan_id>/disburse")
@permission_required("livelihood.propose")
def disburse(plan_id):
    """Record a disbursement (never beyond the approved amount)."""
    return _apply(
        plan_id,
        DisbursementForm(),
        "disbursement_form",
        "amount",
        lambda plan, data: services.disburse(plan, data, actor=current_user),
        _("Đã ghi giải ngân."),
    )


@bp.post("/livelihood/<uuid:plan_id>/visits")
@permission_required("livelihood.propose")
def visit(plan_id):
    """Record a monitoring visit."""
    return _apply(
        plan_id,
        VisitForm(),
        "visit_form",
        "visited_on",
        lambda plan, data: services.record_visit(plan, data, actor=current_user),
        _("Đã ghi lần thăm giám sát."),
    )


@bp.post("/livelihood/<uuid:plan_id>/outcomes")
@permission_required("livelihood.propose")
def outcome(plan_id):
    """Record the outcome at 6 or 12 months."""

    def record(plan, data):
        data["wellbeing"] = whole_number(data.get("wellbeing"))
        services.record_outcome(plan, data, actor=current_user)

    return _apply(plan_id, OutcomeForm(), "outcome_form", "milestone", record, _("Đã ghi kết quả."))


@bp.post("/livelihood/<uuid:plan_id>/close")
@permission_required("livelihood.propose")
def close(plan_id):
    """End the plan: completed, or discontinued with a reason."""
    return _apply(
        plan_id,
        CloseForm(),
        "close_form",
        "how",
        lambda plan, data: services.close_plan(plan, data["how"], data.get("reason"), actor=current_user),
        _("Đã kết thúc kế hoạch."),
    )
