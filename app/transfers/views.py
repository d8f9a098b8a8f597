"""Case transfer pages: ask, confirm, and the receiving side's accept or decline (each irreversible step is
confirmed on a page of its own that says what will happen and how much goes with the case)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import RoleAssignment, User
from ..auth.permissions import authorize, ensure_authorized, has_permission, permission_required
from ..cases import queries as case_queries
from ..cases.models import Case
from ..extensions import db
from ..services import ServiceError
from ..units.models import Unit
from ..web.forms import options
from ..web.unit_of_work import attempt
from . import services
from .forms import ConfirmForm, TransferForm
from .models import CaseTransfer

bp = Blueprint("transfers", __name__, url_prefix="/transfers")

from . import work  # noqa: E402,F401 - registers the work-queue source

TIMELINE_WORDS = {
    "transfer.request": _l("Yêu cầu chuyển hồ sơ sang đơn vị khác"),
    "transfer.accept": _l("Bên nhận đã nhận hồ sơ"),
    "transfer.decline": _l("Bên nhận từ chối nhận hồ sơ"),
    "transfer.cancel": _l("Huỷ yêu cầu chuyển hồ sơ"),
}


def _case_panel(case, user) -> dict | None:
    """The transfer line of the case page: a pending request, or the way to make one."""
    can = has_permission(user, "case.transfer") and authorize(user, "edit", case) and case.is_open
    pending = services.pending_for(case)
    return {"pending": pending, "can_transfer": can and pending is None} if can or pending else None


def _register() -> None:
    from ..cases import timeline
    from ..cases.sections import register_section

    timeline.ACTIONS.update({k: v for k, v in TIMELINE_WORDS.items() if k not in timeline.ACTIONS})
    register_section("transfers/_case_panel.html", order=65, context_fn=_case_panel)


_register()


def _choices(case: Case, form: TransferForm) -> None:
    units = [
        u
        for u in db.session.scalars(select(Unit).where(Unit.kind.in_(services.RECEIVING_KINDS)).order_by(Unit.path))
        if u.is_current() and u.id != case.unit_id
    ]
    form.to_unit_id.choices = options([("", _("— Chọn —"))], [(u.id, f"{u.name} ({u.code})") for u in units])
    rows = db.session.execute(
        select(User.id, User.display_name, User.username, Unit.name)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .where(RoleAssignment.role == "counsellor", User.active.is_(True), User.id != current_user.id)
        .order_by(Unit.path, User.username)
    ).all()
    form.to_user_id.choices = options(
        [("", _("— Bất kỳ tư vấn viên nào của đơn vị nhận —"))],
        [(uid, f"{name or username} — {unit}") for uid, name, username, unit in rows],
    )


@bp.route("/case/<uuid:case_id>/new", methods=("GET", "POST"))
@permission_required("case.transfer")
def create(case_id):
    """Ask another counsellor or commune to take the case over (confirmed on a second step)."""
    case = ensure_authorized("edit", case_queries.case_for(current_user, str(case_id)))
    form = TransferForm()
    _choices(case, form)
    if form.validate_on_submit():
        if form.confirm.data != "yes":
            return render_template(
                "transfers/confirm_request.html",
                case=case,
                form=form,
                unit=db.session.get(Unit, form.to_unit_id.data),
                moves=services.what_moves(case),
            )
        try:
            with attempt():
                services.request_transfer(case, form.data, actor=current_user)
        except ServiceError as exc:
            field = exc.field if exc.field and hasattr(form, exc.field) else "to_unit_id"
            getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        else:
            flash(_("Đã gửi yêu cầu chuyển hồ sơ. Bạn vẫn giữ hồ sơ đến khi bên nhận chấp nhận."), "success")
            return redirect(url_for("cases.detail", case_id=case.id), 303)
    return render_template("transfers/new.html", case=case, form=form, pending=services.pending_for(case))


def _load(transfer_id, action: str) -> CaseTransfer:
    return ensure_authorized(action, db.session.get(CaseTransfer, str(transfer_id)))


def _context(transfer: CaseTransfer) -> dict:
    case = db.session.get(Case, transfer.case_id)
    return {
        "transfer": transfer,
        "case": case,
        "moves": services.what_moves(case) if case is not None else {},
        "can": {action: authorize(current_user, action, transfer) for action in ("accept", "decline", "cancel")},
        "requester": db.session.get(User, transfer.requested_by_id) if transfer.requested_by_id else None,
    }


@bp.get("/<uuid:transfer_id>")
@permission_required("case.transfer")
def detail(transfer_id):
    """A transfer request: the case's summary tier only, and what the user may do with it."""
    transfer = _load(transfer_id, "view")
    return render_template("transfers/detail.html", **_context(transfer))


def _decide(transfer_id, action: str, operation, done_message: str):
    transfer = _load(transfer_id, action)
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirm.data != "yes":
        return render_template("transfers/confirm.html", action=action, **_context(transfer))
    try:
        with attempt():
            operation(transfer, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("transfers.detail", transfer_id=transfer.id), 303)
    flash(done_message, "success")
    if action == "accept":
        return redirect(url_for("cases.detail", case_id=transfer.case_id), 303)
    return redirect(
        url_for("workqueue.index") if action == "decline" else url_for("cases.detail", case_id=transfer.case_id), 303
    )


@bp.post("/<uuid:transfer_id>/accept")
@permission_required("case.transfer")
def accept(transfer_id):
    """Take the case over (after the confirmation step)."""
    return _decide(transfer_id, "accept", services.accept, _("Đã nhận hồ sơ."))


@bp.post("/<uuid:transfer_id>/decline")
@permission_required("case.transfer")
def decline(transfer_id):
    """Refuse the case; it stays with the sender (after the confirmation step)."""
    return _decide(transfer_id, "decline", services.decline, _("Đã từ chối nhận hồ sơ."))


@bp.post("/<uuid:transfer_id>/cancel")
@permission_required("case.transfer")
def cancel(transfer_id):
    """Take back a transfer request not yet accepted (after the confirmation step)."""
    return _decide(transfer_id, "cancel", services.cancel, _("Đã huỷ yêu cầu chuyển hồ sơ."))
