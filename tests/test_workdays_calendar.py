"""Vietnamese working days: Tết, 30/4–1/5, 2/9 and the announced swaps from the `holidays` package; the
installation's own days off and working days, kept by the admin on /admin/calendar/ and counted by every
deadline; and the fallback to weekends when the package has no calendar for a year."""

from datetime import date

import pytest
from sqlalchemy import select

from app.deadlines import add_working_days, is_working_day, workdays, working_days_between
from app.extensions import db


def test_tet_2027_is_not_worked():
    # Tết Đinh Mùi: from 29 Tết (Thu 04/02/2027) to Wed 10/02/2027; the first working day after is Thu 11/02.
    for day in range(4, 11):
        assert not is_working_day(date(2027, 2, day)), day
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert working_days_between(date(2027, 2, 3), date(2027, 2, 12)) == 2


def test_reunification_and_labour_day():
    assert not is_working_day(date(2026, 4, 30)) and not is_working_day(date(2026, 5, 1))
    assert add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)  # Wed → Mon: Thu, Fri off, weekend
    # 2027: 1/5 falls on a Saturday and is made up on Monday 3/5.
    assert not is_working_day(date(2027, 5, 3))
    assert add_working_days(date(2027, 4, 29), 1) == date(2027, 5, 4)


def test_national_day_2026_with_its_swap():
    # 2/9/2026: Mon 31/8 is off (swapped with Sat 22/8, which is worked), Tue 1/9 and Wed 2/9 are the holiday.
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    assert is_working_day(date(2026, 8, 22))  # a compensating working Saturday


def test_a_substitute_day_off_and_its_working_saturday_in_2025():
    # 30/4–1/5/2025 was bridged: Fri 2/5 off, made up on Sat 26/4.
    assert not is_working_day(date(2025, 5, 2))
    assert is_working_day(date(2025, 4, 26))
    assert add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    assert add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_the_package_calendar_is_known_for_these_years():
    assert workdays.calendar_status(2026) == "full"
    assert workdays.calendar_status(2027) == "no_swaps"  # lunar and fixed holidays known, swaps not yet


def test_an_admin_extra_day_off_and_working_day_move_every_deadline(app, client, make_user, login):
    from app.audit.models import AuditEntry
    from app.referrals.services import ack_due
    from app.workcalendar.models import CalendarDay

    admin = make_user("admin", "11")
    login(client, admin)
    page = client.get("/admin/calendar/?year=2027")
    assert page.status_code == 200 and "Tết Nguyên Đán" in page.get_data(as_text=True)
    assert "chưa có ngày hoán đổi" in page.get_data(as_text=True)
    # The government gives Thu 11/02/2027 off too, made up on Sat 20/02/2027.
    for day, kind in (("2027-02-11", "off"), ("2027-02-20", "work")):
        done = client.post("/admin/calendar/?year=2027", data={"day": day, "kind": kind, "note": "Thông báo 1/TB"})
        assert done.status_code == 303, done.get_data(as_text=True)[:2000]
    again = client.post("/admin/calendar/", data={"day": "2027-02-11", "kind": "off"})
    assert again.status_code == 200 and "đã có trong lịch" in again.get_data(as_text=True)
    listing = client.get("/admin/calendar/?year=2027").get_data(as_text=True)
    assert "11/02/2027" in listing and "Thông báo 1/TB" in listing
    with app.test_request_context():
        assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 12)
        assert is_working_day(date(2027, 2, 20))
        sent = date(2027, 2, 3)
        from app import clock

        due = ack_due(clock.start_of_day(sent), "normal", working_days=2)
        assert clock.local_date(due) == date(2027, 2, 15)  # Fri 12/02, then Mon 15/02
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar.%"))))
        assert actions == ["calendar.add", "calendar.add"]
    assert client.post("/admin/calendar/remove", data={"day": "2027-02-11"}).status_code == 303
    with app.test_request_context():
        assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
        assert db.session.scalar(select(CalendarDay.day)) == date(2027, 2, 20)
        assert "calendar.remove" in db.session.scalars(select(AuditEntry.action)).all()
    with app.app_context():
        db.session.remove()


def test_the_calendar_page_refuses_bad_dates_and_is_admin_only(app, client, make_user, login):
    login(client, make_user("admin", "11"))
    bad = client.post("/admin/calendar/", data={"day": "31/02/2027", "kind": "off"})
    assert bad.status_code == 200 and 'id="day-error"' in bad.get_data(as_text=True)
    assert client.post("/admin/calendar/", data={"day": "2027-03-01"}).status_code == 200
    assert client.post("/admin/calendar/remove", data={"day": "2030-01-01"}).status_code == 303
    other = app.test_client()
    login(other, make_user("counsellor", "TA-02"))
    assert other.get("/admin/calendar/").status_code == 403


@pytest.fixture
def no_package_calendar(monkeypatch):
    """The package without a calendar (not yet updated for the year): every lookup fails."""

    def missing(*args, **kwargs):
        raise NotImplementedError("no calendar")

    workdays._package_calendar.cache_clear()
    monkeypatch.setattr(workdays.holidays, "country_holidays", missing)
    yield
    workdays._package_calendar.cache_clear()


def test_without_the_package_calendar_weekends_and_the_installations_days_count(
    app, client, make_user, login, no_package_calendar
):
    assert workdays.calendar_status(2027) == "missing"
    assert is_working_day(date(2027, 2, 8))  # Tết is unknown now: only the weekend counts
    assert not is_working_day(date(2027, 2, 6))
    login(client, make_user("admin", "11"))
    assert client.post("/admin/calendar/", data={"day": "2027-02-08", "kind": "off"}).status_code == 303
    page = client.get("/admin/calendar/?year=2027").get_data(as_text=True)
    assert "Chưa có dữ liệu ngày lễ của năm 2027" in page
    with app.test_request_context():
        assert add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 9)
