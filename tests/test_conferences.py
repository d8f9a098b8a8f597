"""Case conferences: a dated meeting with the services present, decisions (sealed under the case's key) and
actions with owners and due dates that join the owner's work queue until done."""

from datetime import datetime

import time_machine
from sqlalchemy import select, text
from test_cases_support import audit_actions

from app import clock
from app.extensions import db

DECISION = "Quyết định: đưa chị đến nơi tạm lánh bí mật"


def test_a_conference_records_decisions_and_its_actions_reach_the_owners_queue(
    app, client, case_id, counsellor, make_user, login
):
    from app.conferences.models import CaseConference

    supervisor = make_user("supervisor", "03295")
    with time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=clock.VN), tick=False):
        login(client, counsellor)
        form = client.get(f"/conferences/case/{case_id}/new").get_data(as_text=True)
        assert "Trạm Y tế xã Quài Tở" in form and "Phòng LĐ-TB&amp;XH" not in form
        bad = client.post(
            f"/conferences/case/{case_id}/new",
            data={
                "held_on": "2026-06-09",
                "decisions": DECISION,
                "actions-0-what": "Gọi công an xã",
                "actions-0-owner_id": make_user("counsellor", "TA-03").id,
                "actions-0-due_on": "2026-06-12",
            },
        )
        assert bad.status_code == 200 and "Người phụ trách phải là" in bad.get_data(as_text=True)
        assert (
            client.post(
                f"/conferences/case/{case_id}/new",
                data={
                    "held_on": "2026-06-09",
                    "decisions": DECISION,
                    "actions-0-what": "Gọi công an xã",
                    "actions-0-owner_id": supervisor.id,
                    "actions-0-due_on": "2026-06-12",
                    "actions-1-what": "Đưa đi khám",
                    "actions-1-owner_id": counsellor.id,
                    "actions-1-due_on": "2026-06-09",
                },
            ).status_code
            == 303
        )
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert DECISION in page and "Gọi công an xã" in page
        queue = client.get("/work/").get_data(as_text=True)
        assert "Việc được giao trong họp ca" in queue and "quá hạn" in queue  # due yesterday
        other = app.test_client()
        login(other, supervisor)
        assert "Việc được giao trong họp ca" in other.get("/work/").get_data(as_text=True)
        with app.app_context():
            conference = db.session.scalar(select(CaseConference).where(CaseConference.case_id == case_id))
            mine = next(a for a in conference.actions if a.owner_id == counsellor.id)
            theirs = next(a for a in conference.actions if a.owner_id == supervisor.id)
            raw = db.session.execute(text("SELECT decisions_enc FROM case_conference")).scalar()
            db.session.remove()
        assert DECISION.encode() not in raw  # sealed under the case's key
        assert client.post(f"/conferences/action/{theirs.id}/done").status_code == 404  # not the owner
        assert client.post(f"/conferences/action/{mine.id}/done").status_code == 303
        assert "Việc được giao trong họp ca" not in client.get("/work/").get_data(as_text=True)
    actions = [a for a, _, _ in audit_actions(app, case_id)]
    assert "conference.hold" in actions and "conference.action_done" in actions
