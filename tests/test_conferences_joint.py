"""A joint case conference: one meeting about several related cases (siblings, one perpetrator's victims). Each
case gets its own part, sealed under its own key and shown only through that case, so each case's counsellor sees
only their case's part; the actions join their owners' work queues; cases are named by code, within scope only."""

import re
from datetime import datetime

import time_machine
from sqlalchemy import select, text
from test_cases_support import audit_actions, new_case

from app import clock
from app.extensions import db

PART_A = "Phần A: đưa hai chị em đến nơi tạm lánh"
PART_C = "Phần C: công an xã làm việc với người gây bạo lực"


def _code(app, case_id):
    from app.cases.models import Case

    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    return code


def _parts(html):
    return re.findall(r"<legend>Phần của hồ sơ ([^<]+)</legend>", html)


def test_a_joint_conference_gives_each_case_its_own_part_seen_only_through_that_case(
    app, client, counsellor, case_id, make_user, login, unit
):
    from app.conferences.models import CaseConference, ConferenceMeeting

    other, supervisor = app.test_client(), app.test_client()
    counsellor_c, supervising = make_user("counsellor", "TA-03"), make_user("supervisor", "11")
    url = f"/conferences/case/{case_id}/joint"
    with time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=clock.VN), tick=False):
        login(client, counsellor)
        login(other, counsellor_c)
        login(supervisor, supervising)
        case_c = new_case(other, unit("TA-03").id)
        code_a, code_c = _code(app, case_id), _code(app, case_c)
        assert 'name="other_codes"' in supervisor.get(url).get_data(as_text=True)
        # a code outside the user's scope reads like one that does not exist
        for who, typed in ((client, code_c), (supervisor, "TG-1999-9999")):
            refused = who.post(url, data={"other_codes": typed}).get_data(as_text=True)
            assert f"Không tìm thấy hồ sơ {typed} trong phạm vi của bạn." in refused and not _parts(refused)
        alone = supervisor.post(url, data={"other_codes": code_a}).get_data(as_text=True)
        assert "Nhập mã của ít nhất một hồ sơ khác." in alone
        chosen = supervisor.post(url, data={"other_codes": code_c.lower()}).get_data(as_text=True)
        assert _parts(chosen) == [code_a, code_c] and 'name="step" type="hidden" value="record"' in chosen
        data = {
            "other_codes": code_c,
            "step": "record",
            "held_on": "2026-06-09",
            "parts-0-case_id": case_id,
            "parts-0-decisions": PART_A,
            "parts-0-actions-0-what": "Tìm chỗ tạm lánh",
            "parts-0-actions-0-owner_id": counsellor.id,
            "parts-0-actions-0-due_on": "2026-06-12",
            "parts-1-case_id": case_c,
            "parts-1-decisions": "",
            "parts-1-actions-0-what": "Gọi công an xã",
            "parts-1-actions-0-owner_id": counsellor_c.id,
            "parts-1-actions-0-due_on": "2026-06-11",
        }
        missing = supervisor.post(url, data=data)
        html = missing.get_data(as_text=True)
        assert missing.status_code == 200 and 'id="parts-0-actions-error"' not in html
        assert re.search(r'id="parts-1-decisions".*?Vui lòng ghi các quyết định', html, re.S)
        data["parts-1-decisions"], data["parts-0-actions-0-owner_id"] = PART_C, counsellor_c.id
        wrong_owner = supervisor.post(url, data=data).get_data(as_text=True)  # C's counsellor does not own A
        assert "Người phụ trách phải là tư vấn viên hoặc giám sát viên của hồ sơ." in wrong_owner
        with app.app_context():
            assert db.session.scalar(select(CaseConference.id)) is None  # nothing of a refused meeting is kept
            db.session.remove()
        data["parts-0-actions-0-owner_id"] = counsellor.id
        assert supervisor.post(url, data=data).status_code == 303

        page_a = client.get(f"/cases/{case_id}").get_data(as_text=True)
        page_c = other.get(f"/cases/{case_c}").get_data(as_text=True)
        assert PART_A in page_a and PART_C not in page_a and code_c not in page_a
        assert PART_C in page_c and PART_A not in page_c and code_a not in page_c
        assert "Họp chung nhiều hồ sơ" in page_a and "Họp chung nhiều hồ sơ" in page_c
        queue_a, queue_c = client.get("/work/").get_data(as_text=True), other.get("/work/").get_data(as_text=True)
        assert code_a in queue_a and code_c not in queue_a and "quá hạn" not in queue_a
        assert code_c in queue_c and code_a not in queue_c
    with app.app_context():
        meeting = db.session.scalar(select(ConferenceMeeting))
        parts = db.session.scalars(select(CaseConference)).all()
        assert meeting.case_count == 2 and {p.meeting_id for p in parts} == {meeting.id}
        raw = b" ".join(db.session.execute(text("SELECT decisions_enc FROM case_conference")).scalars())
        db.session.remove()
    assert PART_A.encode() not in raw and PART_C.encode() not in raw  # each sealed under its own case's key
    for case in (case_id, case_c):
        holds = [d for a, _, d in audit_actions(app, case) if a == "conference.hold"]
        assert len(holds) == 1 and '"joint_cases": 2' in str(holds[0]).replace("'", '"')


def test_a_joint_conference_takes_a_few_cases_not_a_caseload(app, client, counsellor, case_id, unit):
    from app.conferences.services import JOINT_MAX

    codes = [
        _code(
            app,
            new_case(
                client,
                unit("TA-02").id,
                full_name=f"Lò Thị Em {n}",
                phone=f"09876543{n:02d}",
                id_number=f"0987654321{n:02d}",
            ),
        )
        for n in range(JOINT_MAX)
    ]
    too_many = client.post(f"/conferences/case/{case_id}/joint", data={"other_codes": ", ".join(codes)})
    assert f"Họp ca chung cần từ 2 đến {JOINT_MAX} hồ sơ khác nhau." in too_many.get_data(as_text=True)
    fine = client.post(f"/conferences/case/{case_id}/joint", data={"other_codes": "; ".join(codes[:2])})
    assert len(_parts(fine.get_data(as_text=True))) == 3
