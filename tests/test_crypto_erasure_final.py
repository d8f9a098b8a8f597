"""Erasure is final: the attack of issue #14 played out, and the ways an erasure could go half-way.

The attacker holds a database backup taken before the erasure and every key that exists today (the key file,
the case-key store, the erasure ledger — or the ledger deleted). The erased case, its referral packet and
the draft typed on its form must not decrypt; the kept case must. Runs on SQLite and, with TEST_DATABASE_URL,
on PostgreSQL (pg_dump / pg_restore into a database of its own).
"""

import glob
import os
import shutil
from datetime import date

import pytest
from reliability.support import (
    build_instance,
    flask_cli,
    fresh_database,
    make_user,
    new_case,
    on_postgres,
    query,
)
from reliability.support import user as load_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import create_app
from app.crypto import casekeys
from app.crypto.errors import CryptoError, RecordErased
from app.extensions import db

AGENCY = "AG-PVHXH-03295"
ERASED = {"full_name": "Quàng Thị Xoáhẳn", "phone": "0977 111 222", "story": "Bí mật cần xoá vĩnh viễn ở bản Phiêng"}
KEPT = {"full_name": "Lường Văn Giữlại", "phone": "0966 333 444", "story": "Câu chuyện được giữ lại"}
DRAFT_TEXT = "Bản nháp đang gõ dở về hồ sơ sẽ bị xoá"


def _case(actor_id, marks):
    case = new_case(
        load_user(actor_id),
        full_name=marks["full_name"],
        phone=marks["phone"],
        domestic_violence={"acts": ["physical_beating"], "story": marks["story"]},
    )
    db.session.flush()
    return case


def _share(case, actor):
    """A consent to share with the agency, and a referral whose packet carries the name and phone."""
    from app.cases.services import record_consent
    from app.referrals.services import send_referral
    from app.units.queries import by_code

    agency = by_code(AGENCY)
    record_consent(
        case,
        {
            "purpose": "share_with_agency",
            "agency_id": agency.id,
            "method": "signed",
            "given_by": "self",
            "given_on": date(2026, 3, 1),
        },
        actor=actor,
    )
    return send_referral(
        case,
        {
            "idempotency_key": f"erase-proof-{case.id}",
            "agency_id": agency.id,
            "services": ["psychological"],
            "fields": ["full_name", "phone"],
        },
        actor=actor,
    )


def seed(app, actor_id):
    """Two cases; the first gets a referral packet and a draft of its edit form."""
    from app.web.drafts import save_draft

    def make():
        actor = load_user(actor_id)
        erased, kept = _case(actor_id, ERASED), _case(actor_id, KEPT)
        referral = _share(erased, actor)
        draft = save_draft(
            actor, f"case-edit-{erased.id}", MultiDict({"full_name": ERASED["full_name"], "incident": DRAFT_TEXT})
        )
        db.session.commit()
        return {
            "erased": erased.id,
            "kept": kept.id,
            "referral": referral.id,
            "packet": referral.packets[0].id,
            "draft": draft.id,
        }

    return query(app, make)


def erase(app, case_id, actor_id):
    from app.cases.models import Case
    from app.cases.services import erase_case

    def run():
        erase_case(db.session.get(Case, case_id), load_user(actor_id))
        db.session.commit()

    query(app, run)


def escrow_today(app, folder) -> str:
    """Today's keys as the operator escrows them: key file, erasure ledger, case-key store."""
    ring = app.extensions["tincay_keyring"]
    os.makedirs(folder, exist_ok=True)
    key_copy = os.path.join(folder, "keys.json")
    shutil.copyfile(ring.path, key_copy)
    if os.path.exists(ring.ledger_path):
        shutil.copyfile(ring.ledger_path, os.path.join(folder, "erased.json"))
    shutil.copytree(ring.case_keys.directory, os.path.join(folder, "case-keys"))
    return key_copy


def restored(db_url, key_file):
    return create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": db_url, "KEY_FILE": key_file, "SECRET_KEY": "r" * 40, "WTF_CSRF_ENABLED": False},
    )


def read_all(app, ids):
    """What each object decrypts to in this instance: its value, or the class name of the error."""
    from app.cases.models import Case
    from app.referrals.models import ReferralPacket
    from app.web.models import FormDraft

    def attempt(fn):
        try:
            return fn()
        except CryptoError as exc:
            return type(exc).__name__

    def read():
        return {
            "kept": attempt(lambda: db.session.get(Case, ids["kept"]).full_name),
            "erased": attempt(lambda: db.session.get(Case, ids["erased"]).full_name),
            "story": attempt(lambda: db.session.get(Case, ids["erased"]).domestic_violence),
            "packet": attempt(lambda: db.session.get(ReferralPacket, ids["packet"]).content),
            "draft": attempt(lambda: getattr(db.session.get(FormDraft, ids["draft"]), "data", "row deleted")),
        }

    return query(app, read)


def test_old_backup_restored_with_todays_keys_does_not_open_the_erased_case(tmp_path):
    src_url = fresh_database(tmp_path, "fin")
    app = build_instance(tmp_path / "fin", "fin", SQLALCHEMY_DATABASE_URI=src_url)
    actor = make_user(app, "counsellor", "TA-02")[0]
    ids = seed(app, actor)
    before = read_all(app, ids)
    assert before["erased"] == ERASED["full_name"] and before["packet"]["values"]["phone"] == ERASED["phone"]
    assert before["draft"]["incident"] == [DRAFT_TEXT]
    older = str(tmp_path / "before-erasure.backup")
    made = flask_cli("backup", "create", older, db_url=src_url, key_file=app.config["KEY_FILE"])
    assert made.returncode == 0, made.stderr

    store = app.extensions["tincay_keyring"].case_keys
    assert store.has(ids["erased"]) and store.has(ids["erased"], casekeys.packet_name(ids["packet"]))
    erase(app, ids["erased"], actor)
    assert not store.has(ids["erased"]) and not store.has(ids["erased"], casekeys.packet_name(ids["packet"]))
    assert not os.path.exists(os.path.join(store.directory, ids["erased"][:2], ids["erased"]))
    assert store.has(ids["kept"])
    live = read_all(app, ids)
    assert live["kept"] == KEPT["full_name"]
    assert live["erased"] is None and live["packet"] is None and live["draft"] == "row deleted"

    # The attack: the OLD backup, restored into a fresh database with every key that exists TODAY.
    dst_url = fresh_database(tmp_path, "fin_dst")
    key_copy = escrow_today(app, tmp_path / "escrow")
    done = flask_cli("backup", "restore", older, "--yes", db_url=dst_url, key_file=key_copy)
    assert done.returncode == 0, done.stderr
    after = read_all(restored(dst_url, key_copy), ids)
    assert after["kept"] == KEPT["full_name"]
    assert after["erased"] == after["story"] == after["packet"] == after["draft"] == "RecordErased"

    # The ledger is only a label: with it deleted the erased case still does not open (no key unwraps it).
    os.unlink(os.path.join(tmp_path / "escrow", "erased.json"))
    without = read_all(restored(dst_url, str(key_copy)), ids)
    assert without["kept"] == KEPT["full_name"]
    for name in ("erased", "story", "packet", "draft"):
        assert without[name] == "RecordDamaged", (name, without[name])
    # And no key of the ring opens the erased case's wrapped data key directly either.
    wrapped = query(
        restored(dst_url, str(key_copy)),
        lambda: db.session.execute(
            db.text("SELECT wrapped_dek FROM case_record WHERE id = :id"), {"id": ids["erased"]}
        ).scalar(),
    )
    ring = app.extensions["tincay_keyring"]
    from app.crypto import envelope

    for version in ring.keks:
        with pytest.raises(CryptoError):
            envelope.unwrap_dek(ring, bytes(wrapped), "case_record", ids["erased"])
        with pytest.raises(CryptoError):
            envelope.unwrap_dek_under(ring.kek(version), bytes(wrapped), "case_record", ids["erased"])


def test_sqlite_file_and_wal_keep_no_byte_of_the_erased_case(tmp_path):
    if on_postgres():
        pytest.skip("raw file bytes are checked on SQLite; PostgreSQL: README (VACUUM)")
    app = build_instance(tmp_path / "raw", "raw")
    actor = make_user(app, "counsellor", "TA-02")[0]
    ids = seed(app, actor)

    def blobs():
        row = db.session.execute(
            db.text(
                "SELECT wrapped_dek, full_name_enc, phone_enc, domestic_violence_enc FROM case_record WHERE id = :id"
            ),
            {"id": ids["erased"]},
        ).one()
        packet = db.session.execute(
            db.text("SELECT wrapped_dek, content_enc FROM referral_packet WHERE id = :id"), {"id": ids["packet"]}
        ).one()
        return [bytes(b) for b in (*row, *packet)]

    sealed = query(app, blobs)
    erase(app, ids["erased"], actor)
    path = make_url_path(app)
    files = [f for f in glob.glob(path + "*") if os.path.isfile(f)]
    assert path in files
    for name in files:
        with open(name, "rb") as fh:
            data = fh.read()
        for blob in sealed:
            assert blob[-24:] not in data, f"a ciphertext or wrapped key of the erased case is still in {name}"
        for value in (*ERASED.values(), DRAFT_TEXT, KEPT["full_name"]):
            assert value.encode() not in data
    wal = path + "-wal"
    assert not os.path.exists(wal) or os.path.getsize(wal) == 0, "the WAL was not truncated after the erasure"


def make_url_path(app) -> str:
    with app.app_context():
        return db.engine.url.database


def test_an_erasure_that_fails_before_its_commit_leaves_the_case_wholly_readable(tmp_path, monkeypatch):
    from app.audit import services as audit
    from app.cases.models import Case
    from app.cases.services import erase_case

    app = build_instance(tmp_path / "half", "half", SQLALCHEMY_DATABASE_URI=fresh_database(tmp_path, "half"))
    actor = make_user(app, "counsellor", "TA-02")[0]
    ids = seed(app, actor)
    real = audit.record

    def failing(actor_, action, *args, **kwargs):
        if action == "referral.destroy_packet":
            raise RuntimeError("disk full")
        return real(actor_, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)

    def run():
        with pytest.raises(RuntimeError):
            erase_case(db.session.get(Case, ids["erased"]), load_user(actor))
            db.session.commit()
        db.session.rollback()

    query(app, run)
    monkeypatch.setattr(audit, "record", real)
    ring = app.extensions["tincay_keyring"]
    assert ring.case_keys.has(ids["erased"]) and ids["erased"] not in ring.erased_ids
    whole = read_all(app, ids)
    assert whole["erased"] == ERASED["full_name"] and whole["packet"]["values"]["phone"] == ERASED["phone"]
    assert whole["draft"]["incident"] == [DRAFT_TEXT]


def test_keys_left_by_a_crash_after_the_commit_are_destroyed_by_the_sweep(tmp_path, monkeypatch):
    from app.crypto.case_store import sweep

    app = build_instance(tmp_path / "crash", "crash", SQLALCHEMY_DATABASE_URI=fresh_database(tmp_path, "crash"))
    actor = make_user(app, "counsellor", "TA-02")[0]
    ids = seed(app, actor)
    store = app.extensions["tincay_keyring"].case_keys

    def dies(*_args, **_kwargs):
        raise OSError("process killed before the keys were destroyed")

    monkeypatch.setattr(type(store), "destroy", dies)
    erase(app, ids["erased"], actor)
    monkeypatch.undo()
    assert store.has(ids["erased"])  # the database says erased; the key outlived the crash
    assert read_all(app, ids)["erased"] is None  # ...but nothing opens the case here: its rows are shredded
    assert query(app, lambda: sweep(app.extensions["tincay_keyring"])) == 2  # the case key and the packet key
    assert not store.has(ids["erased"]) and store.has(ids["kept"])
    assert query(app, lambda: sweep(app.extensions["tincay_keyring"])) == 0


def test_existing_cases_move_to_the_store_and_rotation_rewraps_the_store(tmp_path, monkeypatch):
    from app.cases.models import Case
    from app.crypto import envelope
    from app.crypto.case_store import move_to_store
    from app.crypto.records import EncryptedRecord
    from app.crypto.rotation import remaining, retire, rotate

    app = build_instance(tmp_path / "move", "move", SQLALCHEMY_DATABASE_URI=fresh_database(tmp_path, "move"))
    actor = make_user(app, "counsellor", "TA-02")[0]
    ring = app.extensions["tincay_keyring"]
    monkeypatch.setattr(Case, "key_owner", EncryptedRecord.key_owner)  # a case made before the store existed
    old_id = query(app, lambda: (_case(actor, KEPT).id, db.session.commit())[0])
    monkeypatch.undo()
    assert query(app, lambda: db.session.get(Case, old_id).kek_version) == ring.primary
    assert not ring.case_keys.has(old_id)

    assert query(app, lambda: move_to_store(ring).moved) == 1
    assert query(app, lambda: move_to_store(ring).moved) == 0  # idempotent
    assert query(app, lambda: db.session.get(Case, old_id).kek_version) == envelope.STORE_WRAPPED
    assert ring.case_keys.has(old_id)
    assert query(app, lambda: db.session.get(Case, old_id).full_name) == KEPT["full_name"]

    first = ring.primary
    query(app, lambda: rotate(ring, batch=10, echo=lambda *a: None))
    assert all(ring.case_keys.kek_version(g, n) == ring.primary for g, n in ring.case_keys.entries())
    assert query(app, lambda: remaining(ring.primary, ring)) == 0
    query(app, lambda: retire(ring, first))
    assert query(app, lambda: db.session.get(Case, old_id).full_name) == KEPT["full_name"]
    ids = {c for c in query(app, lambda: list(db.session.scalars(select(Case.id))))}
    assert ids == {old_id}
    erase(app, old_id, actor)
    assert not ring.case_keys.has(old_id)
    with pytest.raises(RecordErased):
        query(app, lambda: db.session.get(Case, old_id).data_key())
