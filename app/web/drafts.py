"""Drafts of forms cut short by the idle lock: kept encrypted on the server for the same user, restored once.

Before it locks an idle page, app.js posts the form that carries ``data-draft-url`` to that URL. The
typed values are sealed in a `FormDraft` (its own data key) for the user who typed them, and the next
time that user opens the same form the view fills it from the draft, which is deleted on use.

How a form opts in (two lines):

* template: ``<form method="post" data-draft-url="{{ url_for('drafts.save', form_key='case-intake') }}" …>``
  (the key names the form, plus an object id for edit forms: ``'case-edit-' ~ case.id``; never a name);
* so that a form sent after the session ran out is kept too, add ``<input type="hidden" name="_draft"
  value="case-intake">`` (the form must post to the address that shows it);
* view, on GET only: ``drafts.prefill(form, "case-intake")`` (pass ``obj=case`` for an edit form), or
  ``form = CaseIntakeForm(formdata=drafts.restore("case-intake"))``; the view then commits as usual.

Never opt in a form with a password or TOTP field.
"""

import re
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from .. import events
from ..audit import services as audit
from ..auth.permissions import permission_required
from ..crypto import casekeys
from ..crypto.records import schedule_destroy
from ..extensions import db, utcnow
from .models import FormDraft

bp = Blueprint("drafts", __name__, url_prefix="/drafts")

FORM_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
CASE_FORM_KEY = re.compile(r"^case-edit-([0-9a-f-]{36})$")  # a case's own form: its draft dies with the case
DEFAULT_LIFETIME = timedelta(days=3)  # long enough to come back after a weekend; deleted on first use anyway
MAX_PER_USER = 10  # one per form; a cap so that nobody can fill the table
NOT_KEPT = ("csrf_token", "_draft")
DRAFT_FIELD = "_draft"  # hidden field naming the form's draft key, so a form sent after the session ended is kept


@bp.post("/<form_key>")
@permission_required("account.self")
def save(form_key):
    """Keep the form being typed, encrypted, for when this user signs in again (posted by the idle lock)."""
    if not FORM_KEY.match(form_key):
        abort(404)
    save_draft(current_user._get_current_object(), form_key, request.form)
    return "", 204


def save_draft(user, form_key: str, formdata) -> FormDraft:
    """Store (or replace) the user's draft of one form."""
    now = utcnow()
    _purge_expired(now)
    draft = _find(user.id, form_key) or FormDraft(user_id=user.id, form_key=form_key, case_id=_case_of(form_key))
    draft.data = {name: formdata.getlist(name) for name in formdata if name not in NOT_KEPT}
    draft.created_at = now
    draft.expires_at = now + current_app.config.get("DRAFT_LIFETIME", DEFAULT_LIFETIME)
    db.session.add(draft)
    db.session.flush()
    _keep_newest(user.id)
    audit.record(user, "draft.save", draft, detail={"form": form_key})
    return draft


def keep_late_form(user_id: str) -> str | None:
    """A POST that arrived just after its session ran out of time: keep its form as the user's draft.

    Returns the page to come back to after signing in (the form's own address), "draft-endpoint" for the
    idle lock's own save, or None when there is nothing to keep (not a POST, or a form that does not opt in).
    """
    from ..auth.models import User

    if request.method != "POST":
        return None
    endpoint = request.endpoint == "drafts.save"
    form_key = (request.view_args or {}).get("form_key") if endpoint else request.form.get(DRAFT_FIELD)
    user = db.session.get(User, user_id)
    if not form_key or not FORM_KEY.match(form_key) or user is None or not user.active:
        return None
    save_draft(user, form_key, request.form)
    return "draft-endpoint" if endpoint else request.path


def restore(form_key: str) -> MultiDict | None:
    """The current user's draft of this form as form data, deleted now that it is used; None when there is none."""
    if not current_user.is_authenticated:
        return None
    now = utcnow()
    _purge_expired(now)
    draft = _find(current_user.id, form_key)
    if draft is None:
        return None
    data = MultiDict([(name, value) for name, values in (draft.data or {}).items() for value in values])
    audit.record(current_user, "draft.restore", draft, detail={"form": form_key})
    _delete(FormDraft.id == draft.id)
    flash(_l("Đã khôi phục nội dung bạn đang nhập trước khi phiên bị khóa. Hãy kiểm tra rồi lưu."), "info")
    return data


def prefill(form, form_key: str, **process_kwargs) -> bool:
    """Fill `form` from the user's draft of it (GET only); True when a draft was used."""
    data = restore(form_key)
    if data is None:
        return False
    form.process(formdata=data, **process_kwargs)
    return True


def _find(user_id: str, form_key: str) -> FormDraft | None:
    return db.session.scalar(
        select(FormDraft).where(
            FormDraft.user_id == user_id, FormDraft.form_key == form_key, FormDraft.expires_at > utcnow()
        )
    )


def _case_of(form_key: str) -> str | None:
    """The case a form key names, when that case exists and is not erased (a typed key links nothing else)."""
    match = CASE_FORM_KEY.match(form_key)
    if not match:
        return None
    return events.answer(events.case_is_live, match.group(1))  # the drafts know cases only by id


def _delete(condition) -> None:
    """Delete drafts; the store key of a draft not tied to a case is destroyed when the deletion commits."""
    for draft_id in db.session.scalars(select(FormDraft.id).where(condition, FormDraft.case_id.is_(None))):
        schedule_destroy(draft_id, casekeys.DRAFT)
    db.session.execute(delete(FormDraft).where(condition).execution_options(synchronize_session="fetch"))
    db.session.flush()


def discard_case_drafts(case_id: str) -> None:
    """Delete every draft typed on a case's forms (erasure): their key was the case's, destroyed with it."""
    db.session.execute(
        delete(FormDraft).where(FormDraft.case_id == case_id).execution_options(synchronize_session="fetch")
    )


def _purge_expired(now) -> None:
    _delete(FormDraft.expires_at <= now)


def _keep_newest(user_id: str) -> None:
    ids = db.session.scalars(
        select(FormDraft.id)
        .where(FormDraft.user_id == user_id)
        .order_by(FormDraft.created_at.desc())
        .offset(MAX_PER_USER)
    ).all()
    if ids:
        _delete(FormDraft.id.in_(ids))
