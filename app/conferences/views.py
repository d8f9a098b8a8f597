"""Case conference pages: record one (a counsellor or supervisor of the case), mark an action done."""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from .. import clock, workqueue
from ..auth.models import User
from ..auth.permissions import authorize, deny, ensure_authorized, has_permission, permission_required
from ..cases import queries as case_queries
from ..cases.models import Case
from ..deadlines import standing
from ..extensions import db
from ..services import ServiceError
from ..web.forms import options
from ..web.unit_of_work import attempt
from . import services
from .forms import ConferenceForm, JointConferenceForm
from .models import CaseConference, ConferenceAction

bp = Blueprint("conferences", __name__, url_prefix="/conferences")

TIMELINE_WORDS = {"conference.hold": _l("Họp ca"), "conference.action_done": _l("Xong một việc của họp ca")}


def _load_case(case_id):
    return ensure_authorized("conference", case_queries.case_for(current_user, str(case_id)))


def _owner_choices(case) -> list:
    owners = db.session.execute(
        select(User.id, User.display_name, User.username)
        .where(User.id.in_(services.owner_ids(case)))
        .order_by(User.username)
    ).all()
    return options([("", _("— Chọn —"))], [(i, n or u) for i, n, u in owners])


def _service_choices(cases) -> list:
    """The live services covering any of the cases' communes, each once."""
    from ..directory.queries import offered

    seen: dict[str, str] = {}
    for case in cases:
        for service in offered(case.unit):
            seen.setdefault(service.id, service.name)
    return options(list(seen.items()))


def _form(case) -> ConferenceForm:
    form = ConferenceForm()
    form.services_present.choices = _service_choices([case])
    choices = _owner_choices(case)
    for row in form.actions:
        row.owner_id.choices = choices
    return form


@bp.route("/case/<uuid:case_id>/new", methods=("GET", "POST"))
@permission_required("case.conference")
def create(case_id):
    """Record a case conference: who came, what was decided, who does what by when."""
    case = _load_case(case_id)
    form = _form(case)
    if form.validate_on_submit():
        try:
            with attempt():
                services.hold(case, form.data, actor=current_user)
        except ServiceError as exc:
            field = exc.field if exc.field in ("held_on", "decisions") else "decisions"
            if exc.field == "actions":
                form.actions.errors = [str(exc)]
            else:
                getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        else:
            flash(_("Đã ghi biên bản họp ca."), "success")
            return redirect(url_for("cases.detail", case_id=case.id, _anchor="case-conferences"), 303)
    return render_template("conferences/new.html", case=case, form=form)


CODE_SEPARATORS = re.compile(r"[\s,;]+")


def _joint_cases(anchor: Case, typed: str) -> tuple[list[Case], str | None]:
    """The anchor case and the cases whose codes were typed, each loaded through the user's scope (a code that does
    not exist and one outside the scope get the same answer)."""
    cases = [anchor]
    for code in dict.fromkeys(c.upper() for c in CODE_SEPARATORS.split(typed or "") if c):
        found = db.session.scalar(case_queries.visible_cases(current_user).where(Case.code == code))
        if found is None or not authorize(current_user, "conference", found):
            return cases, _("Không tìm thấy hồ sơ %(code)s trong phạm vi của bạn.", code=code)
        if found.id != anchor.id:
            cases.append(found)
    if len(cases) < 2:
        return cases, _("Nhập mã của ít nhất một hồ sơ khác.")
    if len(cases) > services.JOINT_MAX:
        return cases, _("Họp ca chung cần từ 2 đến %(n)d hồ sơ khác nhau.", n=services.JOINT_MAX)
    return cases, None


def _fit_parts(form: JointConferenceForm, cases: list[Case]) -> None:
    """One part per case, in the order the cases were named, each with that case's possible owners."""
    while len(form.parts) < len(cases):
        form.parts.append_entry()
    while len(form.parts) > len(cases):
        form.parts.pop_entry()
    form.services_present.choices = _service_choices(cases)
    for part, case in zip(form.parts, cases, strict=True):
        part.case_id.data = case.id
        choices = _owner_choices(case)
        for row in part.actions:
            row.owner_id.choices = choices


def _place_error(form: JointConferenceForm, exc: ServiceError) -> None:
    field = exc.field or "held_on"
    if field.startswith("parts-"):
        _, index, name = field.split("-", 2)
        part = form.parts[int(index)]
        target = part.actions if name == "actions" else part.decisions
    else:
        target = getattr(form, field, form.held_on)
    target.errors = [*(e for e in target.errors if isinstance(e, str)), str(exc)]


@bp.route("/case/<uuid:case_id>/joint", methods=("GET", "POST"))
@permission_required("case.conference")
def joint(case_id):
    """Record one conference about several related cases: a part per case, each seen only through its own case."""
    anchor = _load_case(case_id)
    form = JointConferenceForm()
    cases = [anchor]
    if request.method == "POST":
        valid = form.validate()
        cases, error = _joint_cases(anchor, form.other_codes.data)
        if error:
            form.other_codes.errors = [*form.other_codes.errors, error]
        if not form.other_codes.errors:
            _fit_parts(form, cases)
            if valid and form.step.data == "record":
                try:
                    with attempt():
                        services.hold_joint(cases, form.data, actor=current_user)
                except ServiceError as exc:
                    _place_error(form, exc)
                else:
                    flash(_("Đã ghi biên bản họp ca chung cho %(n)d hồ sơ.", n=len(cases)), "success")
                    return redirect(url_for("cases.detail", case_id=anchor.id, _anchor="case-conferences"), 303)
            form.held_on.data = form.held_on.data or clock.today()
            form.step.data = "record"
        else:
            form.step.data = "choose"
    return render_template("conferences/joint.html", case=anchor, cases=cases, form=form)


@bp.post("/action/<uuid:action_id>/done")
@permission_required("case.conference")
def done(action_id):
    """The owner marks an action of a conference done."""
    action = db.session.get(ConferenceAction, str(action_id))
    if action is None or action.owner_id != current_user.id:
        deny("conference", action, status=404)
    ensure_authorized("conference", case_queries.case_for(current_user, action.case_id))
    try:
        with attempt():
            services.complete(action, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Đã đánh dấu xong."), "success")
    return redirect(url_for("cases.detail", case_id=action.case_id, _anchor="case-conferences"), 303)


def _case_panel(case, user) -> dict | None:
    can = has_permission(user, "case.conference") and authorize(user, "conference", case)
    held = db.session.scalars(
        select(CaseConference).where(CaseConference.case_id == case.id).order_by(CaseConference.held_on.desc())
    ).all()
    if not can and not held:
        return None
    from ..directory.models import Service

    ids = {i for c in held for i in c.services_present}
    names: dict[str, str] = (
        {sid: name for sid, name in db.session.execute(select(Service.id, Service.name).where(Service.id.in_(ids)))}
        if ids
        else {}
    )
    owners = {c.owner_id for conf in held for c in conf.actions}
    people = (
        {
            i: n or u
            for i, n, u in db.session.execute(
                select(User.id, User.display_name, User.username).where(User.id.in_(owners))
            )
        }
        if owners
        else {}
    )
    return {"conferences": held, "can_hold": can and not case.is_erased, "service_names": names, "people": people}


@workqueue.source("conference_action")
def actions_due(user):
    """Open conference actions the user owns (in a case the user still reaches)."""
    rows = db.session.scalars(
        select(ConferenceAction)
        .where(ConferenceAction.owner_id == user.id, ConferenceAction.status == "open")
        .order_by(ConferenceAction.due_on)
        .limit(200)
    ).all()
    scope = case_queries.scope_for(user, "counsellor", "supervisor")
    items = []
    for action in rows:
        if action.case.unit_id not in scope or action.case.is_erased:
            continue
        due = clock.end_of_day(action.due_on)
        state = standing(due)
        items.append(
            workqueue.WorkItem(
                kind="conference_action",
                title=str(_l("Việc được giao trong họp ca")),
                due_at=due,
                state=state.state,
                url=url_for("cases.detail", case_id=action.case_id, _anchor="case-conferences"),
                detail=f"{action.case.code} · {state.text}",
                key=f"conference_action:{action.id}",
            )
        )
    return items


def _register() -> None:
    from ..cases import timeline
    from ..cases.sections import register_section

    timeline.ACTIONS.update({k: v for k, v in TIMELINE_WORDS.items() if k not in timeline.ACTIONS})
    register_section("conferences/_case_panel.html", order=70, context_fn=_case_panel)


_register()
