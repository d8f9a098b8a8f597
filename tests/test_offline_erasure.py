"""Offline items that could not be saved die with their case (issue 14, item 3).

A rejected item keeps what the counsellor typed, sealed. Its data key used to be wrapped by the KEK, which
lives on: a backup taken before the case was erased, opened with today's key file, still gave the item back.
Now the key of an item that names a case is wrapped by that case's key in the case-key store, which the
erasure destroys; an item that names no case (a rejected intake) has a store key of its own, destroyed when the
item is resolved. The attack is played with the raw bytes a backup would hold.
"""

import glob
import os

import pytest
from offline_support import Phone
from sqlalchemy import select

from app.cases.models import Case
from app.crypto import casekeys, envelope
from app.crypto.errors import CryptoError
from app.extensions import db
from app.offline.models import OfflineItem

MARK = "Lò Thị Ngoạinhoả"


@pytest.fixture
def phone(client, counsellor):
    return Phone(client).register()


def _raw(app, item_id) -> dict:
    """What a database backup holds of the item: its wrapped data key and its sealed values."""
    with app.app_context():
        row = db.session.execute(
            db.text("SELECT wrapped_dek, values_enc, kek_version, case_id FROM offline_item WHERE id = :id"),
            {"id": item_id},
        ).one()
        db.session.remove()
    return {
        "wrapped_dek": bytes(row.wrapped_dek) if row.wrapped_dek is not None else None,
        "values_enc": bytes(row.values_enc) if row.values_enc is not None else None,
        "kek_version": row.kek_version,
        "case_id": row.case_id,
    }


def _opens_with_todays_keys(app, old: dict, item_id: str, owner: tuple[str, str]) -> bool:
    """Can any key that exists now unwrap the item's old data key (from the backup) and open its values?"""
    ring = app.extensions["tincay_keyring"]
    candidates = [ring.kek(version) for version in ring.keks]
    with app.app_context():
        store_key = ring.store.get(ring, *owner)
    if store_key is not None:
        candidates.append(store_key)
    for wrapping in candidates:
        try:
            envelope.unwrap_dek_under(wrapping, old["wrapped_dek"], "offline_item", item_id)
        except CryptoError:
            continue
        return True
    try:
        envelope.unwrap_dek(ring, old["wrapped_dek"], "offline_item", item_id)  # a DEK wrapped by the KEK
    except CryptoError:
        return False
    return True


def _sqlite_files(app) -> list[str]:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return []
        path = db.engine.url.database
    return [f for f in glob.glob(path + "*") if os.path.isfile(f)]


def test_a_rejected_item_of_a_case_is_sealed_under_the_case_key_and_dies_with_the_case(app, client, phone, case_id):
    from app.auth.models import User
    from app.cases import services as case_services
    from app.offline.models import OfflineDevice

    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    client.post("/offline/cases", data={"case_code": code})
    ref = phone.refresh()["cases"][0]["ref"]
    env = phone.seal("followup", {"status": "done", "outcome": "Đã gặp " + MARK}, ref)
    assert phone.send(env).get_json()["status"] == "rejected"  # no open follow-up: kept sealed as a task
    old = _raw(app, env["id"])
    assert old["case_id"] == case_id and old["kek_version"] == envelope.STORE_WRAPPED
    assert MARK.encode() not in old["values_enc"]
    store = app.extensions["tincay_keyring"].store
    assert store.has(case_id, casekeys.CASE) and not store.has(env["id"], casekeys.OFFLINE)
    assert _opens_with_todays_keys(app, old, env["id"], (case_id, casekeys.CASE))  # the attack works before

    with app.test_request_context():
        owner = db.session.get(User, db.session.get(OfflineDevice, phone.device_id).user_id)
        case_services.erase_case(db.session.get(Case, case_id), owner)
        db.session.commit()
        db.session.remove()

    now = _raw(app, env["id"])
    assert now["wrapped_dek"] is None and now["values_enc"] is None
    assert not store.has(case_id, casekeys.CASE)
    # The backup's copy of the item, with every key that exists today: nothing unwraps it.
    assert not _opens_with_todays_keys(app, old, env["id"], (case_id, casekeys.CASE))
    for name in _sqlite_files(app):
        with open(name, "rb") as fh:
            data = fh.read()
        assert old["wrapped_dek"][-24:] not in data and old["values_enc"][-24:] not in data, name


def test_a_rejected_intake_has_a_key_of_its_own_destroyed_when_it_is_resolved(app, client, phone, unit):
    from test_offline_sync import intake_fields

    env = phone.seal("intake", dict(intake_fields(unit, opened_on="2099-01-01"), full_name=MARK))
    assert phone.send(env).get_json()["status"] == "rejected"
    old = _raw(app, env["id"])
    assert old["case_id"] is None and old["kek_version"] == envelope.STORE_WRAPPED
    store = app.extensions["tincay_keyring"].store
    assert store.has(env["id"], casekeys.OFFLINE)
    with app.app_context():
        assert db.session.get(OfflineItem, env["id"]).values["full_name"] == [MARK]
        db.session.remove()
    assert client.post(f"/offline/items/{env['id']}/finish", data={"action": "done"}).status_code == 303
    assert _raw(app, env["id"])["values_enc"] is None
    assert not store.has(env["id"], casekeys.OFFLINE)
    assert not _opens_with_todays_keys(app, old, env["id"], (env["id"], casekeys.OFFLINE))


def test_the_sweep_destroys_the_key_of_an_item_that_no_longer_exists(app, client, phone, unit):
    from app.crypto.case_store import sweep

    env = phone.seal("intake", intake_fields_invalid(unit))
    assert phone.send(env).get_json()["status"] == "rejected"
    store = app.extensions["tincay_keyring"].store
    assert store.has(env["id"], casekeys.OFFLINE)
    with app.app_context():  # the device is deleted: its items go with it (ON DELETE CASCADE)
        db.session.execute(db.text("DELETE FROM offline_item WHERE id = :id"), {"id": env["id"]})
        db.session.commit()
        assert db.session.scalar(select(OfflineItem.id).where(OfflineItem.id == env["id"])) is None
        sweep(app.extensions["tincay_keyring"])
        db.session.remove()
    assert not store.has(env["id"], casekeys.OFFLINE)


def intake_fields_invalid(unit):
    from test_offline_sync import intake_fields

    return intake_fields(unit, opened_on="2099-01-01")


def test_an_item_refused_for_lost_access_is_still_sealed_under_its_case_key(app, client, phone, case_id, unit):
    """The counsellor lost access to the case (it moved to another trusted address) before the phone sent: the
    item is refused, but it is about that case, so it is sealed under that case's key and dies with it."""
    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    client.post("/offline/cases", data={"case_code": code})
    ref = phone.refresh()["cases"][0]["ref"]
    with app.app_context():
        db.session.execute(
            db.text("UPDATE case_record SET unit_id = :u WHERE id = :id"), {"u": unit("TA-03").id, "id": case_id}
        )
        db.session.commit()
        db.session.remove()
    env = phone.seal("note", {"body": "Ghi chú " + MARK}, ref)
    answer = phone.send(env).get_json()
    assert answer["status"] == "rejected"
    old = _raw(app, env["id"])
    assert old["case_id"] == case_id and old["kek_version"] == envelope.STORE_WRAPPED
    with app.app_context():
        item = db.session.get(OfflineItem, env["id"])
        assert item.reason == "no_access" and item.values["body"] == ["Ghi chú " + MARK]
        db.session.remove()
    assert _opens_with_todays_keys(app, old, env["id"], (case_id, casekeys.CASE))
    from app.auth.models import User
    from app.cases import services as case_services
    from app.offline.models import OfflineDevice

    with app.test_request_context():
        owner = db.session.get(User, db.session.get(OfflineDevice, phone.device_id).user_id)
        case_services.erase_case(db.session.get(Case, case_id), owner)
        db.session.commit()
        db.session.remove()
    assert _raw(app, env["id"])["values_enc"] is None
    assert not _opens_with_todays_keys(app, old, env["id"], (case_id, casekeys.CASE))
