"""A second-factor-only reset (issue 14, item 1 leftover): a case reader lost their phone and their recovery codes.

An administrator asks; nothing changes until a supervisor of the reader's unit (the province reviewer for a
province role) approves with their own fresh second factor. Then the old authenticator and codes stop working,
the password stays, and the reader enrols a new authenticator through a one-time link that only the approver
saw — giving their own password there, so the link alone enrols nothing. Signing in with the password alone
cannot enrol one either. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
from test_auth_separation import _approve, _link_from, _pending, _query, _reads_case, _with_totp

from app.extensions import db


@pytest.fixture
def admin_side(app, make_user, login):
    return _with_totp(app, make_user, login, "admin", "11", "10.60.9.1")


@pytest.fixture
def supervisor_side(app, make_user, login):
    """A supervisor of commune 03295, whose subtree holds TA-02."""
    return _with_totp(app, make_user, login, "supervisor", "03295", "10.60.9.2")


@pytest.fixture
def province_side(app, make_user, login):
    return _with_totp(app, make_user, login, "district_reviewer", "11", "10.60.9.3")


@pytest.fixture
def reader(app, make_user):
    """A counsellor of TA-02 with an authenticator: the phone that will be lost."""
    return make_user("counsellor", "TA-02", totp=True)


def _client(app, address="10.60.0.9"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _sign_in(app, user, code: str | None):
    """Password, then (if asked) the code; the client and whether it is fully signed in."""
    client = _client(app)
    first = client.post("/auth/login", data={"username": user.username, "password": user.password})
    if first.status_code != 302:
        return client, False, first.get_data(as_text=True)
    if "/auth/totp" in first.headers["Location"]:
        second = client.post("/auth/totp", data={"code": code or ""})
        return client, second.status_code == 302, second.get_data(as_text=True)
    return client, True, ""


def _next_code(secret: str) -> str:
    """A code of the next time step (a code of the step just used would be a replay)."""
    return pyotp.TOTP(secret).at(datetime.now(UTC), counter_offset=1)


def _user(app, user_id):
    from app.auth.models import User

    return _query(app, lambda: db.session.get(User, user_id))


def _request(app, admin_client, user_id) -> str:
    response = admin_client.post(f"/admin/users/{user_id}/second-factor")
    assert response.status_code == 303
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cần người thứ hai phê duyệt" in page
    [approval_id] = _pending(app, "second_factor_reset")
    return approval_id


def test_an_administrator_alone_cannot_reset_a_second_factor(app, admin_side, reader):
    from app.approvals import services as approvals
    from app.approvals.models import ApprovalRequest
    from app.auth.models import User

    admin_user, admin_client = admin_side
    approval_id = _request(app, admin_client, reader.id)
    # Nothing changed: the reader's authenticator still works, and no link exists anywhere.
    assert _sign_in(app, reader, pyotp.TOTP(reader.totp_secret).now())[1]
    assert _user(app, reader.id).totp_enabled
    # The administrator cannot approve it: the page is not theirs, and the service refuses whoever asks.
    assert admin_client.get(f"/approvals/{approval_id}").status_code in (403, 404)
    assert admin_client.post(f"/approvals/{approval_id}", data={"decision": "approve"}).status_code in (403, 404)
    with app.test_request_context():
        row = db.session.get(ApprovalRequest, approval_id)
        with pytest.raises(approvals.ServiceError):
            approvals.decide(row, True, actor=db.session.get(User, admin_user.id))
        db.session.rollback()
        db.session.remove()
    assert _pending(app, "second_factor_reset") == [approval_id]
    assert "/auth/setup/" not in admin_client.get("/admin/approvals").get_data(as_text=True)
    # Nor may the reader's own unit colleague who is not a supervisor_side, nor the reader ask for their own.
    own_client = _sign_in(app, reader, _next_code(reader.totp_secret))[0]
    assert own_client.get(f"/approvals/{approval_id}").status_code in (403, 404)


def test_after_approval_the_old_authenticator_is_dead_and_the_link_enrols_a_new_one(
    app, admin_side, supervisor_side, reader, case_id
):
    _, admin_client = admin_side
    approval_id = _request(app, admin_client, reader.id)
    _, sup_client = supervisor_side
    link = _link_from(_approve(sup_client, approval_id))
    assert "/auth/setup/" not in admin_client.get("/admin/approvals").get_data(as_text=True)

    # The old authenticator and recovery codes are gone; the password alone opens nothing and enrols nothing.
    stored = _user(app, reader.id)
    assert not stored.totp_enabled and stored.totp_secret is None and stored.totp_by_link
    client, ok, page = _sign_in(app, reader, pyotp.TOTP(reader.totp_secret).now())
    assert not ok and "đã được đặt lại" in page
    assert client.get("/auth/totp/setup").status_code == 302  # no session to enrol from

    # The link asks for the owner's password: the approver, who saw the link, cannot enrol a phone of theirs.
    owner = _client(app, "10.60.1.1")
    assert owner.get(link).status_code == 200
    with owner.session_transaction() as s:
        secret = s["setup_pending"]["secret"]
    wrong = owner.post(link, data={"password": "khong-phai-mat-khau", "code": pyotp.TOTP(secret).now()})
    assert wrong.status_code == 200 and "Mật khẩu không đúng" in wrong.get_data(as_text=True)
    done = owner.post(link, data={"password": reader.password, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "mã khôi phục" in done.get_data(as_text=True).lower()

    # The old code fails, the new one works, the password is the same, and the reader reads their case again.
    assert not _sign_in(app, reader, pyotp.TOTP(reader.totp_secret).now())[1]
    client, ok, _ = _sign_in(app, reader, _next_code(secret))
    assert ok and _reads_case(client, case_id)
    from app.audit.models import AuditEntry

    actions = _query(
        app,
        lambda: set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == reader.id)).all()),
    )
    assert {"user.second_factor_reset", "auth.setup_link_use"} <= actions


def test_the_link_is_single_use_and_expires(app, admin_side, supervisor_side, reader, monkeypatch):
    _, admin_client = admin_side
    _, sup_client = supervisor_side
    link = _link_from(_approve(sup_client, _request(app, admin_client, reader.id)))
    owner = _client(app, "10.60.2.2")
    owner.get(link)
    with owner.session_transaction() as s:
        secret = s["setup_pending"]["secret"]
    assert owner.post(link, data={"password": reader.password, "code": pyotp.TOTP(secret).now()}).status_code == 200
    assert owner.get(link).status_code == 404, "used once"

    # A second reset: the link is left 48 hours and a minute, then tried.
    second = _link_from(_approve(sup_client, _request(app, admin_client, reader.id)))
    from app.auth import setup_links

    real = setup_links.utcnow
    monkeypatch.setattr(setup_links, "utcnow", lambda: real() + timedelta(hours=48, minutes=1))
    assert _client(app, "10.60.3.3").get(second).status_code == 404, "expired"
    monkeypatch.undo()
    assert not _sign_in(app, reader, _next_code(secret))[1], "and the password alone still does not sign in"


def test_a_province_role_is_approved_by_the_province_reviewer_not_a_supervisor(
    app, admin_side, supervisor_side, province_side, make_user
):
    reviewer = make_user("district_reviewer", "11", totp=True)
    _, admin_client = admin_side
    approval_id = _request(app, admin_client, reviewer.id)
    _, sup_client = supervisor_side
    assert sup_client.get(f"/approvals/{approval_id}").status_code in (403, 404)
    _, province_client = province_side
    assert "/auth/setup/" in _approve(province_client, approval_id).get_data(as_text=True)
    assert not _user(app, reviewer.id).totp_enabled


def test_a_link_for_a_new_authenticator_does_not_set_a_password(app, admin_side, supervisor_side, reader):
    """The two kinds of link are not interchangeable: a full setup form posted to a second-factor link fails."""
    _, admin_client = admin_side
    _, sup_client = supervisor_side
    link = _link_from(_approve(sup_client, _request(app, admin_client, reader.id)))
    owner = _client(app, "10.60.4.4")
    owner.get(link)
    with owner.session_transaction() as s:
        secret = s["setup_pending"]["secret"]
    chosen = "mot-mat-khau-moi-hoan-toan"
    page = owner.post(link, data={"password": chosen, "confirm": chosen, "code": pyotp.TOTP(secret).now()})
    assert "Mật khẩu không đúng" in page.get_data(as_text=True)
    from app.auth.passwords import verify_password

    assert verify_password(_user(app, reader.id).password_hash, reader.password)
