"""The head sink: every committed chain head, one short line, appended to a file outside the database.

Signed checkpoints (anchor.py) come every N entries or every hour; the entries written since the last one — the
tail — could still be cut with the head row rewound, or re-chained with the audit key, and nothing would notice.
The sink closes that gap: after each commit that wrote audit entries (after it, so a rolled-back entry is never
named), the new head is appended as ``tincay-audit-head-1 <seq> <entry_hash> <utc time>`` — ids and hashes
only, no person data — to `AUDIT_HEAD_SINK` (default: ``audit-heads.log`` beside the checkpoint file, under
instance/; TINCAY_AUDIT_HEAD_SINK), and to syslog when `AUDIT_HEAD_SYSLOG` is on (rsyslog can then ship it to
another host). The file is opened with O_APPEND and each line goes out in one write() far below PIPE_BUF under a
record lock, so the lines of concurrent gunicorn workers (and of instances on several hosts sharing it over
NFS) never interleave; workers may finish their commits out of order, so the
lines are not sorted and verify uses the highest sequence number.

`audit verify` requires every head the sink names to exist in the database with that hash: a tail cut with
the head rewound shows as entries the sink names but the chain lacks, a re-chain as an entry whose hash
differs. The sink protects only if a database writer cannot also rewrite it: in production it must live on
another disk or host, or be shipped off as it is written (rsyslog, `chattr +a`), README "Audit anchoring".

A restore of an older backup rewinds the chain on purpose: `backup restore` appends a line marked ``restored``,
which verify honours only when a signed restore checkpoint names the same head (or when no signing key is in
use), so the sink's earlier lines describe a trail that the restore replaced.
"""

import fcntl
import logging
import os
import re
import stat
import syslog
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from ..extensions import utcnow

FORMAT = "tincay-audit-head-1"
_LINE = re.compile(rf"^{FORMAT} (\d+) ([0-9a-f]{{64}}) (\S+)( restored)?$")
_MAX_LINE = 512  # a head line is under 160 bytes
log = logging.getLogger("tincay.audit")


def line_for(seq: int, entry_hash: str, *, restored: bool = False) -> bytes:
    at = utcnow().isoformat(timespec="microseconds")
    return f"{FORMAT} {seq} {entry_hash} {at}{' restored' if restored else ''}\n".encode("ascii")


def append(config, seq: int, entry_hash: str, *, restored: bool = False) -> None:
    """Append the head (one write of one line; O_APPEND makes concurrent writers' lines whole)."""
    line = line_for(seq, entry_hash, restored=restored)
    path = config.get("AUDIT_HEAD_SINK")
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # O_APPEND keeps the lines of the processes of ONE host whole; over NFS each client appends at the end
            # of file as it last knew it, so two hosts sharing the sink could write over each other's lines. The
            # record lock (sent to the server on NFSv4) makes the other host wait, and on Linux taking it makes the
            # client learn the file's current size first; closing flushes the line before the lock is released.
            if stat.S_ISREG(os.fstat(fd).st_mode):  # a file, not a pipe or device someone named as the sink
                fcntl.lockf(fd, fcntl.LOCK_EX)
            os.write(fd, line)
        finally:
            os.close(fd)
    if config.get("AUDIT_HEAD_SYSLOG"):
        syslog.openlog("tincay-audit", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_INFO, line.decode("ascii").rstrip("\n"))


def after_commit(seq: int, entry_hash: str) -> None:
    try:
        append(current_app.config, seq, entry_hash)
    except OSError as exc:
        # The entries are committed; a missed line only means verify leans on the previous one.
        log.error("audit head %s not written to the sink: %s", seq, type(exc).__name__)


@dataclass
class Heads:
    """Where the lines that count lie in the sink (from the last honoured restore line to the last whole line),
    and the newest entry they name: found by one pass that keeps no line, so memory stays flat however long the
    sink grows. `lines()` reads them again, one at a time."""

    path: str | None = None
    start: int = 0  # byte offset of the first line that counts
    first_line: int = 1  # its line number in the file
    end: int = 0  # byte offset just past the last line that counts
    newest: int = 0
    problem: str = ""

    def lines(self) -> Iterator[tuple[int, int, str]]:
        """(line number, entry seq, entry hash) of each line that counts, in file order."""
        if self.path is None:
            return
        with open(self.path, "rb") as fh:
            fh.seek(self.start)
            offset, number = self.start, self.first_line
            for raw in _raw_lines(fh):
                if offset >= self.end:
                    return
                offset += len(raw)
                match = _match(raw)
                if match is not None:  # read() checked every line before `end`
                    yield number, int(match[1]), match[2]
                number += 1

    def newest_below(self, seq: int) -> int:
        """The newest entry before `seq` that a line names (0: none)."""
        return max((named for _, named, _ in self.lines() if named < seq), default=0)


def _raw_lines(fh) -> Iterator[bytes]:
    """The file's lines, none held longer than _MAX_LINE bytes (a longer one comes in pieces, and is refused)."""
    while raw := fh.readline(_MAX_LINE):
        yield raw


def _match(raw: bytes) -> re.Match | None:
    return _LINE.match(raw.rstrip(b"\n").decode("ascii", "replace"))


def read(config, restored_heads: set[tuple[int, str]] | None) -> Heads:
    """Check every line of the sink and find the ones that count: those since the last honoured restore;
    `restored_heads` are the signed restores (None: no signing key is in use, so a restore line stands on its
    own). Two lines naming one entry with different hashes are found by `verify`, against the chain itself."""
    path = config.get("AUDIT_HEAD_SINK")
    if not path:
        return Heads()
    try:
        with open(path, "rb") as fh:
            return _scan(fh, path, restored_heads)
    except FileNotFoundError:
        return Heads()


def _scan(fh, path: str, restored_heads: set[tuple[int, str]] | None) -> Heads:
    heads = Heads(path=path)
    offset = 0
    for number, raw in enumerate(_raw_lines(fh), start=1):
        match = _match(raw)
        if match is None:
            if not raw.endswith(b"\n") and not fh.read(1):
                break  # a crash in the middle of the last write leaves a line without its newline
            return Heads(problem=f"line {number} of the audit head sink is not a chain head")
        seq, entry_hash, restored = int(match[1]), match[2], bool(match[4])
        if restored and (restored_heads is None or (seq, entry_hash) in restored_heads):
            # the trail before it was replaced by a restored backup
            heads = Heads(path=path, start=offset, first_line=number)
        heads.newest = max(heads.newest, seq)
        offset += len(raw)
        heads.end = offset
    return heads
