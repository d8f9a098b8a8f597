"""`audit verify` reads the whole trail without holding a transaction over the run: each page of entries is read
in a short transaction of its own, and none is left open when it returns. A long one would hold PostgreSQL's
VACUUM back and, on SQLite, the write lock (sign-ins wait) and the WAL from its checkpoint. Paging by seq stays
consistent: an entry appended while verify runs is verified too, and a cut or re-chained tail is still named."""

import sqlite3

import pytest
from sqlalchemy import text
from test_audit_chain import _append, triggers_off

from app.audit import services as audit
from app.extensions import db

ENTRIES, PAGE = 12, 4  # three pages and more


def _pg_transactions() -> frozenset:
    """PostgreSQL: the (backend, transaction start) of every other connection of this test worker (its
    application_name, tests/helpers.py; the other worker shares the database) that is in a transaction."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT pid, xact_start FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = current_setting('application_name') "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
        )
        return frozenset(tuple(row) for row in rows)


def _open_elsewhere(before: frozenset = frozenset()) -> bool:
    """Whether some connection of the database other than the one asking holds a transaction open: on
    PostgreSQL a backend in a transaction that was not already open at `before` (a connection an earlier test
    of the same worker left behind is not verify's), on SQLite a full checkpoint that cannot complete (TRUNCATE
    needs every reader gone and no writer)."""
    if db.engine.dialect.name == "postgresql":
        return bool(_pg_transactions() - before)
    other = sqlite3.connect(db.engine.url.database, timeout=0.2, isolation_level=None)
    try:
        busy, _log, _done = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        other.close()
    return busy != 0


def _during_verify(monkeypatch, at_seq: int, probe) -> audit.Verdict:
    """Run verify a page of PAGE entries at a time, calling `probe` while it checks entry `at_seq`."""
    real = audit.chain_hash

    def watched(key, prev, entry):
        if entry["seq"] == at_seq:
            probe()
        return real(key, prev, entry)

    monkeypatch.setattr(audit, "chain_hash", watched)
    return audit.verify(batch=PAGE)


def _settled() -> frozenset:
    """Append the entries; returns what was already open before verify (PostgreSQL; nothing on SQLite)."""
    _append(ENTRIES)
    db.session.close()  # the test's own session holds nothing either
    if db.engine.dialect.name == "postgresql":
        return _pg_transactions()
    assert not _open_elsewhere()
    return frozenset()


def test_no_transaction_is_held_while_verify_runs_nor_after(ctx, monkeypatch):
    before = _settled()
    seen = []
    verdict = _during_verify(monkeypatch, PAGE + 2, lambda: seen.append(_open_elsewhere(before)))
    assert verdict.ok and verdict.checked == ENTRIES
    assert seen == [False], "a read transaction is open while the entries are hashed"
    assert not _open_elsewhere(before), "verify returned with a transaction open"
    db.session.close()


def test_an_entry_appended_while_verify_runs_is_verified_too(ctx, app, monkeypatch):
    before = _settled()

    def append_elsewhere():  # another request, committing between two of verify's pages
        with app.app_context():
            audit.record("test", "test.append", detail={"n": "during"})
            db.session.commit()
            db.session.remove()

    verdict = _during_verify(monkeypatch, PAGE + 1, append_elsewhere)
    assert verdict.ok and verdict.checked == ENTRIES + 1, verdict.reason
    assert not _open_elsewhere(before)


def test_a_cut_tail_is_still_named(ctx):
    before = _settled()
    with triggers_off() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE seq > {ENTRIES - 3}")
    verdict = audit.verify(batch=PAGE)
    assert not verdict.ok and verdict.first_bad_seq == ENTRIES - 2, verdict.reason
    assert not _open_elsewhere(before)


@pytest.mark.parametrize("extra", [1, PAGE])
def test_entries_past_the_head_are_named(ctx, extra):
    """The head rewound behind the chain's end (entries the head does not vouch for) across page edges."""
    before = _settled()
    with triggers_off() as conn:
        conn.exec_driver_sql(f"UPDATE audit_head SET seq = {ENTRIES - extra} WHERE id = 1")
    verdict = audit.verify(batch=PAGE)
    assert not verdict.ok and verdict.first_bad_seq == ENTRIES, verdict.reason
    assert not _open_elsewhere(before)
