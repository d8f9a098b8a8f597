"""What the case views share: loading a case through the user's scope, and the case page's context."""

from collections.abc import Sequence
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ... import clock, events
from ...audit.models import AuditEntry
from ...auth.models import RoleAssignment, User
from ...auth.permissions import authorize, ensure_authorized
from ...extensions import db, htmx
from ...units.models import Unit
from ...units.queries import scope_ids
from ...web.forms import options
from .. import queries, services
from ..forms import (
    BreakGlassForm,
    CloseForm,
    ConsentForm,
    FollowUpForm,
    FollowUpOutcomeForm,
    NoteForm,
    ReopenForm,
    ServiceForm,
    ServiceStatusForm,
    WithdrawConsentForm,
)
from ..models import Case, CaseNote, CaseService, Consent, FollowUp
from ..sections import sections_for
from ..timeline import NOTES, describe

PANELS = ("case-consents", "case-services", "case-followups", "case-notes", "case-status")


def load_case(case_id, action: str) -> Case:
    """The case, only through the user's scope and the case policy (404 and an audited denial otherwise)."""
    case = queries.case_for(current_user, str(case_id))
    return ensure_authorized(action, case)


def load_child(model, child_id, case: Case):
    """A row of the case (consent, follow-up…), only if it belongs to that case."""
    row = db.session.get(model, str(child_id))
    return ensure_authorized("edit", case if row is not None and row.case_id == case.id else None) and row


def assignee_choices(case: Case) -> list[tuple[str, str]]:
    """Counsellors whose scope covers the case's unit."""
    rows = db.session.execute(
        select(User, RoleAssignment.unit_id)
        .join(RoleAssignment)
        .where(RoleAssignment.role == "counsellor", User.active.is_(True))
    ).all()
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_({r[1] for r in rows})))}
    return sorted(
        {
            (user.id, user.display_name or user.username)
            for user, unit_id in rows
            if case.unit_id in scope_ids(units[unit_id])
        },
        key=lambda c: c[1],
    )


def agency_choices(case: Case) -> list[tuple[str, str]]:
    """The agencies running the live services that cover the case's commune (the referral picker's list):
    a new consent never names a body that no longer exists."""
    from ...directory.queries import offered

    agencies = {service.unit_id: service.unit.name for service in offered(case.unit)}
    return [("", _("— Chọn —"))] + sorted(agencies.items(), key=lambda pair: pair[1])


# The "add" forms of the panels are not rendered with the page: they are fetched when their <details> opens
# (htmx) or asked for by ?form= (without JavaScript). Most views of a case add nothing, and these forms with
# their choice lists were a third of the page's cost.
ADD_FORMS = ("consent", "service", "followup")


def blank_form(case: Case, name: str):
    """A fresh "add" form of a panel, with its choices."""
    if name == "consent":
        in_force = events.answer(events.notice_in_force, clock.today())  # the version read today, by default
        form = ConsentForm(formdata=None, prefix="consent", notice_id=in_force[0] if in_force else None)
    elif name == "followup":
        form = FollowUpForm(formdata=None, prefix="followup", assignee_id=current_user.id)
    else:
        form = ServiceForm(formdata=None, prefix="service")
    return with_choices(case, form)


def with_choices(case: Case, form):
    """Fill the choice lists that depend on the data (agencies, counsellors of the case's unit)."""
    if isinstance(form, ConsentForm):
        form.agency_id.choices = options(agency_choices(case))
        form.notice_id.choices = options(events.answer(events.notice_versions, None) or [])
    elif isinstance(form, FollowUpForm):
        form.assignee_id.choices = options(assignee_choices(case))
    return form


def page_forms(case: Case, open_form: str | None = None, **given) -> dict:
    """The forms of the case page: the ones given (bound, with errors), the "add" form asked for, and the
    small ones always shown (note, close, reopen)."""
    forms = {f"{name}_form": given.get(f"{name}_form") for name in ADD_FORMS}
    if open_form in ADD_FORMS and forms[f"{open_form}_form"] is None:
        forms[f"{open_form}_form"] = blank_form(case, open_form)
    # formdata=None: after a save the request's own text must not refill the empty form (saved twice)
    forms.update(
        note_form=given.get("note_form") or NoteForm(formdata=None, prefix="note"),
        close_form=given.get("close_form") or CloseForm(formdata=None, prefix="close"),
        reopen_form=given.get("reopen_form") or ReopenForm(formdata=None, prefix="reopen"),
        open_form=open_form,
    )
    return forms


def row_forms(consents, followups, services_, notes, given: dict) -> dict:
    """One small form per row (withdraw, outcome, status, correction); a bound one with errors wins."""
    forms = {}
    for c in consents:
        forms[c.id] = WithdrawConsentForm(formdata=None, prefix=f"withdraw-{c.id}", withdrawn_on=clock.today())
    for f in followups:
        forms[f.id] = FollowUpOutcomeForm(formdata=None, prefix=f"outcome-{f.id}")
    for s in services_:
        forms[s.id] = ServiceStatusForm(formdata=None, prefix=f"service-{s.id}", obj=s)
    for n in notes:
        forms[n.id] = NoteForm(formdata=None, prefix=f"note-{n.id}", body=n.body)
    forms.update(given)
    return forms


def case_context(case: Case, *, audit_read: bool = True, open_form: str | None = None, **given) -> dict:
    """Everything the case page shows; the identity and narrative read is audited."""
    full = authorize(current_user, "read_full", case) and not case.is_erased
    can_edit = authorize(current_user, "edit", case) and not case.is_erased
    context = {
        "case": case,
        "full": full,
        "can_edit": can_edit,
        "can_break_glass": authorize(current_user, "break_glass", case) and not full and not case.is_erased,
        "grant": queries.active_grant(current_user, case) if not can_edit else None,
        "today": clock.today(),
        "break_glass_form": given.get("break_glass_form") or BreakGlassForm(),
    }
    if full:
        if audit_read:
            services.record_read(case, actor=current_user, tier="full" if can_edit else "break_glass")
        children: dict[type, Sequence[Any]] = {  # four models' rows
            model: db.session.scalars(select(model).where(model.case_id == case.id).order_by(model.created_at)).all()
            for model in (Consent, FollowUp, CaseService, CaseNote)
        }
        notes = [n for n in children[CaseNote] if n.withdrawn_at is None]
        superseded = {n.supersedes_id for n in notes if n.supersedes_id}
        withdrawn = sum(1 for n in children[CaseNote] if n.withdrawn_at and not n.supersedes_id)
        grants = services.recent_grants(case)
        context.update(
            consents=sorted(children[Consent], key=lambda c: c.given_on, reverse=True),
            notice_labels=dict(events.answer(events.notice_versions, None) or []),
            # How many referrals each consent still open to withdrawal keeps alive (said before it is withdrawn).
            relying={
                c.id: events.answer(events.consent_dependents, c) or 0
                for c in children[Consent]
                if not c.withdrawn_on and c.purpose == "share_with_agency"
            },
            followups=sorted(children[FollowUp], key=lambda f: (f.status != "open", f.due_on)),
            services=children[CaseService],
            notes=list(reversed(notes)),
            superseded=superseded,
            withdrawn_notes=withdrawn,
            grants=grants,
            case_sections=sections_for(case, current_user),
            names=_names(
                {n.author_id for n in notes} | {f.assignee_id for f in children[FollowUp]} | {g.user_id for g in grants}
            ),
        )
        context.update(page_forms(case, open_form, **given))
        context["row_forms"] = row_forms(
            context["consents"], context["followups"], context["services"], context["notes"], given.get("row_forms", {})
        )
    context["timeline"] = timeline(case) if full else []
    return context


def timeline(case: Case, limit: int = 100) -> list[dict]:
    """The case's history from the audit trail: action words, who and when; never detail values.

    Repeated entries in a row (the same person opening the case again and again on one day) become one
    line with a count: the owner still sees who looked and how often, in a few lines rather than a hundred."""
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.seq.desc()).limit(limit)
    ).all()
    names = _names({e.actor_id for e in entries})
    notes = _notes(entries)
    words: dict = {}  # each action's words looked up once
    lines: list[dict] = []
    for e in entries:
        key = (e.action, e.result)
        if key not in words:
            words[key] = describe(*key)
        what, note = words[key], notes.get((e.action, e.object_id))
        who, day = names.get(e.actor_id, "—"), clock.local_date(e.at)
        last = lines[-1] if lines else None
        if last and not note and not last["note"] and (last["what"], last["who"], last["day"]) == (what, who, day):
            last["count"] += 1
            continue
        lines.append({"at": e.at, "what": what, "who": who, "day": day, "count": 1, "note": note})
    return lines


def _notes(entries) -> dict:
    """(action, object id) -> the sealed text another area shows under that entry (timeline.NOTES)."""
    ids: dict[str, set] = {}
    for e in entries:
        if e.action in NOTES and e.result == "ok" and e.object_id:
            ids.setdefault(e.action, set()).add(e.object_id)
    return {(action, i): text for action, found in ids.items() for i, text in NOTES[action](sorted(found)).items()}


def _names(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    # Columns, not User objects: a name needs no roles, and loading accounts would load their roles too.
    rows = db.session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids)))
    return {row.id: row.display_name or row.username for row in rows}


def render_case(case: Case, panel: str | None = None, open_form: str | None = None, **given):
    """The case page, or just one panel when htmx asked for it."""
    target = htmx.target if htmx else None
    if target in PANELS and panel == target:
        # A panel shows every consent, follow-up, service or note of the case, not just the one changed: a read.
        context = case_context(case, **given)
        return render_template(f"cases/_{target.removeprefix('case-')}.html", **context)
    return render_template("cases/detail.html", **case_context(case, open_form=open_form, **given))
