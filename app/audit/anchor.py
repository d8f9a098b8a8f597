"""Anchoring the audit chain outside the database: signed checkpoints of the chain head.

The chain's HMAC key sits in the application's key file, so whoever holds that file and the database can cut
the newest entries and rewind the head row, or re-chain everything after an edit, and the chain still verifies.
A checkpoint closes both doors: `(seq, entry_hash, at)` of the head, signed with Ed25519 under a key that is
*not* in the key file (its own file, `AUDIT_SIGNING_KEY`, mode 0600), appended (and fsynced) to a JSON-lines
file outside the database (`AUDIT_CHECKPOINT_FILE`) and copied to the log (journald in production): two sinks
that a database writer cannot reach. `verify` then requires every checkpointed entry to exist with the signed
hash. A checkpoint is written when the chain crosses a multiple of `AUDIT_CHECKPOINT_EVERY` entries, on the
first append after `AUDIT_CHECKPOINT_INTERVAL` since the last one, and by `flask --app wsgi audit checkpoint`
(cron). What a checkpoint cannot see is the tail written since the last one: at most N entries or an hour.

Create the key with `flask --app wsgi setup` (development) or `python -m app.audit.anchor keygen PATH`.
"""

import base64
import fcntl
import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from ..extensions import utcnow

FORMAT = "tincay-audit-checkpoint-1"
log = logging.getLogger("tincay.audit")


class AnchorError(RuntimeError):
    """The signing key or the checkpoint file cannot be used."""


# --- keys ----------------------------------------------------------------------------------------


def create_signing_key(path: str) -> str:
    """Write a new Ed25519 signing key (0600, never overwriting) and its public key beside it; return its id."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    public = key.public_key()
    with open(path + ".pub", "wb") as fh:
        fh.write(public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(public)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_signing_key(path: str | None) -> Ed25519PrivateKey | None:
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as fh:
            key = serialization.load_pem_private_key(fh.read(), password=None)
    except (OSError, ValueError) as exc:
        raise AnchorError(f"audit signing key unreadable: {path}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"audit signing key is not an Ed25519 key: {path}")
    return key


def load_public_key(config) -> Ed25519PublicKey | None:
    """The verifying key: the public key file if there is one (an auditor needs nothing else), else derived."""
    public_path = config.get("AUDIT_PUBLIC_KEY")
    if public_path and os.path.exists(public_path):
        try:
            with open(public_path, "rb") as fh:
                key = serialization.load_pem_public_key(fh.read())
        except (OSError, ValueError) as exc:
            raise AnchorError(f"audit public key unreadable: {public_path}") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise AnchorError(f"audit public key is not an Ed25519 key: {public_path}")
        return key
    private = load_signing_key(config.get("AUDIT_SIGNING_KEY"))
    return private.public_key() if private else None


# --- writing -------------------------------------------------------------------------------------


@dataclass
class AnchorState:
    """Per process: the signing key and when this process last knew of a checkpoint."""

    signer: Ed25519PrivateKey | None
    path: str
    last_at: datetime | None = None
    loaded: bool = False


def init_app(app) -> None:
    try:
        signer = load_signing_key(app.config.get("AUDIT_SIGNING_KEY"))
    except AnchorError as exc:
        log.error("%s: no audit checkpoints will be written", exc)
        signer = None
    app.extensions["tincay_audit_anchor"] = AnchorState(signer, app.config["AUDIT_CHECKPOINT_FILE"])


def _state() -> AnchorState | None:
    return current_app.extensions.get("tincay_audit_anchor")


def due(first_seq: int, last_seq: int) -> bool:
    """Should the append of entries first_seq..last_seq be followed by a checkpoint?"""
    state = _state()
    if state is None or state.signer is None:
        return False
    every = int(current_app.config["AUDIT_CHECKPOINT_EVERY"])
    if last_seq // every > (first_seq - 1) // every:
        return True
    if not state.loaded:
        newest = newest_checkpoint(state.path)
        state.last_at = datetime.fromisoformat(newest["at"]) if newest else None
        state.loaded = True
    return state.last_at is None or utcnow() - state.last_at >= current_app.config["AUDIT_CHECKPOINT_INTERVAL"]


def message(body: dict) -> bytes:
    fields = {k: body[k] for k in ("format", "seq", "entry_hash", "at", "key_id")}
    if body.get("restored"):
        fields["restored"] = True
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def write_checkpoint(seq: int, entry_hash: str, *, restored: bool = False) -> dict | None:
    """Sign (seq, entry_hash) and append it to the checkpoint file (fsynced) and to the log.

    `restored` marks the head of a backup the operator restored: the checkpoints before it described the trail
    that the restore replaced, and verify starts from this one (only the signing key can write it)."""
    state = _state()
    if state is None or state.signer is None:
        return None
    at = utcnow()
    body = {
        "format": FORMAT,
        "seq": seq,
        "entry_hash": entry_hash,
        "at": at.isoformat(timespec="microseconds"),
        "key_id": key_id(state.signer.public_key()),
    }
    if restored:
        body["restored"] = True
    body["sig"] = base64.b64encode(state.signer.sign(message(body))).decode()
    line = json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n"
    new = not os.path.exists(state.path)
    fd = os.open(state.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # several gunicorn processes append to one file
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        _fsync_directory(state.path)
    state.last_at, state.loaded = at, True
    log.info("audit checkpoint %s", line.strip())
    return body


def _fsync_directory(path: str) -> None:
    fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def forget(app) -> None:
    """Drop what this process remembers of the checkpoint file (after it was replaced, e.g. in tests)."""
    state = app.extensions.get("tincay_audit_anchor")
    if state is not None:
        state.last_at, state.loaded = None, False


# --- reading -------------------------------------------------------------------------------------
#
# `audit verify` reads the checkpoint file as it reads the head sink (sink.py): one pass checks every line and
# finds where the lines that count begin, a second (`Anchors.lines`) reads those again one at a time. No
# checkpoint is kept, so memory stays flat however many there are (one every 100 entries and every hour).

_MAX_LINE = 65_536  # a checkpoint line is under 300 bytes; a longer one is read in pieces, and refused
CONTRADICTION_WINDOW = 500  # checkpoints held at once to find two naming one entry with two hashes


def _raw_lines(fh) -> Iterator[tuple[int, bytes]]:
    """(byte offset, line) of each line, none held longer than _MAX_LINE bytes."""
    offset = 0
    while raw := fh.readline(_MAX_LINE):
        yield offset, raw
        offset += len(raw)


def _parse(raw: bytes) -> dict | None:
    """The checkpoint a line holds, or None when it holds none (a line cut at _MAX_LINE is none)."""
    try:
        if not raw.endswith(b"\n") and len(raw) >= _MAX_LINE:
            raise ValueError
        body = json.loads(raw.decode("utf-8"))
        if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("seq"), int):
            raise ValueError
        return body
    except ValueError:  # (UnicodeDecodeError and JSONDecodeError are ValueErrors)
        return None


def _checkpoint_lines(path: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, dict | None]]:
    """(byte offset, line number, checkpoint or None) of each line that is not blank, numbered as verify names
    them (blank lines are not counted), from byte `start` (whose line number the caller knows) to `end`."""
    if not os.path.exists(path):
        return
    with open(path, "rb") as fh:
        fh.seek(start)
        number = 0
        for offset, raw in _raw_lines(fh):
            if end is not None and start + offset >= end:
                return
            if not raw.strip():
                continue
            number += 1
            yield start + offset, number, _parse(raw)


def read_checkpoints(path: str) -> list[dict]:
    """Every line of the checkpoint file; a line that is not a checkpoint is returned as {"bad": text}.
    (All in memory: for tests and small files. Verify streams the file, `checked_anchors`.)"""
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        return []
    for text in lines:
        if text.strip():
            body = _parse(text.encode())
            out.append(body if body is not None else {"bad": text[:80]})
    return out


def newest_checkpoint(path: str) -> dict | None:
    """The checkpoint of the highest entry (read one line at a time)."""
    newest = None
    for _offset, _number, body in _checkpoint_lines(path):
        if body is not None and (newest is None or body["seq"] > newest["seq"]):
            newest = body
    return newest


@dataclass
class Anchors:
    """Where the checkpoints that count lie in the file (from the last signed restore on; every signature of
    the file checked), and the newest entry they name. `lines()` reads them again, one at a time."""

    newest: int
    problem: str = ""
    # (seq, entry_hash) of every signed restore; None when there is no public key to check signatures with.
    restored: set[tuple[int, str]] | None = None
    path: str | None = None
    start: int = 0  # byte offset of the first checkpoint that counts
    first_line: int = 1  # its number, as verify names lines
    end: int = 0  # byte offset just past the last line

    def lines(self) -> Iterator[tuple[int, int, str]]:
        """(line number, entry seq, entry hash) of each checkpoint that counts, in file order."""
        if self.path is None:
            return
        for _offset, number, body in _checkpoint_lines(self.path, self.start, self.end):
            if body is not None:  # (checked_anchors refused the file if any line held none)
                yield self.first_line + number - 1, body["seq"], body["entry_hash"]

    def newest_below(self, seq: int) -> int:
        """The newest entry before `seq` that a checkpoint that counts names (0: none)."""
        return max((named for _, named, _ in self.lines() if named < seq), default=0)


def checked_anchors(config) -> Anchors:
    """Check every checkpoint's signature, one line at a time; a problem names the first line that does not
    verify, or that contradicts a checkpoint read shortly before it (within CONTRADICTION_WINDOW lines; two
    contradicting checkpoints further apart are found by verify all the same: one of them disagrees with the
    chain, or names an entry past its end)."""
    path = config["AUDIT_CHECKPOINT_FILE"]
    public = load_public_key(config)
    anchors: Anchors | None = None
    restored: set[tuple[int, str]] = set()
    window: dict[int, str] = {}
    for offset, number, body in _checkpoint_lines(path):
        if public is None:
            return Anchors(0, "the checkpoints cannot be checked: no audit public key (AUDIT_PUBLIC_KEY)")
        bad = Anchors(0, f"checkpoint line {number} is not a valid signed checkpoint")
        if body is None:
            return bad
        try:
            public.verify(base64.b64decode(body["sig"]), message(body))
        except (InvalidSignature, ValueError, KeyError, TypeError):
            return bad
        seq, entry_hash = body["seq"], body["entry_hash"]
        if anchors is None or body.get("restored"):
            # the first checkpoint, or a signed restore: the trail before it was replaced by the backup
            anchors = Anchors(0, path=path, start=offset, first_line=number)
            window.clear()
            if body.get("restored"):
                restored.add((seq, entry_hash))
        if len(window) >= CONTRADICTION_WINDOW and seq not in window:
            window.clear()
        if window.setdefault(seq, entry_hash) != entry_hash:
            return Anchors(0, f"checkpoint line {number} contradicts an earlier one for entry {seq}")
        anchors.newest = max(anchors.newest, seq)
        anchors.end = offset + 1  # (past the line's first byte: `lines` stops at the next line's offset)
    if anchors is None:
        return Anchors(0, restored=set() if public is not None else None)
    anchors.restored = restored
    return anchors


def main(argv: list[str]) -> int:
    """`python -m app.audit.anchor keygen PATH`: make the signing key without starting the application."""
    if len(argv) != 2 or argv[0] != "keygen":
        print("usage: python -m app.audit.anchor keygen PATH", file=sys.stderr)
        return 2
    try:
        ident = create_signing_key(argv[1])
    except FileExistsError:
        print(f"{argv[1]} exists; not overwritten", file=sys.stderr)
        return 1
    print(f"audit signing key {ident} written to {argv[1]} (0600), public key to {argv[1]}.pub")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
