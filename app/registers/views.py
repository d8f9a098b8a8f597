"""Pages of the registers: an overview of aggregates, and for payments and events a filtered list, add, edit and
void with a reason (payments also: erase the person data). Who sees what: app/registers/permissions.py."""

import uuid
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..auth.permissions import authorize, deny, ensure_authorized, has_permission, permission_required
from ..auth.stepup import step_up_required
from ..extensions import db, htmx
from ..indicators.derived import threshold
from ..services import ServiceError
from ..units.models import Unit
from ..units.queries import scope_ids
from ..web.forms import whole_number
from ..web.paging import page_of
from ..web.unit_of_work import attempt
from . import overview, queries, services
from . import reference_data as ref
from .forms import EventForm, PaymentForm, ReasonForm

bp = Blueprint("registers", __name__, url_prefix="/registers")
LABELS = {
    "package": dict(ref.PACKAGES),
    "event_kind": dict(ref.EVENT_KINDS),
    "status": dict(ref.STATUSES),
    "ethnic": dict(ref.ETHNIC_BUCKETS),
}
OVERVIEW_ROLES = ("reporter", "district_reviewer", "monitor")
READ_ROLES = ("reporter", "district_reviewer")


@bp.context_processor
def _tabs() -> dict:
    return {
        "register_can_read": has_permission(current_user, "register.read"),
        "register_can_models": has_permission(current_user, "indicator.view"),
    }


def _id(value) -> str | None:
    try:
        return str(uuid.UUID(str(value)[:36])) if value else None
    except ValueError:
        return None


def _year() -> int:
    year = whole_number(request.args.get("year"), 2021, 2035)
    return year or clock.today().year


def _entry_communes(roles=READ_ROLES) -> list[Unit]:
    return queries.communes(queries.scope_for(current_user, *roles))


def _filter_units(roles=READ_ROLES) -> tuple[frozenset[str], str]:
    """The units a list shows: the whole scope, or one commune of it chosen with ?commune=."""
    scope = queries.scope_for(current_user, *roles)
    chosen = _id(request.args.get("commune"))
    if chosen and chosen in scope:
        return frozenset(scope_ids(db.session.get_one(Unit, chosen))) & scope, chosen
    return scope, ""


def _reporter_commune(unit_id) -> Unit:
    """A commune the reporter enters for (404, audited, otherwise)."""
    key = _id(unit_id)
    unit = db.session.get(Unit, key) if key else None
    if unit is None or unit.kind != "commune" or unit.id not in queries.scope_for(current_user, "reporter"):
        deny("register.enter", status=404)
    return unit


# --- overview --------------------------------------------------------------------------------------


@bp.get("/")
@permission_required("register.overview")
def index():
    """The year's figures of the registers, per commune of the user's scope (aggregates only)."""
    year = _year()
    start, end = date(year, 1, 1), date(year, 12, 31)
    scope = queries.scope_for(current_user, *OVERVIEW_ROLES)
    communes = [
        (commune, frozenset(scope_ids(commune)) & scope)
        for commune in queries.communes(scope)
        # only the communes of the year: one merged away before it counts under its successor, one formed after
        # it is not a line of the year (its predecessors are)
        if commune.exists_between(start, end)
    ]
    # In clear only for the reporter who keeps a commune's registers; suppressed for the roles above (overview.py).
    lines = overview.build(communes, scope, start, end, viewer_units=queries.scope_for(current_user, "reporter"))
    return render_template(
        "registers/index.html",
        rows=lines[:-1],
        total=lines[-1],
        suppressed=any(c.suppressed for line in lines for _table, c in line.cells.values()),
        threshold=threshold(),
        year=year,
        can_read=has_permission(current_user, "register.read"),
        can_enter=has_permission(current_user, "register.enter"),
    )


# --- payments ----------------------------------------------------------------------------------------


@bp.get("/payments")
@permission_required("register.read")
def payments():
    """Payments of the user's communes, the latest first; names only for the commune's reporter."""
    units, commune = _filter_units()
    year = whole_number(request.args.get("year"), 2021, 2035)
    package = request.args.get("package") if request.args.get("package") in LABELS["package"] else ""
    status = request.args.get("status") if request.args.get("status") in LABELS["status"] else ""
    page = page_of(queries.payments(units, year=year, package=package or None, status=status or None))
    rows = page.rows
    named = {p.id for p in rows if authorize(current_user, "read_person", p)}
    services.read_person_data([p for p in rows if p.id in named], actor=current_user, purpose="list")
    context = {
        "rows": rows,
        "page": page,
        "named": named,
        "locked": services.locked_entries(rows),
        "communes": _entry_communes(),
        "commune": commune,
        "year": year or "",
        "package": package,
        "status": status,
        "labels": LABELS,
        "can_enter": has_permission(current_user, "register.enter"),
    }
    if htmx.target == "payment-rows":
        return render_template("registers/_payment_rows.html", **context)
    return render_template("registers/payments.html", **context)


def _payment_page(form, payment=None, reason_form=None):
    return render_template(
        "registers/payment_form.html",
        form=form,
        payment=payment,
        reason_form=reason_form or ReasonForm(formdata=None),
        communes=_entry_communes(("reporter",)),
        unit_id=request.form.get("unit_id") or (payment.unit_id if payment else ""),
    )


def _show_error(form, exc: ServiceError, default: str) -> None:
    name = {"by_ethnicity": "eth_other"}.get(exc.field or "", exc.field or default)
    target = getattr(form, name, None) or getattr(form, default)
    target.errors = [*target.errors, str(exc)]


@bp.route("/payments/new", methods=["GET", "POST"])
@permission_required("register.enter")
def payment_new():
    """Record a safe-motherhood payment against its voucher."""
    form = PaymentForm()
    if request.method == "GET":
        form.paid_on.data = clock.today()
    if request.method == "POST" and form.validate():
        unit = _reporter_commune(request.form.get("unit_id"))
        try:
            with attempt():
                services.save_payment(None, unit, form.values(), actor=current_user)
        except ServiceError as exc:
            _show_error(form, exc, "amount")
            return _payment_page(form)
        flash(_("Đã ghi khoản chi vào sổ."), "success")
        return redirect(url_for(".payments"), 303)
    return _payment_page(form)


@bp.route("/payments/<uuid:payment_id>", methods=["GET", "POST"])
@permission_required("register.enter")
def payment_edit(payment_id):
    """Correct a payment (the reporter of its commune; reading its person data is audited)."""
    payment = ensure_authorized("edit", queries.payment_for(current_user, str(payment_id)))
    form = PaymentForm(obj=payment)
    if request.method == "POST" and form.validate():
        try:
            with attempt():
                services.save_payment(payment, payment.unit, form.values(), actor=current_user)
        except ServiceError as exc:
            _show_error(form, exc, "amount")
            return _payment_page(form, payment)
        flash(_("Đã cập nhật khoản chi."), "success")
        return redirect(url_for(".payments"), 303)
    if request.method == "GET":
        services.read_person_data([payment], actor=current_user, purpose="edit")
    return _payment_page(form, payment)


@bp.post("/payments/<uuid:payment_id>/void")
@permission_required("register.enter")
@step_up_required  # erases person data for good
def payment_void(payment_id):
    """Void a payment typed in error, with the reason; its person data is erased for good."""
    payment = ensure_authorized("void", queries.payment_for(current_user, str(payment_id)))
    reason = ReasonForm()
    if reason.validate():
        try:
            with attempt():
                services.void_payment(payment, reason.reason.data, actor=current_user)
        except ServiceError as exc:
            reason.reason.errors = [str(exc)]
        else:
            flash(_("Đã huỷ khoản chi; thông tin cá nhân đã bị xoá vĩnh viễn."), "success")
            return redirect(url_for(".payments"), 303)
    return _payment_page(PaymentForm(formdata=None, obj=payment), payment, reason)


@bp.post("/payments/<uuid:payment_id>/erase")
@permission_required("register.enter")
@step_up_required  # erases person data for good
def payment_erase(payment_id):
    """Erase a payment's person data for good (the person asked); the payment still counts."""
    payment = ensure_authorized("erase", queries.payment_for(current_user, str(payment_id)))
    try:
        with attempt():
            services.erase_payment_person(payment, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Đã xoá vĩnh viễn thông tin cá nhân của khoản chi."), "success")
    return redirect(url_for(".payments"), 303)


# --- community events -------------------------------------------------------------------------------


@bp.get("/events")
@permission_required("register.read")
def events():
    """Community events of the user's communes, the latest first."""
    units, commune = _filter_units()
    year = whole_number(request.args.get("year"), 2021, 2035)
    kind = request.args.get("kind") if request.args.get("kind") in LABELS["event_kind"] else ""
    status = request.args.get("status") if request.args.get("status") in LABELS["status"] else ""
    page = page_of(queries.events(units, year=year, kind=kind or None, status=status or None))
    rows = page.rows
    editable = {e.id for e in rows if authorize(current_user, "edit", e)}
    context = {
        "rows": rows,
        "page": page,
        "editable": editable,
        "locked": services.locked_entries(rows),
        "communes": _entry_communes(),
        "commune": commune,
        "year": year or "",
        "kind": kind,
        "status": status,
        "labels": LABELS,
        "can_enter": has_permission(current_user, "register.enter"),
    }
    if htmx.target == "event-rows":
        return render_template("registers/_event_rows.html", **context)
    return render_template("registers/events.html", **context)


def _place_choices() -> list[tuple[str, str]]:
    choices = []
    for commune in _entry_communes(("reporter",)):
        if commune.valid_to is not None and commune.valid_to < clock.today():
            continue
        choices += [
            (u.id, u.name if u.id == commune.id else f"{u.name} — {commune.name}") for u in queries.places(commune)
        ]
    return choices


def _event_form(event=None) -> EventForm:
    form = EventForm(obj=event)
    form.place_id.choices = _place_choices()
    if event is not None and request.method == "GET":
        form.fill(event)
    return form


def _event_place(place_id) -> tuple[Unit, Unit]:
    """The place chosen and the commune it belongs to, both in the reporter's scope (404 otherwise)."""
    key = _id(place_id)
    place = db.session.get(Unit, key) if key else None
    scope = queries.scope_for(current_user, "reporter")
    if place is None or place.id not in scope or place.kind not in ("commune", "village"):
        deny("register.enter", status=404)
    commune = place if place.kind == "commune" else db.session.get(Unit, place.parent_id or "")
    if commune is None:  # a village always has its commune
        deny("register.enter", status=404)
    return place, commune


def _event_page(form, event=None, reason_form=None):
    return render_template(
        "registers/event_form.html",
        form=form,
        event=event,
        reason_form=reason_form or ReasonForm(formdata=None),
        labels=LABELS,
    )


@bp.route("/events/new", methods=["GET", "POST"])
@permission_required("register.enter")
def event_new():
    """Record a community event with its participants by sex and by ethnicity."""
    form = _event_form()
    if request.method == "GET":
        form.held_on.data = clock.today()
    if request.method == "POST" and form.validate():
        place, commune = _event_place(form.place_id.data)
        try:
            with attempt():
                services.save_event(None, commune, place, form.values(), actor=current_user)
        except ServiceError as exc:
            _show_error(form, exc, "participants")
            return _event_page(form)
        flash(_("Đã ghi sự kiện vào sổ."), "success")
        return redirect(url_for(".events"), 303)
    return _event_page(form)


@bp.route("/events/<uuid:event_id>", methods=["GET", "POST"])
@permission_required("register.enter")
def event_edit(event_id):
    """Correct an event of the reporter's commune."""
    event = ensure_authorized("edit", queries.event_for(current_user, str(event_id)))
    form = _event_form(event)
    if request.method == "POST" and form.validate():
        place, commune = _event_place(form.place_id.data)
        if commune.id != event.unit_id:
            form.place_id.errors = [_("Chỉ chọn được nơi thuộc xã đã ghi sự kiện.")]
            return _event_page(form, event)
        try:
            with attempt():
                services.save_event(event, event.unit, place, form.values(), actor=current_user)
        except ServiceError as exc:
            _show_error(form, exc, "participants")
            return _event_page(form, event)
        flash(_("Đã cập nhật sự kiện."), "success")
        return redirect(url_for(".events"), 303)
    return _event_page(form, event)


@bp.post("/events/<uuid:event_id>/void")
@permission_required("register.enter")
def event_void(event_id):
    """Void an event recorded in error, with the reason; it stays listed and stops counting."""
    event = ensure_authorized("void", queries.event_for(current_user, str(event_id)))
    reason = ReasonForm()
    if reason.validate():
        try:
            with attempt():
                services.void_event(event, reason.reason.data, actor=current_user)
        except ServiceError as exc:
            reason.reason.errors = [str(exc)]
        else:
            flash(_("Đã huỷ sự kiện."), "success")
            return redirect(url_for(".events"), 303)
    return _event_page(_event_form(event), event, reason)
