"""Case transfer: the sender keeps the case until the receiving side accepts (after a confirmation step that
says what moves); acceptance moves the case, its history and its follow-ups, and the sender loses access; a
transfer to someone who is not a counsellor there, or accepted twice, is refused; every step is on the
timeline and in the work queue of whoever must act."""

import re

from sqlalchemy import select
from test_cases_support import audit_actions

from app.extensions import db


def _transfer_id(app, case_id):
    from app.transfers.models import CaseTransfer

    with app.app_context():
        found = db.session.scalar(select(CaseTransfer.id).where(CaseTransfer.case_id == case_id))
        db.session.remove()
    return found


def _queue(client):
    return client.get("/work/").get_data(as_text=True)


def test_a_transfer_waits_for_acceptance_then_moves_the_case_and_its_history(
    app, client, case_id, make_user, login, unit
):
    receiver = make_user("counsellor", "TA-03")
    other = app.test_client()
    login(other, receiver)
    data = {"to_unit_id": unit("TA-03").id, "to_user_id": receiver.id, "reason_code": "moved"}
    client.post(f"/cases/{case_id}/followups", data={"followup-due_on": "2026-12-20", "followup-purpose": "Gọi"})
    confirm = client.post(f"/transfers/case/{case_id}/new", data=data)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Đi cùng hồ sơ: 0 ghi chú" in page and 'name="confirm" value="yes"' in page
    assert _transfer_id(app, case_id) is None  # nothing happens before the confirmation
    assert client.post(f"/transfers/case/{case_id}/new", data=dict(data, confirm="yes")).status_code == 303
    transfer_id = _transfer_id(app, case_id)
    assert client.get(f"/cases/{case_id}").status_code == 200  # the sender keeps it until acceptance
    assert other.get(f"/cases/{case_id}").status_code == 404  # the receiver does not read it yet
    assert f"/transfers/{transfer_id}" in _queue(other)
    summary = other.get(f"/transfers/{transfer_id}").get_data(as_text=True)
    assert "Lò Thị Mai" not in summary and "Nhận hồ sơ" in summary

    asked = other.post(f"/transfers/{transfer_id}/accept")
    assert asked.status_code == 200 and "Không thể hoàn tác" in asked.get_data(as_text=True)
    assert other.post(f"/transfers/{transfer_id}/accept", data={"confirm": "yes"}).status_code == 303
    assert other.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}").status_code == 404  # the sender has lost access
    again = other.post(f"/transfers/{transfer_id}/accept", data={"confirm": "yes"}, follow_redirects=True)
    assert "đã được xử lý rồi" in again.get_data(as_text=True)  # accepting twice changes nothing
    assert f"/transfers/{transfer_id}" not in _queue(other)
    actions = [a for a, _, _ in audit_actions(app, case_id)]
    assert actions.count("transfer.request") == 1 and actions.count("transfer.accept") == 1
    timeline = other.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Yêu cầu chuyển hồ sơ sang đơn vị khác" in timeline and "Bên nhận đã nhận hồ sơ" in timeline
    from app.cases.models import FollowUp

    with app.app_context():
        assignees = set(db.session.scalars(select(FollowUp.assignee_id).where(FollowUp.case_id == case_id)))
        db.session.remove()
    assert assignees <= {receiver.id}


def test_a_transfer_to_someone_who_is_not_a_counsellor_there_is_refused(app, client, case_id, make_user, unit):
    reporter = make_user("reporter", "03268")
    elsewhere = make_user("counsellor", "TA-05")
    for user in (reporter, elsewhere):
        response = client.post(
            f"/transfers/case/{case_id}/new",
            data={"to_unit_id": unit("TA-03").id, "to_user_id": user.id, "reason_code": "moved", "confirm": "yes"},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "phải là tư vấn viên của đơn vị nhận" in html
    assert _transfer_id(app, case_id) is None


def test_declined_or_cancelled_the_case_stays_and_a_new_request_can_follow(
    app, client, case_id, make_user, login, unit
):
    receiver = app.test_client()
    login(receiver, make_user("counsellor", "TA-03"))
    data = {"to_unit_id": unit("TA-03").id, "reason_code": "workload", "confirm": "yes"}
    assert client.post(f"/transfers/case/{case_id}/new", data=data).status_code == 303
    transfer_id = _transfer_id(app, case_id)
    twice = client.post(f"/transfers/case/{case_id}/new", data=data)
    assert twice.status_code == 200 and "đang chờ bên nhận chấp nhận" in twice.get_data(as_text=True)
    assert receiver.post(f"/transfers/{transfer_id}/cancel").status_code == 404  # not the receiver's to cancel
    assert receiver.post(f"/transfers/{transfer_id}/decline", data={"confirm": "yes"}).status_code == 303
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.post(f"/transfers/case/{case_id}/new", data=data).status_code == 303
    assert re.search("transfer.decline", " ".join(a for a, _, _ in audit_actions(app, case_id)))
