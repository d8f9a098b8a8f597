"""Recording and verifying the audit trail.

`record()` only queues an entry on the current database session. Just before that session commits,
the queued entries are chained: the head row is locked (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite write transactions are already serialised by ``BEGIN IMMEDIATE``), each entry gets the next
sequence number and ``entry_hash = HMAC(audit_key, prev_hash ‖ canonical entry)``, and the head moves.
The lock is taken last and held only until the commit, so concurrent requests never fork the chain
and an entry is committed together with the change it describes, or not at all.
"""

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..db_setup import READ_ONLY
from ..extensions import db, utcnow
from . import anchor, sink
from .models import GENESIS, AuditEntry, AuditHead, AuditRefusalCount

_PENDING = "tincay_audit_pending"
_CHECKPOINT = "tincay_audit_checkpoint"
_HEAD = "tincay_audit_head"  # the head to append to the sink once the commit is done (sink.py)
_COUNTS = "tincay_audit_counts"
# Refusals that an anonymous flood can repeat without end: counted, not chained (see AuditRefusalCount).
COUNTED_RESULTS = frozenset({"failed", "throttled", "rate_limited", "denied"})


def record(
    actor,
    action: str,
    obj=None,
    *,
    result: str = "ok",
    detail: dict | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    case_id: str | None = None,
) -> None:
    """Queue an audit entry on the current transaction (ids and actions only, never person data).

    `case_id` puts the entry on that case's timeline; it is taken from `obj` when obj is a case or
    carries a `case_id` attribute (plans, referrals, notes…).
    """
    _queue(
        db.session.info,
        _prepare(
            actor,
            action,
            obj,
            result=result,
            detail=detail,
            object_type=object_type,
            object_id=object_id,
            case_id=case_id,
        ),
    )


def record_independently(
    actor,
    action: str,
    obj=None,
    *,
    result: str = "ok",
    detail: dict | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    case_id: str | None = None,
) -> None:
    """Write and commit an audit entry at once, in a transaction of its own: the one path for events that
    must outlive the request's own work (a refused access, a throttled sign-in, a damaged record).

    Only on the way to an error answer: the request's own transaction is ended first (rolled back; the unit
    of work would undo it anyway), because SQLite has one writer at a time and the request may hold the
    write lock. The entry (or the anonymous refusal's count) then goes through its own session.
    """
    prepared = _prepare(
        actor, action, obj, result=result, detail=detail, object_type=object_type, object_id=object_id, case_id=case_id
    )  # before the rollback expires `actor` and `obj`
    db.session.rollback()
    with Session(db.engine) as own:
        _queue(own.info, prepared)
        own.commit()


def _prepare(
    actor,
    action: str,
    obj,
    *,
    result: str,
    detail: dict | None,
    object_type: str | None,
    object_id: str | None,
    case_id: str | None,
) -> tuple[str, object]:
    """(_PENDING, entry) for the chain, or (_COUNTS, key) for an anonymous refusal that is only counted."""
    if obj is not None:
        if case_id is None:
            case_id = obj.id if getattr(obj, "__tablename__", "") == "case_record" else getattr(obj, "case_id", None)
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        object_id = object_id or str(getattr(obj, "id", "") or "")
    actor_id = getattr(actor, "id", None) if actor is not None and not isinstance(actor, str) else actor
    if actor_id is None and not object_id and result in COUNTED_RESULTS and has_request_context():
        return _COUNTS, _refusal_key(action, result)
    detail = dict(detail or {})
    if has_request_context():
        detail.setdefault("ip", _address_tag(request.remote_addr or ""))
    return _PENDING, {
        "at": utcnow(),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "result": result,
        "detail": detail,
        "case_id": case_id,
    }


def _queue(info: dict, prepared: tuple[str, object]) -> None:
    kind, item = prepared
    if kind == _COUNTS:
        counts = info.setdefault(_COUNTS, {})
        counts[item] = counts.get(item, 0) + 1
    else:
        info.setdefault(_PENDING, []).append(item)


def _address_tag(address: str) -> str:
    """A keyed tag of the client address: lets investigators link attempts without storing the address."""
    if not address:
        return ""
    key = current_app.extensions["tincay_keyring"].audit_key
    return hmac.new(key, b"ip|" + address.encode(), hashlib.sha256).hexdigest()[:16]


def _refusal_key(action: str, result: str) -> tuple:
    """This minute's counter of the client's address bucket (added to just before the commit)."""
    minute = utcnow().replace(second=0, microsecond=0)
    return minute, _bucket_tag(request.remote_addr or ""), action, result


def _bucket_tag(address: str) -> str:
    """A keyed tag of the address's network (/24 for IPv4, /48 for IPv6): floods from one network share a row."""
    network: object
    try:
        ip = ipaddress.ip_address(address)
        network = ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False)
    except ValueError:
        network = "unknown"
    key = current_app.extensions["tincay_keyring"].audit_key
    return hmac.new(key, b"net|" + str(network).encode(), hashlib.sha256).hexdigest()[:16]


def _upsert_counts(session: Session, counts: dict) -> None:
    table = AuditRefusalCount.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite  # both have ON CONFLICT
    for (minute, bucket, action, result), n in counts.items():
        stmt = dialect.insert(table).values(minute=minute, bucket=bucket, action=action, result=result, count=n)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["minute", "bucket", "action", "result"],
                set_={"count": table.c.count + stmt.excluded.count},
            )
        )


def refusal_counts(action: str | None = None) -> dict[str, int]:
    """Counted anonymous refusals by result (all time), e.g. for the audit page and the tests."""
    from sqlalchemy import func

    stmt = select(AuditRefusalCount.result, func.sum(AuditRefusalCount.count)).group_by(AuditRefusalCount.result)
    if action:
        stmt = stmt.where(AuditRefusalCount.action == action)
    return {result: int(n) for result, n in db.session.execute(stmt)}


def refusal_summary(since) -> list:
    """Counted anonymous refusals since `since`, by action and result: total, networks, latest minute."""
    from sqlalchemy import func

    c = AuditRefusalCount
    stmt = (
        select(
            c.action,
            c.result,
            func.sum(c.count).label("total"),
            func.count(func.distinct(c.bucket)).label("networks"),
            func.max(c.minute).label("latest"),
        )
        .where(c.minute >= since)
        .group_by(c.action, c.result)
        .order_by(c.action, c.result)
    )
    return list(db.session.execute(stmt).all())


def canonical(entry: dict) -> bytes:
    body = {
        "seq": entry["seq"],
        "at": entry["at"].isoformat(timespec="microseconds"),
        "actor_id": entry["actor_id"],
        "action": entry["action"],
        "object_type": entry["object_type"],
        "object_id": entry["object_id"],
        "result": entry["result"],
        "detail": entry["detail"],
        "case_id": entry.get("case_id"),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(key: bytes, prev_hash: str, entry: dict) -> str:
    return hmac.new(key, prev_hash.encode() + canonical(entry), hashlib.sha256).hexdigest()


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint (unit_of_work.attempt): the entries are chained when the request commits
    counts = session.info.pop(_COUNTS, None)
    if counts:
        _upsert_counts(session, counts)
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    key = current_app.extensions["tincay_keyring"].audit_key
    # populate_existing: the head must be read under the lock, never taken from an earlier read.
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    first_seq = head.seq + 1
    for entry in pending:
        entry["seq"] = head.seq + 1
        entry_hash = chain_hash(key, head.entry_hash, entry)
        session.add(
            AuditEntry(
                seq=entry["seq"],
                at=entry["at"],
                actor_id=entry["actor_id"],
                action=entry["action"],
                object_type=entry["object_type"],
                object_id=entry["object_id"],
                result=entry["result"],
                case_id=entry["case_id"],
                detail=json.dumps(entry["detail"], sort_keys=True),
                prev_hash=head.entry_hash,
                entry_hash=entry_hash,
            )
        )
        head.seq, head.entry_hash = entry["seq"], entry_hash
    # Both written after the commit: neither the sink nor a checkpoint may name an entry that was rolled back.
    session.info[_HEAD] = (head.seq, head.entry_hash)
    if anchor.due(first_seq, head.seq):
        session.info[_CHECKPOINT] = (head.seq, head.entry_hash)


@event.listens_for(Session, "after_commit")
def _write_checkpoint(session: Session) -> None:
    if session.in_nested_transaction():
        return
    head = session.info.pop(_HEAD, None)
    if head is not None:
        sink.after_commit(*head)
    due = session.info.pop(_CHECKPOINT, None)
    if due is None:
        return
    try:
        anchor.write_checkpoint(*due)
    except OSError as exc:
        # The entries are committed; a missed checkpoint only widens the unanchored tail until the next one.
        anchor.log.error("audit checkpoint of entry %s not written: %s", due[0], type(exc).__name__)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    # Only when the whole transaction is undone: a failed savepoint's are dropped by unit_of_work.attempt().
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_COUNTS, None)
        session.info.pop(_CHECKPOINT, None)
        session.info.pop(_HEAD, None)


def checkpoint_now() -> dict | None:
    """Sign the committed chain head now (cron: `flask --app wsgi audit checkpoint`); the sink gets it too."""
    head = db.session.get(AuditHead, 1)
    if head is None:
        return None
    if head.seq:
        sink.append(current_app.config, head.seq, head.entry_hash)
    return anchor.write_checkpoint(head.seq, head.entry_hash)


def anchor_restored_head() -> tuple[int, bool]:
    """After `backup restore`: mark the restored head as a restore in the checkpoint file (signed) and in the
    head sink, whose earlier lines described the trail the restore replaced; (seq, whether it was signed)."""
    head = db.session.get(AuditHead, 1)
    if head is None:
        return 0, False
    signed = anchor.write_checkpoint(head.seq, head.entry_hash, restored=True) is not None
    try:
        sink.append(current_app.config, head.seq, head.entry_hash, restored=True)
    except OSError as exc:
        anchor.log.error("audit head sink: the restored head %s not written: %s", head.seq, type(exc).__name__)
    return head.seq, signed


def ensure_head() -> None:
    """Create the chain head row if the database has none (setup)."""
    if db.session.get(AuditHead, 1) is None:
        db.session.add(AuditHead(id=1, seq=0, entry_hash=GENESIS))
        db.session.flush()


@dataclass
class Verdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    anchored: int = 0  # the newest entry covered by a signed checkpoint
    sunk: int = 0  # the newest entry named by the head sink


SINK_BATCH = 500  # sink lines (or checkpoints) compared with the chain per query: the memory verify needs


def _read(stmt) -> list:
    """The rows of one read, run in a short transaction of its own on a connection of its own that is ended (and
    given back to the pool) before this returns. Verify reads the whole trail: in one transaction it would hold
    a PostgreSQL snapshot back from VACUUM and, on SQLite, the write lock (every transaction begins IMMEDIATE,
    db_setup.py) and the WAL from its checkpoint for the whole run. A connection of its own also leaves the
    caller's unit of work (the web page that records the verdict) alone."""
    with db.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        return list(conn.execute(stmt).all())


def _disagreeing(batch: dict[int, str]) -> int | None:
    """The lowest entry of the batch whose hash in the chain is another (an entry the chain lacks is not)."""
    rows = _read(select(AuditEntry.seq, AuditEntry.entry_hash).where(AuditEntry.seq.in_(list(batch))))
    return min((seq for seq, entry_hash in rows if batch[seq] != entry_hash), default=None)


def _lowest(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _first_checkpoint_disagreement(anchors: anchor.Anchors) -> int | None:
    """The lowest entry a checkpoint that counts names with a hash the chain does not hold (None: none), the
    checkpoints read a batch at a time as the sink's lines are (`checked_anchors` found the near contradictions;
    of two far apart, one disagrees with the chain here)."""
    first: int | None = None
    batch: dict[int, str] = {}
    for _number, seq, entry_hash in anchors.lines():
        if batch.get(seq, entry_hash) != entry_hash or len(batch) >= SINK_BATCH:
            first, batch = _lowest(first, _disagreeing(batch)), {}
        batch[seq] = entry_hash
    return _lowest(first, _disagreeing(batch)) if batch else first


def _first_sink_disagreement(heads: sink.Heads) -> tuple[int | None, str]:
    """The lowest entry the sink names with a hash the chain does not hold (None: none), or a problem when two
    lines read together name one entry with two hashes. The sink is read in batches and each batch looked up in
    the chain, so memory does not grow with the sink's length; two contradicting lines further apart are caught
    all the same, since one of them disagrees with the chain (or names an entry past its end)."""
    first: int | None = None
    batch: dict[int, str] = {}

    def settle() -> None:
        nonlocal first
        rows = _read(select(AuditEntry.seq, AuditEntry.entry_hash).where(AuditEntry.seq.in_(list(batch))))
        for seq, entry_hash in rows:
            if batch[seq] != entry_hash and (first is None or seq < first):
                first = seq
        batch.clear()

    for number, seq, entry_hash in heads.lines():
        if batch.setdefault(seq, entry_hash) != entry_hash:
            return None, f"line {number} of the audit head sink contradicts an earlier one for entry {seq}"
        if len(batch) >= SINK_BATCH:
            settle()
    if batch:
        settle()
    return first, ""


def _entry_pages(after: int, batch: int):
    """The chain's entries after entry `after`, in order, read by keyset a page at a time (seq > the page's last),
    each page in a short read transaction of its own (_read). No snapshot over the whole run is needed: entries
    are append-only, and numbered and committed in order under the head's lock (_chain_pending), so one
    committed between two pages is simply in a later page or after the end."""
    table = AuditEntry.__table__
    while True:
        page = _read(select(table).where(table.c.seq > after).order_by(table.c.seq).limit(batch))
        yield from page
        if len(page) < batch:
            return
        after = page[-1].seq


def _head() -> tuple[int, str] | None:
    """The chain head (seq, hash) as committed now."""
    rows = _read(select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == 1))
    return (rows[0].seq, rows[0].entry_hash) if rows else None


def verify(batch: int = 2000) -> Verdict:
    """Recompute the chain from the first entry against the signed checkpoints and the head sink; name the
    first bad entry."""
    key = current_app.extensions["tincay_keyring"].audit_key
    anchors = anchor.checked_anchors(current_app.config)
    if anchors.problem:
        return Verdict(False, 0, None, anchors.problem)
    heads = sink.read(current_app.config, anchors.restored)
    if heads.problem:
        return Verdict(False, 0, None, heads.problem)
    disagrees, problem = _first_sink_disagreement(heads)
    if problem:
        return Verdict(False, 0, None, problem)
    signed_disagrees = _first_checkpoint_disagreement(anchors)
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    # Plain rows, a page at a time: no entry, checkpoint or sink line is kept, so memory stays flat however long
    # the trail (bench/audit_verify_memory.py), and no transaction is open while the hashes are computed.
    # The head is read after the entries; entries committed meanwhile (head past the last page) are read too,
    # until a look at the head finds nothing new.
    head, fresh = None, True
    while fresh:
        before = checked
        for entry in _entry_pages(checked, batch):
            if entry.seq != expected_seq:
                return Verdict(False, checked, expected_seq, f"entry {expected_seq} is missing (next is {entry.seq})")
            if entry.prev_hash != prev_hash:
                return Verdict(False, checked, entry.seq, f"entry {entry.seq} does not follow entry {entry.seq - 1}")
            data = {
                "seq": entry.seq,
                "at": entry.at,
                "actor_id": entry.actor_id,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "result": entry.result,
                "detail": json.loads(entry.detail),
                "case_id": entry.case_id,
            }
            if chain_hash(key, prev_hash, data) != entry.entry_hash:
                return Verdict(False, checked, entry.seq, f"entry {entry.seq} was altered")
            if entry.seq == signed_disagrees:
                # The chain is consistent in itself, so it was re-chained with the audit key: some entry after the
                # last checkpoint that still matches was changed, removed or inserted.
                matched = max(anchors.newest_below(entry.seq), heads.newest_below(entry.seq))
                return Verdict(
                    False,
                    checked,
                    matched + 1,
                    f"entries {matched + 1}–{entry.seq} were rewritten: the signed checkpoint of "
                    f"entry {entry.seq} does not match the database",
                )
            if entry.seq == disagrees:
                # the checkpoints (this entry's too: it matched) and the sink vouch for the entries they name before
                matched = max(anchors.newest_below(entry.seq + 1), heads.newest_below(entry.seq))
                return Verdict(
                    False,
                    checked,
                    matched + 1,
                    f"entries {matched + 1}–{entry.seq} were rewritten: the audit head sink names entry "
                    f"{entry.seq} with another hash",
                )
            prev_hash, expected_seq, checked = entry.entry_hash, expected_seq + 1, checked + 1
        head = _head()
        fresh = head is not None and head[0] > checked > before
    if anchors.newest > checked:
        return Verdict(
            False,
            checked,
            checked + 1,
            f"entries {checked + 1}–{anchors.newest} are missing: the signed checkpoint names entry "
            f"{anchors.newest} but the chain ends at {checked}",
        )
    if heads.newest > checked:
        return Verdict(
            False,
            checked,
            checked + 1,
            f"entries {checked + 1}–{heads.newest} are missing: the audit head sink names entry "
            f"{heads.newest} but the chain ends at {checked}",
        )
    if current_app.config.get("AUDIT_HEAD_SINK") and heads.newest == 0 and checked > anchors.newest:
        # Every commit appends its head: entries after the last checkpoint and no line at all means the sink
        # was removed or emptied (`setup`, `audit checkpoint` and `backup restore` all write the current head).
        return Verdict(
            False,
            checked,
            anchors.newest + 1,
            f"the audit head sink names no entry although the chain has {checked} entries after the signed "
            f"checkpoint of entry {anchors.newest}: the sink file is missing or was emptied",
        )
    if head is not None and head != (checked, prev_hash):
        return Verdict(
            False,
            checked,
            checked + 1 if head[0] > checked else checked,
            f"the chain ends at entry {checked} but the head says {head[0]}",
        )
    every = int(current_app.config["AUDIT_CHECKPOINT_EVERY"])
    if anchor.load_public_key(current_app.config) is not None and checked - anchors.newest > 2 * every:
        # Checkpoints are written every N entries: a longer unanchored tail means the file was emptied or cut.
        return Verdict(
            False,
            checked,
            anchors.newest + 1,
            f"no signed checkpoint after entry {anchors.newest} although the chain has {checked} "
            "entries: the checkpoint file is missing or was cut",
        )
    return Verdict(True, checked, anchored=anchors.newest, sunk=heads.newest)
