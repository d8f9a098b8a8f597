"""The export for the national domestic-violence database: record-level (de-identified), so for a reviewer
scoped to a province only, after step-up, audited."""

from flask import render_template, request
from flask_login import current_user

from ... import clock
from ...audit import services as audit
from ...auth.permissions import deny, permission_required
from ...auth.stepup import step_up_required
from .. import national
from ..forms import NationalExportForm
from . import bp
from .common import xlsx, years

PERMISSION = "statistics.national_export"


def province_or_403():
    """The province the user reviews for; a district or commune reviewer is refused (records leave the
    province only through the province)."""
    for unit in current_user.units_for("district_reviewer"):
        if unit.kind == "province":
            return unit
    deny(PERMISSION)


def _page(province, form, status: int = 200):
    return render_template(
        "statistics/national.html", province=province, form=form, mapping=national.mapping(), today=clock.today()
    ), status


@bp.get("/national-db")
@permission_required(PERMISSION)
def national_db():
    """What the national-database export holds (the mapping, its version) and the period to export."""
    province = province_or_403()
    form = NationalExportForm(formdata=None, years=years(), year=str(clock.today().year))
    return _page(province, form)


@bp.get("/national-db.xlsx")
@permission_required(PERMISSION)
@step_up_required
def national_db_export():
    """The de-identified records of the province's incidents in the period, as the mapping lays them out."""
    province = province_or_403()
    form = NationalExportForm(request.args, years=years())
    if not form.validate():
        return _page(province, form)
    export = national.build(province, int(form.year.data), int(form.quarter.data))
    content = national.workbook(export)
    audit.record(
        current_user,
        "statistics.national_export",
        detail={
            "unit_id": province.id,
            "period": export.period,
            "records": len(export.records),
            "left_out": export.left_out,
            "mapping_version": national.mapping()["version"],
        },
    )
    return xlsx(content, f"csdl-quoc-gia-blgd-{province.code}-{export.period}.xlsx")
