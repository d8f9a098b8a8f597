"""Production serving: gunicorn with the repository's gunicorn.conf.py, APP_CONFIG=production, PostgreSQL,
Redis for throttling, a key file of mode 0400 outside the app tree. A counsellor enrols TOTP, signs in,
sees a page and signs out, over real HTTP; the access log holds no query string and no person data.

The test plays nginx: it sends `X-Forwarded-Proto: https` (so the app sees the TLS connection nginx would
have terminated) and an `X-Request-ID`. Production cookies are `Secure` and `__Host-` prefixed: a browser
sends them back only over https, so this client, speaking plain http to 127.0.0.1 exactly as nginx does,
keeps the cookie jar itself and sends the cookies back by hand. It sends no Referer, like the pages'
`Referrer-Policy: no-referrer` makes every browser do.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
from http_support import Client, Response
from redis_support import REDIS_SERVER, redis_url

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "mat-khau-san-xuat-dai"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not TEST_DATABASE_URL,
        reason="TEST_DATABASE_URL is not set: production serving needs PostgreSQL (CI sets it in .ci/run)",
    ),
    pytest.mark.skipif(
        REDIS_SERVER is None,
        reason="redis-server is not installed: production throttling needs a "
        "Redis with a password (the test starts its own)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def schema_url():
    """A fresh PostgreSQL schema for this test only, dropped afterwards."""
    import sqlalchemy as sa

    url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"tc_prod_{secrets.token_hex(4)}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


@pytest.fixture
def production(tmp_path, schema_url, locked_redis):
    """Environment of a production install: secrets outside the app tree, key file 0400, Redis, PostgreSQL."""
    from app.crypto.keyring import load_or_create

    key_file = tmp_path / "keys" / "tincay-keys.json"
    key_file.parent.mkdir()
    load_or_create(str(key_file), create=True)
    key_file.chmod(0o400)
    from app.audit.anchor import create_signing_key

    create_signing_key(str(key_file.parent / "audit-signing.key"))
    env = {
        **os.environ,
        "APP_CONFIG": "production",
        "DATABASE_URL": schema_url,
        "TINCAY_KEY_FILE": str(key_file),
        "TINCAY_AUDIT_HEAD_SINK": str(tmp_path / "audit-heads.log"),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_STORAGE_URI": redis_url(locked_redis),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("FLASK_DEBUG", None)
    flask = str(Path(sys.executable).parent / "flask")
    setup = subprocess.run(
        [flask, "--app", "wsgi", "setup"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    add = subprocess.run(
        [
            flask,
            "--app",
            "wsgi",
            "users",
            "create",
            "tuvan.prod",
            "--role",
            "counsellor",
            "--unit",
            "TA-02",
            "--password-stdin",
        ],
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert add.returncode == 0, add.stderr
    return env


@pytest.fixture
def gunicorn(production, tmp_path):
    """gunicorn started with the repository's config file; stopped (by its own pid) afterwards."""
    port = _free_port()
    access_log = tmp_path / "access.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(tmp_path / "error.log"),
            "wsgi:app",
        ],
        cwd=ROOT,
        env=production,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Client(port)
    deadline = time.monotonic() + 60
    while True:
        try:
            if client.request("GET", "/healthz").status == 200:
                break
        except OSError:
            pass
        assert process.poll() is None, (tmp_path / "error.log").read_text()
        assert time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.3)
    yield client, access_log, tmp_path / "error.log"
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _sign_in(client: Client, totp: pyotp.TOTP | None, step_offset: int = 0) -> Response:
    token, _ = client.csrf("/auth/login?expired=1")
    response = client.request(
        "POST", "/auth/login", {"csrf_token": token, "username": "tuvan.prod", "password": PASSWORD}
    )
    assert response.status == 302, response.text[:300]
    if totp is None:
        return response
    assert response.location.endswith("/auth/totp")
    token, _ = client.csrf("/auth/totp")
    code = totp.at(time.time() + 30 * step_offset)
    return client.request("POST", "/auth/totp", {"csrf_token": token, "code": code})


def test_a_journey_through_gunicorn_in_production(gunicorn, production):
    client, access_log, error_log = gunicorn

    # Sign in: production requires a second factor, so a new counsellor enrols first.
    response = _sign_in(client, None)
    assert response.location.endswith("/auth/totp/setup"), response.location
    assert any("__Host-tincay=" in h and "Secure" in h and "HttpOnly" in h for h in client.set_cookie_headers)
    token, page = client.csrf("/auth/totp/setup")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    totp = pyotp.TOTP(secret)
    response = client.request("POST", "/auth/totp/setup", {"csrf_token": token, "code": totp.now()})
    # Enrolled: the ten recovery codes are shown once, on this answer, before going on.
    assert response.status == 200 and "Đã bật xác thực hai bước." in response.text, response.text[:300]

    # See a page.
    account = client.request("GET", "/auth/account")
    assert account.status == 200 and "tuvan.prod" in account.text
    assert account.headers["Cache-Control"] == "no-store"
    assert "max-age=" in account.headers["Strict-Transport-Security"]
    assert "script-src 'self'" in account.headers["Content-Security-Policy"]

    # Sign out: the session is over on the server.
    token, _ = client.csrf("/auth/account")
    assert client.request("POST", "/auth/logout", {"csrf_token": token}).status == 302
    assert client.request("GET", "/auth/account").location.endswith("/auth/login")

    # Sign in again with the code of the next time step (the enrolment's step is now spent).
    response = _sign_in(client, totp, step_offset=1)
    assert response.status == 302 and not response.location.endswith("/auth/totp"), response.text[:300]
    assert client.request("GET", "/auth/account").status == 200

    # A wrong password is counted in Redis, shared by every worker.
    client.cookies.clear()
    token, _ = client.csrf("/auth/login")
    refused = client.request(
        "POST", "/auth/login", {"csrf_token": token, "username": "tuvan.prod", "password": "sai-mat-khau-roi"}
    )
    assert refused.status == 200 and "không đúng" in refused.text
    import redis

    shared = redis.Redis.from_url(production["RATELIMIT_STORAGE_URI"])
    assert shared.keys("*login-fail*"), "throttling did not reach Redis"

    # The access log: one line per request, no query string, nothing typed, a request id on each.
    time.sleep(0.5)  # gunicorn writes the line after the response
    log = access_log.read_text()
    lines = log.strip().splitlines()
    assert len(lines) >= 12, log
    assert "?" not in log and "expired" not in log
    assert "tuvan.prod" not in log and PASSWORD not in log and secret not in log
    assert all(re.search(r" rid=[0-9a-f]{16}$", line) for line in lines if "/healthz" not in line), log
    assert 'method=POST path="/auth/login" status=302' in log
    assert "Traceback" not in error_log.read_text()
