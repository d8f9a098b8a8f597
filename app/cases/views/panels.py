"""The panels of the case page: consent ledger, services, follow-ups and notes.

Each form posts to its own route; htmx swaps just the panel (its id is the hx-target), and without
JavaScript the route redirects back to the case page, or re-renders it with the message beside the field.
"""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ...auth.permissions import permission_required
from ...extensions import htmx
from ...services import ServiceError
from ...web.unit_of_work import attempt
from .. import services
from ..forms import (
    ConsentForm,
    FollowUpForm,
    FollowUpOutcomeForm,
    NoteForm,
    ServiceForm,
    ServiceStatusForm,
    WithdrawConsentForm,
)
from ..models import CaseNote, CaseService, Consent, FollowUp
from . import bp
from .common import blank_form, load_case, load_child, render_case, with_choices


def _done(case, panel: str, **forms):
    """After a change: the fresh panel for htmx, a redirect to the case page otherwise; with errors, the form."""
    if not forms:
        if htmx.target == panel:
            return render_case(case, panel)
        return redirect(url_for("cases.detail", case_id=case.id, _anchor=panel), 303)
    response = render_case(case, panel, **forms)
    return response


def _attempt(form, default_field: str, action) -> bool:
    """Run a service call for a valid form; put a refusal beside its field. True when it went through."""
    if not form.validate():
        return False
    try:
        with attempt():
            action()
    except ServiceError as exc:
        if exc.field and hasattr(form, exc.field):
            getattr(form, exc.field).errors.append(str(exc))
        else:  # about the row as a whole (e.g. already corrected): said at the top of the panel
            flash(str(exc), "error")
        return False
    return True


def _blank(case_id, name: str):
    """The empty "add" form of a panel, fetched when its <details> opens (see common.ADD_FORMS)."""
    case = load_case(case_id, "edit")
    return render_template(f"cases/_add_{name}.html", case=case, form=blank_form(case, name))


@bp.get("/<uuid:case_id>/consents/new")
@permission_required("case.edit")
def new_consent(case_id):
    """The form to record a consent."""
    return _blank(case_id, "consent")


@bp.get("/<uuid:case_id>/services/new")
@permission_required("case.edit")
def new_service(case_id):
    """The form to add a service."""
    return _blank(case_id, "service")


@bp.get("/<uuid:case_id>/followups/new")
@permission_required("case.edit")
def new_followup(case_id):
    """The form to schedule a follow-up."""
    return _blank(case_id, "followup")


@bp.post("/<uuid:case_id>/consents")
@permission_required("case.edit")
def add_consent(case_id):
    """Add an entry to the consent ledger."""
    case = load_case(case_id, "edit")
    form = with_choices(case, ConsentForm(prefix="consent"))
    data = dict(form.data, agency_id=form.agency_id.data or None)
    if _attempt(form, "purpose", lambda: services.record_consent(case, data, actor=current_user)):
        return _done(case, "case-consents")
    return _done(case, "case-consents", consent_form=form)


@bp.post("/<uuid:case_id>/consents/<uuid:consent_id>/withdraw")
@permission_required("case.edit")
def withdraw_consent(case_id, consent_id):
    """Record that a consent was withdrawn."""
    case = load_case(case_id, "edit")
    consent = load_child(Consent, consent_id, case)
    form = WithdrawConsentForm(prefix=f"withdraw-{consent.id}")
    if _attempt(
        form, "withdrawn_on", lambda: services.withdraw_consent(consent, actor=current_user, on=form.withdrawn_on.data)
    ):
        return _done(case, "case-consents")
    return _done(case, "case-consents", row_forms={consent.id: form})


@bp.post("/<uuid:case_id>/services")
@permission_required("case.edit")
def add_service(case_id):
    """Add a service to the case plan."""
    case = load_case(case_id, "edit")
    form = ServiceForm(prefix="service")
    if _attempt(form, "kind", lambda: services.add_service(case, form.data, actor=current_user)):
        return _done(case, "case-services")
    return _done(case, "case-services", service_form=form)


@bp.post("/<uuid:case_id>/services/<uuid:service_id>")
@permission_required("case.edit")
def update_service(case_id, service_id):
    """Change a service's status and dates."""
    case = load_case(case_id, "edit")
    service = load_child(CaseService, service_id, case)
    form = ServiceStatusForm(prefix=f"service-{service.id}")
    if _attempt(form, "status", lambda: services.update_service(service, form.data, actor=current_user)):
        return _done(case, "case-services")
    return _done(case, "case-services", row_forms={service.id: form})


@bp.post("/<uuid:case_id>/followups")
@permission_required("case.edit")
def schedule_followup(case_id):
    """Schedule a follow-up with a due date and an assignee."""
    case = load_case(case_id, "edit")
    form = with_choices(case, FollowUpForm(prefix="followup"))
    if _attempt(
        form,
        "due_on",
        lambda: services.schedule_followup(
            case, form.due_on.data, form.purpose.data, actor=current_user, assignee=form.assignee_id.data or None
        ),
    ):
        return _done(case, "case-followups")
    return _done(case, "case-followups", followup_form=form)


@bp.post("/<uuid:case_id>/followups/<uuid:followup_id>")
@permission_required("case.edit")
def complete_followup(case_id, followup_id):
    """Record the outcome of a follow-up, or cancel it."""
    case = load_case(case_id, "edit")
    followup = load_child(FollowUp, followup_id, case)
    form = FollowUpOutcomeForm(prefix=f"outcome-{followup.id}")
    if _attempt(
        form,
        "outcome",
        lambda: services.complete_followup(followup, form.outcome.data, actor=current_user, status=form.status.data),
    ):
        return _done(case, "case-followups")
    return _done(case, "case-followups", row_forms={followup.id: form})


@bp.post("/<uuid:case_id>/notes")
@permission_required("case.edit")
def add_note(case_id):
    """Append a note."""
    case = load_case(case_id, "edit")
    form = NoteForm(prefix="note")
    if _attempt(form, "body", lambda: services.add_note(case, form.body.data, actor=current_user)):
        return _done(case, "case-notes")
    return _done(case, "case-notes", note_form=form)


@bp.post("/<uuid:case_id>/notes/<uuid:note_id>")
@permission_required("case.edit")
def correct_note(case_id, note_id):
    """Correct a note: a new version supersedes it, the old one stays."""
    case = load_case(case_id, "edit")
    note = load_child(CaseNote, note_id, case)
    form = NoteForm(prefix=f"note-{note.id}")
    if _attempt(form, "body", lambda: services.correct_note(note, form.body.data, actor=current_user)):
        return _done(case, "case-notes")
    return _done(case, "case-notes", row_forms={note.id: form})


@bp.post("/<uuid:case_id>/notes/<uuid:note_id>/withdraw")
@permission_required("case.edit")
def withdraw_note(case_id, note_id):
    """Withdraw a note (after the in-page confirmation): it leaves the page, its text stays as history."""
    case = load_case(case_id, "edit")
    note = load_child(CaseNote, note_id, case)
    try:
        with attempt():
            services.withdraw_note(note, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
        return _done(case, "case-notes", row_forms={})
    return _done(case, "case-notes")
