"""What the referral views share: loading a referral through the policy, and the detail page's context."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.models import User
from ...auth.permissions import authorize, deny, ensure_authorized, has_permission
from ...extensions import db, htmx, utcnow
from ...services import ServiceError
from ...web.i18n import translated
from .. import services
from ..fields import present
from ..forms import URGENCY_CHOICES, CompleteForm, DeclineForm, DeliveredForm, WithdrawForm
from ..models import Referral
from ..queries import case_of, referrals_of_case
from ..reference_data import SERVICE_KINDS

STATUS_LABELS = {
    "sent": _l("Đã gửi, chờ xác nhận"),
    "acknowledged": _l("Đã xác nhận đã nhận"),
    "accepted": _l("Đã nhận xử lý"),
    "declined": _l("Bị từ chối"),
    "services_recorded": _l("Đã cung cấp dịch vụ"),
    "completed": _l("Hoàn thành"),
    "withdrawn": _l("Đã rút"),
}
LABELS = {"service": dict(translated(SERVICE_KINDS)), "urgency": dict(URGENCY_CHOICES), "status": STATUS_LABELS}
# Words for the case timeline (the audit entries carry the referral's case_id).
TIMELINE_WORDS = {
    "referral.send": _l("Chuyển gửi đến cơ quan"),
    "referral.update": _l("Gửi cập nhật thông tin chuyển gửi"),
    "referral.open": _l("Cơ quan mở thông tin chuyển gửi"),
    "referral.read_packet": _l("Xem gói thông tin đã gửi"),
    "referral.acknowledged": _l("Cơ quan xác nhận đã nhận"),
    "referral.accepted": _l("Cơ quan nhận xử lý"),
    "referral.declined": _l("Cơ quan từ chối chuyển gửi"),
    "referral.service": _l("Cơ quan ghi dịch vụ đã cung cấp"),
    "referral.completed": _l("Cơ quan hoàn thành và gửi phản hồi"),
    "referral.withdraw": _l("Rút chuyển gửi"),
    "referral.reviewed": _l("Rà soát chuyển gửi khẩn cấp: đã có sự đồng ý"),
    "referral.destroy_packet": _l("Huỷ gói thông tin chuyển gửi"),
    "referral.print": _l("In phiếu chuyển gửi"),
    "referral.case_erased": _l("Hồ sơ bị xoá; gói thông tin đã giao vẫn giữ"),
    "referral.read_status": _l("Xem tình trạng chuyển gửi"),
}


def register_case_panel() -> None:
    """Add the referrals panel to the case page, and the referral words to its timeline."""
    from ...cases import timeline
    from ...cases.sections import register_section

    timeline.ACTIONS.update({k: v for k, v in TIMELINE_WORDS.items() if k not in timeline.ACTIONS})
    register_section("referrals/_case_panel.html", order=60, context_fn=case_panel_context)


def case_panel_context(case, user) -> dict:
    """The referrals of a case and whether the user may send one (the case page already checked read_full)."""
    return {
        "referrals": referrals_of_case(case.id),
        "now": utcnow(),
        "can_send": has_permission(user, "referral.send")
        and authorize(user, "edit", case)
        and case.is_open
        and not case.is_erased,
    }


def load(referral_id, action: str) -> Referral:
    """The referral, if the policy allows `action` (404 and an audited denial otherwise)."""
    return ensure_authorized(action, db.session.get(Referral, str(referral_id)))


def load_any(referral_id) -> tuple[Referral, str]:
    """The referral and the current user's side of it ("sender" or "agency"); an audited 404 otherwise."""
    referral = db.session.get(Referral, str(referral_id))
    if referral is not None and authorize(current_user, "follow", referral):
        return referral, "sender"
    if referral is not None and authorize(current_user, "receive", referral):
        return referral, "agency"
    deny("referral.read", referral, status=404)


def service_picker(case) -> dict:
    """The service picker of a case: live services covering its commune, by need (?kind=) and search (?q=)."""
    from ...directory import queries as directory
    from ...directory.reference_data import SERVICE_TYPES

    kinds = {code for code, _label in SERVICE_TYPES}
    kind = request.args.get("kind", "") if request.args.get("kind", "") in kinds else ""
    query = request.args.get("q", "")[:100]
    offered = directory.offered(case.unit, kind=kind, query=query)
    return {
        "kind": kind,
        "query": query,
        "offered": offered,
        "service_types": SERVICE_TYPES,
        "choices": [(s.id, s.name if s.name == s.unit.name else f"{s.name} — {s.unit.name}") for s in offered],
    }


def names(ids) -> dict:
    ids = {i for i in ids if i}
    users = list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    return {u.id: u.display_name or u.username for u in users}


def other_office(referral: Referral, side: str, *, shown: bool):
    """The unit whose work contact the page shows: to the agency the sending unit, to the sender the agency that
    handles the referral (a closed service's successor, if it was handed on). An agency's tombstone names the
    sending unit only while the outcome stays (declined, completed): after a withdrawn consent, an erasure or
    the sender's withdrawal it keeps code, dates, outcome and why, and the unit would tie the survivor to a place
    again (README, "Packets die with consent")."""
    if side == "sender":
        return referral.successor_agency or referral.agency
    return referral.sender_unit if shown else None


def detail_context(referral: Referral, side: str, *, audit_read: bool = True, **given) -> dict:
    """What the detail page shows to one side; the packet (when shown) is read and audited here."""
    readable = (
        authorize(current_user, "read_packet", referral) if side == "agency" else (referral.packet_destroyed_at is None)
    )
    # The outcome (decline reason, services delivered, feedback) stays for both sides on a declined or completed
    # referral whose packet is gone; a withdrawn consent or an erased case shreds it with the packet.
    outcome = readable or (referral.status in ("declined", "completed") and not referral.is_erased)
    context = {
        "referral": referral,
        "side": side,
        "readable": readable,
        "outcome": outcome,
        "now": utcnow(),
        "print_error": given.get("print_error", False),
        "today": clock.today(),
        "packet": None,
        "rows": [],
        "message": "",
        "names": names(
            {referral.sent_by_id, referral.withdrawn_by_id} | {d.recorded_by_id for d in referral.delivered}
        ),
    }
    if readable and audit_read:
        if side == "agency":
            services.record_open(referral, actor=current_user, readable=True)
        else:
            services.record_sender_read(referral, actor=current_user)
    elif side == "agency" and audit_read:
        services.record_open(referral, actor=current_user, readable=False)
    if readable and referral.latest_packet is not None:
        packet = referral.latest_packet
        content = packet.content or {}
        context.update(packet=packet, rows=present(content.get("values", {})), message=content.get("message", ""))
    context["sender_contact"] = services.sender_contact(referral.sent_by_id)
    context["office"] = other_office(referral, side, shown=readable or outcome)
    context["onward"] = services.onward_of(referral)
    context["can_forward"] = (
        side == "agency"
        and has_permission(current_user, "referral.forward")
        and authorize(current_user, "forward", referral)
    )
    if side == "sender":
        context["case"] = case_of(referral)
        context["withdraw_form"] = given.get("withdraw_form") or WithdrawForm()
    else:
        context.update(
            decline_form=given.get("decline_form") or DeclineForm(),
            delivered_form=given.get("delivered_form") or DeliveredForm(),
            complete_form=given.get("complete_form") or CompleteForm(),
        )
    return context


def render_detail(referral: Referral, side: str, **given):
    """The detail page, or only its status panel when htmx asked for it (no packet in it: not a read)."""
    if htmx.target == "referral-status":
        # No packet in it, but the outcome (decline reason, services delivered, feedback) it shows is read.
        context = detail_context(referral, side, audit_read=False, **given)
        if context["outcome"] or side == "sender":
            services.record_status_read(referral, actor=current_user)
        return render_template("referrals/_status.html", **context)
    return render_template("referrals/detail.html", **detail_context(referral, side, **given))


def refused(referral: Referral, side: str, exc: ServiceError):
    """A refusal with no field drawn to show it beside (it is about the referral's state, or its form is not on
    the panel): on the status panel when htmx swaps only that (a redirect would bring back the panel without the
    message, which then waited for the next whole page), at the top of the page otherwise."""
    flash(str(exc), "error")
    if htmx.target == "referral-status":
        return render_detail(referral, side)  # the panel shows the message (_macros/flashes.html)
    return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
