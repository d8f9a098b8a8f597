"""The statistics hub: what the user may see and download, for the year chosen."""

from flask import render_template
from flask_login import current_user

from ...auth.permissions import has_permission, permission_required
from . import bp
from .common import root_or_404, selected_year, years


@bp.get("/")
@permission_required("statistics.view")
def index():
    """List the statistics outputs the user may open or download."""
    root = root_or_404("statistics.view")
    national = has_permission(current_user, "statistics.national_export") and any(
        unit.kind == "province" for unit in current_user.units_for("district_reviewer")
    )
    return render_template(
        "statistics/index.html",
        root=root,
        year=selected_year(),
        years=years(),
        can_export=has_permission(current_user, "statistics.export"),
        can_national=national,
    )
