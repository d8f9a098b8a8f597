"""The GBVIMS-style monthly tables: on a page (suppressed per viewer, as /protection/statistics: a cell is in
clear only for counsellors whose scope covers every unit it counts) and as an Excel file (suppressed for
everyone, step-up, audited)."""

from flask import render_template
from flask_login import current_user

from ...audit import services as audit
from ...auth.permissions import has_permission, permission_required
from ...auth.stepup import step_up_required
from ...cases.queries import scope_for
from .. import gbvims
from . import bp
from .common import root_or_404, selected_year, xlsx, years


@bp.get("/monthly")
@permission_required("statistics.view")
def monthly():
    """Incidents by type, perpetrators by relation, services and referral outcomes, month by month."""
    root = root_or_404("statistics.view")
    year = selected_year()
    report = gbvims.build(root, year, viewer_units=scope_for(current_user, "counsellor"))
    return render_template(
        "statistics/monthly.html",
        report=report,
        year=year,
        years=years(),
        can_export=has_permission(current_user, "statistics.export"),
    )


@bp.get("/monthly.xlsx")
@permission_required("statistics.export")
@step_up_required
def monthly_export():
    """The monthly tables as an Excel file, suppressed for everyone."""
    root = root_or_404("statistics.export")
    year = selected_year()
    content = gbvims.workbook(gbvims.build(root, year, viewer_units=frozenset()))
    audit.record(
        current_user, "statistics.export", detail={"output": "gbvims_monthly", "unit_id": root.id, "year": year}
    )
    return xlsx(content, f"gbvims-theo-thang-{root.code}-{year}.xlsx")
