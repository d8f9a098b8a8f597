"""Admin pages for the unit tree: list, add trusted addresses, agencies and villages, edit, lineage."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..approvals import services as approvals
from ..auth.permissions import permission_required
from ..auth.stepup import step_up_required
from ..extensions import db
from ..services import ServiceError
from ..web.forms import options
from ..web.unit_of_work import attempt
from . import services
from .forms import KIND_LABELS, LineageForm, UnitEditForm, UnitForm
from .models import Unit, UnitLineage
from .queries import unit_choices

bp = Blueprint("units", __name__, url_prefix="/admin/units")


@bp.get("/")
@permission_required("admin.units")
def index():
    """The unit tree, in path order, with validity dates and lineage."""
    units = db.session.scalars(select(Unit).order_by(Unit.path)).all()
    lineage = db.session.scalars(select(UnitLineage)).all()
    return render_template("units/index.html", units=units, lineage=lineage, kind_labels=KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("admin.units")
@step_up_required
def create():
    """Add a unit: a trusted address, an agency, a village, or a new commune."""
    form = UnitForm()
    form.parent.choices = options([("", _l("— Không (cấp tỉnh) —"))], unit_choices(current_only=True))
    if form.validate_on_submit():
        try:
            with attempt():
                services.create_unit(
                    code=form.code.data,
                    kind=form.kind.data,
                    name=form.name.data,
                    parent=db.session.get(Unit, form.parent.data) if form.parent.data else None,
                    valid_from=form.valid_from.data,
                    valid_to=form.valid_to.data,
                    work_phone=form.work_phone.data,
                    work_note=form.work_note.data,
                    actor=current_user,
                )
        except ServiceError as exc:
            getattr(form, exc.field or "code").errors.append(str(exc))
        else:
            flash(_l("Đã thêm đơn vị."), "success")
            return redirect(url_for("units.index"), 303)
    return render_template("units/form.html", form=form, unit=None)


@bp.route("/<uuid:unit_id>", methods=["GET", "POST"])
@permission_required("admin.units")
@step_up_required
def edit(unit_id):
    """Rename a unit, set its validity, disable it, or record what it merged into."""
    unit = db.get_or_404(Unit, str(unit_id))
    form = UnitEditForm(obj=unit)
    lineage_form = LineageForm(prefix="lineage")
    lineage_form.new.choices = options([("", _l("— Chọn —"))], unit_choices())
    if form.validate_on_submit():
        try:
            with attempt():
                services.update_unit(
                    unit,
                    name=form.name.data,
                    valid_from=form.valid_from.data,
                    valid_to=form.valid_to.data,
                    disabled=form.disabled.data,
                    work_phone=form.work_phone.data,
                    work_note=form.work_note.data,
                    actor=current_user,
                )
        except ServiceError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            flash(_l("Đã lưu."), "success")
            return redirect(url_for("units.index"), 303)
    return render_template("units/form.html", form=form, unit=unit, lineage_form=lineage_form)


@bp.post("/<uuid:unit_id>/lineage")
@permission_required("admin.units")
@step_up_required
def add_lineage(unit_id):
    """Record that this unit became (part of) another one."""
    unit = db.get_or_404(Unit, str(unit_id))
    form = LineageForm(prefix="lineage")
    form.new.choices = options([("", _l("— Chọn —"))], unit_choices())
    if form.validate_on_submit():
        try:
            with attempt():
                # A lineage widens who reads which cases: it waits for the province's reviewer (app/approvals).
                approvals.request_lineage(
                    unit, db.session.get(Unit, form.new.data), form.effective.data, form.note.data, actor=current_user
                )
        except ServiceError as exc:
            form.new.errors.append(str(exc))
        else:
            flash(approvals.NEEDS_SECOND_PERSON, "warning")
            return redirect(url_for("units.index"), 303)
    return render_template("units/form.html", form=UnitEditForm(obj=unit), unit=unit, lineage_form=form)
