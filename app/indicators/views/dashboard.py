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
from ...units.models import Unit
from ...units.queries import scope_ids, unit_label, validity_note
from .. import derived, figures, queries, services
from ..charts import bar_chart
from ..export import workbook
from . import bp
from .common import focus_unit, selected_year, viewer_root, year_choices


def _report():
    """The figures the dashboard and the export share, for the unit and year asked."""
    root = viewer_root()
    year = selected_year()
    focus = focus_unit(root)
    target_year = year if request.args.get("targets") == "year" else None
    only = focus if focus.kind == "commune" and focus.id != root.id else None
    report = figures.build(root, year, target_year=target_year, only=only)
    tables = derived.tables(
        scope_ids(report.root), report.communes, year, viewer_units=queries.scope_for(current_user, "counsellor")
    )
    return root, report, tables


def _choices(root, report) -> list[tuple[Unit, str]]:
    """The communes of the user's unit to pick for the year (not the user's own commune), by name: those that exist
    in the year only. A commune asked for outside its years (a link, a year changed while it is shown) stays
    chosen, marked ("đã ngừng từ 01/07/2025"): the figures shown are its own, and the choice says so."""
    start, end = date(report.year, 1, 1), report.period_end
    found = [(c, c.name) for c in queries.communes_offered(root, end, start, end) if c.id != root.id]
    if report.root.id != root.id and report.root.id not in {c.id for c, _name in found}:
        found.append((report.root, unit_label(report.root, start, end, code=False)))
    return found


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
        "choices": _choices(root, report),
        # the user's unit gone before the year (the district, asked about 2026): said so, and where its figures are
        "root_note": validity_note(report.root, date(report.year, 1, 1), report.period_end),
        "root_gone": not report.root.exists_between(date(report.year, 1, 1), report.period_end),
        # the day the models are counted on (figures.build): the unit's last day when it ended in the year (the
        # district in 2025: 30/06/2025); none for a year it did not exist in (no models counted there)
        "stock_on": queries.stock_day(report.root, report.period_end)
        if report.root.exists_between(date(report.year, 1, 1), report.period_end)
        else None,
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
