"""A province's serving: TWO gunicorn instances (production config, gunicorn.conf.py) behind the example nginx
site (deploy/nginx) with both in its upstream, sharing one PostgreSQL and one Redis with a password.

1. State is shared, not per instance: a session made through instance A is valid on B and ended on A by a sign-out
   on B; a second-factor code spent on A is refused on B; failed sign-ins through A and through B add up to the
   one account limit (Redis).
2. One instance is killed mid-run: locust, in its own process, signs in several users through nginx and walks the
   case list, a case page, the work queue and the referral inbox for ~20 s; once all are signed in and walking
   (at most 12 s in), every process of instance A gets SIGKILL (a crash, not a graceful stop). No request may
   fail but those in flight at the kill, and the load goes on through B (nginx `proxy_next_upstream error
   timeout` resends an idempotent request whose instance died). With `proxy_next_upstream off` in the site this
   fails: requests sent to the dead instance after the kill answer 502.

Slow (~45 s: setup, seed, two servers, 20 s of load) and skipped without PostgreSQL, redis-server, nginx or
locust. Run: `TEST_DATABASE_URL=postgresql://… .venv/bin/python -m pytest -m slow tests/test_prod_cluster.py`.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
from http_support import Client
from nginx_support import HOST, NGINX, NOT_INSTALLED, free_port, start_site, stop
from redis_support import REDIS_SERVER, redis_url, running_locked_redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
LOCUST = shutil.which("locust", path=str(BIN)) or shutil.which("locust")
PASSWORD = "mat-khau-cum-may-chu-dai"
LOAD_SECONDS = 20
KILL_BY = 12

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="TEST_DATABASE_URL is not set: two instances share PostgreSQL"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed: two instances share one Redis"),
    pytest.mark.skipif(NGINX is None, reason=NOT_INSTALLED),
    pytest.mark.skipif(LOCUST is None, reason="locust is not installed (requirements-dev.lock): no load tool"),
]

# The load: four counsellors walk their cases and work queue, two agency officers their referral inbox.
LOAD_ACCOUNTS = [
    *({"username": f"tuvan.tai{n}", "role": "counsellor", "unit": "TA-02"} for n in range(1, 5)),
    *({"username": f"coquan.tai{n}", "role": "agency_officer", "unit": "AG-SYT-11"} for n in range(1, 3)),
]
SHARED = {"username": "tuvan.chung", "role": "counsellor", "unit": "TA-02"}
THROTTLED = {"username": "tuvan.khoa", "role": "counsellor", "unit": "TA-02"}
PAGES = {"counsellor": ["case list", "case page", "work queue"], "agency_officer": ["referral inbox"]}

ACCOUNTS_SCRIPT = """
import json, sys
from sqlalchemy import select
from app import create_app
from app.auth import services
from app.auth.models import User
from app.extensions import db, transaction
from app.units.queries import by_code

app = create_app()
with app.app_context(), transaction():
    for account in json.load(sys.stdin):
        user = services.create_user(
            account["username"], account["password"], role=account["role"], unit=by_code(account["unit"]), actor="cli"
        )
        user.totp_secret = account["totp"]
        user.totp_enabled = True
"""


def _run(args, env, stdin=None):
    done = subprocess.run(args, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _start_gunicorn(env: dict, folder: Path, name: str) -> dict:
    port = free_port()
    log = folder / f"{name}-access.log"
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            str(log),
            "--error-logfile",
            str(folder / f"{name}-error.log"),
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the master and its workers are killed together
    )
    return {"port": port, "process": process, "access_log": log, "error_log": folder / f"{name}-error.log"}


def _wait_healthy(instance: dict) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if Client(instance["port"]).request("GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        assert instance["process"].poll() is None, instance["error_log"].read_text()
        assert time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.3)


def _kill_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    import sqlalchemy as sa

    from app.audit.anchor import create_signing_key
    from app.crypto.keyring import load_or_create

    folder = tmp_path_factory.mktemp("cluster")
    url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"tc_cluster_{secrets.token_hex(4)}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    instances: list[dict] = []
    site = None
    try:
        with running_locked_redis(folder) as locked:
            key_file = folder / "keys" / "tincay-keys.json"
            key_file.parent.mkdir()
            load_or_create(str(key_file), create=True)
            key_file.chmod(0o400)
            create_signing_key(str(key_file.parent / "audit-signing.key"))
            env = {
                **os.environ,
                "APP_CONFIG": "production",
                "DATABASE_URL": f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}",
                "TINCAY_KEY_FILE": str(key_file),
                # One host: both instances append their audit heads to the same file (O_APPEND, one line a write).
                "TINCAY_AUDIT_HEAD_SINK": str(folder / "audit-heads.log"),
                "SECRET_KEY": secrets.token_urlsafe(48),
                "RATELIMIT_STORAGE_URI": redis_url(locked),
                "TINCAY_PROXY_HOPS": "1",  # as the systemd unit sets: nginx is the one proxy in front
                "PYTHONPATH": str(ROOT),
            }
            env.pop("FLASK_DEBUG", None)
            env.pop("TEST_DATABASE_URL", None)
            flask = str(BIN / "flask")
            _run([flask, "--app", "wsgi", "setup"], env)
            # Synthetic cases and referrals for the demo units (seed-demo is refused in production: the same
            # database and keys, seeded under the development configuration).
            _run([flask, "--app", "wsgi", "seed-demo", "--cases", "40"], {**env, "APP_CONFIG": "development"})
            accounts = [
                {**a, "password": PASSWORD, "totp": pyotp.random_base32()} for a in (*LOAD_ACCOUNTS, SHARED, THROTTLED)
            ]
            _run([sys.executable, "-c", ACCOUNTS_SCRIPT], env, stdin=json.dumps(accounts))
            instances = [_start_gunicorn(env, folder, name) for name in ("a", "b")]
            for instance in instances:
                _wait_healthy(instance)
            site = start_site(folder, [i["port"] for i in instances])
            yield {
                "a": instances[0],
                "b": instances[1],
                "site": site,
                "folder": folder,
                "accounts": {a["username"]: a for a in accounts},
                "redis": locked,
            }
    finally:
        if site:
            stop(site)
        for instance in instances:
            _kill_group(instance["process"], signal.SIGINT)  # gunicorn's quick shutdown
            try:
                instance["process"].wait(timeout=30)
            except subprocess.TimeoutExpired:
                _kill_group(instance["process"], signal.SIGKILL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def _password(client: Client, username: str, password: str):
    token, _ = client.csrf("/auth/login")
    return client.request("POST", "/auth/login", {"csrf_token": token, "username": username, "password": password})


def _code(client: Client, code: str):
    token, _ = client.csrf("/auth/totp")
    return client.request("POST", "/auth/totp", {"csrf_token": token, "code": code})


def test_sessions_codes_and_throttles_are_shared_by_both_instances(cluster):
    a, b = cluster["a"]["port"], cluster["b"]["port"]
    account = cluster["accounts"][SHARED["username"]]

    # A session made through A is valid on B.
    on_a = Client(a)
    assert _password(on_a, account["username"], PASSWORD).location.endswith("/auth/totp")
    code = pyotp.TOTP(account["totp"]).now()
    assert _code(on_a, code).status == 302
    assert on_a.request("GET", "/auth/account").status == 200
    on_b = Client(b)
    on_b.cookies = dict(on_a.cookies)
    seen = on_b.request("GET", "/auth/account")
    assert seen.status == 200 and account["username"] in seen.text

    # The code spent on A cannot be spent again on B.
    other = Client(b)
    assert _password(other, account["username"], PASSWORD).location.endswith("/auth/totp")
    replay = _code(other, code)
    assert replay.status == 200 and "đã được dùng" in replay.text, replay.text[:300]

    # Signing out on B ends the session on A.
    token, _ = on_b.csrf("/auth/account")
    assert on_b.request("POST", "/auth/logout", {"csrf_token": token}).status == 302
    assert on_a.request("GET", "/auth/account").location.endswith("/auth/login")

    # Failed sign-ins through A and through B count against the one limit (10 per account): after five on
    # each, even the right password is refused on either instance.
    victim = cluster["accounts"][THROTTLED["username"]]["username"]
    for port in (a, b) * 5:
        refused = _password(Client(port), victim, "khong-phai-mat-khau-nay")
        assert refused.status == 200 and "không đúng" in refused.text
    for port in (a, b):
        blocked = _password(Client(port), victim, PASSWORD)
        assert blocked.status == 200 and "quá nhiều lần" in blocked.text, blocked.text[:300]


def test_killing_one_instance_loses_no_request_beyond_those_in_flight(cluster):
    folder, site = cluster["folder"], cluster["site"]
    accounts = [
        {**cluster["accounts"][a["username"]], "pages": PAGES[a["role"]], "search": None} for a in LOAD_ACCOUNTS
    ]
    (folder / "load-accounts.json").write_text(json.dumps(accounts))
    log = folder / "requests.jsonl"
    env = {
        **os.environ,
        "TINCAY_LOCUST_ACCOUNTS": str(folder / "load-accounts.json"),
        "TINCAY_LOCUST_LOG": str(log),
        "TINCAY_LOCUST_HOSTNAME": HOST,
    }
    users = len(accounts)
    locust = subprocess.Popen(
        [
            LOCUST,
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{LOAD_SECONDS}s",
            "--host",
            f"https://127.0.0.1:{site['https']}",
            "--only-summary",
            "--stop-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        # The kill comes once every user has signed in and walked a few pages (at most KILL_BY s into the run):
        # on a busy machine signing in alone can take seconds.
        started = time.monotonic()
        while time.monotonic() - started < KILL_BY:
            time.sleep(0.25)
            walked = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
            if sum(r["name"] == "account" for r in walked) >= users and len(walked) >= 6 * users:
                break
        victim = cluster["a"]
        killed_at = time.time()
        _kill_group(victim["process"], signal.SIGKILL)
        victim["process"].wait(timeout=10)
        killed_by = time.time()
        output, _ = locust.communicate(timeout=LOAD_SECONDS + 40)
    finally:
        if locust.poll() is None:
            _kill_group(locust, signal.SIGKILL)
    requests = [json.loads(line) for line in log.read_text().splitlines()]
    failed = [r for r in requests if r["error"] or r["status"] not in (200, 302)]
    in_flight = [r for r in failed if r["start"] <= killed_by and r["start"] + r["ms"] / 1000 >= killed_at]

    print(
        f"{len(requests)} requests, {len(failed)} failed, {len(in_flight)} of them in flight at the kill; "
        f"{sum(r['start'] > killed_by for r in requests)} after it"
    )
    # Every user signed in and walked its pages through both instances before the kill.
    signed_in = [r for r in requests if r["name"] == "account" and not r["error"]]
    assert len(signed_in) >= users, output[-3000:]
    assert all(r["start"] < killed_at for r in signed_in), "a user signed in only after the kill"
    for instance in ("a", "b"):
        served = cluster[instance]["access_log"].read_text()
        assert re.search(r'path="/cases/(:id)?" status=200', served), f"instance {instance} served no case page"

    # No request lost but those in flight at the kill (at most one per user: each waits for its answer).
    assert failed == in_flight, json.dumps([r for r in failed if r not in in_flight][:10], indent=1)
    assert len(in_flight) <= users

    # The load went on through B: every page still answered, for every kind of user.
    after = [r for r in requests if r["start"] > killed_by + 0.5]
    assert len(after) >= 2 * users and not [r for r in after if r["error"]], output[-3000:]
    assert {r["name"] for r in after} >= {"case list", "case page", "work queue", "referral inbox"}
    assert cluster["b"]["process"].poll() is None
    assert "Traceback" not in cluster["b"]["error_log"].read_text()
