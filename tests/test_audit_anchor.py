"""Audit anchoring: signed checkpoints of the chain head, kept outside the database, catch what the chain alone
cannot — the newest entries cut with the head row rewound, and a full re-chain by someone holding the key file.

Each attack is played as an attacker with write access to the database and the application's key file (so the
audit HMAC key), but not the separate signing key.
"""

import base64
import json
import os
import stat
from datetime import timedelta

import sqlalchemy as sa
from test_audit_chain import triggers_off

from app.audit import anchor
from app.audit import services as audit
from app.audit.models import AuditEntry
from app.extensions import db, utcnow

EVERY = 100


def _append(total: int, batch: int = 10) -> None:
    for start in range(0, total, batch):
        for i in range(start, min(total, start + batch)):
            audit.record("test", "test.append", detail={"n": i})
        db.session.commit()


def _checkpoints(app) -> list[dict]:
    return anchor.read_checkpoints(app.config["AUDIT_CHECKPOINT_FILE"])


def _rewind_head(conn, seq: int) -> None:
    entry_hash = conn.exec_driver_sql(f"SELECT entry_hash FROM audit_entry WHERE seq = {seq}").scalar_one()
    conn.exec_driver_sql(f"UPDATE audit_head SET seq = {seq}, entry_hash = '{entry_hash}' WHERE id = 1")


def _rechain(conn, key: bytes, drop_seq: int) -> None:
    """Remove one entry and rebuild the whole chain with the audit key, head included: internally perfect."""
    rows = conn.execute(sa.select(AuditEntry.__table__).order_by(AuditEntry.seq)).mappings().all()
    conn.exec_driver_sql("DELETE FROM audit_entry")
    prev, seq = "0" * 64, 0
    for row in rows:
        if row["seq"] == drop_seq:
            continue
        seq += 1
        data = {**row, "seq": seq, "detail": json.loads(row["detail"])}
        entry_hash = audit.chain_hash(key, prev, data)
        conn.execute(
            AuditEntry.__table__.insert().values({**row, "seq": seq, "prev_hash": prev, "entry_hash": entry_hash})
        )
        prev = entry_hash
    conn.exec_driver_sql(f"UPDATE audit_head SET seq = {seq}, entry_hash = '{prev}' WHERE id = 1")


def test_a_clean_chain_passes_and_is_anchored_every_n_entries(app, ctx):
    _append(250)
    seqs = [c["seq"] for c in _checkpoints(app)]
    assert {100, 200} <= set(seqs), seqs  # every N entries (and the very first append, which found none)
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == 250 and verdict.anchored == 200, verdict


def test_tail_cut_with_the_head_rewound_fails_verify(app, ctx):
    _append(250)
    with triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq > 180")
        _rewind_head(conn, 180)
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 181, verdict
    assert "missing" in verdict.reason and "200" in verdict.reason


def test_a_full_rechain_with_the_audit_key_fails_verify(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_HEAD_SINK", None)  # the checkpoints alone (the sink: test_audit_sink)
    _append(250)
    key = app.extensions["tincay_keyring"].audit_key  # the attacker holds the application's key file
    with triggers_off() as conn:
        _rechain(conn, key, drop_seq=150)
    os.replace(app.config["AUDIT_CHECKPOINT_FILE"], app.config["AUDIT_CHECKPOINT_FILE"] + ".aside")
    alone = audit.verify()  # without its anchors the re-chained trail is perfect: this is the attack
    assert not alone.ok and "checkpoint file is missing" in alone.reason and alone.checked == 249, alone
    os.replace(app.config["AUDIT_CHECKPOINT_FILE"] + ".aside", app.config["AUDIT_CHECKPOINT_FILE"])
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad_seq == 101, verdict  # after the last checkpoint that matches
    assert "rewritten" in verdict.reason and "200" in verdict.reason


def test_deleting_the_checkpoint_file_fails_verify(app, ctx):
    _append(250)
    os.unlink(app.config["AUDIT_CHECKPOINT_FILE"])
    verdict = audit.verify()
    assert not verdict.ok and "checkpoint file" in verdict.reason, verdict


def test_a_checkpoint_signed_with_another_key_fails_verify(app, ctx, tmp_path):
    _append(250)
    key = app.extensions["tincay_keyring"].audit_key
    with triggers_off() as conn:
        _rechain(conn, key, drop_seq=150)
        head = conn.exec_driver_sql("SELECT seq, entry_hash FROM audit_head").one()
    # The attacker signs the new head with a key of their own and appends it.
    anchor.create_signing_key(str(tmp_path / "attacker.key"))
    own = anchor.load_signing_key(str(tmp_path / "attacker.key"))
    body = {
        "format": anchor.FORMAT,
        "seq": head.seq,
        "entry_hash": head.entry_hash,
        "at": utcnow().isoformat(),
        "key_id": anchor.key_id(own.public_key()),
    }
    body["sig"] = base64.b64encode(own.sign(anchor.message(body))).decode()
    with open(app.config["AUDIT_CHECKPOINT_FILE"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps(body) + "\n")
    verdict = audit.verify()
    assert not verdict.ok and "not a valid signed checkpoint" in verdict.reason, verdict


def test_first_append_after_an_hour_writes_a_checkpoint(app, ctx):
    _append(3)
    before = len(_checkpoints(app))
    _append(1)
    assert len(_checkpoints(app)) == before, "no checkpoint within the hour below N entries"
    app.extensions["tincay_audit_anchor"].last_at = utcnow() - timedelta(hours=1, seconds=1)
    _append(1)
    newest = _checkpoints(app)[-1]
    assert len(_checkpoints(app)) == before + 1 and newest["seq"] == 5


def test_a_rolled_back_append_writes_no_checkpoint(app, ctx):
    app.extensions["tincay_audit_anchor"].last_at = utcnow() - timedelta(hours=2)
    audit.record("test", "test.append")
    db.session.flush()
    db.session.rollback()
    assert _checkpoints(app) == []
    assert audit.verify().ok


def test_cli_checkpoint_and_verify(app):
    with app.app_context():
        _append(5)
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "entry 5" in result.output, result.output
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "signed checkpoint at entry 5" in result.output, result.output
    with app.app_context(), triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq > 3")
        _rewind_head(conn, 3)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at entry 4" in result.output, result.output


def test_the_signing_key_is_its_own_file_and_not_in_the_key_file(app):
    path = app.config["AUDIT_SIGNING_KEY"]
    assert os.path.dirname(path) == os.path.dirname(app.config["KEY_FILE"]) and path != app.config["KEY_FILE"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    private = anchor.load_signing_key(path)
    raw = private.private_bytes_raw()
    with open(app.config["KEY_FILE"], "rb") as fh:
        key_file = fh.read()
    assert raw not in key_file and base64.b64encode(raw) not in key_file
    assert anchor.load_public_key(app.config).public_bytes_raw() == private.public_key().public_bytes_raw()


def test_a_signed_restore_starts_the_anchors_afresh(app, ctx):
    _append(250)
    with triggers_off() as conn:  # what restoring an older backup does to the trail
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq > 180")
        _rewind_head(conn, 180)
    assert not audit.verify().ok
    assert audit.anchor_restored_head() == (180, True)  # what `backup restore` does: signed, and in the sink
    verdict = audit.verify()
    assert verdict.ok and verdict.anchored == 180 and verdict.sunk == 180, verdict
