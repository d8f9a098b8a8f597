"""The coded statistics of protection casework, suppressed for the viewer like the indicator figures."""

from flask import render_template, request
from flask_login import current_user

from ... import clock
from ...auth.permissions import deny, permission_required
from ...cases.queries import scope_for
from .. import stats
from . import bp

FIRST_YEAR = 2023  # Law 13/2022 in force 1/7/2023


@bp.get("/statistics")
@permission_required("protection.stats")
def statistics():
    """Counts by form of violence, perpetrator, measure, order, age group, identification and regime."""
    root = stats.root_unit(current_user)
    if root is None:
        deny("protection.stats", status=404)
    this_year = clock.today().year
    year = request.args.get("year", type=int) or this_year
    year = min(max(year, FIRST_YEAR), this_year)
    tables = stats.tables(root, year, viewer_units=scope_for(current_user, "counsellor"))
    return render_template(
        "protection/statistics.html", root=root, year=year, tables=tables, years=list(range(FIRST_YEAR, this_year + 1))
    )
