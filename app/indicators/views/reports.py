"""Reports: the cycles and the review queue (due, submitted, late by how many days, returned) of the communes
and of the district, the report form (a commune's, or the district's prefilled from its communes), its
plausibility warnings, and the reviewer's and administrator's decisions."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.permissions import authorize, deny, ensure_authorized, has_permission, permission_required
from ...extensions import db, htmx
from ...services import ServiceError, ensure, ensure_found
from ...units.models import Unit
from ...web.unit_of_work import attempt
from .. import district, plans, plausibility, queries, services
from ..forms import CycleForm, FiguresInput, NarrativeForm, ReasonForm, field_name
from ..models import ReportingCycle, Submission
from . import bp
from .common import unit_in_scope, uuid_or_none, viewer_root


def _cycle(cycle_id: str | None) -> ReportingCycle | None:
    key = uuid_or_none(cycle_id)
    return db.session.get(ReportingCycle, key) if key else None


@bp.get("/reports")
@permission_required("indicator.view")
def reports():
    """The cycles, and for the chosen one every commune's report: due, sent, late, returned."""
    context = _reports_context(CycleForm(formdata=None))
    if htmx.target == "report-queue":
        return render_template("indicators/_queue.html", **context)
    return render_template("indicators/reports.html", **context)


def _reports_context(cycle_form: CycleForm) -> dict:
    cycles = queries.cycles()
    cycle = _cycle(request.args.get("cycle")) or (cycles[0] if cycles else None)
    root = viewer_root()
    lines = queries.province_view(cycle, root) if cycle else []
    rows = [row for line in lines for row in line.rows]
    district_rows = queries.district_queue(cycle, root) if cycle else []
    my_units = queries.scope_for(current_user, "reporter")
    # Only links the user may open: a counsellor or a monitor sees the states, not the reports.
    readable = {
        r.submission.id
        for r in district_rows + rows
        if r.submission is not None and authorize(current_user, "read", r.submission)
    }
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "rows": rows,
        "lines": lines,
        "district_rows": district_rows,
        "root": root,
        "via_district": queries.district_in_period(cycle, root) if cycle and root else False,
        "my_units": my_units,
        "readable": readable,
        "cycle_form": cycle_form,
        "can_plan": has_permission(current_user, "indicator.plan"),
    }
    return context


@bp.post("/cycles")
@permission_required("indicator.plan")
def open_cycle():
    """Open a reporting round for a year, with the plan's deadlines unless others are given."""
    form = CycleForm()
    if form.validate():
        try:
            with attempt():
                year = ensure_found(form.year.data, _l("Vui lòng nhập mục này."), "year")  # the form requires it
                plan = plans.for_year(year)
                plans.ensure_open(plan, "year")  # an archived plan's cycles are closed: it is read-only
                quarter = form.quarter.data if form.round.data == "quarter" else ""
                ensure(form.round.data != "quarter" or quarter, _l("Vui lòng chọn quý."), "quarter")
                cycle = services.open_cycle(
                    year,
                    form.round.data,
                    actor=current_user,
                    commune_due_on=form.commune_due_on.data,
                    district_due_on=form.district_due_on.data,
                    plan=plan,
                    period=f"Q{quarter}" if quarter else "Y",
                )
                return redirect(url_for(".reports", cycle=cycle.id), 303)
        except ServiceError as exc:
            if exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, str(exc)]
            else:
                flash(str(exc), "error")
    # The page again, with each error beside its field and everything typed kept (status 200: htmx swaps it).
    return render_template("indicators/reports.html", **_reports_context(form))


@bp.post("/reports/start")
@permission_required("indicator.report")
def start():
    """Open (or reopen the draft of) the report of a commune, or of the district (prefilled from the communes'
    confirmed reports), for a cycle."""
    unit = unit_in_scope(request.form.get("unit_id"), "report")
    cycle = _cycle(request.form.get("cycle_id"))
    if cycle is None or unit.kind not in ("commune", "district"):
        deny("report", None, status=404)
    try:
        with attempt():
            sub = services.start_submission(cycle, unit, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".reports", cycle=cycle.id), 303)
    return redirect(url_for(".submission", submission_id=sub.id), 303)


@bp.post("/submissions/<uuid:submission_id>/prefill")
@permission_required("indicator.report")
def prefill(submission_id):
    """Replace the district report's figures with the sum of its communes' confirmed reports, again."""
    sub = _load(submission_id, "edit")
    try:
        with attempt():
            found = district.prefill(sub, actor=current_user)
            flash(_("Đã tổng hợp lại số liệu từ %(n)d báo cáo xã đã xác nhận.", n=len(found.confirmed)), "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".submission", submission_id=sub.id), 303)


def _load(submission_id, action: str) -> Submission:
    sub = queries.submission_for(current_user, str(submission_id)[:36])
    return ensure_authorized(action, sub)


def _typed_indicators(sub: Submission):
    return [i for i in plans.cycle_indicators(sub.cycle) if not i.derived]


def _stored(sub: Submission) -> dict:
    return {(v.indicator_id, v.value_kind): (v.value, v.denominator, v.breakdown) for v in sub.values}


def _commune_totals(sub: Submission, communes: dict | None) -> dict:
    """The communes' confirmed sums by input name, shown beside each figure of the district's report."""
    typed, names = {i.id: i for i in _typed_indicators(sub)}, {}
    for (indicator_id, kind), (value, denominator, breakdown) in (communes or {}).items():
        ind = typed.get(indicator_id)
        if ind is None:
            continue  # a registry figure: shown (and warned about) in the registry table
        names[field_name(ind, kind, "value")] = value
        if denominator is not None:
            names[field_name(ind, kind, "denominator")] = denominator
        for dim, parts in breakdown.items():
            for option, number in parts.items():
                names[field_name(ind, kind, f"{dim}-{option}")] = number
    return names


def _page(sub: Submission, figures_input=None, narrative=None, reason_form=None, status=200):
    kinds = services.required_kinds(sub.cycle)
    # What a report counts rather than types (the registry's stock, the registers' figures with their breakdown),
    # as it would be frozen now.
    registry = queries.counted_values(
        plans.cycle_indicators(sub.cycle),
        queries.scope_ids(sub.unit),
        sub.cycle.period_start,
        sub.cycle.period_end,
        stock_on=queries.stock_day(sub.unit, sub.cycle.period_end),
    )
    figures_input = figures_input or FiguresInput(_typed_indicators(sub), kinds, submission=sub)
    found = district.coverage(sub.cycle, sub.unit) if sub.level == "district" else None
    communes = district.aggregate(found.confirmed) if found and found.confirmed else None
    typed = {**_stored(sub), **figures_input.parsed} if figures_input.parsed else _stored(sub)
    context = {
        "sub": sub,
        "kinds": kinds,
        "typed": _typed_indicators(sub),
        "all_indicators": plans.cycle_indicators(sub.cycle),
        "figures": figures_input,
        "coverage": found,
        "commune_totals": _commune_totals(sub, communes),
        "warnings": plausibility.warnings(sub, typed, communes),
        "receiver": receiver_kind(sub),
        "narrative": narrative or NarrativeForm(formdata=None, obj=sub),
        "registry": registry,
        "reason_form": reason_form or ReasonForm(formdata=None),
        "archived": sub.cycle.plan is not None and sub.cycle.plan.is_archived,
        "can_edit": sub.is_editable
        and not (sub.cycle.plan is not None and sub.cycle.plan.is_archived)
        and authorize(current_user, "edit", sub),
        "can_review": authorize(current_user, "review", sub),
        "can_reopen": authorize(current_user, "reopen", sub),
        "due_on": sub.cycle.due_on(sub.level),
        "late_days": queries.lateness(sub, sub.cycle.due_on(sub.level), clock.today()),
    }
    if htmx.target == "report-form":
        return render_template("indicators/_report_form.html", **context), status
    return render_template("indicators/submission.html", **context), status


@bp.get("/submissions/<uuid:submission_id>")
@permission_required("indicator.view")
def submission(submission_id):
    """Show a report: the form while it is the unit's draft, the figures and decisions otherwise."""
    return _page(_load(submission_id, "read"))


@bp.post("/submissions/<uuid:submission_id>")
@permission_required("indicator.report")
def save(submission_id):
    """Save the figures and narrative as typed; with "send", submit them to the level above."""
    sub = _load(submission_id, "edit")
    figures_input = FiguresInput(_typed_indicators(sub), services.required_kinds(sub.cycle), formdata=request.form)
    narrative = NarrativeForm(obj=sub)
    if not (figures_input.validate() and narrative.validate()):
        return _page(sub, figures_input, narrative)
    try:
        with attempt():
            services.save_draft(sub, figures_input.parsed, narrative.data, actor=current_user)
            if request.form.get("action") == "submit":
                services.submit(sub, actor=current_user)
    except ServiceError as exc:
        # The form htmx swaps shows the flashed refusal itself (templates/_macros/flashes.html); status 200,
        # or htmx would swap nothing.
        sub = _load(submission_id, "edit")
        flash(str(exc), "error")
        return _page(sub, figures_input, narrative)
    if sub.status != "submitted":
        flash(_("Đã lưu bản nháp."), "success")
    elif receiver_kind(sub) == "district":
        flash(_("Đã gửi báo cáo lên huyện."), "success")
    else:
        flash(_("Đã gửi báo cáo lên tỉnh."), "success")
    target = url_for(".submission", submission_id=sub.id)
    if htmx.target == "report-form":
        return "", 204, {"HX-Redirect": target}  # a whole new page, not a page inside the form
    return redirect(target, 303)


def receiver_kind(sub: Submission) -> str:
    """Who the report goes to: the unit above that exists in the cycle's period (queries.receiving_unit):
    "district" for a commune's report of 2021-2025, "province" for the district's and for any report of a period
    after the district was abolished, never the plan's old commune → district → province shape."""
    above = queries.receiving_unit(sub)
    return "district" if above is not None and above.kind == "district" else "province"


def _decide(submission_id, action: str, operation, message, needs_reason: bool = False):
    sub = _load(submission_id, action)
    message = message(sub) if callable(message) else message
    form = ReasonForm() if needs_reason else None
    if form is not None and not form.validate():
        return _page(sub, reason_form=form)
    try:
        with attempt():
            if form is not None:
                operation(sub, form.reason.data, actor=current_user)
            else:
                operation(sub, actor=current_user)
            flash(message, "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".submission", submission_id=sub.id), 303)


@bp.post("/submissions/<uuid:submission_id>/return")
@permission_required("indicator.review")
def return_report(submission_id):
    """Return a sent report to the commune with the reason."""
    return _decide(
        submission_id,
        "review",
        services.return_submission,
        lambda sub: _("Đã trả lại báo cáo cho huyện.") if sub.level == "district" else _("Đã trả lại báo cáo cho xã."),
        True,
    )


@bp.post("/submissions/<uuid:submission_id>/confirm")
@permission_required("indicator.review")
def confirm(submission_id):
    """Confirm a sent report."""
    return _decide(submission_id, "review", services.confirm, _("Đã xác nhận báo cáo."))


@bp.post("/submissions/<uuid:submission_id>/lock")
@permission_required("indicator.review")
def lock(submission_id):
    """Lock a confirmed report."""
    return _decide(submission_id, "review", services.lock, _("Đã khóa báo cáo."))


@bp.post("/submissions/<uuid:submission_id>/reopen")
@permission_required("indicator.reopen")
def reopen(submission_id):
    """Reopen a confirmed or locked report, with the reason (administrators)."""
    return _decide(submission_id, "reopen", services.reopen, _("Đã mở lại báo cáo."), True)


@bp.get("/reopen")
@permission_required("indicator.reopen")
def reopen_list():
    """The confirmed and locked reports an administrator may reopen."""
    units = queries.scope_for(current_user, "admin")
    subs = db.session.scalars(
        select(Submission)
        .join(Unit, Submission.unit_id == Unit.id)
        .where(Submission.unit_id.in_(list(units)), Submission.status.in_(("confirmed", "locked")))
        .order_by(Unit.code)
    ).all()
    return render_template("indicators/reopen.html", subs=subs, form=ReasonForm(formdata=None))
