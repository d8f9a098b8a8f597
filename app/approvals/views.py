"""The second person's pages: the approvals waiting for me, one request with what will happen, the decision."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField

from ..auth.permissions import permission_required
from ..auth.stepup import step_up_required
from ..extensions import db
from ..services import ServiceError
from ..units.models import Unit
from ..web.forms import BaseForm
from ..web.unit_of_work import attempt
from . import services, work  # noqa: F401 - work registers the work-queue source
from .models import ApprovalRequest

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


class DecisionForm(BaseForm):
    decision = HiddenField()


def _mine_or_404(approval_id) -> ApprovalRequest | None:
    """A request this user may decide; anything else is 'not found' (its existence is not confirmed)."""
    row = db.session.get(ApprovalRequest, str(approval_id))
    return row if row is not None and services.may_approve(current_user, row) else None


def _not_found():
    return render_template("errors/error.html", status=404, title=_l("Không tìm thấy"), message=""), 404


@bp.get("/")
@permission_required("approval.decide")
def index():
    """Requests waiting for this supervisor or reviewer as the second person."""
    return render_template(
        "approvals/index.html", rows=services.pending_for(current_user), kind_labels=services.KIND_LABELS
    )


@bp.get("/<uuid:approval_id>")
@permission_required("approval.decide")
@step_up_required
def review(approval_id):
    """One request, saying plainly what approving it will do; approve or refuse."""
    row = _mine_or_404(approval_id)
    if row is None:
        return _not_found()
    services.expire_if_due(row)
    return render_template(
        "approvals/review.html",
        row=row,
        form=DecisionForm(),
        units=_units(row),
        kind_labels=services.KIND_LABELS,
        status_labels=services.STATUS_LABELS,
    )


@bp.post("/<uuid:approval_id>")
@permission_required("approval.decide")
@step_up_required
def decide(approval_id):
    """Approve (the change takes effect now) or refuse."""
    row = _mine_or_404(approval_id)
    if row is None:
        return _not_found()
    form = DecisionForm()
    if not form.validate() or form.decision.data not in ("approve", "refuse"):
        flash(_l("Hãy chọn phê duyệt hoặc từ chối."), "error")
        return redirect(url_for("approvals.review", approval_id=row.id), 303)
    try:
        with attempt():
            outcome = services.decide(row, form.decision.data == "approve", actor=current_user._get_current_object())
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("approvals.index"), 303)
    link = url_for("auth.setup", token=outcome.token, _external=True) if outcome.token else None
    return render_template(
        "approvals/done.html",
        row=row,
        link=link,
        kind_labels=services.KIND_LABELS,
        status_labels=services.STATUS_LABELS,
    )


def _units(row: ApprovalRequest) -> dict:
    ids = [v for k, v in row.payload.items() if k.endswith("_id") and v]
    return {u.id: u for u in db.session.query(Unit).filter(Unit.id.in_(ids))} if ids else {}
