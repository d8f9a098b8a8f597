"""Two instances share the case-key store and the erasure ledger (README "Scale": two hosts, shared storage).

Each instance is a Python process of its own (tests/reliability/instance.py) that loads the key ring, the ledger
and the store once at start and keeps what it keeps in memory between requests, as a gunicorn worker does.

1. Instance B erases a case instance A has read: A cannot read it any more, and the case as an OLDER backup holds
   it does not open on A either — A holds no key in memory, and knows B's erasure from its next request (with the
   ledger A loaded at start, a case wrapped by the KEK itself, from before the case-key store, would open).
2. Both instances erase at the same time, many cases each: the ledger holds every erasure of both (each rewrites
   the whole file; without re-reading it under a lock, the last writer wins and the other's erasures are lost).
3. The backup taken before the erasures, restored with today's key file, store and ledger, opens no erased case.

Here the instances share a local directory: this machine's kernel has no NFS (no nfs/nfsd file system, no
modules), so the NFS mount is not tested here; the mount options it needs are checked at start in production
(app.config.shared_storage_problems) and listed in the README.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from reliability.support import PYTHON, make_user, new_case, on_postgres, query
from reliability.support import user as load_user

from app import create_app
from app.config import shared_storage_problems
from app.crypto.errors import CryptoError
from app.crypto.keyring import load_or_create
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "tests" / "reliability" / "instance.py"
PER_INSTANCE = 12  # cases each instance opens, then erases while the other erases its own


class Instance:
    """A running instance: one JSON command a line on stdin, one JSON answer a line on stdout."""

    def __init__(self, config: dict, actor: str):
        env = {**os.environ, "TINCAY_TEST_INSTANCE": json.dumps({"config": config, "actor": actor})}
        self.process = subprocess.Popen(
            [PYTHON, str(INSTANCE)], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def wait_ready(self) -> None:
        assert "ready" in self.answer()

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f"instance {self.process.pid} died (exit {self.process.poll()})"
        answer = json.loads(line)
        assert "error" not in answer, answer["error"]
        return answer

    def send(self, op: str, **fields) -> None:
        self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self.process.stdin.flush()

    def ask(self, op: str, **fields) -> dict:
        self.send(op, **fields)
        return self.answer()

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def raw_rows(app, ids) -> list[dict]:
    """The rows as a backup holds them: the wrapped data key and the sealed name, as they are in the database."""

    def read():
        rows = db.session.execute(
            db.text("SELECT id, kek_version, wrapped_dek, full_name_enc FROM case_record WHERE id IN :ids").bindparams(
                db.bindparam("ids", expanding=True)
            ),
            {"ids": list(ids)},
        ).all()
        by_id = {
            r.id: {
                "id": r.id,
                "kek_version": r.kek_version,
                "wrapped_dek": bytes(r.wrapped_dek).hex(),
                "full_name_enc": bytes(r.full_name_enc).hex(),
            }
            for r in rows
        }
        return [by_id[i] for i in ids]

    return query(app, read)


@pytest.mark.slow
def test_two_instances_share_the_store_and_the_ledger(app, tmp_path, monkeypatch):
    from app.backup import create_backup, restore_backup
    from app.cases.models import Case
    from app.crypto.records import EncryptedRecord

    started = time.monotonic()
    # Keys of the test's own, and on SQLite a database of its own: a copy of the worker's (at head, wiped), since
    # the worker's file must not be shared with other processes (a test that open()s and close()s it drops this
    # process's SQLite locks, and a child closing last then deletes the WAL under this process's connections).
    if on_postgres():
        url = app.config["SQLALCHEMY_DATABASE_URI"]  # the worker's schema, wiped
    else:
        url = f"sqlite:///{tmp_path}/shared.sqlite"
        query(app, lambda: create_backup(str(tmp_path / "shared.sqlite")))
    key_file = tmp_path / "keys" / "keys.json"
    load_or_create(str(key_file), create=True)
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "KEY_FILE": str(key_file),  # the erasure ledger and the case-key store are beside it
        "SECRET_KEY": "s" * 40,
        "WTF_CSRF_ENABLED": False,
    }
    app = create_app("testing", config)
    actor = make_user(app, "counsellor", "TA-02")[0]
    a, b = Instance(config, actor), Instance(config, actor)  # both start while the test goes on
    # A case from before the case-key store: its data key is wrapped by the KEK, and only the ledger refuses it
    # once erased (README "Moving an older installation to the case-key store").
    monkeypatch.setattr(Case, "key_owner", EncryptedRecord.key_owner)
    legacy = query(app, lambda: (new_case(load_user(actor), full_name="Lò Văn Cũ").id, db.session.commit())[0])
    monkeypatch.undo()
    try:
        a.wait_ready()
        b.wait_ready()
        a.send("create", names=[f"Quàng Thị A{n}" for n in range(PER_INSTANCE)])
        b.send("create", names=[f"Lường Văn B{n}" for n in range(PER_INSTANCE)])
        mine, theirs = a.answer()["ids"], b.answer()["ids"]
        everyone = [legacy, *mine, *theirs]
        names = a.ask("read", ids=everyone)["names"]
        assert names[0] == "Lò Văn Cũ" and names[1] == "Quàng Thị A0" and names[-1] == f"Lường Văn B{PER_INSTANCE - 1}"
        assert b.ask("read", ids=everyone)["names"] == names  # each reads what the other made
        assert a.ask("case_keys", ids=mine[:2])["found"] == [True, True]
        # What a backup taken now holds: every row with its wrapped data key and sealed name.
        old_rows = raw_rows(app, everyone)
        older = str(tmp_path / "before-erasures.backup")
        if not on_postgres():  # pg_dump would take every schema of the test database (see the module docstring)
            query(app, lambda: create_backup(older))

        # 1. B erases a case A has just read (A's own), and the case from before the store.
        assert b.ask("erase", ids=[mine[0], legacy]) == {"erased": 2}
        assert a.ask("read", ids=[mine[0], legacy, mine[1]])["names"] == [None, None, "Quàng Thị A1"]
        assert a.ask("case_keys", ids=mine[:2])["found"] == [False, True]  # no key kept in A's memory
        assert a.ask("open_old", rows=old_rows[:2])["names"] == ["RecordErased", "RecordErased"]

        # 2. Both erase at once: A its own cases and half of B's, B the other half of its own.
        a_erases, b_erases = mine[1:] + theirs[: PER_INSTANCE // 2], theirs[PER_INSTANCE // 2 : -1]
        a.send("erase", ids=a_erases)
        b.send("erase", ids=b_erases)
        assert a.answer() == {"erased": len(a_erases)} and b.answer() == {"erased": len(b_erases)}
        erased = {legacy, *mine, *theirs[:-1]}
        on_file = set(json.loads((key_file.parent / "erased.json").read_text(encoding="utf-8"))["erased_ids"])
        assert erased - on_file == set(), f"{len(erased - on_file)} erasures lost from the ledger"
        assert erased <= set(a.ask("ledger")["erased_ids"]) and erased <= set(b.ask("ledger")["erased_ids"])
        names = a.ask("read", ids=everyone)["names"]
        assert names[:-1] == [None] * (len(everyone) - 1) and names[-1] == f"Lường Văn B{PER_INSTANCE - 1}"
        store = app.extensions["tincay_keyring"].case_keys
        assert not any(store.has(i) for i in erased - {legacy}) and store.has(theirs[-1])
        # The rows as the older backup holds them, on both running instances: none opens but the one kept.
        kept = f"Lường Văn B{PER_INSTANCE - 1}"
        assert a.ask("open_old", rows=old_rows)["names"] == ["RecordErased"] * len(erased) + [kept]
        assert b.ask("open_old", rows=old_rows)["names"] == ["RecordErased"] * len(erased) + [kept]
    finally:
        a.stop()
        b.stop()

    # 3. The backup itself, restored with today's key file, store and ledger, in a new instance (SQLite: the
    # PostgreSQL restore is proved in tests/test_crypto_erasure_final.py; here the rows it would hold, above).
    if not on_postgres():
        restored = create_app("testing", {**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/restored.sqlite"})
        query(restored, lambda: restore_backup(older))
        names = query(restored, lambda: [attempt(lambda i=i: db.session.get(Case, i).full_name) for i in everyone])
        assert names == ["RecordErased"] * len(erased) + [kept]
    print(f"two instances: {len(erased)} erasures in {time.monotonic() - started:.1f} s")


def attempt(fn):
    try:
        return fn()
    except CryptoError as exc:
        return type(exc).__name__


LEDGER_WRITER = """
import sys
from app.crypto.keyring import load_or_create
ring = load_or_create(sys.argv[1], create=False)
for n in range(int(sys.argv[3])):
    ring.record_erased(f"{sys.argv[2]}-{n}")
"""


def test_ledger_writers_in_several_processes_lose_no_erasure(tmp_path):
    """Three processes, each with the ledger it loaded at start, record 150 erasures each as fast as they can."""
    key_file = tmp_path / "keys.json"
    load_or_create(str(key_file), create=True)
    writers = [
        subprocess.Popen([PYTHON, "-c", LEDGER_WRITER, str(key_file), name, "150"], cwd=ROOT, env=dict(os.environ))
        for name in ("a", "b", "c")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    on_file = set(json.loads((tmp_path / "erased.json").read_text())["erased_ids"])
    expected = {f"{name}-{n}" for name in ("a", "b", "c") for n in range(150)}
    assert expected - on_file == set(), f"{len(expected - on_file)} of {len(expected)} erasures lost"
    assert oct((tmp_path / "erased.json.lock").stat().st_mode & 0o777) == "0o600"


def test_an_instance_learns_another_ones_erasures_from_the_ledger_file(tmp_path):
    key_file = str(tmp_path / "keys.json")
    one = load_or_create(key_file, create=True)
    other = load_or_create(key_file, create=False)
    other.record_erased("case-from-the-other-host")
    assert "case-from-the-other-host" not in one.erased_ids  # not yet looked
    one.refresh_ledger()
    assert "case-from-the-other-host" in one.erased_ids
    one.record_erased("case-here")
    other.refresh_ledger()
    assert {"case-here", "case-from-the-other-host"} <= other.erased_ids
    # An older ledger put back (an escrow copy) does not un-erase anything this process knows.
    (tmp_path / "erased.json").write_text(json.dumps({"format": "tincay-erased-1", "erased_ids": []}))
    one.refresh_ledger()
    assert {"case-here", "case-from-the-other-host"} <= one.erased_ids


MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
40 22 0:35 / /srv/tincay rw,relatime shared:20 - nfs4 files:/tincay rw,vers=4.2,hard,proto=tcp,local_lock=none
41 22 0:36 / /srv/unsafe rw,relatime shared:21 - nfs4 files:/tincay rw,vers=4.2,soft,nocto,local_lock=none
42 22 0:37 / /srv/old rw,relatime shared:22 - nfs files:/tincay rw,vers=3,hard,nolock,local_lock=all
"""


def test_production_refuses_shared_storage_mounted_without_locks_or_close_to_open():
    def problems(folder):
        cfg = {
            "KEY_FILE": "/etc/tincay/keys.json",
            "ERASURE_LEDGER": f"{folder}/erased.json",
            "AUDIT_CHECKPOINT_FILE": f"{folder}/audit-checkpoints.jsonl",
        }
        return shared_storage_problems(cfg, MOUNTINFO)

    assert problems("/srv/tincay") == []  # NFSv4, hard, locks and close-to-open: fine
    assert problems("/var/lib/tincay") == []  # a local disk
    unsafe = problems("/srv/unsafe")
    assert len(unsafe) == 3  # the ledger, the store beside it, the checkpoint file
    assert all("nocto" in p and "soft" in p for p in unsafe)
    old = problems("/srv/old")
    assert all("local_lock=all" in p and "nolock" in p for p in old) and len(old) == 3


def test_the_head_sink_takes_a_record_lock_to_append(tmp_path, monkeypatch):
    """Over NFS, O_APPEND alone lets two hosts write over each other's lines: each append holds a lock."""
    import fcntl

    from app.audit import sink

    taken = []
    real = fcntl.lockf
    monkeypatch.setattr(fcntl, "lockf", lambda fd, op, *rest: (taken.append(op), real(fd, op, *rest))[1])
    path = tmp_path / "heads.log"
    sink.append({"AUDIT_HEAD_SINK": str(path)}, 7, "a" * 64)
    assert taken == [fcntl.LOCK_EX] and path.read_text().startswith("tincay-audit-head-1 7 ")


def test_an_erasure_whose_ledger_write_fails_destroys_its_keys_and_the_sweep_completes_the_ledger(
    app, monkeypatch, caplog
):
    """A lock the NFS server refuses (ENOLCK) after the erasure committed: the keys still go, the ids are logged,
    and `keys sweep` (repair_ledger) puts them on the ledger."""
    import errno

    from app.cases.models import Case
    from app.cases.services import erase_case
    from app.crypto.case_store import repair_ledger

    actor = make_user(app, "counsellor", "TA-02")[0]
    case_id = query(app, lambda: (new_case(load_user(actor)).id, db.session.commit())[0])
    ring = app.extensions["tincay_keyring"]
    assert ring.case_keys.has(case_id)

    def refused(self, *ids):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(type(ring), "record_erased", refused)
    query(app, lambda: (erase_case(db.session.get(Case, case_id), load_user(actor)), db.session.commit()))
    monkeypatch.undo()
    assert not ring.case_keys.has(case_id)  # the keys went all the same
    assert case_id not in ring.erased_ids and "erased ids not written to the erasure ledger" in caplog.text
    assert query(app, lambda: repair_ledger(ring)) == 1
    ledger = json.loads(Path(ring.ledger_path).read_text(encoding="utf-8"))["erased_ids"]
    assert case_id in ring.erased_ids and case_id in ledger
    assert query(app, lambda: repair_ledger(ring)) == 0


def test_a_rotation_never_writes_back_a_key_an_erasure_destroyed_meanwhile(tmp_path, monkeypatch):
    """`keys rotate` reads a case key and puts it back re-wrapped; an erasure (in the service, perhaps on another
    host) destroys that key in between. Without the store's lock the rotation's rename made the key exist again."""
    import threading

    from app.crypto import casekeys, envelope

    ring = load_or_create(str(tmp_path / "keys.json"), create=True)
    group = "0e5a1c3e-0000-4000-8000-000000000001"
    ring.store.get_or_create(ring, group)
    ring.add_primary()  # the key is now on an old KEK: rotation re-wraps it
    read, destroyed = threading.Event(), threading.Event()
    real = envelope.wrap_dek

    def slow_wrap(*args, **kwargs):  # the rotation has read the key and is about to write it back
        read.set()
        destroyed.wait(timeout=1.0)  # with the lock the erasure waits for the rotation: this times out
        return real(*args, **kwargs)

    monkeypatch.setattr(envelope, "wrap_dek", slow_wrap)
    rotation = threading.Thread(target=ring.store.rewrap, args=(ring, group, casekeys.CASE))
    rotation.start()
    assert read.wait(timeout=10)
    assert ring.store.destroy(group) == 1  # the erasure
    destroyed.set()
    rotation.join(timeout=10)
    assert not ring.store.has(group), "the rotation wrote the erased case's key back"
    assert ring.store.rewrap(ring, group, casekeys.CASE) is False  # a key gone since the listing stays gone


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the operator's commands run as root, the service not")
def test_operator_commands_run_as_root_leave_the_ledger_and_locks_to_the_service(tmp_path):
    service = (65534, 65534)  # nobody: stands for the service's user, owner of its state directory
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    os.chown(state, *service)
    ring = load_or_create(str(tmp_path / "keys.json"), create=True, ledger=str(state / "erased.json"))
    os.chown(ring.store.directory, *service)
    ring.record_erased("case-erased-by-an-operator-command")
    ring.store.destroy("0e5a1c3e-0000-4000-8000-000000000002")
    for path in (state / "erased.json", state / "erased.json.lock", Path(ring.store.directory) / ".lock"):
        assert (path.stat().st_uid, path.stat().st_gid) == service, path
        assert oct(path.stat().st_mode & 0o777) == "0o600", path
