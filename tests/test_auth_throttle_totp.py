"""Throttling per account and per IP with the Vietnamese message; TOTP enrolment, login, replay, wrong code."""

import re

import pyotp

from app.extensions import db

THROTTLED = "Đăng nhập sai quá nhiều lần"


def _window_passes(app):
    from app.auth import throttle

    with app.app_context():
        throttle.reset()
        db.session.remove()


def _limit(app, key):
    return int(app.config[key].split()[0])


def _post(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/auth/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_account_throttle_then_the_real_user_gets_in_after_the_window(client, make_user, app):
    user = make_user("counsellor", "03253")
    for i in range(_limit(app, "LOGIN_FAILURES_PER_ACCOUNT")):
        r = _post(client, user.username, "wrong-password-x", ip=f"10.1.0.{i}")
        assert r.status_code == 200 and THROTTLED not in r.get_data(as_text=True)
    r = _post(client, user.username, user.password, ip="10.9.9.9")
    assert r.status_code in (200, 429)
    assert THROTTLED in r.get_data(as_text=True), "the right password must not get in while throttled"
    _window_passes(app)
    assert _post(client, user.username, user.password, ip="10.9.9.9").status_code == 302


def test_ip_throttle_across_accounts(client, make_user, app):
    user = make_user("counsellor", "03253")
    for i in range(_limit(app, "LOGIN_FAILURES_PER_IP")):
        _post(client, f"nobody{i}", "wrong-password-x", ip="10.2.0.1")
    r = _post(client, user.username, user.password, ip="10.2.0.1")
    assert r.status_code in (200, 429)
    assert "quá nhiều" in r.get_data(as_text=True)
    assert _post(app.test_client(), user.username, user.password, ip="10.2.0.2").status_code == 302


def test_totp_login_replay_and_wrong_code(client, make_user, login, app):
    user = make_user("counsellor", "03253", totp=True)
    r = login(client, user)
    assert r.location.endswith("/auth/totp")
    assert client.get("/auth/account").status_code == 302, "password alone must not open the account"
    code = pyotp.TOTP(user.totp_secret).now()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    r = client.post("/auth/totp", data={"code": wrong})
    assert r.status_code == 200 and "Mã xác thực không đúng" in r.get_data(as_text=True)
    assert client.post("/auth/totp", data={"code": code}).status_code == 302
    assert client.get("/auth/account").status_code == 200
    other = app.test_client()
    login(other, user)
    r = other.post("/auth/totp", data={"code": code})
    assert r.status_code == 200 and "đã được dùng" in r.get_data(as_text=True), "replayed code accepted"
    assert other.get("/auth/account").status_code == 302


def test_totp_enrolment_shows_an_inline_svg_and_enables_the_factor(client, make_user, login, app):
    from app.auth.models import User

    user = make_user("counsellor", "03253")
    login(client, user)
    page = client.get("/auth/totp/setup").get_data(as_text=True)
    assert "<svg" in page and "data:image" not in page
    with client.session_transaction() as s:
        secret = s["totp_pending_secret"]
    r = client.post("/auth/totp/setup", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert r.status_code == 200
    done = client.post("/auth/totp/setup", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Mã khôi phục" in done.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.totp_enabled and stored.totp_secret == secret
        db.session.remove()


def test_totp_required_for_person_data_roles_when_configured(client, make_user, login, app):
    counsellor = make_user("counsellor", "03253")
    reporter = make_user("reporter", "099")
    app.config["TOTP_REQUIRED"] = True
    try:
        assert login(client, counsellor).location.endswith("/auth/totp/setup")
        assert client.get("/auth/account").status_code == 302
        other = app.test_client()
        assert not login(other, reporter).location.endswith("/auth/totp/setup")
    finally:
        app.config["TOTP_REQUIRED"] = False
    from app.auth.models import User

    with app.app_context():
        assert db.session.get(User, counsellor.id).needs_totp(True)
        assert not db.session.get(User, counsellor.id).needs_totp(False)
        assert not db.session.get(User, reporter.id).needs_totp(True)
        db.session.remove()


def test_the_throttle_message_names_the_wait_left_in_a_configured_window(client, make_user, app, monkeypatch):
    """The message once said "15 phút" whatever the window, then the whole configured window: a user throttled
    20 minutes into a 30-minute window waits 10 minutes, and is told so."""
    import time
    from types import SimpleNamespace

    from app.auth import throttle

    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "3 per 30 minutes")
    window_start = int(time.time()) // 1800 * 1800
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: window_start + 20 * 60 + 5))
    user = make_user("counsellor", "03253")
    for i in range(3):
        _post(client, user.username, "wrong-password-x", ip=f"10.2.0.{i}")
    page = _post(client, user.username, user.password, ip="10.9.9.8").get_data(as_text=True)
    assert THROTTLED in page and re.search(r"\bđợi 10 phút\b", page), "10 of the 30 minutes are left"


def test_the_wait_left_is_read_from_a_shared_store_too(app, monkeypatch):
    """With Redis (production) the limiter's storage counts: the wait is what is left of its key's expiry."""
    import time

    from app.auth import throttle

    monkeypatch.setattr(throttle, "_in_database", lambda: False)
    limits = (("2 per 7 minutes", "test-wait-left"),)
    with app.test_request_context():
        throttle.reset()
        assert throttle.take(*limits) and throttle.take(*limits) and throttle.wait_seconds(*limits) == 0
        before = time.time()
        assert not throttle.take(*limits)
        assert 7 * 60 - (time.time() - before) - 2 <= throttle.wait_seconds(*limits) <= 7 * 60
        throttle.reset()
        db.session.remove()
