"""Memory of `audit verify` as the trail grows: the peak Python allocation (tracemalloc) of one verify.

    .venv/bin/python bench/audit_verify_memory.py                     # 200 000 entries and sink lines
    .venv/bin/python bench/audit_verify_memory.py --entries 20000 --every 1  # a checkpoint per entry
    .venv/bin/python bench/audit_verify_memory.py --tree /tmp/old-checkout   # another checkout's code

A fresh SQLite instance in a temporary folder gets a chain of N entries (written directly, each HMAC-chained as
the application chains them), a head sink of one line per entry and a signed checkpoint every `--every`
entries; then verify runs on the intact chain and on the same chain with one entry altered, under tracemalloc.
Both verdicts are printed (they must be the same with any checkout), with the peak and the time. Figures are
machine-dependent: quote the ratio between two checkouts measured on the same machine.
"""

import argparse
import base64
import json
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(app, entries: int, every: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app.audit import anchor, sink
    from app.audit import services as audit
    from app.audit.models import GENESIS, AuditEntry, AuditHead
    from app.extensions import db

    upgrade(revision="heads")
    key = app.extensions["tincay_keyring"].audit_key
    signer = app.extensions["tincay_audit_anchor"].signer
    ident = anchor.key_id(signer.public_key())
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    prev, rows = GENESIS, []
    with (
        open(app.config["AUDIT_HEAD_SINK"], "w", encoding="ascii") as heads,
        open(app.config["AUDIT_CHECKPOINT_FILE"], "w", encoding="utf-8") as checkpoints,
    ):
        for seq in range(1, entries + 1):
            at = start + timedelta(seconds=seq)
            entry = {
                "seq": seq,
                "at": at,
                "actor_id": None,
                "action": "bench.append",
                "object_type": None,
                "object_id": None,
                "result": "ok",
                "detail": {"n": seq % 7},
                "case_id": None,
            }
            entry_hash = audit.chain_hash(key, prev, entry)
            rows.append({**entry, "detail": json.dumps(entry["detail"]), "prev_hash": prev, "entry_hash": entry_hash})
            prev = entry_hash
            heads.write(f"{sink.FORMAT} {seq} {entry_hash} {at.isoformat(timespec='microseconds')}\n")
            if seq % every == 0:
                body = {
                    "format": anchor.FORMAT,
                    "seq": seq,
                    "entry_hash": entry_hash,
                    "at": at.isoformat(timespec="microseconds"),
                    "key_id": ident,
                }
                body["sig"] = base64.b64encode(signer.sign(anchor.message(body))).decode()
                checkpoints.write(json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n")
            if len(rows) == 10_000:
                db.session.execute(insert(AuditEntry), rows)
                rows = []
    if rows:
        db.session.execute(insert(AuditEntry), rows)
    audit.ensure_head()
    head = db.session.get(AuditHead, 1)
    head.seq, head.entry_hash = entries, prev
    db.session.commit()


def measure(label: str) -> tuple:
    from app.audit import services as audit
    from app.extensions import db

    db.session.remove()
    tracemalloc.start()
    began = time.perf_counter()
    try:
        verdict = audit.verify()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    took = time.perf_counter() - began
    db.session.remove()
    print(
        f"{label:>9}: peak {peak / 1e6:7.2f} MB in {took:6.1f} s  ok={verdict.ok} checked={verdict.checked} "
        f"first_bad={verdict.first_bad_seq} anchored={verdict.anchored} sunk={verdict.sunk} {verdict.reason!r}"
    )
    return verdict.ok, verdict.checked, verdict.first_bad_seq, verdict.reason, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=200_000, help="chain entries, one sink line each")
    parser.add_argument("--every", type=int, default=100, help="a signed checkpoint every N entries")
    parser.add_argument("--tree", default=ROOT, help="the checkout whose app/ to measure (default: this one)")
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.tree))
    from sqlalchemy import text

    from app import create_app
    from app.audit import anchor
    from app.crypto.keyring import load_or_create
    from app.extensions import db

    with tempfile.TemporaryDirectory(prefix="tincay-verify-") as base:
        config = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base}/bench.sqlite",
            "KEY_FILE": f"{base}/keys.json",
            "SECRET_KEY": "bench-" + "x" * 40,
        }
        app = create_app("testing", config)
        with app.app_context():
            app.extensions["tincay_keyring"] = load_or_create(config["KEY_FILE"], create=True)
            anchor.create_signing_key(app.config["AUDIT_SIGNING_KEY"])
            anchor.init_app(app)
            began = time.perf_counter()
            build(app, args.entries, args.every)
            print(
                f"tree {args.tree}: {args.entries} entries, "
                f"sink {os.path.getsize(app.config['AUDIT_HEAD_SINK']) / 1e6:.1f} MB, "
                f"{args.entries // args.every} checkpoints "
                f"({os.path.getsize(app.config['AUDIT_CHECKPOINT_FILE']) / 1e6:.1f} MB), built in "
                f"{time.perf_counter() - began:.0f} s"
            )
            intact = measure("intact")
            db.engine.dispose()
            with db.engine.begin() as conn:  # one entry altered in the middle (the triggers refuse an UPDATE)
                if db.engine.dialect.name == "sqlite":
                    conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
                conn.execute(
                    text("UPDATE audit_entry SET action = 'bench.altered' WHERE seq = :s"), {"s": args.entries // 2 + 1}
                )
            tampered = measure("tampered")
    print(f"result: intact {intact[:4]} tampered {tampered[:4]}")
    print(f"peaks (bytes): intact {intact[4]} tampered {tampered[4]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
