"""The agency's side: acknowledge, accept or decline, record services delivered, complete with feedback."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.permissions import permission_required
from ...extensions import htmx
from ...services import ServiceError
from ...web.forms import options
from ...web.unit_of_work import attempt
from .. import services
from ..fields import FIELD_LABELS
from ..forms import CompleteForm, DeclineForm, DeliveredForm, ForwardForm
from . import bp
from .common import load, refused, render_detail


def _act(referral_id, form_name: str | None, form, default_field: str, action, message: str):
    """Run one answer of the agency; a refusal goes beside its field and the page is shown again."""
    referral = load(referral_id, "act")  # withdrawn or destroyed: 404, audited
    if form is not None and not form.validate():
        return _again(referral, form_name, form)
    try:
        with attempt():
            action(referral)
    except ServiceError as exc:
        if form is None or exc.field is None:  # the referral's state refuses it: say so on the page
            return refused(referral, "agency", exc)
        field = exc.field if exc.field and hasattr(form, exc.field) else default_field
        getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        return _again(referral, form_name, form)
    if htmx.target == "referral-status":
        return render_detail(referral, "agency")
    flash(message, "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id), 303)


def _confirm_decline(referral_id, form):
    """The confirmation step of a decline: nothing changes until it is answered "yes"."""
    referral = load(referral_id, "act")
    if not form.validate():
        return _again(referral, "decline_form", form)
    try:
        with attempt():
            services.check_decline(referral, form.reason.data)
    except ServiceError as exc:
        if exc.field is None:
            return refused(referral, "agency", exc)
        form.reason.errors = list(form.reason.errors) + [str(exc)]
        return _again(referral, "decline_form", form)
    packet = referral.latest_packet
    context = {"referral": referral, "form": form, "shared": len(packet.fields) if packet else 0}
    if htmx.target == "referral-status":
        return render_template("referrals/_decline_confirm.html", **context)
    return render_template("referrals/decline_confirm.html", **context)


def _again(referral, form_name, form):
    response = render_detail(referral, "agency", **{form_name: form})
    return response


@bp.post("/<uuid:referral_id>/acknowledge")
@permission_required("referral.receive")
def acknowledge(referral_id):
    """Acknowledge that the referral was received."""
    return _act(
        referral_id,
        None,
        None,
        "",
        lambda r: services.acknowledge(r, actor=current_user),
        _("Đã xác nhận đã nhận chuyển gửi."),
    )


@bp.post("/<uuid:referral_id>/accept")
@permission_required("referral.receive")
def accept(referral_id):
    """Accept the referral."""
    return _act(
        referral_id, None, None, "", lambda r: services.accept(r, actor=current_user), _("Đã nhận xử lý chuyển gửi.")
    )


@bp.post("/<uuid:referral_id>/decline")
@permission_required("referral.receive")
def decline(referral_id):
    """Decline the referral, with a reason, after a step that says what the sender sees and what is destroyed."""
    form = DeclineForm()
    if form.confirm.data != "yes":
        return _confirm_decline(referral_id, form)
    return _act(
        referral_id,
        "decline_form",
        form,
        "reason",
        lambda r: services.decline(r, form.reason.data, actor=current_user),
        _("Đã từ chối chuyển gửi."),
    )


@bp.post("/<uuid:referral_id>/services")
@permission_required("referral.receive")
def record_service(referral_id):
    """Record a service delivered."""
    form = DeliveredForm()
    return _act(
        referral_id,
        "delivered_form",
        form,
        "kind",
        lambda r: services.record_service(r, form.data, actor=current_user),
        _("Đã ghi dịch vụ đã cung cấp."),
    )


@bp.post("/<uuid:referral_id>/complete")
@permission_required("referral.receive")
def complete(referral_id):
    """Complete the referral with feedback to the sender."""
    form = CompleteForm()
    return _act(
        referral_id,
        "complete_form",
        form,
        "feedback",
        lambda r: services.complete(r, form.feedback.data, actor=current_user),
        _("Đã hoàn thành và gửi phản hồi."),
    )


def _forward_form(referral) -> ForwardForm:
    form = ForwardForm()
    form.service_id.choices = options(
        [("", _("— Chọn —"))],
        [
            (s.id, s.name if s.name == s.unit.name else f"{s.name} — {s.unit.name}")
            for s in services.forward_targets(referral)
        ],
    )
    received = referral.latest_packet.fields if referral.latest_packet else []
    form.fields.choices = options([(f, FIELD_LABELS[f]) for f in received if f in FIELD_LABELS])
    return form


@bp.route("/<uuid:referral_id>/forward", methods=("GET", "POST"))
@permission_required("referral.forward")
def forward(referral_id):
    """Refer onward, within the survivor's consent (a confirmation step says what is shared, and with whom)."""
    referral = load(referral_id, "forward")
    form = _forward_form(referral)
    if form.validate_on_submit():
        if form.confirm.data != "yes":
            target = next((s for s in services.forward_targets(referral) if s.id == form.service_id.data), None)
            return render_template(
                "referrals/forward_confirm.html",
                referral=referral,
                form=form,
                service=target,
                chosen=[f for f in form.fields.data or []],
                no_agreement=target is not None and not services.agreement_live(target),
            )
        try:
            with attempt():
                onward = services.forward(referral, form.data, actor=current_user)
        except services.AlreadyDone:
            return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
        except ServiceError as exc:
            field = exc.field if exc.field and hasattr(form, exc.field) else "service_id"
            getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        else:
            flash(
                _("Đã chuyển tiếp (%(code)s). Đơn vị gửi ban đầu theo dõi được kết quả.", code=onward.code), "success"
            )
            return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
    return render_template("referrals/forward.html", referral=referral, form=form)
