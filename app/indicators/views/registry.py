"""The registry of models: communication teams, savings-and-loan groups, livelihood and tech groups,
trusted addresses and Leaders-of-Change clubs. Stock indicators are counted from it."""


from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.permissions import ensure_authorized, has_permission, permission_required
from ...extensions import db, htmx
from ...services import ServiceError
from ...units.models import Unit
from ...units.queries import scope_ids
from ...web.unit_of_work import attempt
from .. import queries, services
from ..forms import MODEL_KIND_LABELS, RegistryEntryForm
from ..models import RegistryEntry
from . import bp
from .common import focus_unit, unit_in_scope, viewer_root


@bp.get("/registry")
@permission_required("indicator.view")
def registry():
    """List the models of the user's communes, with the totals they give."""
    root = viewer_root()
    focus = focus_unit(root)
    kind = request.args.get("kind") if request.args.get("kind") in MODEL_KIND_LABELS else ""
    stmt = select(RegistryEntry).join(Unit, RegistryEntry.unit_id == Unit.id).where(
        RegistryEntry.unit_id.in_(list(scope_ids(focus))))
    if kind:
        stmt = stmt.where(RegistryEntry.kind == kind)
    entries = db.session.scalars(stmt.order_by(Unit.code, RegistryEntry.kind, RegistryEntry.name)).all()
    context = {"entries": entries, "kind": kind, "root": root, "focus": focus,
               "totals": queries.registry_totals(scope_ids(focus), clock.today()),
               "my_units": queries.scope_for(current_user, "reporter"),
               "can_add": has_permission(current_user, "indicator.report")}
    if htmx.target == "registry-rows":
        return render_template("indicators/_registry_rows.html", **context)
    return render_template("indicators/registry.html", **context)


def _commune_choices() -> list[tuple[str, str]]:
    units = queries.scope_for(current_user, "reporter")
    communes = db.session.scalars(select(Unit).where(Unit.id.in_(list(units)), Unit.kind == "commune")
                                  .order_by(Unit.code)).all()
    return [(u.id, u.name) for u in communes]


def _form_page(form, entry=None):
    choices = _commune_choices()
    return render_template("indicators/registry_form.html", form=form, entry=entry, communes=choices,
                           unit_id=request.form.get("unit_id") or (entry.unit_id if entry else
                                                                   (choices[0][0] if choices else "")))


@bp.route("/registry/new", methods=["GET", "POST"])
@permission_required("indicator.report")
def registry_new():
    """Register a model of the commune."""
    form = RegistryEntryForm()
    if request.method == "POST" and form.validate():
        unit = unit_in_scope(request.form.get("unit_id"), "report")
        try:
            with attempt():
                services.save_registry_entry(None, unit, form.values(), actor=current_user)
        except ServiceError as exc:
            getattr(form, exc.field, form.name).errors.append(str(exc))
            return _form_page(form)
        flash(_("Đã thêm mô hình vào sổ."), "success")
        return redirect(url_for(".registry"), 303)
    return _form_page(form)


@bp.route("/registry/<uuid:entry_id>", methods=["GET", "POST"])
@permission_required("indicator.report")
def registry_edit(entry_id):
    """Update a model: members, meetings, status."""
    entry = ensure_authorized("edit", queries.registry_for(current_user, str(entry_id)))
    form = RegistryEntryForm(obj=entry)
    if request.method == "POST" and form.validate():
        try:
            with attempt():
                services.save_registry_entry(entry, entry.unit, form.values(), actor=current_user)
        except ServiceError as exc:
            getattr(form, exc.field, form.name).errors.append(str(exc))
            return _form_page(form, entry)
        flash(_("Đã cập nhật mô hình."), "success")
        return redirect(url_for(".registry"), 303)
    return _form_page(form, entry)
