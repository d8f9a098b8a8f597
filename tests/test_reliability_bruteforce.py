"""Authentication under attack: thousands of password attempts on one account from many addresses.

The account throttle lets LOGIN_FAILURES_PER_ACCOUNT failures reach the password check per window, wherever
they come from; the rest are refused before any password is checked. Every attempt is audited, as "failed"
(it reached the password check) or "throttled" (it did not). After the window the real user signs in.
A short window (10 per 2 seconds) keeps the proof fast; the shipped default is checked against ASVS.
"""

import os
import tempfile
import time
from pathlib import Path

import pytest
from limits import parse
from reliability.support import PASSWORD, build_instance, make_user, query
from sqlalchemy import func, select

from app.config import BaseConfig
from app.extensions import db

# 3 000 in CI (the suite must stay under 30 minutes on 2 cores); the full proof of the README runs with
# BRUTE_FORCE_ATTEMPTS=10000. Either way 10 attempts an address: under every per-address limit, so only the
# account throttle can hold.
ATTEMPTS = int(os.environ.get("BRUTE_FORCE_ATTEMPTS", "3000"))
ADDRESSES = ATTEMPTS // 10
PER_WINDOW, WINDOW = 10, 2


def login_results(app, action: str = "auth.login") -> dict[str, int]:
    from app.audit.models import AuditEntry

    def count():
        from app.audit.services import refusal_counts

        rows = dict(
            db.session.execute(
                select(AuditEntry.result, func.count()).where(AuditEntry.action == action).group_by(AuditEntry.result)
            ).all()
        )
        # Anonymous refusals (no account named) are counted per minute and network, not chained one by one.
        for result, n in refusal_counts(action).items():
            rows[result] = rows.get(result, 0) + n
        return rows

    return query(app, count)


def test_shipped_account_throttle_meets_asvs():
    # ASVS 2.2.1 / 6.3.1: no more than 100 failed attempts per hour on one account.
    limit = parse(BaseConfig.LOGIN_FAILURES_PER_ACCOUNT)
    per_hour = limit.amount * 3600 / limit.get_expiry()
    assert per_hour <= 100, per_hour


@pytest.mark.slow
@pytest.mark.timeout(900)  # minutes on a loaded machine; the suite's 300 s cap is for ordinary tests
def test_thousands_of_attempts_from_hundreds_of_addresses_are_throttled_audited_and_the_user_recovers(tmp_path):
    # Every attempt commits its audit entry; on SQLite each commit is an fsync (synchronous=FULL). The proof is
    # about throttling, not the disk, so its SQLite file lives in memory-backed /dev/shm where there is one.
    base = Path(tempfile.mkdtemp(dir="/dev/shm")) if os.path.isdir("/dev/shm") else tmp_path
    app = build_instance(base, "brute", LOGIN_FAILURES_PER_ACCOUNT=f"{PER_WINDOW} per {WINDOW} seconds")
    _, username, _ = make_user(app, "counsellor", "TA-02")
    client = app.test_client()
    started = time.monotonic()
    statuses = {}
    for i in range(ATTEMPTS):
        address = f"10.{i % ADDRESSES // 250}.{i % 250}.{7 + i // ADDRESSES}"
        response = client.post(
            "/auth/login",
            data={"username": username, "password": f"doan-mat-khau-{i:05d}"},
            environ_base={"REMOTE_ADDR": address},
        )
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    elapsed = time.monotonic() - started

    assert statuses == {200: ATTEMPTS}, statuses  # each answered with the form and a message, none signed in
    results = login_results(app)
    checked, throttled = results.get("failed", 0), results.get("throttled", 0)
    assert checked + throttled == ATTEMPTS, results  # every attempt is in the audit trail
    windows = int(elapsed // WINDOW) + 2  # fixed windows touched by the run
    assert PER_WINDOW <= checked <= PER_WINDOW * windows, (checked, elapsed)

    time.sleep(WINDOW + 0.1)
    response = client.post(
        "/auth/login", data={"username": username, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert response.status_code == 302, "the real user could not sign in after the window"
    assert client.get("/auth/account").status_code == 200
    verdict = query(app, lambda: __import__("app.audit.services", fromlist=["verify"]).verify())
    # Every password check is a chained entry; throttled attempts are counted per network bucket (issue 14).
    assert verdict.ok and verdict.checked >= checked
    print(
        f"\nbrute force: {ATTEMPTS} attempts from {ADDRESSES} addresses in {elapsed:.1f} s: "
        f"{checked} reached the password check, {throttled} throttled; real user signed in after the window"
    )


def test_one_address_spraying_many_accounts_is_throttled_and_every_attempt_audited(tmp_path):
    app = build_instance(tmp_path, "spray")
    client = app.test_client()
    tries = 100
    for i in range(tries):
        client.post(
            "/auth/login",
            data={"username": f"nguoi{i:03d}", "password": "mat-khau-doan-mo"},
            environ_base={"REMOTE_ADDR": "203.0.113.5"},
        )
    results = login_results(app)
    per_ip = parse(app.config["LOGIN_FAILURES_PER_IP"]).amount
    assert results.get("failed", 0) == per_ip, results  # the per-address budget, then no more password checks
    # Past the per-address request limit the server answers 429 before the view: those are audited too.
    per_minute = parse(app.config["LOGIN_ATTEMPTS_PER_IP"]).amount
    assert results.get("rate_limited", 0) == tries - per_minute, results
    assert sum(results.values()) == tries, results
