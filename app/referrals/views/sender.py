"""The counsellor's side: send a referral from a case, send an update, withdraw, destroy the packet."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.permissions import ensure_authorized, permission_required
from ...cases import queries as case_queries
from ...extensions import htmx
from ...services import ServiceError
from ...web.unit_of_work import attempt
from .. import services
from ..fields import TIERS
from ..forms import ReferralForm, SenderContactForm, UpdateForm, WithdrawForm
from ..models import SenderContact
from . import bp
from .common import load, refused, render_detail, service_picker


def _load_case(case_id):
    """The case, only through the counsellor's scope and the case policy."""
    return ensure_authorized("edit", case_queries.case_for(current_user, str(case_id)))


def _refuse(form, exc: ServiceError, default: str) -> None:
    field = exc.field if exc.field and hasattr(form, exc.field) else default
    getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]


@bp.route("/case/<uuid:case_id>/new", methods=("GET", "POST"))
@permission_required("referral.send")
def create(case_id):
    """Refer a case by need: the live services covering the survivor's commune, sharing only the chosen fields."""
    case = _load_case(case_id)
    picker = service_picker(case)
    form = ReferralForm(service_choices=picker["choices"])
    switch = None
    if not form.is_submitted():
        switch = _preset(case, form)
    elif form.validate():
        if request.form.get("confirm") != "yes":
            return _confirm_or_refuse(case, form, picker)
        try:
            with attempt():
                referral = services.send_referral(case, form.data, actor=current_user)
        except services.AlreadyDone as done:
            flash(_("Chuyển gửi này đã được gửi trước đó; không tạo thêm bản thứ hai."), "info")
            return redirect(url_for("referrals.detail", referral_id=done.obj.id), 303)
        except ServiceError as exc:
            switch = getattr(exc, "successor", None)
            _refuse(form, exc, "fields")
        else:
            flash(_("Đã gửi chuyển gửi %(code)s.", code=referral.code), "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
    context = dict(picker, case=case, form=form, tiers=TIERS, switch=switch)
    if htmx.target == "service-picker":
        return render_template("referrals/_service_picker.html", **context)
    return render_template("referrals/new.html", **context)


def _confirm_or_refuse(case, form, picker):
    """The first step: every check of sending, then a page that says with whom and how much is shared."""
    try:
        service, agency, _kinds, _urgency, fields, consent, _reason = services.check_sending(
            case, form.data, actor=current_user
        )
    except ServiceError as exc:
        _refuse(form, exc, "fields")
        return render_template(
            "referrals/new.html",
            **dict(picker, case=case, form=form, tiers=TIERS, switch=getattr(exc, "successor", None)),
        )
    carried = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirm")]
    return render_template(
        "referrals/confirm_send.html",
        case=case,
        service=service,
        agency=agency,
        fields=fields,
        emergency=consent is None,
        carried=carried,
        no_agreement=not services.agreement_live(service),
    )


def _preset(case, form):
    """An old link (?service= or ?agency_id=): preselect a live service, or explain a closed one and offer its
    successor (the returned service) in one click."""
    wanted = {"service_id": request.args.get("service", ""), "agency_id": request.args.get("agency_id", "")}
    if not any(wanted.values()):
        return None
    try:
        service, _agency = services.sendable_service(case, wanted)
    except ServiceError as exc:
        form.service_id.errors = [str(exc)]
        return getattr(exc, "successor", None)
    form.service_id.data = service.id
    return None


@bp.route("/<uuid:referral_id>/update", methods=("GET", "POST"))
@permission_required("referral.send")
def update(referral_id):
    """Send a new version of the packet: the chosen fields as they are now."""
    referral = load(referral_id, "update")
    latest = referral.latest_packet
    form = UpdateForm(fields=list(latest.fields) if latest else [])
    if form.is_submitted() and form.validate():
        try:
            with attempt():
                packet = services.send_update(referral, form.data, actor=current_user)
        except services.AlreadyDone:
            return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
        except ServiceError as exc:
            _refuse(form, exc, "fields")
        else:
            flash(_("Đã gửi phiên bản %(n)d của gói thông tin.", n=packet.number), "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
    return render_template("referrals/update.html", referral=referral, form=form, tiers=TIERS)


def _after(referral, message: str):
    """After a change: the status panel for htmx, a redirect otherwise."""
    if htmx.target == "referral-status":
        return render_detail(referral, "sender")
    flash(message, "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id), 303)


def _refused(referral, form, exc: ServiceError):
    """A refused withdraw or destroy: beside the destroy field while the status panel draws it (the withdraw
    form of an open referral, the destroy form of a closed one that still has its packet: _status.html). Once
    the packet is gone (consent withdrawn, declined, completed, withdrawn, case erased) neither form is drawn,
    and a message put on the field was shown nowhere: the tap seemed to do nothing; the panel says it then."""
    if referral.sender_may_withdraw_or_destroy:
        _refuse(form, exc, "destroy")
        return render_detail(referral, "sender", withdraw_form=form)
    return refused(referral, "sender", exc)


@bp.post("/<uuid:referral_id>/withdraw")
@permission_required("referral.send")
def withdraw(referral_id):
    """Withdraw a referral; its packet is destroyed, so the agency reads nothing on its next request."""
    referral = load(referral_id, "withdraw")
    form = WithdrawForm()
    destroy = bool(form.destroy.data)
    try:
        with attempt():
            services.withdraw(referral, actor=current_user, destroy=destroy)
    except ServiceError as exc:
        return _refused(referral, form, exc)
    return _after(referral, _("Đã rút chuyển gửi và huỷ gói thông tin: cơ quan không còn đọc được."))


@bp.post("/<uuid:referral_id>/destroy")
@permission_required("referral.send")
def destroy(referral_id):
    """Destroy the packet key of a referral that is no longer open (e.g. after the case was erased)."""
    referral = load(referral_id, "destroy")
    form = WithdrawForm()
    try:
        with attempt():
            services.destroy_packets(referral, actor=current_user)
    except ServiceError as exc:
        return _refused(referral, form, exc)
    return _after(referral, _("Đã huỷ gói thông tin: không ai đọc được nữa."))


@bp.route("/my-contact", methods=("GET", "POST"))
@permission_required("referral.send")
def my_contact():
    """Choose whether receiving agencies see my name and work phone on my referrals."""
    from ...extensions import db

    contact = db.session.get(SenderContact, current_user.id)
    form = SenderContactForm(obj=contact)
    if form.validate_on_submit():
        services.save_sender_contact(current_user, form.work_phone.data, form.share.data, actor=current_user)
        flash(_("Đã lưu lựa chọn liên hệ."), "success")
        return redirect(url_for("referrals.my_contact"), 303)
    return render_template("referrals/my_contact.html", form=form)
