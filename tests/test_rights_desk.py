"""The rights desk: a survivor's request is recorded with how identity was checked, acknowledged within 2
Vietnamese working days, answered within the period of its kind (one extension within the limit), refused only
with a coded reason and a written explanation; answered requests are only annotated. The data-protection
officer follows every clock but does not read the person's words. Breaches: the 72-hour clock."""

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select, text

from app.extensions import db
from app.rights.models import Breach, RightsRequest

WORDS = "Tôi muốn xem hồ sơ của tôi, đừng cho chồng tôi biết"


def _new(client, case_id, **changes):
    data = {"kind": "view_copy", "channel": "in_person", "identity_check": "cccd", "details": WORDS}
    data.update(changes)
    return client.post(f"/rights/cases/{case_id}/new", data={k: v for k, v in data.items() if v is not None})


def _only_request(app):
    with app.app_context():
        req = db.session.scalar(select(RightsRequest))
        db.session.expunge_all()
        return req


def test_a_request_needs_the_identity_check_and_keeps_the_input(client, counsellor, case_id):
    page = _new(client, case_id, identity_check="")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Cần ghi cách đã xác minh người yêu cầu" in html and WORDS in html


def test_clocks_count_vietnamese_working_days_across_tet(app, client, counsellor, case_id, login):
    # Wednesday 3/2/2027, 21:00 in Điện Biên (14:00 UTC); Tết 2027 closes offices from 4/2 to 10/2.
    with time_machine.travel(datetime(2027, 2, 3, 14, 0, tzinfo=UTC), tick=False):
        login(client, counsellor)  # a session of 2026 would have expired by then
        assert _new(client, case_id).status_code == 303
    req = _only_request(app)
    assert req.ack_due_at == datetime(2027, 2, 12, 16, 59, 59, 999999, tzinfo=UTC)  # Fri 12/2, 23:59:59 VN
    assert req.answer_due_at == datetime(2027, 2, 13, 16, 59, 59, 999999, tzinfo=UTC)  # 10 days: 13/2 end
    with time_machine.travel(datetime(2027, 2, 12, 16, 59, tzinfo=UTC), tick=False):
        login(client, counsellor)
        assert "còn" in client.get(f"/rights/{req.id}").get_data(as_text=True)
    with time_machine.travel(datetime(2027, 2, 12, 17, 1, tzinfo=UTC), tick=False):
        login(client, counsellor)
        assert "quá hạn" in client.get(f"/rights/{req.id}").get_data(as_text=True)


def test_third_parties_lengthen_the_period_and_one_extension_stays_within_the_limit(
    app, client, counsellor, case_id, login
):
    with time_machine.travel(datetime(2026, 12, 7, 3, 0, tzinfo=UTC), tick=False):
        login(client, counsellor)
        _new(client, case_id, kind="delete", third_parties="y")
    login(client, counsellor)
    req = _only_request(app)
    assert req.answer_due_at == datetime(2027, 1, 6, 16, 59, 59, 999999, tzinfo=UTC)  # 30 days
    too_long = client.post(f"/rights/{req.id}/step", data={"step": "extend", "days": "25", "reason": "Chờ toà"})
    assert "Gia hạn từ 1 đến 20 ngày" in too_long.get_data(as_text=True)
    assert (
        client.post(
            f"/rights/{req.id}/step", data={"step": "extend", "days": "20", "reason": "Chờ ý kiến toà án"}
        ).status_code
        == 303
    )
    again = client.post(f"/rights/{req.id}/step", data={"step": "extend", "days": "1", "reason": "x"})
    assert "Chỉ được gia hạn một lần" in again.get_data(as_text=True) or again.status_code == 200
    assert _only_request(app).answer_due_at == datetime(2027, 1, 26, 16, 59, 59, 999999, tzinfo=UTC)


def test_a_refusal_needs_a_reason_and_an_explanation_and_an_answer_is_only_annotated(app, client, counsellor, case_id):
    _new(client, case_id, kind="delete")
    req = _only_request(app)
    bare = client.post(f"/rights/{req.id}/step", data={"step": "refuse", "code": "", "explanation": ""})
    assert "Vui lòng chọn một mục." in bare.get_data(as_text=True)
    assert (
        client.post(
            f"/rights/{req.id}/step",
            data={"step": "refuse", "code": "legal_hold", "explanation": "Đang có vụ án liên quan"},
        ).status_code
        == 303
    )
    assert _only_request(app).status == "refused"
    second = client.post(f"/rights/{req.id}/step", data={"step": "answer", "text": "Đã xoá"})
    assert "chỉ có thể ghi chú thêm" in second.get_data(as_text=True)
    assert client.post(f"/rights/{req.id}/step", data={"step": "annotate", "text": "Đã gọi báo"}).status_code == 303
    stored = _only_request(app)
    assert stored.status == "refused" and stored.refusal_code == "legal_hold"


def test_the_officer_follows_the_clock_without_the_persons_words_and_nothing_is_plain_at_rest(
    app, client, counsellor, case_id, make_user, login
):
    _new(client, case_id)
    req = _only_request(app)
    assert WORDS in client.get(f"/rights/{req.id}").get_data(as_text=True)
    officer = app.test_client()
    login(officer, make_user("dpo", "099"))
    page = officer.get(f"/rights/{req.id}").get_data(as_text=True)
    assert "Xem, nhận bản sao dữ liệu" in page and WORDS not in page
    assert "Yêu cầu về dữ liệu cá nhân: xác nhận đã nhận" in officer.get("/work/").get_data(as_text=True)
    assert officer.get(f"/rights/{req.id}/acknowledgement").status_code in (403, 404)
    outsider = app.test_client()
    login(outsider, make_user("counsellor", "TA-03"))
    assert outsider.get(f"/rights/{req.id}").status_code == 404
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM rights_request")).all()
        assert WORDS.encode() not in repr(rows).encode() and WORDS not in repr(rows)
        db.session.remove()


def test_erasure_takes_the_requests_words_with_the_case(app, client, counsellor, case_id):
    from app.auth.models import User
    from app.cases import services as case_services
    from app.cases.models import Case

    _new(client, case_id)
    with app.test_request_context():
        case_services.erase_case(db.session.get(Case, case_id), db.session.get(User, counsellor.id))
        db.session.commit()
        req = db.session.scalar(select(RightsRequest))
        assert req.details_enc is None and req.kind == "view_copy"
        db.session.remove()


def test_a_breach_is_notified_within_72_hours_or_with_the_reason_for_lateness(app, make_user, login):
    officer, user = app.test_client(), make_user("dpo", "099")
    with time_machine.travel(datetime(2026, 12, 1, 1, 0, tzinfo=UTC), tick=False):
        login(officer, user)
        created = officer.post(
            "/rights/breaches/new",
            data={
                "kind": "loss",
                "detected_at": "2026-12-01T08:00",
                "persons_affected": "3",
                "description": "Mất điện thoại của tư vấn viên",
            },
        )
        assert created.status_code == 303
    with app.app_context():
        breach = db.session.scalar(select(Breach))
        assert breach.notify_due_at == datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 72 h after 08:00 VN
        db.session.remove()
    url = created.headers["Location"]
    with time_machine.travel(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), tick=False):
        login(officer, user)
        assert "quá hạn" in officer.get(url).get_data(as_text=True)
        late = officer.post(url, data={"step": "notify", "notified_at": "2026-12-04T08:30", "late_reason": ""})
        assert "Thông báo sau 72 giờ phải ghi rõ lý do chậm" in late.get_data(as_text=True)
        on_time = officer.post(url, data={"step": "notify", "notified_at": "2026-12-04T07:59", "late_reason": ""})
        assert on_time.status_code == 303
    login(officer, user)
    future = officer.post(
        "/rights/breaches/new", data={"kind": "loss", "detected_at": "2099-01-01T08:00", "description": "x"}
    )
    assert "không được ở tương lai" in future.get_data(as_text=True)
