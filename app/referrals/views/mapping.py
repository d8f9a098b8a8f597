"""The admin's agency map: referrals addressed to a merged agency, read by the agency that took over."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...approvals import services as approvals
from ...auth.permissions import permission_required
from ...auth.stepup import step_up_required
from ...extensions import db
from ...services import ServiceError
from ...units.models import Unit
from ...units.queries import unit_label
from ...web.forms import options
from ...web.unit_of_work import attempt
from .. import services
from ..forms import AgencyMapForm
from ..models import AgencyMapping
from . import bp


def _form(**kwargs) -> AgencyMapForm:
    form = AgencyMapForm(**kwargs)
    agencies = db.session.scalars(select(Unit).where(Unit.kind == "agency").order_by(Unit.name))
    choices = [("", _("— Chọn —"))] + [(a.id, unit_label(a)) for a in agencies]
    form.old_agency_id.choices = form.new_agency_id.choices = options(choices)
    return form


@bp.route("/agency-map", methods=("GET", "POST"))
@permission_required("referral.map_agencies")
@step_up_required
def agency_map():
    """List and add agency mappings (no referral content is shown here)."""
    form = _form()
    if form.is_submitted() and form.validate():
        try:
            with attempt():
                # A mapping opens referrals to another agency's officers: it waits for a second person.
                approvals.request_agency_map(form.old_agency_id.data, form.new_agency_id.data, actor=current_user)
        except ServiceError as exc:
            field = exc.field if exc.field and hasattr(form, exc.field) else "old_agency_id"
            getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        else:
            flash(str(approvals.NEEDS_SECOND_PERSON), "warning")
            return redirect(url_for("referrals.agency_map"), 303)
    rows = db.session.scalars(select(AgencyMapping).order_by(AgencyMapping.mapped_at.desc())).all()
    return render_template("referrals/agency_map.html", form=form, rows=rows)


@bp.post("/agency-map/<uuid:mapping_id>/delete")
@permission_required("referral.map_agencies")
@step_up_required
def agency_unmap(mapping_id):
    """Remove an agency mapping."""
    row = db.session.get(AgencyMapping, str(mapping_id))
    if row is not None:
        services.unmap_agency(row, actor=current_user)
        flash(_("Đã bỏ ánh xạ."), "success")
    return redirect(url_for("referrals.agency_map"), 303)
