"""Bounded anonymous audit: refused anonymous requests are counted per minute and address bucket (one row per
bucket, not one chained entry per request), so a flood cannot fill the disk or bury real events; refusals by a
signed-in user, and failed sign-ins naming a real account, are still chained one by one."""

import sqlalchemy as sa
from markup_support import unlabelled

from app.audit import services as audit
from app.audit.models import AuditEntry, AuditRefusalCount
from app.extensions import db

FLOOD = 300


def _rows(app):
    with app.app_context():
        entries = db.session.execute(sa.select(AuditEntry.action, AuditEntry.result, AuditEntry.actor_id)).all()
        counts = db.session.execute(sa.select(AuditRefusalCount)).scalars().all()
        counters = [(c.minute, c.bucket, c.action, c.result, c.count) for c in counts]
        verdict = audit.verify()
        db.session.remove()
        return entries, counters, verdict


def test_300_anonymous_refused_posts_make_a_bounded_number_of_rows(app, client):
    for i in range(FLOOD):
        client.post(
            "/auth/login",
            data={"username": f"khong-co-{i:03d}", "password": "doan-mo-mat-khau"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i % 2 + 1}"},
        )
    entries, counters, verdict = _rows(app)
    assert [e for e in entries if e.action == "auth.login"] == [], "anonymous refusals must not be chained"
    assert sum(c[4] for c in counters) == FLOOD, counters  # every refused request is counted
    # failed (password checked), throttled (per-address failure budget), rate_limited (429), per minute crossed
    assert len(counters) <= 3 * 2, counters
    assert {c[3] for c in counters} == {"failed", "throttled", "rate_limited"}, counters
    assert len({c[1] for c in counters}) == 1, "one /24 network is one bucket"
    assert {c[3] for c in counters} <= {"failed", "throttled", "rate_limited"}
    assert verdict.ok
    print(f"\nanonymous flood: {FLOOD} refused POSTs -> {len(counters)} counter rows, {len(entries)} chained entries")


def test_the_bucket_is_the_network_and_never_the_address(app, client):
    for address in ("2001:db8:1:2::5", "2001:db8:1:ffff::9", "2001:db8:2::1", "203.0.113.7"):
        client.post(
            "/auth/login",
            data={"username": "khong-co", "password": "doan-mo-mat-khau"},
            environ_base={"REMOTE_ADDR": address},
        )
    _, counters, _ = _rows(app)
    assert len({c[1] for c in counters}) == 3, counters  # the two addresses of one /48 share a bucket
    text = repr(counters)
    for fragment in ("2001:db8", "203.0.113", "khong-co"):  # (a hex tag may contain "db8" by chance)
        assert fragment not in text
    assert all(len(c[1]) == 16 and int(c[1], 16) >= 0 for c in counters)


def test_refusals_by_a_signed_in_user_are_chained_one_by_one(app, client, counsellor):
    for _ in range(5):
        assert client.get("/audit/").status_code == 403
    entries, counters, verdict = _rows(app)
    denied = [e for e in entries if e.action == "access.denied"]
    assert len(denied) == 5 and all(e.actor_id == counsellor.id for e in denied)
    assert counters == [] and verdict.ok


def test_a_failed_sign_in_naming_a_real_account_is_chained(app, client, make_user):
    user = make_user("counsellor", "TA-02")
    client.post("/auth/login", data={"username": user.username, "password": "sai-mat-khau-roi"})
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEntry.action, AuditEntry.result, AuditEntry.object_id)).all()
        db.session.remove()
    assert ("auth.login", "failed", user.id) in rows


def test_counted_refusals_roll_back_with_their_transaction(app):
    with app.test_request_context("/auth/login", method="POST", environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        db.session.execute(sa.text("SELECT 1"))  # a transaction is open, as in every request
        audit.record(None, "auth.login", result="failed")
        db.session.rollback()
        db.session.commit()
        assert audit.refusal_counts() == {}
        audit.record(None, "auth.login", result="failed")
        audit.record(None, "auth.login", result="failed")
        db.session.commit()
        assert audit.refusal_counts("auth.login") == {"failed": 2}
        db.session.remove()


def test_the_audit_page_shows_the_counted_refusals_without_addresses(app, client, make_user, login):
    for i in range(7):
        client.post(
            "/auth/login",
            data={"username": f"khong-co-{i}", "password": "doan-mo-mat-khau"},
            environ_base={"REMOTE_ADDR": "198.51.100.9"},
        )
    admin_client = app.test_client()
    login(admin_client, make_user("admin", "11"))
    html = admin_client.get("/audit/").get_data(as_text=True)
    section = unlabelled(html).split('id="refusals-title"')[1].split("</section>")[0]
    assert "auth.login" in section and "<td>7</td>" in section and "198.51.100" not in html
    admin_client.set_cookie("lang", "en")
    english = admin_client.get("/audit/").get_data(as_text=True)
    assert "Anonymous requests refused in the last 24 hours" in english
