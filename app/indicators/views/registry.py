"""The registry of models: communication teams, savings-and-loan groups, livelihood and tech groups,
trusted addresses and Leaders-of-Change clubs. Stock indicators are counted from it."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.permissions import deny, ensure_authorized, has_permission, permission_required
from ...extensions import db, htmx
from ...services import ServiceError
from ...units.models import Unit
from ...units.queries import nearest_of_kind, offered, scope_ids, unit_label
from ...web.unit_of_work import attempt
from .. import queries, services
from ..forms import MODEL_KIND_LABELS, SUPPORT_LABELS, MeetingForm, ReasonForm, RegistryEntryForm
from ..models import RegistryEntry, RegistryMeeting
from . import bp
from .common import focus_unit, unit_in_scope, viewer_root


@bp.get("/registry")
@permission_required("indicator.view")
def registry():
    """List the models of the user's communes, with the totals they give."""
    root = viewer_root()
    focus = focus_unit(root)
    kind = request.args.get("kind") if request.args.get("kind") in MODEL_KIND_LABELS else ""
    stmt = (
        select(RegistryEntry)
        .join(Unit, RegistryEntry.unit_id == Unit.id)
        .where(RegistryEntry.unit_id.in_(list(scope_ids(focus))))
    )
    if kind:
        stmt = stmt.where(RegistryEntry.kind == kind)
    entries = db.session.scalars(stmt.order_by(Unit.code, RegistryEntry.kind, RegistryEntry.name)).all()
    # A unit that has ended (the district, an old commune) shows its stock of its last day; today its models stand
    # under the successors.
    stock_on = queries.stock_day(focus, clock.today())
    maintained = queries.maintained_units(current_user, clock.today())
    context = {
        "entries": entries,
        "now_under": _now_under(entries, clock.today()),
        "kind": kind,
        "root": root,
        "focus": focus,
        "today": clock.today(),
        "stock_on": stock_on,
        "totals": queries.registry_totals(scope_ids(focus), stock_on),
        "my_units": queries.scope_for(current_user, "reporter"),
        "feeds": _model_indicators(),
        "support_labels": SUPPORT_LABELS,
        # a model is added and kept up in a commune in force, by its reporter (services.ensure_maintainable): the
        # abolished district's reporter reads the old communes' models and changes none
        "can_add": has_permission(current_user, "indicator.report") and bool(_commune_choices()),
        "editable": {e.id for e in entries if queries.maintains(current_user, e, clock.today(), maintained)},
    }
    if htmx.target == "registry-rows":
        return render_template("indicators/_registry_rows.html", **context)
    return render_template("indicators/registry.html", **context)


def _now_under(entries, day) -> dict[str, tuple[Unit, Unit | None]]:
    """{entry id: (the commune it stands in today, its trusted address today)} for the models of a unit that ended
    (a trusted address of 03295 is 2025-TA-02 under the new Xã Quài Tở from 01/07/2025): listed with the successor."""
    found = {}
    for entry in entries:
        where = db.session.get(Unit, queries.entry_stands_in(entry, day))
        if where is None or where.id in (entry.unit_id, entry.address_unit_id):
            continue
        commune = where if where.kind == "commune" else nearest_of_kind(where, ("commune",))
        found[entry.id] = (commune or where, where if where.kind == "trusted_address" else None)
    return found


def _commune_choices() -> list[tuple[str, str]]:
    """The communes a new model may be added to: those in force today that the user reports for (a commune merged
    on 1/7/2025 is history: its successor gets the model)."""
    units = queries.maintained_units(current_user, clock.today())
    communes = db.session.scalars(
        select(Unit).where(Unit.id.in_(list(units)), Unit.kind == "commune").order_by(Unit.code)
    ).all()
    today = clock.today()
    return [(u.id, unit_label(u, code=False)) for u in offered(communes, today, today)]


def _address_choices(keep: str | None = None) -> list[tuple[str, str]]:
    """The trusted addresses (units) of the reporter's communes in force today, for a trusted address model to name
    (2025-TA-02, which is TA-02 before 1/7/2025 through the lineage); a model's own address stays offered."""
    units = queries.scope_for(current_user, "reporter")
    found = db.session.scalars(
        select(Unit).where(Unit.id.in_(list(units)), Unit.kind == "trusted_address").order_by(Unit.code)
    ).all()
    today = clock.today()
    return [("", "—")] + [(u.id, unit_label(u)) for u in offered(found, today, today, keep)]


def _model_indicators() -> dict:
    """{model kind: the indicator its models feed}: a trusted address model counts under its stock indicator."""
    return {
        ind.model_kind: ind
        for ind in queries.indicators()
        if ind.kind == "stock" and ind.model_kind and ind.code != "CT2.3"
    }


def _form_page(form, entry=None, meeting_form=None, reason_form=None, refusal=None):
    choices = _commune_choices()
    can_edit = entry is None or queries.maintains(current_user, entry, clock.today())
    form.address_unit_id.choices = _address_choices(entry.address_unit_id if entry else None)
    return render_template(
        "indicators/registry_form.html",
        form=form,
        entry=entry,
        communes=choices,
        unit_id=request.form.get("unit_id") or (entry.unit_id if entry else (choices[0][0] if choices else "")),
        feeds=_model_indicators(),
        support_labels=SUPPORT_LABELS,
        meeting_form=meeting_form or MeetingForm(formdata=None),
        reason_form=reason_form or ReasonForm(formdata=None),
        # who keeps the model up (services.ensure_maintainable); others read it, history included
        can_edit=can_edit,
        refusal=refusal,
        read_only_note=None if can_edit or refusal else _why_read_only(entry),
    )


def _why_read_only(entry) -> str | None:
    """The reason a reader may not update `entry` (services.ensure_maintainable says it), shown above the form."""
    try:
        services.ensure_maintainable(entry, entry.unit, current_user)
    except ServiceError as exc:
        return str(exc)
    return None


@bp.route("/registry/new", methods=["GET", "POST"])
@permission_required("indicator.report")
def registry_new():
    """Register a model of the commune."""
    form = RegistryEntryForm()
    if request.method == "POST" and form.validate():
        if not request.form.get("unit_id"):  # none offered (the district's reporter): said beside the choice
            return _form_page(form, refusal=_("Vui lòng chọn xã."))
        unit = unit_in_scope(request.form.get("unit_id"), "report")
        try:
            with attempt():
                services.ensure_maintainable(None, unit, current_user)
                services.save_registry_entry(None, unit, form.values(), actor=current_user)
        except ServiceError as exc:
            if exc.field == "unit_id":
                return _form_page(form, refusal=str(exc))  # beside the commune's choice, the input kept
            getattr(form, exc.field or "name", form.name).errors.append(str(exc))
            return _form_page(form)
        flash(_("Đã thêm mô hình vào sổ."), "success")
        return redirect(url_for(".registry"), 303)
    return _form_page(form)


@bp.route("/registry/<uuid:entry_id>", methods=["GET", "POST"])
@permission_required("indicator.report")
def registry_edit(entry_id):
    """Update a model: members, meetings, status. Shown read-only to the reporters who read it but do not keep it
    up (a model of a unit that has ended: the successor's reporter keeps it up)."""
    action = "edit" if request.method == "POST" else "read"
    entry = ensure_authorized(action, queries.registry_for(current_user, str(entry_id)))
    form = RegistryEntryForm(obj=entry)
    if request.method == "POST" and form.validate():
        try:
            with attempt():
                services.ensure_maintainable(entry, entry.unit, current_user)
                services.save_registry_entry(entry, entry.unit, form.values(), actor=current_user)
        except ServiceError as exc:
            if exc.field == "maintainer":
                return _form_page(form, entry, refusal=str(exc))  # at the top of the form, the input kept
            getattr(form, exc.field or "name", form.name).errors.append(str(exc))
            return _form_page(form, entry)
        flash(_("Đã cập nhật mô hình."), "success")
        return redirect(url_for(".registry"), 303)
    return _form_page(form, entry)


@bp.post("/registry/<uuid:entry_id>/meetings")
@permission_required("indicator.report")
def registry_meeting(entry_id):
    """Log a dated meeting of a model."""
    entry = ensure_authorized("edit", queries.registry_for(current_user, str(entry_id)))
    meeting_form = MeetingForm()
    if meeting_form.validate():
        try:
            with attempt():
                services.ensure_maintainable(entry, entry.unit, current_user)
                services.log_meeting(entry, meeting_form.values(), actor=current_user)
        except ServiceError as exc:
            target = meeting_form[exc.field] if exc.field and exc.field in meeting_form else meeting_form.held_on
            target.errors.append(str(exc))
        else:
            flash(_("Đã ghi buổi sinh hoạt."), "success")
            return redirect(url_for(".registry_edit", entry_id=entry.id), 303)
    return _form_page(RegistryEntryForm(formdata=None, obj=entry), entry, meeting_form=meeting_form)


@bp.post("/registry/<uuid:entry_id>/meetings/<uuid:meeting_id>/void")
@permission_required("indicator.report")
def registry_meeting_void(entry_id, meeting_id):
    """Strike a meeting logged in error, with the reason."""
    entry = ensure_authorized("edit", queries.registry_for(current_user, str(entry_id)))
    meeting = db.session.scalar(
        select(RegistryMeeting).where(RegistryMeeting.id == str(meeting_id), RegistryMeeting.entry_id == entry.id)
    )
    if meeting is None:
        deny("edit", None, status=404)
    reason_form = ReasonForm()
    if reason_form.validate():
        try:
            with attempt():
                services.ensure_maintainable(entry, entry.unit, current_user)
                services.void_meeting(meeting, reason_form.reason.data, actor=current_user)
        except ServiceError as exc:
            reason_form.reason.errors.append(str(exc))
        else:
            flash(_("Đã huỷ buổi sinh hoạt."), "success")
            return redirect(url_for(".registry_edit", entry_id=entry.id), 303)
    return _form_page(RegistryEntryForm(formdata=None, obj=entry), entry, reason_form=reason_form)
