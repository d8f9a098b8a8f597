"""A full reporting cycle through the pages: draft, validation errors, submit, return, resubmit, confirm, lock,
reopen; and late detection against the deadline."""

import re
from datetime import UTC, date, datetime

import pytest
from indicators_helpers import full_report_form, unit
from sqlalchemy import select

from app.extensions import db


def _cycle(app, year=2025, round_="preliminary", **due):
    """A round of `year` (by default 2025, the last year the old communes such as Quài Tở 03295 existed in: a
    2026 round refuses their reports)."""
    from app.indicators import services

    with app.test_request_context():
        cycle = services.open_cycle(year, round_, actor="test", **due)
        db.session.commit()
        return cycle.id


def _submission(app, cycle_id, unit_code):
    from app.indicators.models import Submission

    with app.app_context():
        return db.session.scalar(
            select(Submission).where(Submission.cycle_id == cycle_id, Submission.unit_id == unit(unit_code).id)
        )


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2025: Quài Tở (03295) reports for the year it ended in
def test_a_commune_report_goes_through_the_whole_cycle(app, client, make_user, login):
    reporter = make_user("reporter", "03295")
    reviewer = make_user("district_reviewer", "099")
    admin = make_user("admin", "11")
    login(client, reviewer)
    response = client.post("/indicators/cycles", data={"year": "2025", "round": "preliminary"})
    assert response.status_code == 303
    from app.indicators.models import ReportingCycle

    with app.app_context():
        cycle = db.session.scalar(select(ReportingCycle))
        cycle_id = cycle.id
        assert cycle.commune_due_on == date(2025, 9, 5) and cycle.district_due_on == date(2025, 9, 10)
        quai_to = unit("03295").id
    client.post("/auth/logout")

    login(client, reporter)
    response = client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": quai_to})
    assert response.status_code == 303
    sub_id = _submission(app, cycle_id, "03295").id
    url = f"/indicators/submissions/{sub_id}"
    assert "Gửi lên huyện" in client.get(url).get_data(as_text=True)

    # Validation errors: beside the field, in Vietnamese, with the input kept.
    form = full_report_form_for(app, cycle_id)
    form["CT5-actual-value"], form["CT5-actual-denominator"] = "12", "10"
    form["CT8-actual-ethnic_group-thai"], form["CT8-actual-ethnic_group-mong"] = "4", "3"
    form["CT7-estimate-value"] = "-2"
    page = client.post(url, data=dict(form, action="save"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "tỷ lệ không được vượt quá 100%" in html
    assert "Tổng các nhóm không được lớn hơn tổng số." in html
    assert "Phải là số nguyên không âm." in html
    assert 'value="12"' in html and 'value="-2"' in html and "Kết quả thử nghiệm" in html
    assert _submission(app, cycle_id, "03295").status == "draft"

    # An incomplete report cannot be sent.
    page = client.post(url, data={"CT7-actual-value": "3", "action": "submit"})
    assert page.status_code == 200 and "Chưa nhập đủ số liệu" in page.get_data(as_text=True)
    assert _submission(app, cycle_id, "03295").status == "draft"
    # Through htmx only the form is swapped: the refusal is inside it (a flash would wait unseen for the next page).
    htmx_headers = {"HX-Request": "true", "HX-Target": "report-form"}
    page = client.post(url, data={"CT7-actual-value": "3", "action": "submit"}, headers=htmx_headers)
    partial = page.get_data(as_text=True)
    assert page.status_code == 200 and partial.lstrip().startswith('<div id="report-form"')
    assert re.search(r'role="alert"[^>]*>[^<]*Chưa nhập đủ số liệu', partial) and 'value="3"' in partial

    assert client.post(url, data=dict(full_report_form_for(app, cycle_id), action="submit")).status_code == 303
    sub = _submission(app, cycle_id, "03295")
    assert sub.status == "submitted" and sub.first_submitted_at is not None
    client.post("/auth/logout")

    login(client, reviewer)
    page = client.post(f"{url}/return", data={"reason": ""})
    assert page.status_code == 200 and "Vui lòng ghi lý do." in page.get_data(as_text=True)
    assert client.post(f"{url}/return", data={"reason": "Số CT7 chưa khớp sổ theo dõi"}).status_code == 303
    assert _submission(app, cycle_id, "03295").status == "returned"
    client.post("/auth/logout")

    login(client, reporter)
    assert "Số CT7 chưa khớp sổ theo dõi" in client.get(url).get_data(as_text=True)
    assert client.post(url, data=dict(full_report_form_for(app, cycle_id, value=6), action="submit")).status_code == 303
    assert _submission(app, cycle_id, "03295").status == "submitted"
    client.post("/auth/logout")

    login(client, reviewer)
    assert client.post(f"{url}/confirm").status_code == 303
    assert _submission(app, cycle_id, "03295").status == "confirmed"
    assert client.post(f"{url}/lock").status_code == 303
    assert _submission(app, cycle_id, "03295").status == "locked"
    client.post("/auth/logout")

    login(client, reporter)
    client.post(url, data=dict(full_report_form_for(app, cycle_id, value=9), action="save"))
    sub = _submission(app, cycle_id, "03295")
    assert sub.status == "locked"
    with app.app_context():
        from app.indicators.models import Submission

        sub = db.session.get(Submission, sub_id)
        assert {v.value for v in sub.values if v.indicator.code == "CT7"} == {6}
    client.post("/auth/logout")

    login(client, admin)
    page = client.post(f"{url}/reopen", data={"reason": ""})
    assert "Vui lòng ghi lý do." in page.get_data(as_text=True)
    assert _submission(app, cycle_id, "03295").status == "locked"
    assert client.post(f"{url}/reopen", data={"reason": "Tỉnh đề nghị sửa số liệu CT8"}).status_code == 303
    sub = _submission(app, cycle_id, "03295")
    assert sub.status == "returned" and sub.reopen_reason == "Tỉnh đề nghị sửa số liệu CT8"
    from app.audit.models import AuditEntry

    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    for action in (
        "indicator.submission_submit",
        "indicator.submission_return",
        "indicator.submission_confirm",
        "indicator.submission_lock",
        "indicator.submission_reopen",
    ):
        assert action in actions


def full_report_form_for(app, cycle_id, **kwargs):
    from app.indicators.models import ReportingCycle

    with app.app_context():
        return full_report_form(db.session.get(ReportingCycle, cycle_id), **kwargs)


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_queue_shows_due_submitted_late_and_returned(app, client, make_user, login):
    from app.indicators import queries, services
    from app.indicators.models import ReportingCycle

    cycle_id = _cycle(app, 2025, "update", commune_due_on=date(2026, 1, 20))
    reviewer = make_user("district_reviewer", "099")
    reporter = make_user("reporter", "03295")
    with app.test_request_context():
        cycle = db.session.get(ReportingCycle, cycle_id)
        on_time = services.start_submission(cycle, unit("03295"), actor="test")
        late = services.start_submission(cycle, unit("03280"), actor="test")
        returned = services.start_submission(cycle, unit("03304"), actor="test")
        on_time.status, on_time.first_submitted_at = "submitted", datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
        # 23:30 on 22/01 UTC is 06:30 on 23/01 in Việt Nam: three days late, by the local calendar.
        late.status, late.first_submitted_at = "submitted", datetime(2026, 1, 22, 23, 30, tzinfo=UTC)
        returned.status, returned.first_submitted_at = "returned", datetime(2026, 1, 19, 9, 0, tzinfo=UTC)
        db.session.commit()
        rows = {r.unit.code: r for r in queries.queue(cycle, unit("099"), today=date(2026, 1, 30))}
        assert rows["03295"].late_days == 0 and rows["03295"].state == "submitted"
        assert rows["03280"].late_days == 3
        assert rows["03304"].state == "returned" and rows["03304"].late_days == 0
        assert rows["03289"].state == "not_started" and rows["03289"].late_days == 10
        assert len(rows) == 19  # the communes of the 2025 plan, under their old names
        rows = {r.unit.code: r for r in queries.queue(cycle, unit("099"), today=date(2026, 1, 20))}
        assert rows["03289"].late_days == 0  # "trước ngày 20/01": still due on the day itself
    login(client, reviewer)
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert "Đã gửi" in html and "Bị trả lại" in html and "trễ 3 ngày" in html
    client.post("/auth/logout")
    login(client, reporter)  # a reporter's queue holds their own commune only
    html = client.get(
        f"/indicators/reports?cycle={cycle_id}", headers={"HX-Request": "true", "HX-Target": "report-queue"}
    )
    text = html.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="report-queue">')
    assert "Xã Quài Tở" in text and "Xã Tỏa Tình" not in text
