"""The register pages: the commune reporter enters, corrects and voids; the reviewer above the commune reads the
entries without the payments' person data; the monitor reads the aggregates only; bad input is a field error
with the input kept."""

import json
from datetime import date

from sqlalchemy import select

from app.extensions import db

NAME = "Lường Thị Mẹ Hiền"


def _payment_form(unit_id, **over):
    return {
        "unit_id": unit_id,
        "package": "birth_care",
        "paid_on": "2026-03-02",
        "amount": "1200000",
        "voucher_number": "PC-77",
        "full_name": NAME,
        "id_number": "",
        "address": "Bản Có",
        "ethnic_code": "08",
        "age_band": "18_29",
        "note": "",
        **over,
    }


def _event_form(place_id, **over):
    return {
        "kind": "policy_dialogue",
        "held_on": "2026-04-10",
        "place_id": place_id,
        "topic": "Đối thoại",
        "participants": "30",
        "female": "18",
        "male": "12",
        "eth_03": "10",
        "eth_08": "15",
        "eth_01": "5",
        "eth_23": "0",
        "eth_other": "0",
        **over,
    }


def _audit(app, action):
    from app.audit.models import AuditEntry

    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        found = [(r.object_id, json.loads(r.detail or "{}")) for r in rows]
        db.session.remove()
        return found


def test_a_negative_amount_is_a_field_error_and_the_input_is_kept(app, client, make_user, login, unit):
    login(client, make_user("reporter", "03295"))
    page = client.post("/registers/payments/new", data=_payment_form(unit("03295").id, amount="-5000"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "field-error" in html and NAME in html
    page = client.post("/registers/payments/new", data=_payment_form(unit("03295").id, amount="0"))
    assert page.status_code == 200 and "Số tiền phải lớn hơn 0." in page.get_data(as_text=True)
    from app.registers.models import SafeMotherhoodPayment

    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SafeMotherhoodPayment)) == 0
        db.session.remove()


def test_the_reporter_records_a_payment_and_only_the_reporter_reads_the_name(app, client, make_user, login, unit):
    login(client, make_user("reporter", "03295"))
    response = client.post("/registers/payments/new", data=_payment_form(unit("03295").id))
    assert response.status_code == 303
    listing = client.get("/registers/payments").get_data(as_text=True)
    assert NAME in listing and "1.200.000" in listing
    reads = _audit(app, "registers.payment_read")
    assert reads and all(NAME not in json.dumps(d, ensure_ascii=False) for _, d in reads)
    assert len(reads[-1][1]["ids"]) == 1
    reviewer = app.test_client()
    login(reviewer, make_user("district_reviewer", "11"))
    seen = reviewer.get("/registers/payments").get_data(as_text=True)
    assert "PC-77" in seen and NAME not in seen
    monitor = app.test_client()
    login(monitor, make_user("monitor", "11"))
    assert monitor.get("/registers/payments").status_code in (403, 404)
    overview = monitor.get("/registers/?year=2026")
    assert overview.status_code == 200 and NAME not in overview.get_data(as_text=True)
    # one payment: a small count, suppressed for the monitor with its money (test_registers_overview.py)
    assert "1.200.000" not in overview.get_data(as_text=True) and "&lt;5" in overview.get_data(as_text=True)


def test_a_reporter_of_another_commune_neither_sees_nor_edits_the_payment(app, client, make_user, login, unit):
    from app.registers.models import SafeMotherhoodPayment

    login(client, make_user("reporter", "03295"))
    client.post("/registers/payments/new", data=_payment_form(unit("03295").id))
    with app.app_context():
        payment_id = db.session.scalar(select(SafeMotherhoodPayment.id))
        db.session.remove()
    other = app.test_client()
    login(other, make_user("reporter", "03268"))
    assert "PC-77" not in other.get("/registers/payments").get_data(as_text=True)
    assert other.get(f"/registers/payments/{payment_id}").status_code == 404
    assert other.post(f"/registers/payments/{payment_id}/void", data={"reason": "x"}).status_code == 404
    # …nor records one for a commune that is not theirs
    assert other.post("/registers/payments/new", data=_payment_form(unit("03295").id)).status_code == 404


def test_voiding_a_payment_needs_a_reason_erases_the_person_and_stops_it_counting(app, client, make_user, login, unit):
    from app.registers.models import SafeMotherhoodPayment

    login(client, make_user("reporter", "03295"))
    client.post("/registers/payments/new", data=_payment_form(unit("03295").id))
    with app.app_context():
        payment_id = db.session.scalar(select(SafeMotherhoodPayment.id))
        db.session.remove()
    edit = client.get(f"/registers/payments/{payment_id}").get_data(as_text=True)
    assert NAME in edit
    assert any(d.get("purpose") == "edit" for _, d in _audit(app, "registers.payment_read"))
    page = client.post(f"/registers/payments/{payment_id}/void", data={"reason": ""})
    assert page.status_code == 200 and "Vui lòng ghi lý do." in page.get_data(as_text=True)
    assert client.post(f"/registers/payments/{payment_id}/void", data={"reason": "Chi trùng"}).status_code == 303
    with app.app_context():
        payment = db.session.get(SafeMotherhoodPayment, payment_id)
        assert payment.status == "void" and payment.is_erased and payment.full_name_enc is None
        db.session.remove()
    assert "Chi trùng" in client.get("/registers/payments").get_data(as_text=True)
    overview = client.get("/registers/?year=2026").get_data(as_text=True)
    assert "1.200.000" not in overview


def test_participants_below_their_parts_is_a_field_error_with_the_input_kept(app, client, make_user, login, unit):
    login(client, make_user("reporter", "03295"))
    place = unit("03295").id
    page = client.post("/registers/events/new", data=_event_form(place, participants="20"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "nhỏ hơn số nữ cộng số nam" in html and 'value="Đối thoại"' in html
    page = client.post("/registers/events/new", data=_event_form(place, eth_08="5"))
    assert page.status_code == 200 and "Tổng theo dân tộc (20)" in page.get_data(as_text=True)
    assert client.post("/registers/events/new", data=_event_form(place)).status_code == 303
    listing = client.get("/registers/events").get_data(as_text=True)
    assert "Đối thoại chính sách" in listing and "18/12" in listing


def test_an_event_is_corrected_then_voided_with_its_reason(app, client, make_user, login, unit):
    from app.registers.models import CommunityEvent

    login(client, make_user("reporter", "03295"))
    place = unit("03295").id
    client.post("/registers/events/new", data=_event_form(place))
    with app.app_context():
        event_id = db.session.scalar(select(CommunityEvent.id))
        db.session.remove()
    form = client.get(f"/registers/events/{event_id}").get_data(as_text=True)
    assert 'value="15"' in form  # the Mông count is shown back in its field
    assert (
        client.post(
            f"/registers/events/{event_id}", data=_event_form(place, participants="31", male="13", eth_other="1")
        ).status_code
        == 303
    )
    assert client.post(f"/registers/events/{event_id}/void", data={"reason": "Nhập trùng"}).status_code == 303
    with app.app_context():
        event = db.session.get(CommunityEvent, event_id)
        assert (event.participants, event.status, event.void_reason) == (31, "void", "Nhập trùng")
        db.session.remove()
    actions = {
        a for a in ("registers.event_create", "registers.event_update", "registers.event_void") if _audit(app, a)
    }
    assert len(actions) == 3


def test_voiding_or_erasing_a_payment_needs_a_fresh_second_factor(app, client, make_user, login, unit, monkeypatch):
    from datetime import timedelta

    import pyotp

    from app.auth import stepup
    from app.registers.models import SafeMotherhoodPayment

    user = make_user("reporter", "03295", totp=True)
    login(client, user)
    assert client.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302
    assert client.post("/registers/payments/new", data=_payment_form(unit("03295").id)).status_code == 303
    with app.app_context():
        payment_id = db.session.scalar(select(SafeMotherhoodPayment.id))
        db.session.remove()
    real = stepup.utcnow
    monkeypatch.setattr(stepup, "utcnow", lambda: real() + timedelta(minutes=6))
    for action in ("void", "erase"):
        response = client.post(f"/registers/payments/{payment_id}/{action}", data={"reason": "Chi trùng"})
        assert response.status_code == 303 and "/auth/step-up" in response.headers["Location"], action
    with app.app_context():
        assert not db.session.get(SafeMotherhoodPayment, payment_id).is_erased
        db.session.remove()


def test_a_long_register_is_paged_not_cut(app, client, make_user, login):
    """More events than a page holds: the list links to the next page, where the rest are (none is lost)."""
    from registers_support import event

    with app.test_request_context():
        for day in range(1, 28):
            event(held_on=date(2026, 3, day), topic=f"Đối thoại số {day:02d}")
        db.session.commit()
    login(client, make_user("reporter", "03295"))
    first = client.get("/registers/events").get_data(as_text=True)
    assert "Trang sau" in first and "Đối thoại số 27" in first and "Đối thoại số 01" not in first
    second = client.get("/registers/events?page=2").get_data(as_text=True)
    assert "Đối thoại số 01" in second and "Đối thoại số 27" not in second
