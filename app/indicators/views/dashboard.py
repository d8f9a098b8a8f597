"""The dashboard (target against achievement for the unit and each commune, case-derived figures,
money) and the same figures as an Excel report."""

from datetime import date

from flask import render_template, request
from flask_login import current_user

from ... import clock
from ...audit import services as audit
from ...auth.permissions import has_permission, permission_required
from ...auth.stepup import step_up_required
from ...extensions import htmx
from ...units.queries import scope_ids, validity_note
from .. import derived, figures, queries, services
from ..charts import bar_chart
from ..export import workbook
from . import bp
from .common import focus_in_year, selected_year, viewer_root, year_choices


def _report():
    """The figures the dashboard and the export share, for the unit and year asked."""
    root = viewer_root()
    year = selected_year()
    focus = focus_in_year(root, year)
    target_year = year if request.args.get("targets") == "year" else None
    only = focus if focus.kind == "commune" and focus.id != root.id else None
    report = figures.build(root, year, target_year=target_year, only=only)
    tables = derived.tables(
        scope_ids(report.root), report.communes, year, viewer_units=queries.scope_for(current_user, "counsellor")
    )
    return root, report, tables


@bp.get("/")
@permission_required("indicator.view")
def index():
    """Show target against achievement per indicator, for the unit and each of its communes."""
    root, report, tables = _report()
    charts = {row.indicator.code: bar_chart(row.lines, lambda f: f.unit.name) for row in report.rows}
    context = {
        "root": root,
        "report": report,
        "tables": tables,
        "charts": charts,
        "years": year_choices(),
        "budget": services.budget_totals(scope_ids(report.root)),
        "plan": report.plan,
        "targets_mode": request.args.get("targets", "phase"),
        "today": clock.today(),
        "can_export": has_permission(current_user, "indicator.export"),
        # the communes of the user's unit that year, to pick one (none to pick for a commune's own user)
        "choices": [c for c in queries.communes_of(root, report.period_end) if c.id != root.id],
        # a unit not in force all year says so ("đã ngừng từ 01/07/2025"); one gone before it, where to look
        "root_note": validity_note(report.root, date(report.year, 1, 1), report.period_end),
        "root_gone": not report.root.exists_between(date(report.year, 1, 1), report.period_end),
    }
    if htmx.target == "indicator-figures":
        return render_template("indicators/_figures.html", **context)
    return render_template("indicators/index.html", **context)


@bp.get("/export.xlsx")
@permission_required("indicator.export")
@step_up_required
def export():
    """The dashboard's figures as an Excel report laid out like an official one (whole unit or one commune)."""
    _root, report, tables = _report()
    content = workbook(report, tables)
    audit.record(current_user, "indicator.export", detail={"unit_id": report.root.id, "year": report.year})
    filename = f"bao-cao-du-an-8-{report.root.code}-{report.year}.xlsx"
    return (
        content,
        200,
        {
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )
