"""Backups and keys: a backup of a live database is consistent and restores into a fresh instance; with the
key file everything decrypts, without it nothing is served; a rotated key ring still opens old backups while
the retired key is kept; an erased case stays unreadable after an older backup is restored.

SQLite uses the online backup API; with TEST_DATABASE_URL the same proofs run on PostgreSQL with pg_dump and
pg_restore, each instance in a whole database of its own (as in production).
"""

import os
import shutil
import stat
import subprocess
import time

import pytest
from reliability.support import (
    PASSWORD,
    PYTHON,
    ROOT,
    SECRETS,
    Writer,
    build_instance,
    capture_logs,
    flask_cli,
    fresh_database,
    make_user,
    new_case,
    query,
)
from reliability.support import user as load_user
from sqlalchemy import func, select

from app import create_app
from app.extensions import db


def contents(app) -> dict:
    """Every case with its plaintext, the case.create entries, the chain verdict (and SQLite's check)."""
    from app.audit import services as audit
    from app.audit.models import AuditEntry
    from app.cases.models import Case

    def read():
        cases = {
            c.id: (c.full_name, c.phone, (c.domestic_violence or {}).get("story"))
            for c in db.session.scalars(select(Case))
        }
        created = db.session.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "case.create")).all()
        integrity = None
        if db.engine.dialect.name == "sqlite":
            integrity = db.session.execute(db.text("PRAGMA integrity_check")).scalar()
        return {
            "cases": cases,
            "created": created,
            "verdict": audit.verify(),
            "integrity": integrity,
            "entries": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        }

    return query(app, read)


def restored_app(db_url: str, key_file: str):
    return create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": db_url, "KEY_FILE": key_file, "SECRET_KEY": "r" * 40, "WTF_CSRF_ENABLED": False},
    )


def seed_cases(app, actor_id: str, count: int) -> list[str]:
    def create():
        ids = [new_case(load_user(actor_id)).id for _ in range(count)]
        db.session.commit()
        return ids

    return query(app, create)


def escrow(key_file: str, folder) -> str:
    """The operator's escrowed copy of the key file, its erasure ledger and its case-key store (kept apart from
    the backups)."""
    os.makedirs(folder, exist_ok=True)
    copy = os.path.join(folder, "keys.json")
    shutil.copyfile(key_file, copy)
    os.chmod(copy, 0o400)
    ledger = os.path.join(os.path.dirname(key_file), "erased.json")
    if os.path.exists(ledger):
        shutil.copyfile(ledger, os.path.join(folder, "erased.json"))
    shutil.copytree(os.path.join(os.path.dirname(key_file), "case-keys"), os.path.join(folder, "case-keys"))
    return copy


@pytest.mark.slow
def test_backup_of_a_live_database_restores_whole_into_a_fresh_instance(tmp_path):
    src_url = fresh_database(tmp_path, "src")
    app = build_instance(tmp_path / "src", "src", SQLALCHEMY_DATABASE_URI=src_url)
    keys = app.config["KEY_FILE"]
    actor = make_user(app, "counsellor", "TA-02")[0]
    seed_cases(app, actor, 5)

    writer = Writer(src_url, keys, actor, total=10**6)  # writes until stopped
    try:
        assert writer.started.wait(60)
        before = len(writer.lines)
        backup = str(tmp_path / "backups" / "tincay.backup")
        made = flask_cli("backup", "create", backup, db_url=src_url, key_file=keys)
        time.sleep(0.2)
        during = len(writer.lines) - before
        assert writer.proc.poll() is None, "the writer stopped during the backup"
    finally:
        writer.kill()
    assert made.returncode == 0, made.stderr
    assert "NOT in it" in made.stdout  # the operator is reminded that keys are backed up separately
    assert during > 0, "nothing was written while the backup ran: not a live backup"
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    with open(backup, "rb") as fh:
        raw = fh.read()
    for value in SECRETS.values():
        assert value.encode() not in raw, "plaintext person data inside a backup file"

    # A fresh instance elsewhere: an empty database, the escrowed key file, the backup.
    dst_url = fresh_database(tmp_path, "dst")
    key_copy = escrow(keys, tmp_path / "escrow")
    restored = flask_cli("backup", "restore", backup, "--yes", db_url=dst_url, key_file=key_copy)
    assert restored.returncode == 0, restored.stderr
    verified = flask_cli("audit", "verify", db_url=dst_url, key_file=key_copy)
    assert verified.returncode == 0 and "chain intact" in verified.stdout, verified.stderr

    found = contents(restored_app(dst_url, key_copy))
    assert found["verdict"].ok and found["verdict"].checked == found["entries"]
    assert set(found["cases"]) == set(found["created"]), "the backup caught a case without its audit entry"
    assert len(found["cases"]) >= 5
    assert all(v == (SECRETS["full_name"], SECRETS["phone"], SECRETS["narrative"]) for v in found["cases"].values())
    if found["integrity"] is not None:
        assert found["integrity"] == "ok"
    print(
        f"\nbackup: live backup while the writer committed {during} cases; restored {len(found['cases'])} "
        f"cases, all decrypt, {found['entries']} audit entries verified"
    )


def test_without_the_key_file_nothing_is_served_and_setup_will_not_make_new_keys(tmp_path, caplog):
    db_url = fresh_database(tmp_path, "nokey")
    app = build_instance(tmp_path / "nokey", "nokey", SQLALCHEMY_DATABASE_URI=db_url)
    seed_cases(app, make_user(app, "counsellor", "TA-02")[0], 2)
    missing = str(tmp_path / "lost" / "keys.json")

    # The web app: every page answers the Vietnamese 503, and the log tells the operator what to do.
    keyless = restored_app(db_url, missing)
    capture_logs(caplog, "ERROR")
    for path in ("/auth/login", "/cases/", "/"):
        page = keyless.test_client().get(path)
        assert page.status_code == 503
        assert "khóa mã hóa" in page.get_data(as_text=True)
    assert sum("no key file at" in r.getMessage() and "escrowed" in r.getMessage() for r in caplog.records) == 1
    assert keyless.test_client().get("/healthz").status_code == 200  # liveness only, no data

    # Operator commands stop with a clear message instead of working without keys.
    verify = flask_cli("audit", "verify", db_url=db_url, key_file=missing)
    assert verify.returncode != 0 and "Không có tệp khóa" in verify.stderr
    # setup would otherwise make a new key ring, and every record would be lost for good.
    setup = flask_cli("setup", db_url=db_url, key_file=missing)
    assert setup.returncode != 0 and "key file" in setup.stderr and "escrowed" in setup.stderr, setup.stderr
    assert not os.path.exists(missing)

    # Production refuses to start at all (gunicorn imports wsgi:app): a clear message, a non-zero exit.
    env = {
        **os.environ,
        "PYTHONPATH": ROOT,
        "APP_CONFIG": "production",
        "SECRET_KEY": "p" * 48,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "DATABASE_URL": db_url,
        "TINCAY_KEY_FILE": missing,
    }
    start = subprocess.run(
        [PYTHON, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert start.returncode != 0
    assert "Production configuration refused" in start.stderr and "key file" in start.stderr


def test_rotated_key_ring_opens_old_backups_while_the_retired_key_is_kept(tmp_path):
    from app.crypto import envelope
    from app.crypto.casekeys import CaseKeyStore
    from app.crypto.errors import RecordDamaged
    from app.crypto.keyring import KeyRing

    src_url = fresh_database(tmp_path, "rot")
    app = build_instance(tmp_path / "rot", "rot", SQLALCHEMY_DATABASE_URI=src_url)
    keys = app.config["KEY_FILE"]
    seed_cases(app, make_user(app, "counsellor", "TA-02")[0], 3)
    old_backup = str(tmp_path / "before-rotation.backup")
    assert flask_cli("backup", "create", old_backup, db_url=src_url, key_file=keys).returncode == 0

    rotated = flask_cli("keys", "rotate", db_url=src_url, key_file=keys)
    assert rotated.returncode == 0 and "primary is v2" in rotated.stdout, rotated.stderr
    retired = flask_cli("keys", "retire", "1", db_url=src_url, key_file=keys)
    assert retired.returncode == 0, retired.stderr
    ring = KeyRing.load(keys)
    assert ring.primary == 2 and ring.retired == {1} and 1 in ring.keks  # retired, not deleted

    dst_url = fresh_database(tmp_path, "rot_dst")
    key_copy = escrow(keys, tmp_path / "escrow")
    assert flask_cli("backup", "restore", old_backup, "--yes", db_url=dst_url, key_file=key_copy).returncode == 0
    found = contents(restored_app(dst_url, key_copy))
    assert len(found["cases"]) == 3 and found["verdict"].ok
    assert all(v[0] == SECRETS["full_name"] for v in found["cases"].values())

    # The cases' data keys are wrapped by their case keys, which rotation re-wrapped in the store: even with the
    # retired key deleted from the file, the old backup's cases open with today's store.
    alone = tmp_path / "without-v1"
    shutil.copytree(tmp_path / "escrow" / "case-keys", alone / "case-keys")
    ring.keks.pop(1)
    ring.retired.discard(1)
    ring.save(str(alone / "keys.json"))
    assert all(
        v[0] == SECRETS["full_name"]
        for v in contents(restored_app(dst_url, str(alone / "keys.json")))["cases"].values()
    )
    # A store key wrapped by a KEK the file no longer holds fails closed: an error, never wrong plaintext.
    group, name = next(CaseKeyStore(str(alone / "case-keys")).entries())
    key_path = alone / "case-keys" / group[:2] / group / f"{name}.key"
    key_path.write_bytes(envelope.wrap_dek(KeyRing.generate(), b"k" * 32, f"casekey:{name}", group))
    with pytest.raises(RecordDamaged):
        contents(restored_app(dst_url, str(alone / "keys.json")))


def test_an_erased_case_stays_unreadable_after_restoring_an_older_backup(tmp_path):
    from app.cases.models import Case
    from app.cases.services import erase_case
    from app.crypto.errors import RecordErased

    src_url = fresh_database(tmp_path, "erase")
    app = build_instance(tmp_path / "erase", "erase", SQLALCHEMY_DATABASE_URI=src_url)
    keys = app.config["KEY_FILE"]
    actor, username, _ = make_user(app, "counsellor", "TA-02")
    erased_id, kept_id = seed_cases(app, actor, 2)
    older = str(tmp_path / "before-erasure.backup")
    assert flask_cli("backup", "create", older, db_url=src_url, key_file=keys).returncode == 0

    def erase():
        erase_case(db.session.get(Case, erased_id), load_user(actor))
        db.session.commit()

    query(app, erase)

    dst_url = fresh_database(tmp_path, "erase_dst")
    key_copy = escrow(keys, tmp_path / "escrow")  # the key file as it is after the erasure
    assert flask_cli("backup", "restore", older, "--yes", db_url=dst_url, key_file=key_copy).returncode == 0
    restored = restored_app(dst_url, key_copy)

    def read(case_id):
        return db.session.get(Case, case_id).full_name

    assert query(restored, lambda: read(kept_id)) == SECRETS["full_name"]
    with pytest.raises(RecordErased):
        query(restored, lambda: read(erased_id))
    # On the web: the case page says it was erased (410), not "damaged" and never its content.
    client = restored.test_client()
    client.post("/auth/login", data={"username": username, "password": PASSWORD})
    page = client.get(f"/cases/{erased_id}")
    assert page.status_code == 410 and SECRETS["full_name"] not in page.get_data(as_text=True)
    assert client.get(f"/cases/{kept_id}").status_code == 200
