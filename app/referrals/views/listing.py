"""Pages both sides open: the inbox and outbox, a referral's page, and the printable slip."""

from flask import render_template, request
from flask_login import current_user

from ...audit import services as audit
from ...auth.permissions import authorize, has_permission, permission_required
from ...extensions import htmx, utcnow
from ...services import ServiceError
from ...web.paging import Page, page_of
from ...web.unit_of_work import attempt
from .. import queries, services
from ..models import STATUSES, Referral
from . import bp
from .common import detail_context, load_any, render_detail


def _page(stmt, status: str, arg: str) -> Page:
    if status in STATUSES:
        stmt = stmt.where(Referral.status == status)
    return page_of(stmt, arg)


@bp.get("/")
@permission_required("referral.list")
def index():
    """The inbox of the user's agency and/or the outbox of the counsellor's cases."""
    status = request.args.get("status", "")
    inbox = (
        _page(queries.inbox(current_user), status, "page") if has_permission(current_user, "referral.receive") else None
    )
    outbox = (
        _page(queries.outbox(current_user), status, "sent_page")
        if has_permission(current_user, "referral.send")
        else None
    )
    context = {
        "status": status,
        "statuses": STATUSES,
        "now": utcnow(),
        "inbox_page": inbox,
        "outbox_page": outbox,
        "inbox": inbox.rows if inbox else None,
        "outbox": outbox.rows if outbox else None,
    }
    if outbox is not None and outbox.rows:
        context["case_codes"] = queries.case_codes({r.case_id for r in outbox.rows})
    if htmx.target == "referral-lists":
        return render_template("referrals/_lists.html", **context)
    return render_template("referrals/index.html", **context)


@bp.get("/<uuid:referral_id>")
@permission_required("referral.list")
def detail(referral_id):
    """A referral: the sender follows it; the agency reads the packet (audited) and answers."""
    referral, side = load_any(referral_id)
    response = render_detail(referral, side)
    return response


@bp.post("/<uuid:referral_id>/print")
@permission_required("referral.list")
def print_slip(referral_id):
    """Record that the slip is printed, then show it (only what the packet holds)."""
    referral, side = load_any(referral_id)
    action = "print" if side == "agency" else "print_sender"
    refused = not authorize(current_user, action, referral)  # withdrawn or destroyed
    if not refused:
        try:
            with attempt():
                services.record_print(referral, actor=current_user)
        except ServiceError:
            refused = True
    if refused:
        audit.record(current_user, "referral.print", referral, result="denied")
        response = render_detail(referral, side, print_error=True)
        return response
    context = detail_context(referral, side, audit_read=False)
    return render_template("referrals/slip.html", **context)
