"""Việt Nam's clock: at 20:00 UTC it is already 03:00 of the next day in Điện Biên, and every date-driven rule
must follow the Vietnamese date (the server's UTC date is still yesterday there).

Each test freezes the clock with time-machine at 20:00 UTC and checks a rule a user meets: today's intake is
accepted, a follow-up due yesterday (VN) is overdue, a report deadline counts Vietnamese days, a referral's
acknowledgement deadline and "overdue" follow the Vietnamese calendar.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from test_cases_support import intake, new_case

from app import clock
from app.extensions import db

# Thursday 05/03/2026 20:00 UTC = Friday 06/03/2026 03:00 in Việt Nam.
THURSDAY_EVENING_UTC = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
VN_FRIDAY = date(2026, 3, 6)


def test_the_clock_gives_the_vietnamese_date_at_20_utc():
    with time_machine.travel(THURSDAY_EVENING_UTC, tick=False):
        assert clock.today() == VN_FRIDAY
        assert clock.now() == THURSDAY_EVENING_UTC and clock.now().tzinfo is not None
        assert clock.local_now().hour == 3
        assert clock.start_of_day(VN_FRIDAY) == datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


def test_a_counsellors_intake_dated_today_in_vietnam_is_accepted(app, client, make_user, login, unit):
    with time_machine.travel(THURSDAY_EVENING_UTC):
        login(client, make_user("counsellor", "TA-02"))
        today = intake(client, unit("TA-02").id, opened_on=VN_FRIDAY.isoformat())
        assert today.status_code == 303, today.get_data(as_text=True)[:2000]
        tomorrow = intake(
            client,
            unit("TA-02").id,
            opened_on=(VN_FRIDAY + timedelta(days=1)).isoformat(),
            full_name="Người Khác",
            phone="0900111333",
            id_number=None,
        )
        assert tomorrow.status_code == 200 and 'id="opened_on-error"' in tomorrow.get_data(as_text=True)


def test_a_followup_due_yesterday_in_vietnam_is_overdue_and_one_due_today_is_not(app, client, make_user, login, unit):
    with time_machine.travel(THURSDAY_EVENING_UTC):
        counsellor = make_user("counsellor", "TA-02")
        login(client, counsellor)
        case_id = new_case(client, unit("TA-02").id, opened_on="2026-03-01")
        # Thursday is still "today" by the UTC date, but yesterday in Việt Nam: it is overdue.
        for due, purpose in ((VN_FRIDAY - timedelta(days=1)), "Gọi hỏi thăm"), (VN_FRIDAY, "Thăm nhà"):
            assert (
                client.post(
                    f"/cases/{case_id}/followups",
                    data={
                        "followup-due_on": due.isoformat(),
                        "followup-purpose": purpose,
                        "followup-assignee_id": counsellor.id,
                    },
                ).status_code
                == 303
            )
        mine = client.get("/cases/followups").get_data(as_text=True)
        rows = {
            purpose: mine[mine.rindex("<tr>", 0, mine.index(purpose)) : mine.index(purpose)]
            for purpose in ("Gọi hỏi thăm", "Thăm nhà")
        }
        assert "Quá hạn" in rows["Gọi hỏi thăm"] and "05/03/2026" in rows["Gọi hỏi thăm"]
        assert "Quá hạn" not in rows["Thăm nhà"] and "06/03/2026" in rows["Thăm nhà"]
        overdue_list = client.get("/cases/?overdue=1").get_data(as_text=True)
        from app.cases.models import Case

        with app.app_context():
            code = db.session.get(Case, case_id).code
        assert code in overdue_list


@pytest.mark.usefixtures("plan_2022_in_force")  # the 2025 round, reported while the 2022 plan was in force
def test_report_deadline_and_lateness_use_the_vietnamese_date(app, client, make_user, login):
    from indicators_helpers import unit as unit_of

    from app.indicators import queries, services
    from app.indicators.models import ReportingCycle, Submission

    # Deadline 20/01/2026; at 20:00 UTC on the 20th it is already the 21st in Việt Nam: one day late.
    with time_machine.travel(datetime(2026, 1, 20, 20, 0, tzinfo=UTC)):
        with app.test_request_context():
            cycle = services.open_cycle(2025, "update", actor="test", commune_due_on=date(2026, 1, 20))
            sent = services.start_submission(cycle, unit_of("03295"), actor="test")
            sent.status, sent.first_submitted_at = "submitted", clock.now()
            db.session.commit()
            cycle_id = cycle.id
            rows = {r.unit.code: r for r in queries.queue(cycle, unit_of("099"))}
            assert rows["03289"].late_days == 1  # not sent: late from the VN day after the deadline
            assert rows["03295"].late_days == 1  # sent "on the 20th" by UTC, on the 21st in Việt Nam
        login(client, make_user("district_reviewer", "099"))
        html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
        assert "trễ 1 ngày" in html
    # The same moment seven hours earlier (13:00 UTC = 20:00 on the 20th in Việt Nam) is on time.
    with time_machine.travel(datetime(2026, 1, 20, 13, 0, tzinfo=UTC)), app.test_request_context():
        cycle = db.session.get(ReportingCycle, cycle_id)
        assert {r.unit.code: r for r in queries.queue(cycle, unit_of("099"))}["03289"].late_days == 0
        assert db.session.scalar(select(Submission).where(Submission.cycle_id == cycle_id)) is not None


def test_a_referral_acknowledgement_is_due_and_overdue_by_the_vietnamese_date(app, client, make_user, login, unit):
    from test_referrals_support import AGENCY, add_share_consent, referral_id_from, send

    from app.referrals.models import Referral

    with time_machine.travel(THURSDAY_EVENING_UTC):
        counsellor = make_user("counsellor", "TA-02")
        login(client, counsellor)
        case_id = new_case(client, unit("TA-02").id, opened_on="2026-03-01")
        add_share_consent(client, case_id, unit(AGENCY).id, given_on=VN_FRIDAY)
        referral_id = referral_id_from(send(client, case_id, unit(AGENCY).id))
        with app.app_context():
            due = db.session.get(Referral, referral_id).ack_due_at
        # Sent on Friday (VN) + 2 working days = Tuesday 10/03, until 23:59 in Việt Nam (by the UTC date,
        # Thursday + 2 would wrongly give Monday).
        assert clock.local_date(due) == date(2026, 3, 10) and due == clock.end_of_day(date(2026, 3, 10))
    with time_machine.travel(datetime(2026, 3, 10, 16, 30, tzinfo=UTC)):  # 23:30 on Tuesday in Việt Nam
        login(client, counsellor)
        outbox = client.get("/referrals/").get_data(as_text=True)
        assert "10/03/2026" in outbox and "Quá hạn xác nhận" not in outbox
    with time_machine.travel(datetime(2026, 3, 10, 20, 0, tzinfo=UTC)):  # 03:00 on Wednesday in Việt Nam
        login(client, counsellor)
        outbox = client.get("/referrals/").get_data(as_text=True)
        assert "10/03/2026" in outbox and "Quá hạn xác nhận" in outbox
        with app.app_context():
            assert db.session.get(Referral, referral_id).is_overdue()
