"""The case list with filters, sorting and active search; and each counsellor's follow-ups."""

from flask import render_template, request
from flask_login import current_user

from ... import clock
from ...audit import services as audit
from ...auth.permissions import permission_required
from ...extensions import htmx
from ...web.i18n import translated
from ...web.paging import requested_page
from .. import queries, services
from .. import reference_data as ref
from ..forms import KIND_CHOICES, CaseSearchForm
from . import bp

FILTERS = ("kind", "status", "risk", "overdue", "sort")


def _filters() -> dict:
    """The list filters from the query string: codes only, never person data."""
    args = {key: (request.args.get(key) or "")[:20] for key in FILTERS}
    args["kind"] = args["kind"] if args["kind"] in dict(KIND_CHOICES) else ""
    args["status"] = args["status"] if args["status"] in ("open", "closed") else ""
    args["risk"] = args["risk"] if args["risk"] in dict(ref.RISK_LEVELS) else ""
    args["overdue"] = "1" if args["overdue"] == "1" else ""
    args["sort"] = args["sort"] if args["sort"] in queries.SORTS else "opened"
    return args


@bp.route("/", methods=["GET", "POST"])
@permission_required("case.list")
def index():
    """List the user's cases; a POSTed search term finds one by code, exact name, phone or ID number."""
    form = CaseSearchForm()
    filters = _filters()
    # Names only for the cases the user counsels; district reviewers see the summary tier.
    name_scope = queries.scope_for(current_user, "counsellor")
    context = {
        "form": form,
        "filters": filters,
        "kinds": KIND_CHOICES,
        "risks": translated(ref.RISK_LEVELS),
        "names_visible": bool(name_scope),
        "name_scope": name_scope,
        "today": clock.today(),
        "searching": False,
    }
    if request.method == "POST" and form.validate() and (form.q.data or "").strip():
        # The term travels in the body only; the audit entry records that a search happened, not what.
        found = queries.search_cases(current_user, form.q.data)
        audit.record(current_user, "case.search", detail={"matches": len(found)})
        context.update(cases=found, searching=True, page=None)
    else:
        flt = queries.CaseFilter(
            kind=filters["kind"],
            status=filters["status"],
            risk=filters["risk"],
            overdue=bool(filters["overdue"]),
            sort=filters["sort"],
        )
        page = queries.case_page(current_user, flt, page=requested_page())
        context.update(cases=page.rows, page=page, count_cap=queries.COUNT_CAP)
        _audit_names_shown(context["cases"], name_scope)
    if htmx.target == "case-rows":
        return render_template("cases/_rows.html", **context)
    return render_template("cases/index.html", **context)


def _audit_names_shown(cases, name_scope) -> None:
    """The list shows the full names of the counsellor's own cases (page or case-rows fragment): audit which."""
    named = [c.id for c in cases if c.unit_id in name_scope and not c.is_erased]
    if named:
        audit.record(current_user, "case.list_names", detail={"cases": named})


@bp.get("/followups")
@permission_required("followup.mine")
def my_followups():
    """The follow-ups assigned to me, overdue first."""
    followups = services.my_followups(current_user)
    return render_template("cases/my_followups.html", followups=followups, today=clock.today())
