"""Throttling counts before it checks: 40 wrong passwords sent at once let at most the configured number reach
the password check (counted with a patched verifier). On the database counter (SQLite, PostgreSQL with
TEST_DATABASE_URL) and on Redis when TEST_REDIS_URL is set."""

import os
import secrets
import threading

import helpers
import pytest

from app.auth import passwords

ATTEMPTS = 40


def _hammer(app, username: str, monkeypatch) -> tuple[int, dict]:
    checked = []
    lock = threading.Lock()
    original = passwords.verify_password

    def counting(password_hash, password):
        with lock:
            checked.append(password)
        return original(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    start = threading.Barrier(ATTEMPTS, timeout=30)
    statuses: dict = {}
    net = f"10.{secrets.randbelow(200) + 20}.{secrets.randbelow(250)}"

    def attempt(i):
        client = app.test_client()
        start.wait()
        response = client.post(
            "/auth/login",
            data={"username": username, "password": f"sai-mat-khau-{i:03d}"},
            environ_base={"REMOTE_ADDR": f"{net}.{i}"},
        )
        with lock:
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return len(checked), statuses


def _limit(app) -> int:
    return int(app.config["LOGIN_FAILURES_PER_ACCOUNT"].split()[0])


def test_40_concurrent_wrong_passwords_reach_the_check_at_most_the_limit(app, make_user, monkeypatch):
    user = make_user("counsellor", "TA-02")
    checked, statuses = _hammer(app, user.username, monkeypatch)
    assert statuses == {200: ATTEMPTS}, statuses
    assert checked <= _limit(app), f"{checked} of {ATTEMPTS} concurrent attempts reached the password check"
    assert checked >= 1


def test_a_right_password_gives_its_place_back(client, make_user, login, app):
    """Only failures use up the allowance: signing in more often than the limit is no lockout."""
    user = make_user("reporter", "03253")
    for _ in range(_limit(app) + 2):
        login(client, user)
        client.post("/auth/logout")


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="set TEST_REDIS_URL to run against Redis")
def test_40_concurrent_wrong_passwords_on_redis(tmp_path_factory, monkeypatch):
    from app.auth import services
    from app.extensions import db
    from app.units.queries import by_code

    config = helpers.app_config(tmp_path_factory, RATELIMIT_STORAGE_URI=os.environ["TEST_REDIS_URL"])
    redis_app = helpers.build_app(config)
    username = f"redis{secrets.token_hex(4)}"
    with redis_app.test_request_context():
        services.create_user(username, "mat-khau-kiem-thu-dai", role="counsellor", unit=by_code("TA-02"), actor="test")
        db.session.commit()
        db.session.remove()
    checked, statuses = _hammer(redis_app, username, monkeypatch)
    assert statuses == {200: ATTEMPTS}, statuses
    assert 1 <= checked <= _limit(redis_app), checked
    with redis_app.app_context():
        from app.auth.models import ThrottleCounter

        assert db.session.query(ThrottleCounter).count() == 0, "with Redis the database holds no counters"
        db.session.remove()
