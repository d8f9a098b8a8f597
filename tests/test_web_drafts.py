"""Form drafts saved by the idle lock: encrypted, for the same user only, restored once."""

from datetime import timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select
from wtforms import StringField

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db, utcnow
from app.web import drafts
from app.web.forms import BaseForm
from app.web.models import FormDraft

SECRET_WORDS = "Lò Thị Mai bị chồng đánh"


def _restore_as(app, user_id, form_key):
    with app.test_request_context():
        login_user(db.session.get(User, user_id))
        data = drafts.restore(form_key)
        db.session.commit()
        return data


def test_draft_is_saved_encrypted_and_restored_once(app, client, make_user, login):
    user = make_user("counsellor", "TA-02")
    login(client, user)
    response = client.post(
        "/drafts/case-intake",
        data={
            "full_name": "Lò Thị Mai",
            "narrative": SECRET_WORDS,
            "acts": ["physical", "economic"],
            "csrf_token": "x",
        },
    )
    assert response.status_code == 204
    with app.app_context():
        row = db.session.scalar(select(FormDraft))
        assert SECRET_WORDS.encode() not in row.data_enc and b"Mai" not in row.data_enc
        assert "csrf_token" not in row.data
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "draft.save" in actions
        assert SECRET_WORDS not in str(db.session.scalars(select(AuditEntry.detail)).all())

    data = _restore_as(app, user.id, "case-intake")
    assert data["narrative"] == SECRET_WORDS
    assert data.getlist("acts") == ["physical", "economic"]
    assert _restore_as(app, user.id, "case-intake") is None  # deleted once used


def test_saving_again_replaces_the_draft(app, client, make_user, login):
    user = make_user("counsellor", "TA-02")
    login(client, user)
    client.post("/drafts/case-intake", data={"narrative": "một"})
    client.post("/drafts/case-intake", data={"narrative": "hai"})
    with app.app_context():
        assert db.session.query(FormDraft).count() == 1
    assert _restore_as(app, user.id, "case-intake")["narrative"] == "hai"


def test_another_user_never_gets_the_draft(app, client, make_user, login):
    author = make_user("counsellor", "TA-02")
    other = make_user("counsellor", "TA-02")
    login(client, author)
    client.post("/drafts/case-intake", data={"narrative": SECRET_WORDS})
    assert _restore_as(app, other.id, "case-intake") is None
    assert _restore_as(app, author.id, "case-intake")["narrative"] == SECRET_WORDS


def test_expired_draft_is_not_restored(app, client, make_user, login):
    user = make_user("counsellor", "TA-02")
    login(client, user)
    client.post("/drafts/case-intake", data={"narrative": SECRET_WORDS})
    with app.app_context():
        row = db.session.scalar(select(FormDraft))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert _restore_as(app, user.id, "case-intake") is None
    with app.app_context():
        assert db.session.query(FormDraft).count() == 0  # purged


def test_prefill_fills_a_form_on_get(app, client, make_user, login):
    class NoteForm(BaseForm):
        body = StringField("Nội dung")

    user = make_user("counsellor", "TA-02")
    login(client, user)
    client.post("/drafts/case-note-1", data={"body": SECRET_WORDS})
    with app.test_request_context():
        login_user(db.session.get(User, user.id))
        form = NoteForm(meta={"csrf": False})
        assert drafts.prefill(form, "case-note-1") is True
        assert form.body.data == SECRET_WORDS
        assert drafts.prefill(NoteForm(meta={"csrf": False}), "case-note-1") is False


@pytest.mark.parametrize("key", ["Lò Thị Mai", "UPPER", "-leading", "x" * 81])
def test_form_keys_are_plain_ids(client, make_user, login, key):
    login(client, make_user("counsellor", "TA-02"))
    assert client.post(f"/drafts/{key}", data={"a": "b"}).status_code == 404


def test_drafts_need_a_session(client):
    response = client.post("/drafts/case-intake", data={"narrative": SECRET_WORDS})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_user_keeps_at_most_ten_drafts(app, client, make_user, login):
    login(client, make_user("counsellor", "TA-02"))
    for n in range(12):
        client.post(f"/drafts/form-{n}", data={"a": str(n)})
    with app.app_context():
        assert db.session.query(FormDraft).count() == drafts.MAX_PER_USER
