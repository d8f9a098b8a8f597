"""Case conference pages: record one (a counsellor or supervisor of the case), mark an action done."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from .. import clock, workqueue
from ..auth.models import User
from ..auth.permissions import authorize, ensure_authorized, has_permission, permission_required
from ..cases import queries as case_queries
from ..deadlines import standing
from ..extensions import db
from ..services import ServiceError
from ..web.forms import options
from ..web.unit_of_work import attempt
from . import services
from .forms import ConferenceForm
from .models import CaseConference, ConferenceAction

bp = Blueprint("conferences", __name__, url_prefix="/conferences")

TIMELINE_WORDS = {"conference.hold": _l("Họp ca"), "conference.action_done": _l("Xong một việc của họp ca")}


def _load_case(case_id):
    return ensure_authorized("conference", case_queries.case_for(current_user, str(case_id)))


def _form(case) -> ConferenceForm:
    from ..directory.queries import offered
    form = ConferenceForm()
    form.services_present.choices = options([(s.id, s.name) for s in offered(case.unit)])
    owners = db.session.execute(select(User.id, User.display_name, User.username)
                                .where(User.id.in_(services.owner_ids(case))).order_by(User.username)).all()
    for row in form.actions:
        row.owner_id.choices = options([("", _("— Chọn —"))], [(i, n or u) for i, n, u in owners])
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


@bp.post("/action/<uuid:action_id>/done")
@permission_required("case.conference")
def done(action_id):
    """The owner marks an action of a conference done."""
    action = db.session.get(ConferenceAction, str(action_id))
    case = case_queries.case_for(current_user, action.case_id) if action is not None else None
    ensure_authorized("conference", case if action is not None and action.owner_id == current_user.id else None)
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
    held = db.session.scalars(select(CaseConference).where(CaseConference.case_id == case.id)
                              .order_by(CaseConference.held_on.desc())).all()
    if not can and not held:
        return None
    from ..directory.models import Service
    ids = {i for c in held for i in c.services_present}
    names = dict(db.session.execute(select(Service.id, Service.name).where(Service.id.in_(ids))).all()) if ids else {}
    owners = {c.owner_id for conf in held for c in conf.actions}
    people = dict((i, n or u) for i, n, u in db.session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(owners)))) if owners else {}
    return {"conferences": held, "can_hold": can and not case.is_erased, "service_names": names, "people": people}


@workqueue.source("conference_action")
def actions_due(user):
    """Open conference actions the user owns (in a case the user still reaches)."""
    rows = db.session.scalars(select(ConferenceAction).where(ConferenceAction.owner_id == user.id,
                                                             ConferenceAction.status == "open")
                              .order_by(ConferenceAction.due_on).limit(200)).all()
    scope = case_queries.scope_for(user, "counsellor", "supervisor")
    items = []
    for action in rows:
        if action.case.unit_id not in scope or action.case.is_erased:
            continue
        due = clock.end_of_day(action.due_on)
        state = standing(due)
        items.append(workqueue.WorkItem(
            kind="conference_action", title=str(_l("Việc được giao trong họp ca")), due_at=due, state=state.state,
            url=url_for("cases.detail", case_id=action.case_id, _anchor="case-conferences"),
            detail=f"{action.case.code} · {state.text}", key=f"conference_action:{action.id}"))
    return items


def _register() -> None:
    from ..cases import timeline
    from ..cases.sections import register_section
    timeline.ACTIONS.update({k: v for k, v in TIMELINE_WORDS.items() if k not in timeline.ACTIONS})
    register_section("conferences/_case_panel.html", order=70, context_fn=_case_panel)


_register()
