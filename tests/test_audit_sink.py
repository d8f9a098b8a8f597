"""The audit head sink closes the tail between signed checkpoints (issue 14, item 7 leftover).

Checkpoints come every 100 entries or every hour; what was written since the last one could be cut, or
re-chained with the audit key, undetected. Every commit that wrote audit entries now appends its chain head to a
file outside the database (app/audit/sink.py). Each attack is played as someone holding the database and the
application's key file (so the audit HMAC key), but not the sink. Runs on SQLite and, with TEST_DATABASE_URL,
on PostgreSQL.
"""

import multiprocessing
import os
import threading
import tracemalloc

import pytest
from test_audit_anchor import _rechain, _rewind_head
from test_audit_chain import triggers_off

from app.audit import anchor, sink
from app.audit import services as audit
from app.config import ConfigError, check_production, head_sink_problems
from app.extensions import db
from app.web.unit_of_work import attempt

EVERY = 100


def _commit_each(n: int) -> None:
    """n commits of one entry each: the tail after a checkpoint, as a working day writes it."""
    for i in range(n):
        audit.record("test", "test.tail", detail={"n": i})
        db.session.commit()


def _lines(app) -> list[str]:
    with open(app.config["AUDIT_HEAD_SINK"], encoding="ascii") as fh:
        return fh.read().splitlines()


def _past_a_checkpoint() -> None:
    """200 entries (checkpoints at 100 and 200), then five commits of one entry: 201–205 are the tail."""
    for _ in range(20):
        for i in range(10):
            audit.record("test", "test.append", detail={"n": i})
        db.session.commit()
    _commit_each(5)


def test_each_commit_appends_its_head_and_normal_use_verifies(app, ctx):
    _past_a_checkpoint()
    lines = _lines(app)
    assert len(lines) == 25 and all(len(line) < 160 for line in lines)  # one short line per commit
    assert [int(line.split()[1]) for line in lines[-5:]] == [201, 202, 203, 204, 205]
    assert "test" not in "".join(lines)  # seq, hash and time only: no actor, action or detail
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == 205 and verdict.anchored == 200 and verdict.sunk == 205, verdict


def test_cutting_one_entry_after_the_last_checkpoint_with_the_head_rewound_fails_verify(app, ctx, monkeypatch):
    _past_a_checkpoint()
    with triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 205")
        _rewind_head(conn, 204)
    with monkeypatch.context() as without_sink:
        without_sink.setitem(app.config, "AUDIT_HEAD_SINK", None)
        assert audit.verify().ok  # the attack: the checkpoint at 200 alone cannot see it
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 205, verdict
    assert "205" in verdict.reason and "missing" in verdict.reason and "sink" in verdict.reason


def test_rechaining_the_tail_with_the_audit_key_fails_verify_naming_the_removed_entry(app, ctx, monkeypatch):
    _past_a_checkpoint()
    key = app.extensions["tincay_keyring"].audit_key
    with triggers_off() as conn:
        _rechain(conn, key, drop_seq=203)  # 204 and 205 become 203 and 204, head and all: internally perfect
    with monkeypatch.context() as without_sink:
        without_sink.setitem(app.config, "AUDIT_HEAD_SINK", None)
        assert audit.verify().ok  # every checkpoint (100, 200) still matches
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 203, verdict
    assert "rewritten" in verdict.reason and "sink" in verdict.reason


def test_the_cli_names_the_first_missing_entry(app):
    with app.app_context():
        _past_a_checkpoint()
        with triggers_off() as conn:
            conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq > 202")
            _rewind_head(conn, 202)
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at entry 203" in result.output, result.output


def test_emptying_the_sink_or_forging_a_restore_line_fails_verify(app, ctx):
    _past_a_checkpoint()
    with triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq > 203")
        _rewind_head(conn, 203)
    head = db.session.execute(db.text("SELECT seq, entry_hash FROM audit_head")).one()
    # A restore line with the rewound head: honoured only beside a signed restore checkpoint, which needs the
    # signing key the attacker does not hold.
    with open(app.config["AUDIT_HEAD_SINK"], "ab") as fh:
        fh.write(sink.line_for(head.seq, head.entry_hash, restored=True))
    forged = audit.verify()
    assert not forged.ok and forged.first_bad_seq == 204, forged
    open(app.config["AUDIT_HEAD_SINK"], "w").close()
    emptied = audit.verify()
    assert not emptied.ok and "sink file is missing or was emptied" in emptied.reason, emptied


def test_rolled_back_entries_are_never_sunk_and_verify_passes(app, ctx):
    _commit_each(2)
    db.session.execute(db.text("SELECT 1"))  # a request's transaction has begun (it loaded the user)
    audit.record("test", "test.rolled_back")
    db.session.flush()
    db.session.rollback()  # the whole transaction
    assert [int(line.split()[1]) for line in _lines(app)] == [1, 2]

    class Refused(Exception):
        pass

    audit.record("test", "test.kept")
    with pytest.raises(Refused), attempt():  # a savepoint that fails inside a request that commits
        audit.record("test", "test.savepoint")
        raise Refused
    db.session.commit()
    assert [int(line.split()[1]) for line in _lines(app)] == [1, 2, 3]
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == 3 and verdict.sunk == 3, verdict


def test_concurrent_writers_leave_whole_lines_and_a_chain_that_verifies(app):
    def worker():
        with app.app_context():
            for i in range(15):
                audit.record("test", "test.concurrent", detail={"n": i})
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = _lines(app)
    assert sorted(int(line.split()[1]) for line in lines) == list(range(1, 61))
    with app.app_context():
        verdict = audit.verify()
        db.session.remove()
    assert verdict.ok and verdict.checked == 60 and verdict.sunk == 60, verdict


def _append_lines(path: str, start: int, count: int) -> None:
    for seq in range(start, start + count):
        sink.append({"AUDIT_HEAD_SINK": path}, seq, f"{seq:064x}")


def test_processes_appending_at_once_never_interleave_their_lines(tmp_path):
    """Gunicorn workers are processes: O_APPEND and one write() per line keep every line whole."""
    path = str(tmp_path / "audit-heads.log")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_lines, args=(path, 1 + w * 2000, 2000)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    heads = sink.read({"AUDIT_HEAD_SINK": path}, None)
    assert not heads.problem and sorted(seq for _, seq, _ in heads.lines()) == list(range(1, 8001))
    assert heads.newest == 8000
    assert os.stat(path).st_mode & 0o077 == 0


def test_a_torn_last_line_is_tolerated_but_a_bad_line_inside_is_not(tmp_path):
    path = str(tmp_path / "audit-heads.log")
    _append_lines(path, 1, 3)
    with open(path, "ab") as fh:
        fh.write(b"tincay-audit-head-1 4 ab")  # the process died in the middle of its write
    assert sink.read({"AUDIT_HEAD_SINK": path}, None).newest == 3
    with open(path, "ab") as fh:
        fh.write(b"\n")
    _append_lines(path, 5, 1)
    assert "line 4" in sink.read({"AUDIT_HEAD_SINK": path}, None).problem


def _long_sink(app, lines: int) -> None:
    """`lines` heads of the entries the chain holds, in a cycle, before the lines the commits wrote: a sink as a
    year of work leaves it (one line a commit), read by verify from the first line."""
    hashes = dict(db.session.execute(db.text("SELECT seq, entry_hash FROM audit_entry")).tuples().all())
    seqs = sorted(hashes)
    path = app.config["AUDIT_HEAD_SINK"]
    with open(path, "rb") as fh:
        written = fh.read()
    at = "2026-01-05T01:02:03.000004+00:00"
    with open(path, "wb") as fh:
        for i in range(lines):
            seq = seqs[i % len(seqs)]
            fh.write(f"{sink.FORMAT} {seq} {hashes[seq]} {at}\n".encode("ascii"))
        fh.write(written)


def test_verify_reads_a_long_sink_in_flat_memory_and_names_the_first_missing_entry(app, ctx):
    """200 000 lines (about 23 MB): verify once read them all, and kept every head, in memory."""
    _past_a_checkpoint()
    with triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq > 203")
        _rewind_head(conn, 203)
    _long_sink(app, 200_000)
    assert os.path.getsize(app.config["AUDIT_HEAD_SINK"]) > 20_000_000
    tracemalloc.start()
    try:
        verdict = audit.verify()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not verdict.ok and verdict.first_bad_seq == 204, verdict
    assert "204–205 are missing" in verdict.reason and "sink" in verdict.reason, verdict
    # Reading the file whole peaked at 58 MB here; streamed, under 0.5 MB (a batch of lines at a time).
    assert peak < 4_000_000, f"verify peaked at {peak / 1e6:.1f} MB"


def test_two_lines_naming_one_entry_with_two_hashes_fail_verify_near_or_far_apart(app, ctx, monkeypatch):
    _past_a_checkpoint()
    _long_sink(app, 2000)
    with open(app.config["AUDIT_HEAD_SINK"], "ab") as fh:
        fh.write(sink.line_for(15, "f" * 64))  # entry 15 was named with its own hash in the lines before
    near = audit.verify()  # in one batch of lines: the sink contradicts itself
    assert not near.ok and "contradicts an earlier one for entry 15" in near.reason, near
    monkeypatch.setattr(audit, "SINK_BATCH", 5)  # the forged line alone in its batch: the chain contradicts it
    far = audit.verify()
    assert not far.ok and far.first_bad_seq == 15 and "entries 15–15 were rewritten" in far.reason, far


def test_production_wants_the_sink_named_away_from_the_database(tmp_path):
    database = tmp_path / "db" / "prod.sqlite"
    database.parent.mkdir()
    cfg = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "AUDIT_HEAD_SINK": None, "AUDIT_HEAD_SYSLOG": False}
    assert "TINCAY_AUDIT_HEAD_SINK" in head_sink_problems(cfg)[0]
    assert head_sink_problems({**cfg, "AUDIT_HEAD_SYSLOG": True}) == []
    beside = {**cfg, "AUDIT_HEAD_SINK": str(database.parent / "audit-heads.log")}
    assert "beside the database" in head_sink_problems(beside)[0]
    (tmp_path / "log").mkdir()
    assert head_sink_problems({**cfg, "AUDIT_HEAD_SINK": str(tmp_path / "log" / "audit-heads.log")}) == []
    with pytest.raises(ConfigError) as refused:
        check_production({**cfg, "SECRET_KEY": "p" * 40})
    assert "audit head sink is not set" in str(refused.value)


def test_the_checkpoint_command_writes_the_head_to_the_sink_too(app):
    with app.app_context():
        _commit_each(3)
        db.session.remove()
    os.unlink(app.config["AUDIT_HEAD_SINK"])  # e.g. rotated away by the operator
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert [int(line.split()[1]) for line in _lines(app)] == [3]
    assert anchor.newest_checkpoint(app.config["AUDIT_CHECKPOINT_FILE"])["seq"] == 3
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "head sink at entry 3" in result.output, result.output
