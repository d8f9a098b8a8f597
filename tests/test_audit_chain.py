"""Audit trail: the chain verifies; edits, deletions and reordering are named; triggers refuse changes;
concurrent appends never fork; the auth events are recorded with ids, never what was typed."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from helpers import PASSWORD
from sqlalchemy.exc import DBAPIError

from app.audit import services as audit
from app.audit.models import AuditEntry
from app.extensions import db

TRIGGER_SQL = "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;"


@contextmanager
def triggers_off():
    """Let the test change the trail behind the application's back (as an attacker with the database would)."""
    postgres = db.engine.dialect.name == "postgresql"
    # Fresh connections: a pooled SQLite connection left by many threads can still see the schema with the
    # triggers after they are dropped here.
    db.engine.dispose()
    with db.engine.begin() as conn:
        if postgres:
            conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")
    try:
        with db.engine.begin() as conn:
            yield conn
    finally:
        with db.engine.begin() as conn:
            if postgres:
                conn.exec_driver_sql("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_change")
            else:
                conn.exec_driver_sql(f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry {TRIGGER_SQL}")
                conn.exec_driver_sql(f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry {TRIGGER_SQL}")


def _append(n=5):
    for i in range(n):
        audit.record("test", "test.append", detail={"n": i})
        db.session.commit()


def test_chain_verifies(ctx):
    _append()
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == 5


def test_an_edited_entry_is_named(ctx):
    _append()
    with triggers_off() as conn:
        conn.exec_driver_sql("UPDATE audit_entry SET action = 'test.other' WHERE seq = 3")
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 3


def test_a_deleted_entry_is_named(ctx):
    _append()
    with triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 2")
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 2


def test_a_deleted_last_entry_is_noticed(ctx):
    _append()
    with triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 5")
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 5


def test_reordered_entries_are_named(ctx):
    _append()
    with triggers_off() as conn:
        conn.exec_driver_sql("UPDATE audit_entry SET seq = 100 WHERE seq = 2")
        conn.exec_driver_sql("UPDATE audit_entry SET seq = 2 WHERE seq = 3")
        conn.exec_driver_sql("UPDATE audit_entry SET seq = 3 WHERE seq = 100")
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 2


def test_triggers_refuse_update_and_delete(ctx):
    _append(2)
    for sql in ("UPDATE audit_entry SET action = 'x' WHERE seq = 1", "DELETE FROM audit_entry WHERE seq = 1"):
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert audit.verify().ok


def test_50_concurrent_appends_leave_one_chain(app):
    barrier = threading.Barrier(50)

    def append(i):
        barrier.wait()
        with app.app_context():
            audit.record("thread", "test.append", detail={"n": i})
            db.session.commit()
            db.session.remove()

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(append, range(50)))
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [r.seq for r in rows] == list(range(1, 51))
        assert sorted(json.loads(r.detail)["n"] for r in rows) == list(range(50))
        verdict = audit.verify()
        assert verdict.ok and verdict.checked == 50
        db.session.remove()


def _entries(app):
    with app.app_context():
        rows = [
            (e.actor_id, e.action, e.result, e.object_id, e.detail)
            for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq))
        ]
        db.session.remove()
        return rows


def test_auth_events_are_recorded_with_ids_and_never_what_was_typed(client, make_user, login, app):
    user = make_user("counsellor", "03253")
    typo = "lo-thi-mai-typed-wrong"
    client.post("/auth/login", data={"username": typo, "password": "secret-typed-wrong"})
    client.post("/auth/login", data={"username": user.username, "password": "secret-typed-wrong"})
    login(client, user)
    client.post("/auth/logout")
    rows = _entries(app)
    text = repr(rows)
    for secret in (typo, "secret-typed-wrong", PASSWORD, user.username):
        assert secret not in text
    failures = [r for r in rows if r[1] == "auth.login" and r[2] == "failed"]
    # The unknown name is an anonymous refusal: counted (test_audit_refusals.py), not chained.
    assert len(failures) == 1 and failures[0][3] == user.id
    with app.app_context():
        assert audit.refusal_counts("auth.login") == {"failed": 1}
        db.session.remove()
    assert any(r[1] == "auth.login" and r[2] == "ok" and r[0] == user.id for r in rows)
    assert any(r[1] == "auth.logout" and r[0] == user.id for r in rows)


def test_user_and_role_changes_are_recorded(app, make_user, ctx):
    from app.auth import services
    from app.auth.models import User
    from app.units.queries import by_code

    admin = make_user("admin", "099")
    # A reporter: changing a case reader's role or password needs a second person (tests/test_auth_separation*).
    target = make_user("reporter", "03253")
    actor = db.session.get(User, admin.id)
    user = db.session.get(User, target.id)
    assignment = services.assign_role(user, "monitor", by_code("099"), actor=actor)
    db.session.commit()
    services.remove_role(assignment, actor=actor)
    services.set_active(user, False, actor=actor)
    services.set_password(user, "mot-mat-khau-moi-dai", actor=actor, must_change=True)
    db.session.commit()
    rows = [(e.actor_id, e.action, e.object_id) for e in db.session.scalars(sa.select(AuditEntry))]
    actions = {a for actor_id, a, obj in rows if actor_id == admin.id}
    assert len(actions) >= 3, rows
    assert any(obj == target.id for _, _, obj in rows)
    assert "mot-mat-khau-moi-dai" not in repr(rows)
