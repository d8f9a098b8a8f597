"""`audit verify` in flat memory however many checkpoints and sink lines there are, with the same verdicts: the
checkpoint file is read like the head sink (one pass checks every signature, a second compares the checkpoints
that count with the chain a batch at a time), and the chain itself is read as plain rows a batch at a time."""

import base64
import json
import re
import tracemalloc

import pytest
from test_audit_anchor import _append, _rechain, _rewind_head
from test_audit_chain import triggers_off
from test_audit_sink import _long_sink

from app.audit import anchor
from app.audit import services as audit
from app.extensions import utcnow


def _signed(app, seq: int, entry_hash: str, *, restored: bool = False) -> str:
    """A checkpoint line signed with the installation's own key (as `write_checkpoint` makes it)."""
    signer = app.extensions["tincay_audit_anchor"].signer
    body = {
        "format": anchor.FORMAT,
        "seq": seq,
        "entry_hash": entry_hash,
        "at": utcnow().isoformat(timespec="microseconds"),
        "key_id": anchor.key_id(signer.public_key()),
    }
    if restored:
        body["restored"] = True
    body["sig"] = base64.b64encode(signer.sign(anchor.message(body))).decode()
    return json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n"


def _long_checkpoints(app, lines: int) -> None:
    """The checkpoints the appends wrote, repeated until the file holds `lines` of them: as long a file as years
    of hourly and every-100 checkpoints leave, naming the same entries (so every verdict must stay the same)."""
    path = app.config["AUDIT_CHECKPOINT_FILE"]
    with open(path, encoding="utf-8") as fh:
        written = fh.read().splitlines(keepends=True)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(lines - len(written)):
            fh.write(written[i % len(written)])
        fh.writelines(written)


def _verdict() -> tuple:
    v = audit.verify()  # its reads end their own transactions: the attacker's writes are not kept out
    return v.ok, v.checked, v.first_bad_seq, v.reason, v.anchored, v.sunk


def _peak() -> tuple[tuple, int]:
    tracemalloc.start()
    try:
        verdict = _verdict()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return verdict, peak


def test_many_checkpoints_are_read_in_flat_memory_with_the_same_verdict_intact_and_tampered(app, ctx):
    """10 000 checkpoints (about 2.5 MB; a million entries leave as many of the every-100 ones, plus the hourly):
    verify once held every one, about 1 KB each; now a line at a time."""
    _append(250)
    path = app.config["AUDIT_CHECKPOINT_FILE"]
    with open(path, encoding="utf-8") as fh:
        short_file = fh.read()
    short_intact = _verdict()
    assert short_intact[0] and short_intact[4] == 200, short_intact
    _long_checkpoints(app, 10_000)
    long_intact, peak = _peak()
    assert long_intact == short_intact
    # Read whole, these checkpoints peaked at about 14 MB here; streamed, under 0.5 MB (a batch at a time).
    assert peak < 4_000_000, f"verify peaked at {peak / 1e6:.1f} MB"

    key = app.extensions["tincay_keyring"].audit_key
    with triggers_off() as conn:
        _rechain(conn, key, drop_seq=150)  # internally perfect; the sink's line of 150 and checkpoint of 200 differ
    long_tampered, peak = _peak()
    assert long_tampered[:3] == (False, 149, 141) and "entries 141–150 were rewritten" in long_tampered[3]
    assert peak < 4_000_000, f"verify peaked at {peak / 1e6:.1f} MB"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(short_file)
    assert _verdict() == long_tampered


def test_a_tail_cut_past_the_newest_checkpoint_is_named_among_many_checkpoints_and_sink_lines(app, ctx):
    _append(250)
    with triggers_off() as conn:
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq > 180")
        _rewind_head(conn, 180)
    short = _verdict()
    assert short[:3] == (False, 180, 181) and "the signed checkpoint names entry 200" in short[3], short
    _long_checkpoints(app, 5_000)
    _long_sink(app, 20_000)
    assert _verdict() == short


def test_an_altered_entry_is_named_the_same_way_with_many_checkpoints(app, ctx):
    _append(250)
    with triggers_off() as conn:
        conn.exec_driver_sql("UPDATE audit_entry SET action = 'test.altered' WHERE seq = 77")
    short = _verdict()
    assert short[:4] == (False, 76, 77, "entry 77 was altered"), short
    _long_checkpoints(app, 5_000)
    assert _verdict() == short


def test_two_checkpoints_naming_one_entry_with_two_hashes_fail_near_or_far_apart(app, ctx, monkeypatch):
    """Only the signing key makes such a pair. Held together in the window of entries read, the file contradicts
    itself; when the window has moved on, the one that disagrees with the chain names the entry as rewritten."""
    _append(250)
    _long_checkpoints(app, 2_000)
    path = app.config["AUDIT_CHECKPOINT_FILE"]
    with open(path, encoding="utf-8") as fh:
        lines = fh.readlines()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(_signed(app, 200, "e" * 64))  # the first line; the real checkpoint of 200 comes later
        fh.writelines(lines)
    near = _verdict()
    assert not near[0] and re.search(r"\bcontradicts an earlier one for entry 200$", near[3]), near
    monkeypatch.setattr(anchor, "CONTRADICTION_WINDOW", 2)
    monkeypatch.setattr(audit, "SINK_BATCH", 5)
    far = _verdict()
    # after the sink's line of 190 (the appends commit ten entries at a time), the last one that still matches
    assert far[:3] == (False, 199, 191) and "entries 191–200 were rewritten" in far[3], far


@pytest.mark.parametrize("restored_at", [180])
def test_a_signed_restore_among_many_checkpoints_still_starts_them_afresh(app, ctx, restored_at):
    _append(250)
    _long_checkpoints(app, 3_000)
    with triggers_off() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE seq > {restored_at}")
        _rewind_head(conn, restored_at)
    assert not audit.verify().ok
    assert audit.anchor_restored_head() == (restored_at, True)
    verdict = audit.verify()
    assert verdict.ok and verdict.anchored == restored_at and verdict.sunk == restored_at, verdict
