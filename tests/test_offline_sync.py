"""Offline capture, server side: sealed items arrive once, validated like the online forms, audited; tampered,
replayed, oversized and revoked-device items are refused; what fails validation becomes a work-queue task."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from offline_support import Phone
from sqlalchemy import func, select
from test_cases_support import INTAKE
from test_cases_support import audit_actions as raw_audit_actions

from app.cases.models import Case, CaseNote
from app.extensions import db
from app.offline.models import OfflineItem

MARK = "Mùa Thị Offlinê"


def audit_actions(app):
    return [(action, result, json.loads(detail or "{}")) for action, result, detail in raw_audit_actions(app)]


@pytest.fixture
def phone(client, counsellor):
    return Phone(client).register()


def intake_fields(unit, **changes):
    fields = dict(INTAKE, unit_id=unit("TA-02").id, full_name=MARK)
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def count_cases(app):
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Case))
        db.session.remove()
        return n


def test_an_intake_arrives_once_validated_and_audited_with_both_times(app, client, phone, unit):
    env = phone.seal("intake", intake_fields(unit), captured_at="2026-03-02T01:00:00.000Z")
    first = phone.send(env)
    assert first.status_code == 200 and first.get_json()["status"] == "accepted"
    again = phone.send(env)  # the phone did not hear the answer and sends again
    assert again.get_json()["status"] == "accepted"
    assert count_cases(app) == 1
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.full_name == MARK
        item = db.session.get(OfflineItem, env["id"])
        assert item.status == "accepted" and item.result_id == case.id and item.values is None
        db.session.remove()
    actions = audit_actions(app)
    accepted = [a for a in actions if a[0] == "offline.accepted"]
    assert len(accepted) == 1
    assert accepted[0][2]["captured_at"].startswith("2026-03-02T01:00") and accepted[0][2]["received_at"]
    assert [a[0] for a in actions].count("offline.repeat") == 1


def test_a_tampered_ciphertext_or_a_foreign_signature_is_refused_and_nothing_is_saved(app, client, phone, unit):
    env = phone.seal("intake", intake_fields(unit))
    ct = bytearray(env["ct"].encode())
    ct[10] = ord("A") if ct[10] != ord("A") else ord("B")
    response = phone.send(dict(env, ct=ct.decode()))
    assert response.status_code == 400 and response.get_json()["code"] == "tampered"

    other = Phone(client)
    other.device_id, other.server = phone.device_id, phone.server
    forged = other.seal("intake", intake_fields(unit))  # signed with a key the server never saw
    assert phone.send(forged).status_code == 400
    moved = dict(env, kind="note")  # header fields are bound by the tag and the signature
    assert phone.send(moved).status_code == 400
    assert count_cases(app) == 0
    reasons = [a[2].get("reason") for a in audit_actions(app) if a[0] == "offline.refused"]
    assert reasons == ["signature", "signature", "signature"]


def test_malformed_and_oversized_items_are_refused(app, client, phone, unit):
    assert phone.send({"id": "1"}).status_code == 400
    env = phone.seal("intake", intake_fields(unit, incident="x" * 70_000))
    response = phone.send(env)
    assert response.status_code == 413
    assert count_cases(app) == 0


def test_a_revoked_device_is_refused_and_the_refusal_audited(app, client, phone, unit):
    env = phone.seal("intake", intake_fields(unit))
    page = client.get("/offline/devices").get_data(as_text=True)
    assert "Điện thoại 1" in page
    assert client.post(f"/offline/devices/{phone.device_id}/revoke").status_code == 303
    response = phone.send(env)
    assert response.status_code == 403 and response.get_json()["code"] == "revoked"
    assert phone.refresh()["revoked"] is True and "server" not in phone.refresh()
    assert count_cases(app) == 0
    assert ("offline.refused", "denied", {"reason": "revoked"}) in [
        (a, r, {k: v for k, v in d.items() if k == "reason"}) for a, r, d in audit_actions(app)
    ]


def test_an_invalid_intake_becomes_a_work_queue_task_shown_online_only(app, client, counsellor, phone, unit):
    env = phone.seal("intake", intake_fields(unit, opened_on="2099-01-01", sex=None))
    response = phone.send(env)
    assert response.get_json()["status"] == "rejected"
    assert count_cases(app) == 0
    with app.app_context():
        raw = db.session.execute(select(OfflineItem.values_enc)).scalar_one()
        assert MARK.encode() not in raw  # sealed at rest
        db.session.remove()
    from app import workqueue
    from app.auth.models import User

    with app.test_request_context():
        user = db.session.get(User, counsellor.id)
        items = [i for i in workqueue.items_for(user) if i.kind == "offline_rejected"]
        assert len(items) == 1 and MARK not in items[0].title
        url = items[0].url
        db.session.remove()
    page = client.get(url).get_data(as_text=True)
    assert MARK in page and "Ngày tiếp nhận không được ở tương lai." in page and "Vui lòng chọn một mục." in page
    assert "offline.item_read" in [a[0] for a in audit_actions(app)]
    # Finish online: the intake form opens with what was typed; the sealed copy is destroyed.
    finish = client.post(url + "/finish", data={"action": "open_form"})
    assert finish.status_code == 303 and finish.headers["Location"].endswith("/cases/new")
    form = client.get("/cases/new").get_data(as_text=True)
    assert MARK in form
    with app.app_context():
        item = db.session.get(OfflineItem, env["id"])
        assert item.status == "resolved" and item.values_enc is None and item.wrapped_dek is None
        db.session.remove()
    assert client.get(url).status_code == 404


def test_notes_and_follow_ups_go_to_a_carried_case_and_access_is_checked_at_arrival(
    app, client, phone, case_id, make_user, login
):
    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    assert client.post("/offline/cases", data={"case_code": code}).status_code == 303
    cases = phone.refresh()["cases"]
    assert [c["code"] for c in cases] == [code] and set(cases[0]) == {"ref", "code", "kind"}
    ref = cases[0]["ref"]
    assert (
        phone.send(phone.seal("note", {"body": "Ghi chú ngoại tuyến " + MARK}, ref)).get_json()["status"] == "accepted"
    )
    with app.app_context():
        assert [n.body for n in db.session.scalars(select(CaseNote).where(CaseNote.case_id == case_id))] == [
            "Ghi chú ngoại tuyến " + MARK
        ]
        db.session.remove()
    no_followup = phone.send(phone.seal("followup", {"status": "done", "outcome": "Đã gặp"}, ref)).get_json()
    assert no_followup["status"] == "rejected" and "theo dõi" in no_followup["message"]
    # Another counsellor's phone cannot aim at this case through the pointer.
    other_client = app.test_client()
    login(other_client, make_user("counsellor", "TA-03"))
    stranger = Phone(other_client).register()
    result = stranger.send(stranger.seal("note", {"body": "x"}, ref)).get_json()
    assert result["status"] == "rejected"
    with app.app_context():
        assert db.session.get(OfflineItem, result["id"]).reason == "no_access"
        db.session.remove()


def test_a_phone_clock_days_wrong_keeps_the_capture_time_but_flags_it(app, client, phone, unit):
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat().replace("+00:00", "Z")
    env = phone.seal("intake", intake_fields(unit), captured_at=future)
    assert phone.send(env).get_json()["status"] == "accepted"
    with app.app_context():
        item = db.session.get(OfflineItem, env["id"])
        assert item.clock_flag == "future" and item.captured_at > datetime.now(UTC)
        db.session.remove()


def test_the_shell_may_be_kept_by_the_worker_and_holds_no_person_data(app, client, phone, case_id):
    shell = client.get("/offline/")
    assert shell.status_code == 200 and shell.headers["Cache-Control"] == "no-cache"
    assert INTAKE["full_name"] not in shell.get_data(as_text=True)
    worker = client.get("/offline/sw.js")
    assert worker.mimetype == "text/javascript" and "no-store" in worker.get_data(as_text=True)
    assert client.get(f"/cases/{case_id}").headers["Cache-Control"] == "no-store"
    assert client.get("/offline/state").headers["Cache-Control"] == "no-store"


def test_a_supervisor_revokes_a_supervised_counsellors_device_and_nobody_else_can(app, client, phone, make_user, login):
    outsider = app.test_client()
    login(outsider, make_user("counsellor", "TA-03"))
    assert outsider.post(f"/offline/devices/{phone.device_id}/revoke").status_code == 404
    supervisor = app.test_client()
    login(supervisor, make_user("supervisor", "03295"))  # Quài Tở commune, where TA-02 is
    assert "Điện thoại 1" in supervisor.get("/offline/devices").get_data(as_text=True)
    assert supervisor.post(f"/offline/devices/{phone.device_id}/revoke").status_code == 303
    assert phone.refresh()["revoked"] is True


def test_registering_refuses_a_bad_key_or_label(client, counsellor):
    assert client.post("/offline/devices", json={"public_key": "AAAA", "label": "Điện thoại 1"}).status_code == 400
    bad_label = Phone(client)
    with pytest.raises(AssertionError):
        bad_label.register(label="Máy của chị Mai")
    assert re.search(
        "Chọn tên thiết bị",
        client.post(
            "/offline/devices", json={"public_key": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + "A" * 88, "label": "x"}
        ).get_json()["error"],
    )


def test_erasing_a_case_destroys_what_a_phone_sent_for_it_and_stops_carrying_it(
    app, client, phone, case_id, make_user, login
):
    from app.cases import services as case_services
    from app.offline.models import OfflineCase

    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    client.post("/offline/cases", data={"case_code": code})
    ref = phone.refresh()["cases"][0]["ref"]
    env = phone.seal("followup", {"status": "done", "outcome": "Kết quả " + MARK}, ref)
    assert phone.send(env).get_json()["status"] == "rejected"  # no open follow-up: kept sealed as a task
    with app.test_request_context():
        from app.auth.models import User

        case = db.session.get(Case, case_id)
        case_services.erase_case(case, db.session.get(User, phone_owner(app, phone)))
        db.session.commit()
        item = db.session.get(OfflineItem, env["id"])
        assert item.values_enc is None and item.wrapped_dek is None and item.status == "resolved"
        assert db.session.scalar(select(func.count()).select_from(OfflineCase)) == 0
        assert env["id"] in app.extensions["tincay_keyring"].erased_ids
        db.session.remove()
    assert phone.refresh()["cases"] == []


def phone_owner(app, phone) -> str:
    from app.offline.models import OfflineDevice

    return db.session.get(OfflineDevice, phone.device_id).user_id


def test_a_carried_case_the_user_now_only_supervises_takes_no_offline_note(
    app, client, phone, counsellor, case_id, make_user, login
):
    """A counsellor who carried a case offline and then became its supervisor only (the counsellor role moved to
    another address, a supervisor role at the case's commune given) reads the case but may not edit it: the old
    pointer must not let the phone write into it (the supervisor's scope is not the counsellor's)."""
    from app.auth import services as auth_services
    from app.auth.models import User
    from app.units.queries import by_code

    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    assert client.post("/offline/cases", data={"case_code": code}).status_code == 303
    ref = phone.refresh()["cases"][0]["ref"]
    with app.test_request_context():
        user = db.session.get(User, counsellor.id)
        auth_services.assign_role(user, "supervisor", by_code("03295"), actor="test", approved=True)
        auth_services.assign_role(user, "counsellor", by_code("TA-05"), actor="test", approved=True)
        old = next(r for r in user.roles if r.role == "counsellor" and r.unit_id == by_code("TA-02").id)
        auth_services.remove_role(old, actor="test")
        db.session.commit()
        db.session.remove()
    login(client, counsellor)  # the role change ended the session; the phone's device stays registered
    assert client.get(f"/cases/{case_id}").status_code == 200  # the supervisor reads the case
    assert phone.refresh()["cases"] == []  # and the phone is no longer offered it

    result = phone.send(phone.seal("note", {"body": "Ghi chú ngoại tuyến " + MARK}, ref)).get_json()
    assert result["status"] == "rejected"
    with app.app_context():
        assert db.session.get(OfflineItem, result["id"]).reason == "no_access"
        assert db.session.scalars(select(CaseNote).where(CaseNote.case_id == case_id)).all() == []
        db.session.remove()
