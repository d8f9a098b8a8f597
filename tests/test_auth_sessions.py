"""Login, logout, idle and absolute expiry, revocation on disable and password change, session fixation."""

from datetime import timedelta

import sqlalchemy as sa
from helpers import PASSWORD

from app.extensions import db, utcnow


def _sessions(app, user_id):
    from app.auth.models import UserSession

    with app.app_context():
        rows = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user_id)).all()
        out = [(r.id, r.revoked_at, r.revoked_reason) for r in rows]
        db.session.remove()
        return out


def _age(app, user_id, **delta):
    from app.auth.models import UserSession

    with app.app_context():
        for r in db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user_id)):
            if "idle" in delta:
                r.last_seen_at = utcnow() - delta["idle"]
            if "absolute" in delta:
                r.created_at = utcnow() - delta["absolute"]
                r.last_seen_at = utcnow()
        db.session.commit()
        db.session.remove()


def _signed_in(client) -> bool:
    return client.get("/auth/account").status_code == 200


def test_login_then_logout_kills_the_cookie(client, make_user, login, app):
    user = make_user("counsellor", "03253")
    assert not _signed_in(client)
    login(client, user)
    assert _signed_in(client)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert client.post("/auth/logout").status_code == 302
    assert not _signed_in(client)
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    assert not _signed_in(other), "the old cookie must be dead after logout"
    [(sid, revoked, reason)] = _sessions(app, user.id)
    assert revoked is not None and reason == "logout"


def test_new_session_id_at_login(client, make_user, login, app):
    user = make_user("counsellor", "03253")
    client.get("/auth/login")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    before = cookie.value if cookie else None
    with client.session_transaction() as s:
        s["planted"] = "attacker"
    login(client, user)
    with client.session_transaction() as s:
        assert "planted" not in s, "the pre-login session must be dropped"
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value != before
    login(app.test_client(), user)
    ids = [sid for sid, _, _ in _sessions(app, user.id)]
    assert len(set(ids)) == 2


def test_idle_expiry_after_20_minutes(client, make_user, login, app):
    assert app.config["SESSION_IDLE"] == timedelta(minutes=20)
    user = make_user("counsellor", "03253")
    login(client, user)
    _age(app, user.id, idle=timedelta(minutes=19))
    assert _signed_in(client)
    _age(app, user.id, idle=timedelta(minutes=21))
    response = client.get("/auth/account")
    assert response.status_code == 302 and "/auth/login" in response.location
    assert not _signed_in(client)
    assert _sessions(app, user.id)[0][2] == "idle"


def test_absolute_expiry_after_10_hours(client, make_user, login, app):
    assert app.config["SESSION_ABSOLUTE"] == timedelta(hours=10)
    user = make_user("counsellor", "03253")
    login(client, user)
    _age(app, user.id, absolute=timedelta(hours=9, minutes=50))
    assert _signed_in(client)
    _age(app, user.id, absolute=timedelta(hours=10, minutes=1))
    assert not _signed_in(client)
    assert _sessions(app, user.id)[0][2] == "absolute"


def test_disable_revokes_sessions_at_once(make_user, login, app):
    from app.auth import services
    from app.auth.models import User

    user = make_user("counsellor", "03253")
    client = app.test_client()
    login(client, user)
    assert _signed_in(client)
    with app.app_context():
        services.set_active(db.session.get(User, user.id), False, actor="test")
        db.session.commit()
        db.session.remove()
    assert not _signed_in(client)
    assert all(revoked is not None for _, revoked, _ in _sessions(app, user.id))


def test_password_change_kills_other_sessions_on_the_very_next_request(make_user, login, app):
    user = make_user("counsellor", "03253")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    old_cookie = laptop.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    new = "mot-mat-khau-moi-rat-dai"
    response = laptop.post("/auth/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert not _signed_in(phone), "another device keeps working after a password change"
    assert _signed_in(laptop), "the device that changed the password goes on with a new session"
    stale = app.test_client()
    stale.set_cookie(app.config["SESSION_COOKIE_NAME"], old_cookie)
    assert not _signed_in(stale), "the old cookie of the changing device is dead too"


def test_expired_session_lands_on_login_with_a_message(client, make_user, login, app):
    user = make_user("counsellor", "03253")
    login(client, user)
    _age(app, user.id, idle=timedelta(hours=1))
    response = client.get("/auth/account", follow_redirects=True)
    assert response.status_code == 200
    assert "/auth/login" in response.request.path
