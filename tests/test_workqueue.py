"""The work queue ("Việc cần làm"): one list per user from every registered source, most urgent first, the
same count in the navigation bar; checked at frozen times so that "overdue" and "soon" are exact."""

import re
from datetime import date, datetime

import time_machine
from test_cases_support import new_case
from test_referrals_support import AGENCY, add_share_consent, referral_id_from, send

from app import clock
from app.extensions import db

MORNING = datetime(2026, 6, 10, 9, 0, tzinfo=clock.VN)  # a Wednesday


def _schedule(app, case_id, user_id, *days):
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case

    with app.test_request_context():
        user, case = db.session.get(User, user_id), db.session.get(Case, case_id)
        for day in days:
            services.schedule_followup(case, day, "Gọi hỏi thăm", actor=user)
        db.session.commit()
        db.session.remove()


def _items(app, user_id):
    from app import workqueue
    from app.auth.models import User

    with app.test_request_context():
        items = workqueue.items_for(db.session.get(User, user_id))
        db.session.remove()
    return items


def _counsellor_with_case(app, client, make_user, login, unit, **intake):
    user = make_user("counsellor", "TA-02")
    login(client, user)
    return user, new_case(client, unit("TA-02").id, **intake)


def test_followups_are_sorted_overdue_then_soon_then_by_due_date(app, client, make_user, login, unit):
    with time_machine.travel(MORNING, tick=False):
        user, case_id = _counsellor_with_case(app, client, make_user, login, unit, risk_level="medium")
        _schedule(app, case_id, user.id, date(2026, 6, 14), date(2026, 6, 8), date(2026, 6, 30), date(2026, 6, 10))
        items = _items(app, user.id)
        assert [(i.kind, i.state, clock.local_date(i.due_at)) for i in items] == [
            ("followup", "overdue", date(2026, 6, 8)),
            ("followup", "soon", date(2026, 6, 10)),
            ("followup", "ok", date(2026, 6, 14)),
        ]  # the 30th is beyond the week ahead
        assert items[0].detail.endswith("quá hạn 33 giờ") and not items[0].high_risk
        page = client.get("/work/").get_data(as_text=True)
        assert page.index("quá hạn 33 giờ") < page.index("còn 14 giờ") < page.index("còn 4 ngày")
        assert re.search(r"Việc cần làm\s*<span class=\"badge badge-count\">3<", page)
    with time_machine.travel(datetime(2026, 6, 15, 8, 0, tzinfo=clock.VN), tick=False):
        states = [(i.state, clock.local_date(i.due_at)) for i in _items(app, user.id)]
        assert states == [("overdue", date(2026, 6, 8)), ("overdue", date(2026, 6, 10)), ("overdue", date(2026, 6, 14))]


def test_the_queue_skips_follow_ups_of_cases_erased_or_out_of_scope_and_still_fills_up(
    app, client, make_user, login, unit, monkeypatch
):
    """The queue reads the user's follow-ups in due order in steps, each cut at its size (app/cases/work.py):
    follow-ups of an erased case or of a case now outside the user's scope are skipped, and the steps go on until
    the queue is full. Here the first two steps (5, then 10 follow-ups) hold only skipped ones."""
    from app.cases import work
    from app.cases.models import Case, FollowUp
    from app.extensions import utcnow

    monkeypatch.setattr(work, "LIMIT", 5)
    with time_machine.travel(MORNING, tick=False):
        user, kept = _counsellor_with_case(app, client, make_user, login, unit)
        moved = new_case(client, unit("TA-02").id, confirm_duplicate="y")
        erased = new_case(client, unit("TA-02").id, confirm_duplicate="y")
        _schedule(app, moved, user.id, *(date(2026, 5, day) for day in range(1, 13)))
        _schedule(app, erased, user.id, *(date(2026, 5, day) for day in range(13, 16)))
        _schedule(app, kept, user.id, *(date(2026, 5, day) for day in range(16, 24)))
        with app.app_context():
            db.session.get(Case, moved).unit_id = unit("TA-03").id
            db.session.get(Case, erased).erased_at = utcnow()
            done = db.session.query(FollowUp).filter_by(case_id=kept, due_on=date(2026, 5, 16)).one()
            done.status = "done"
            db.session.commit()
        items = _items(app, user.id)
    assert [clock.local_date(i.due_at) for i in items] == [date(2026, 5, day) for day in range(17, 22)]
    assert {i.url.split("#")[0].rsplit("/", 1)[1] for i in items} == {kept}


def test_an_overdue_follow_up_of_a_high_risk_case_comes_first(app, client, make_user, login, unit):
    with time_machine.travel(MORNING, tick=False):
        user, calm = _counsellor_with_case(app, client, make_user, login, unit, risk_level="low")
        risky = new_case(
            client,
            unit("TA-02").id,
            full_name="Quàng Thị Hoa",
            phone="0912 111 222",
            id_number="011223344999",
            risk_level="high",
        )
        _schedule(app, calm, user.id, date(2026, 6, 1))
        _schedule(app, risky, user.id, date(2026, 6, 9))
        items = _items(app, user.id)
        assert [i.high_risk for i in items] == [True, False]
        assert items[0].url.startswith(f"/cases/{risky}")
        assert all("Quàng" not in i.title + i.detail and "Lò Thị" not in i.title + i.detail for i in items)


def test_referral_waits_in_the_agency_queue_then_in_the_senders_once_overdue(app, client, make_user, login, unit):
    officer_client = app.test_client()
    with time_machine.travel(MORNING, tick=False):  # Wednesday: due at the end of Friday (2 working days)
        counsellor, case_id = _counsellor_with_case(app, client, make_user, login, unit)
        add_share_consent(client, case_id, unit(AGENCY).id, given_on=date(2026, 6, 10))
        referral_id = referral_id_from(send(client, case_id, unit(AGENCY).id))
        officer = make_user("agency_officer", AGENCY)
        [waiting] = _items(app, officer.id)
        assert (waiting.kind, waiting.state, waiting.url) == ("referral_ack", "ok", f"/referrals/{referral_id}")
        assert clock.local_date(waiting.due_at) == date(2026, 6, 12)
        assert [i.kind for i in _items(app, counsellor.id)] == []
    with time_machine.travel(datetime(2026, 6, 15, 8, 0, tzinfo=clock.VN), tick=False):  # Monday
        assert [(i.kind, i.state) for i in _items(app, officer.id)] == [("referral_ack", "overdue")]
        assert [(i.kind, i.state) for i in _items(app, counsellor.id)] == [("referral_overdue", "overdue")]
        login(officer_client, officer)
        assert officer_client.post(f"/referrals/{referral_id}/acknowledge").status_code in (302, 303)
        assert _items(app, officer.id) == [] and _items(app, counsellor.id) == []


def test_the_queue_is_for_roles_with_work_and_the_monitor_has_no_link(app, client, make_user, login):
    monitor = make_user("monitor", "11")
    login(client, monitor)
    assert client.get("/work/").status_code == 403
    assert 'href="/work/"' not in client.get("/indicators/").get_data(as_text=True)
    other = app.test_client()
    login(other, make_user("reporter", "03295"))
    page = other.get("/work/").get_data(as_text=True)
    assert "Bạn không có việc nào đang chờ." in page and "badge-count" not in page
