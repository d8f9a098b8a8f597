"""Device cookies (OWASP, ASVS V2.2.1): an attack that uses up an account's shared sign-in budget does not lock out
the owner's browser, which counts its failures under its own key; an unknown browser, a revoked token and another
account's token stay on the shared, exhausted budget. The database holds only the token's hash."""

import hashlib
import json
import re
import secrets
import time
from collections import namedtuple

import helpers
import pyotp
import pytest
from redis_support import REDIS_SERVER, redis_url
from sqlalchemy import select

from app.extensions import db

THROTTLED = "Đăng nhập sai quá nhiều lần"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
UserRecord = namedtuple("UserRecord", "id username password")


def _limit(app, key: str) -> int:
    return int(app.config[key].split()[0])


def _post(client, username, password, ip):
    return client.post(
        "/auth/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def _device_cookie(response, app) -> str | None:
    """The device cookie's Set-Cookie header of a response, if it set one."""
    name = app.config["DEVICE_COOKIE_NAME"]
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")), None)


def _tokens(client, app) -> list[str]:
    cookie = client.get_cookie(app.config["DEVICE_COOKIE_NAME"], path="/auth/")
    return cookie.value.split(".") if cookie else []


def _sign_in(client, user, app, ip="10.20.0.1"):
    response = _post(client, user.username, user.password, ip)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def _attack(app, username: str, attempts: int) -> None:
    """Wrong passwords from a browser without any device cookie, each from its own address."""
    attacker = app.test_client()
    for i in range(attempts):
        r = _post(attacker, username, f"doan-sai-{i:04d}", ip=f"10.66.{i // 250}.{i % 250}")
        assert r.status_code == 200


def _devices(app, user_id: str):
    from app.auth.models import KnownDevice

    with app.app_context():
        rows = db.session.scalars(select(KnownDevice).where(KnownDevice.user_id == user_id)).all()
        out = [(d.id, d.token_hash, d.revoked_reason) for d in rows]
        db.session.remove()
    return out


def _audited(app, action: str, user_id: str) -> list[dict]:
    from app.audit.models import AuditEntry

    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object_id == user_id)
        ).all()
        out = [json.loads(r.detail or "{}") for r in rows]
        db.session.remove()
    return out


def _owner_survives_attack(app, user):
    """The shared proof, for the database and the Redis throttle: the owner's browser gets in, others do not."""
    owner = app.test_client()
    _sign_in(owner, user, app)
    assert len(_tokens(owner, app)) == 1
    owner.post("/auth/logout")
    _attack(app, user.username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 5)
    # An unknown browser with the right password stays throttled.
    stranger = _post(app.test_client(), user.username, user.password, ip="10.30.0.1")
    assert stranger.status_code == 200 and THROTTLED in stranger.get_data(as_text=True)
    # The owner's browser: a typo counts on its own budget, then the right password gets in.
    typo = _post(owner, user.username, "khong-dung-mat-khau", ip="10.20.0.2")
    assert typo.status_code == 200 and THROTTLED not in typo.get_data(as_text=True)
    _sign_in(owner, user, app, ip="10.20.0.3")


def test_an_attack_on_the_account_does_not_lock_out_the_owners_browser(app, make_user):
    user = make_user("reporter", "TA-02")
    _owner_survives_attack(app, user)
    assert len(_audited(app, "auth.device_issue", user.id)) == 1  # issued once, then reused


def test_the_device_cookie_is_set_after_the_second_factor_only_and_then_helps_at_both_steps(app, make_user):
    user = make_user("counsellor", "TA-02", totp=True)
    owner = app.test_client()
    first = _post(owner, user.username, user.password, "10.20.0.1")
    assert first.status_code == 302 and _device_cookie(first, app) is None  # the password alone earns no device
    done = owner.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).at(time.time() - 30)})
    assert done.status_code == 302 and _device_cookie(done, app) is not None
    owner.post("/auth/logout")
    _attack(app, user.username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 2)
    again = _post(owner, user.username, user.password, "10.20.0.2")
    assert again.status_code == 302, again.get_data(as_text=True)[:300]
    wrong = owner.post("/auth/totp", data={"code": "000000" if pyotp.TOTP(user.totp_secret).now() != "000000" else "1"})
    assert THROTTLED not in wrong.get_data(as_text=True) and "quá nhiều lần" not in wrong.get_data(as_text=True)
    assert owner.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302


def test_a_token_revoked_by_a_password_change_does_not_help(app, make_user):
    from app.auth import services
    from app.auth.models import User

    user = make_user("reporter", "TA-02")
    owner = app.test_client()
    _sign_in(owner, user, app)
    owner.post("/auth/logout")
    new_password = "mat-khau-moi-rat-dai-2026"
    with app.test_request_context():
        services.set_password(db.session.get(User, user.id), new_password, actor="test")
        db.session.commit()
        db.session.remove()
    assert [reason for _, _, reason in _devices(app, user.id)] == ["password_change"]
    assert _revocations(app, user.id) == [{"reason": "password_change", "sessions": 0, "devices": 1}]
    _attack(app, user.username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 1)
    r = _post(owner, user.username, new_password, ip="10.20.0.5")
    assert r.status_code == 200 and THROTTLED in r.get_data(as_text=True)


def test_disabling_and_a_credential_reset_revoke_every_device(app, make_user):
    from app.auth import services, setup_links
    from app.auth.models import User

    user = make_user("reporter", "TA-02")
    for i in range(2):  # two browsers
        _sign_in(app.test_client(), user, app, ip=f"10.20.1.{i}")
    with app.test_request_context():
        services.set_active(db.session.get(User, user.id), False, actor="test")
        db.session.commit()
        db.session.remove()
    assert sorted(reason for _, _, reason in _devices(app, user.id)) == ["disabled", "disabled"]

    other = make_user("reporter", "TA-02")
    _sign_in(app.test_client(), other, app)
    with app.test_request_context():
        setup_links.reset_second_factor(db.session.get(User, other.id), actor="test")
        db.session.commit()
        db.session.remove()
    assert [reason for _, _, reason in _devices(app, other.id)] == ["second_factor_reset"]

    third = make_user("reporter", "TA-02")
    _sign_in(app.test_client(), third, app)
    with app.test_request_context():
        setup_links.reset_credentials(db.session.get(User, third.id), actor="test", reason="credentials_reset")
        db.session.commit()
        db.session.remove()
    assert [reason for _, _, reason in _devices(app, third.id)] == ["credentials_reset"]


def _revocations(app, user_id: str) -> list[dict]:
    """The account's one-entry revocations (auth.access_revoke), without the address tag every entry has."""
    return [{k: v for k, v in d.items() if k != "ip"} for d in _audited(app, "auth.access_revoke", user_id)]


def _as_service(app, change) -> None:
    """Run a service call as a request would and commit it."""
    with app.test_request_context():
        change()
        db.session.commit()
        db.session.remove()


def _attacked_and_refused(app, browser, user, ip) -> None:
    """After an attack on the account's shared budget, this browser with the right password stays throttled."""
    _attack(app, user.username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 1)
    r = _post(browser, user.username, user.password, ip=ip)
    assert r.status_code == 200 and THROTTLED in r.get_data(as_text=True)


def test_removing_a_role_revokes_every_device_in_one_audited_entry_of_counts(app, make_user):
    from app.auth import services
    from app.auth.models import RoleAssignment, User
    from app.units.queries import by_code

    user = make_user("reporter", "TA-02")
    browsers = [app.test_client() for _ in range(2)]
    for i, browser in enumerate(browsers):
        _sign_in(browser, user, app, ip=f"10.20.5.{i}")  # two sessions, two remembered browsers
    browsers[0].post("/auth/logout")  # a normal sign-out keeps the cookie (OWASP): one session left

    def withdraw():
        owner = db.session.get(User, user.id)
        services.remove_role(db.session.scalars(select(RoleAssignment).filter_by(user_id=owner.id)).one(), actor="test")

    _as_service(app, withdraw)
    assert [reason for _, _, reason in _devices(app, user.id)] == ["role_change", "role_change"]
    (entry,) = _revocations(app, user.id)
    assert entry == {"reason": "role_change", "sessions": 1, "devices": 2}  # counts only: no id, no hash
    # Access given back: the revoked token still gives no exemption.
    _as_service(
        app, lambda: services.assign_role(db.session.get(User, user.id), "reporter", by_code("TA-02"), actor="test")
    )
    _attacked_and_refused(app, browsers[0], user, ip="10.20.5.9")


def test_a_token_revoked_at_disable_gives_nothing_after_enabling_again(app, make_user):
    from app.auth import services
    from app.auth.models import User

    user = make_user("reporter", "TA-02")
    owner = app.test_client()
    _sign_in(owner, user, app)
    owner.post("/auth/logout")
    _as_service(app, lambda: services.set_active(db.session.get(User, user.id), False, actor="test"))
    _as_service(app, lambda: services.set_active(db.session.get(User, user.id), True, actor="test"))
    assert _revocations(app, user.id) == [{"reason": "disabled", "sessions": 0, "devices": 1}]
    assert _audited(app, "auth.device_revoke", user.id) == []  # one entry for the whole revocation
    _attacked_and_refused(app, owner, user, ip="10.20.6.1")


def test_setting_credentials_by_the_second_persons_link_revokes_every_device(app, make_user):
    from app.auth import setup_links
    from app.auth.models import User

    user = make_user("reporter", "TA-02")
    owner = app.test_client()
    _sign_in(owner, user, app)
    owner.post("/auth/logout")
    secret = pyotp.random_base32()

    def by_link():
        token = setup_links.issue(db.session.get(User, user.id), actor="test")
        link = setup_links.find(token)
        assert link is not None
        setup_links.complete(link, "mat-khau-moi-qua-duong-dan", secret, pyotp.TOTP(secret).now())

    _as_service(app, by_link)
    assert [reason for _, _, reason in _devices(app, user.id)] == ["credential_setup"]
    assert _revocations(app, user.id) == [{"reason": "credential_setup", "sessions": 0, "devices": 1}]


def test_a_token_of_another_account_does_not_help(app, make_user):
    mine, target = make_user("reporter", "TA-02"), make_user("reporter", "TA-02")
    browser = app.test_client()
    _sign_in(browser, mine, app)
    browser.post("/auth/logout")
    _attack(app, target.username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 1)
    r = _post(browser, target.username, target.password, ip="10.20.0.6")
    assert r.status_code == 200 and THROTTLED in r.get_data(as_text=True)


def test_a_device_that_uses_up_its_own_budget_is_revoked_and_falls_back(app, make_user):
    user = make_user("reporter", "TA-02")
    owner = app.test_client()
    _sign_in(owner, user, app)
    owner.post("/auth/logout")
    for i in range(_limit(app, "LOGIN_FAILURES_PER_DEVICE")):
        r = _post(owner, user.username, f"sai-{i}-mat-khau", ip=f"10.21.0.{i}")
        assert THROTTLED not in r.get_data(as_text=True)
    r = _post(owner, user.username, user.password, ip="10.21.1.1")
    assert THROTTLED in r.get_data(as_text=True), "the device's own budget is used up"
    assert [reason for _, _, reason in _devices(app, user.id)] == ["throttled"]
    assert any(d.get("reason") == "throttled" for d in _audited(app, "auth.device_revoke", user.id))
    # The shared budget was untouched by the device's failures: the same browser now gets in on it.
    _sign_in(owner, user, app, ip="10.21.1.2")
    assert sorted(str(reason) for _, _, reason in _devices(app, user.id)) == ["None", "throttled"]


def test_a_shared_computer_keeps_one_token_per_account_bounded(app, make_user):
    bound = app.config["DEVICE_TOKENS_PER_BROWSER"]
    users = [make_user("reporter", "TA-02") for _ in range(bound + 1)]
    browser = app.test_client()
    for user in users:
        _sign_in(browser, user, app)
        browser.post("/auth/logout")
    _sign_in(browser, users[-1], app)  # again: the same token, no second one
    browser.post("/auth/logout")
    tokens = _tokens(browser, app)
    assert len(tokens) == bound and len(set(tokens)) == bound
    assert [reason for _, _, reason in _devices(app, users[0].id)] == ["evicted"]  # the oldest was pushed out
    for user in users[1:]:
        assert [reason for _, _, reason in _devices(app, user.id)] == [None]
    # Each account still held gets in past an attack on it.
    _attack(app, users[1].username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 1)
    _sign_in(browser, users[1], app, ip="10.20.2.1")


def test_the_database_and_the_audit_hold_only_the_hash(app, make_user):
    user = make_user("reporter", "TA-02")
    browser = app.test_client()
    _sign_in(browser, user, app)
    (token,) = _tokens(browser, app)
    assert TOKEN.match(token)
    with app.app_context():
        conn = db.session.connection()
        rows = conn.exec_driver_sql("SELECT * FROM known_device").fetchall()
        audit_rows = conn.exec_driver_sql("SELECT * FROM audit_entry").fetchall()
        db.session.remove()
    mine = [r for r in rows if user.id in [str(v) for v in r]]
    assert len(mine) == 1
    assert hashlib.sha256(token.encode()).hexdigest() in [str(v) for v in mine[0]]
    for row in [*rows, *audit_rows]:
        assert not any(token in str(value) for value in row), "the raw token is stored"


def test_the_cookie_flags(app, make_user, monkeypatch):
    user = make_user("reporter", "TA-02")
    header = _device_cookie(_sign_in(app.test_client(), user, app), app)
    assert header is not None
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    assert flags["path"] == "Path=/auth/"
    assert "httponly" in flags
    assert flags["samesite"] == "SameSite=Strict"
    assert flags["max-age"] == f"Max-Age={90 * 24 * 3600}"
    assert "secure" not in flags  # the testing config serves plain http, like its session cookie
    monkeypatch.setitem(app.config, "DEVICE_COOKIE_SECURE", True)
    header = _device_cookie(_sign_in(app.test_client(), user, app), app)
    assert header is not None and re.search(r";\s*Secure\b", header)

    from app.config import ProductionConfig

    assert ProductionConfig.DEVICE_COOKIE_SECURE and ProductionConfig.DEVICE_COOKIE_NAME.startswith("__Secure-")


def test_a_forged_or_malformed_cookie_is_ignored(app, make_user):
    user = make_user("reporter", "TA-02")
    browser = app.test_client()
    browser.set_cookie(app.config["DEVICE_COOKIE_NAME"], "x" * 43 + "..;'" + "A" * 500, path="/auth/")
    _attack(app, user.username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 1)
    r = _post(browser, user.username, user.password, ip="10.20.3.1")
    assert r.status_code == 200 and THROTTLED in r.get_data(as_text=True)


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_the_owners_browser_gets_in_past_an_attack_on_redis(locked_redis, tmp_path_factory):
    from app.auth import services
    from app.extensions import limiter
    from app.units.queries import by_code

    saved = (limiter._storage, limiter._limiter)  # one limiter per process: give the other tests theirs back
    try:
        config = helpers.app_config(tmp_path_factory, RATELIMIT_STORAGE_URI=redis_url(locked_redis))
        redis_app = helpers.build_app(config)
        username = f"redisdev{secrets.token_hex(4)}"
        with redis_app.test_request_context():
            created = services.create_user(
                username, "mat-khau-kiem-thu-dai", role="reporter", unit=by_code("TA-02"), actor="test"
            )
            db.session.commit()
            record = UserRecord(created.id, username, "mat-khau-kiem-thu-dai")
            db.session.remove()
        _owner_survives_attack(redis_app, record)
        import redis

        keys = [k.decode() for k in redis.Redis.from_url(redis_url(locked_redis)).keys("*")]
        assert any("login-fail:dev:" in k for k in keys), keys
        with redis_app.app_context():
            from app.auth.models import ThrottleCounter

            assert db.session.query(ThrottleCounter).count() == 0
            db.session.remove()
    finally:
        limiter._storage, limiter._limiter = saved


def test_a_device_past_its_lifetime_does_not_help_and_is_replaced(app, make_user):
    from sqlalchemy import update

    from app.auth.models import KnownDevice
    from app.extensions import utcnow

    user = make_user("reporter", "TA-02")
    owner = app.test_client()
    _sign_in(owner, user, app)
    owner.post("/auth/logout")
    with app.app_context():
        old = utcnow() - app.config["DEVICE_LIFETIME"]
        db.session.execute(update(KnownDevice).where(KnownDevice.user_id == user.id).values(created_at=old))
        db.session.commit()
        db.session.remove()
    _attack(app, user.username, _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") + 1)
    r = _post(owner, user.username, user.password, ip="10.20.4.1")
    assert r.status_code == 200 and THROTTLED in r.get_data(as_text=True)
    from app.auth import throttle

    with app.app_context():
        throttle.reset()  # the window passes
        db.session.remove()
    _sign_in(owner, user, app, ip="10.20.4.2")
    assert [reason for _, _, reason in _devices(app, user.id)] == [None]  # a new one; the expired row is gone
