"""Authentication under attack: TOTP guessing is throttled and a used code cannot be replayed; a session dies
on the very next request after logout, a password change, disabling the account or idling too long.

Old cookies are replayed on purpose: the browser forgets its cookie at logout, a thief who copied it does not.
"""

import time
from datetime import timedelta

import pyotp
import pytest
from reliability.support import PASSWORD, build_instance, make_user, query
from sqlalchemy import func, select

from app.extensions import db

PER_WINDOW, WINDOW = 10, 5
GUESSES = 2_000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return build_instance(
        tmp_path_factory.mktemp("sessions"),
        "sessions",
        LOGIN_FAILURES_PER_ACCOUNT=f"{PER_WINDOW} per {WINDOW} seconds",
        LOGIN_FAILURES_PER_IP="100000 per minute",
        LOGIN_ATTEMPTS_PER_IP="100000 per minute",
    )


def audit_results(app, action: str, actor_id: str) -> dict[str, int]:
    from app.audit.models import AuditEntry

    def count():
        return dict(
            db.session.execute(
                select(AuditEntry.result, func.count())
                .where(AuditEntry.action == action, AuditEntry.actor_id == actor_id)
                .group_by(AuditEntry.result)
            ).all()
        )

    return query(app, count)


def sign_in(client, username, password=PASSWORD):
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def wrong_codes(secret: str):
    """Six-digit codes that are not valid now or in the next minute (a guess must not win by luck)."""
    totp = pyotp.TOTP(secret)
    now = int(time.time() // 30)
    valid = {totp.generate_otp(step) for step in range(now - 2, now + 4)}
    n = 0
    while True:
        code = f"{(n * 7919) % 1_000_000:06d}"
        n += 1
        if code not in valid:
            yield code


def cookie_value(client) -> str:
    return client.get_cookie("tincay").value


def replay(client, value: str) -> None:
    client.set_cookie("tincay", value)


@pytest.mark.slow
@pytest.mark.timeout(600)  # minutes on a loaded machine; the suite's 300 s cap is for ordinary tests
def test_totp_guessing_is_throttled_audited_and_a_used_code_is_refused(app):
    user_id, username, secret = make_user(app, "counsellor", "TA-02", totp=True)
    client = app.test_client()
    assert sign_in(client, username).location.endswith("/auth/totp")

    started = time.monotonic()
    codes = wrong_codes(secret)
    for _ in range(GUESSES):
        response = client.post("/auth/totp", data={"code": next(codes)})
        assert response.status_code == 200
    elapsed = time.monotonic() - started
    results = audit_results(app, "auth.totp", user_id)
    assert results.get("failed", 0) + results.get("throttled", 0) == GUESSES, results  # every guess is audited
    assert PER_WINDOW <= results["failed"] <= PER_WINDOW * (int(elapsed // WINDOW) + 2), (results, elapsed)
    # While throttled, even the right code is refused: guessing cannot be finished off in the same window.
    while "quá nhiều lần" not in client.post("/auth/totp", data={"code": next(codes)}).get_data(as_text=True):
        pass  # (on a slow machine the last window may have ended: use it up again)
    code = pyotp.TOTP(secret).now()
    assert client.post("/auth/totp", data={"code": code}).status_code == 200
    assert client.get("/auth/account").status_code == 302

    time.sleep(WINDOW + 0.1)
    assert client.post("/auth/totp", data={"code": code}).status_code == 302
    assert client.get("/auth/account").status_code == 200

    # The same code again, in a new sign-in within its 30 seconds: refused as a replay, and audited.
    client.post("/auth/logout")
    other = app.test_client()
    sign_in(other, username)
    page = other.post("/auth/totp", data={"code": code})
    assert page.status_code == 200 and "đã được dùng" in page.get_data(as_text=True)
    assert other.get("/auth/account").status_code == 302
    assert audit_results(app, "auth.totp", user_id)["ok"] == 1
    print(
        f"\ntotp: {GUESSES} guesses in {elapsed:.1f} s, {results['failed']} checked, "
        f"{results['throttled']} throttled; replay refused"
    )


def test_old_cookie_is_dead_on_the_next_request_after_logout(app):
    _, username, _ = make_user(app, "counsellor", "TA-02")
    client = app.test_client()
    sign_in(client, username)
    stolen = cookie_value(client)
    assert client.get("/auth/account").status_code == 200
    client.post("/auth/logout")
    replay(client, stolen)
    assert client.get("/auth/account").status_code == 302
    htmx = client.get("/auth/account", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].endswith("/auth/login")


def test_password_change_ends_every_other_session_at_once(app):
    _, username, _ = make_user(app, "counsellor", "TA-02")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, username)
    sign_in(phone, username)
    stolen = cookie_value(laptop)
    new_password = "mat-khau-moi-rat-dai-2026"
    response = phone.post("/auth/password", data={"current": PASSWORD, "new": new_password, "confirm": new_password})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    assert laptop.get("/auth/account").status_code == 302
    replay(laptop, stolen)
    assert laptop.get("/auth/account").status_code == 302
    assert phone.get("/auth/account").status_code == 200  # the one who changed it carries on
    old_cookie_of_phone = cookie_value(phone)
    assert old_cookie_of_phone != stolen


def test_disabling_an_account_ends_its_sessions_on_the_next_request(app):
    user_id, username, _ = make_user(app, "counsellor", "TA-02")
    _, admin_name, _ = make_user(app, "admin", "11")
    victim, admin = app.test_client(), app.test_client()
    sign_in(victim, username)
    sign_in(admin, admin_name)
    assert victim.get("/auth/account").status_code == 200
    response = admin.post(f"/admin/users/{user_id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert victim.get("/auth/account").status_code == 302
    assert victim.post("/auth/login", data={"username": username, "password": PASSWORD}).status_code == 200


def test_idle_session_expires(tmp_path):
    app = build_instance(tmp_path, "idle", SESSION_IDLE=timedelta(seconds=1))
    _, username, _ = make_user(app, "counsellor", "TA-02")
    client = app.test_client()
    sign_in(client, username)
    assert client.get("/auth/account").status_code == 200
    time.sleep(1.3)
    assert client.get("/auth/account").status_code == 302
