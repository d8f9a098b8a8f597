"""A no-contact order's own page: its clocks, decision, renewals, copies sent, breaches and exception contacts."""

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.permissions import permission_required
from ...extensions import db
from .. import clocks, forms, services
from ..models import ExceptionContact, NoContactOrder
from ..services import at_vn
from . import bp
from .common import attempt, can, confirm, done, load_part, names

ORDER_FORMS = {
    "decision": forms.OrderDecisionForm,
    "change": forms.OrderChangeForm,
    "copy": forms.CopyForm,
    "breach": forms.BreachForm,
    "exception": forms.ExceptionForm,
}


def _chain(order: NoContactOrder) -> list[NoContactOrder]:
    """The order with every renewal before and after it, oldest first."""
    first = order
    while first.renewal_of is not None:
        first = first.renewal_of
    chain, current = [first], first
    while True:
        nxt = db.session.scalar(select(NoContactOrder).where(NoContactOrder.renewal_of_id == current.id))
        if nxt is None:
            return chain
        chain.append(nxt)
        current = nxt


def render_order(order: NoContactOrder, **given):
    now = clock.now()
    can_edit, can_cosign = can("edit", order.case), can("cosign", order.case)
    context = {
        "order": order,
        "case": order.case,
        "chain": _chain(order),
        "can_edit": can_edit,
        "can_cosign": can_cosign,
        "decision_clock": clocks.order_decision(order, now),
        "end_clock": clocks.order_end(order, now),
        "ended": order.has_ended(now),
        "now": now,
        "names": names({e.requested_by_id for e in order.exceptions} | {e.cosigned_by_id for e in order.exceptions}),
        "confirm_form": forms.ConfirmForm(),
        "open_form": given.get("open_form"),
    }
    if can_edit:
        for name, cls in ORDER_FORMS.items():
            context[f"{name}_form"] = given.get(f"{name}_form") or cls(
                formdata=None, prefix=name, **_defaults(name, order)
            )
    return render_template("protection/order.html", **context)


def _defaults(name: str, order: NoContactOrder) -> dict:
    today, local = clock.today(), clock.local_now().time().replace(second=0, microsecond=0)
    if name == "decision":
        return {"decided_on": today, "decided_time": local}
    if name == "change":
        return {"end_on": clock.local_date(order.ends_at)} if order.ends_at and not order.has_ended() else {}
    if name in ("copy", "exception"):
        return {"sent_on": today} if name == "copy" else {"form09_on": today}
    return {}


def _order_step(order_id, name: str, default_field: str, operation, message: str):
    order = load_part(NoContactOrder, order_id, "edit")
    form = ORDER_FORMS[name](prefix=name)
    result = {}

    def run():
        result["order"] = operation(order, form.data)

    if attempt(form, default_field, run):
        produced = result.get("order")
        target = produced if isinstance(produced, NoContactOrder) else order
        return done(message, "protection.order", name, order_id=target.id)
    return render_order(load_part(NoContactOrder, order_id, "edit"), open_form=name, **{f"{name}_form": form})


@bp.get("/orders/<uuid:order_id>")
@permission_required("protection.read")
def order(order_id):
    """A no-contact order: the decision clock, the remaining time, renewals, copies, breaches, exceptions."""
    return render_order(load_part(NoContactOrder, order_id, "read"))


@bp.post("/orders/<uuid:order_id>/decision")
@permission_required("protection.edit")
def decide_order(order_id):
    """Record the decision on a request (granted with its period, or refused)."""

    def operation(order, data):
        data["decided_at"] = at_vn(data["decided_on"], data["decided_time"])
        services.decide_order(order, data, actor=current_user)

    return _order_step(order_id, "decision", "outcome", operation, _("Đã ghi quyết định."))


@bp.post("/orders/<uuid:order_id>/change")
@permission_required("protection.edit")
def change_order(order_id):
    """Change a running order's end; after its end this records a renewal (a new decision)."""

    def operation(order, data):
        if data.get("decided_on"):
            data["decided_at"] = at_vn(data["decided_on"], data.get("decided_time"))
        return services.change_order(order, data, actor=current_user)

    return _order_step(order_id, "change", "end_on", operation, _("Đã lưu."))


@bp.post("/orders/<uuid:order_id>/copies")
@permission_required("protection.edit")
def add_copy(order_id):
    """Record a copy of the decision sent."""
    return _order_step(
        order_id,
        "copy",
        "recipient",
        lambda order, data: services.add_copy(order, data, actor=current_user),
        _("Đã ghi bản sao."),
    )


@bp.post("/orders/<uuid:order_id>/breaches")
@permission_required("protection.edit")
def add_breach(order_id):
    """Record a breach of the order."""

    def operation(order, data):
        data["occurred_at"] = at_vn(data["occurred_on"], data["occurred_time"])
        services.add_breach(order, data, actor=current_user)

    return _order_step(order_id, "breach", "occurred_on", operation, _("Đã ghi vi phạm."))


@bp.post("/orders/<uuid:order_id>/exceptions")
@permission_required("protection.edit")
def request_exception(order_id):
    """Request an exception contact (Decree 76/2023 Art. 18); the supervisor co-signs form 09."""

    def operation(order, data):
        data["starts_at"] = at_vn(data["day"], data["start_time"])
        data["ends_at"] = at_vn(data["day"], data["end_time"])
        services.request_exception(order, data, actor=current_user)

    return _order_step(order_id, "exception", "reason", operation, _("Đã gửi đề nghị tiếp xúc để giám sát viên ký."))


@bp.post("/exceptions/<uuid:exception_id>/cosign")
@permission_required("protection.cosign")
def cosign_exception(exception_id):
    """Co-sign a form 09 request (supervisor)."""
    contact = load_part(ExceptionContact, exception_id, "cosign")
    order_id = contact.order_id
    return confirm(
        forms.ConfirmForm(),
        lambda: services.cosign_exception(contact, actor=current_user),
        _("Đã ký duyệt đề nghị tiếp xúc."),
        "protection.order",
        "exceptions",
        order_id=order_id,
    )
