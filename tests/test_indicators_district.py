"""The district's report to the province: prefilled from the communes' confirmed reports, reviewed and corrected
by the district officer (reporter at 099), validated and sent like a commune's, confirmed or returned by the
province reviewer (district_reviewer at 11, never the district's own reviewer), reopened by an administrator,
late against the district deadline. And after the 2025 reform: the new communes report to the province."""

from datetime import date

import pytest
from indicators_helpers import sent_report, unit
from sqlalchemy import select

from app.extensions import db


def _cycle(app, year, round_="preliminary"):
    from app.indicators import services

    with app.test_request_context():
        cycle = services.open_cycle(year, round_, actor="test")
        db.session.commit()
        return cycle.id


def _sub(app, sub_id):
    from app.indicators.models import Submission

    with app.app_context():
        sub = db.session.get(Submission, sub_id)
        db.session.expunge(sub)
        return sub


def _district_sub(app, cycle_id):
    from app.indicators.models import Submission

    with app.app_context():
        return db.session.scalar(
            select(Submission.id).where(Submission.cycle_id == cycle_id, Submission.unit_id == unit("099").id)
        )


def _values(app, sub_id) -> dict:
    from app.indicators.models import Submission

    with app.app_context():
        return {
            (v.indicator.code, v.value_kind): (v.value, v.denominator)
            for v in db.session.get(Submission, sub_id).values
        }


def _confirmed_communes(app, cycle_id):
    """Quài Tở confirmed (7 everywhere), Mường Mùn sent but not confirmed yet (3 everywhere)."""
    from app.indicators.models import ReportingCycle

    with app.test_request_context():
        cycle = db.session.get(ReportingCycle, cycle_id)
        quai_to = sent_report(cycle, "03295", value=7, denominator=10, confirm_by="reviewer")
        muong_mun = sent_report(cycle, "03268", value=3, denominator=4)
        db.session.commit()
        return quai_to.id, muong_mun.id


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_district_report_from_prefill_to_province_confirmation(app, client, make_user, login):
    cycle_id = _cycle(app, 2024)
    _quai_to, muong_mun = _confirmed_communes(app, cycle_id)
    officer = make_user("reporter", "099")
    district_reviewer = make_user("district_reviewer", "099")
    province_reviewer = make_user("district_reviewer", "11")
    with app.app_context():
        district_id = unit("099").id

    # The district officer opens the district report from the queue: prefilled from the confirmed commune only.
    login(client, officer)
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert "Báo cáo của huyện gửi tỉnh" in html and "10/09/2024" in html
    response = client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": district_id})
    assert response.status_code == 303
    sub_id = _district_sub(app, cycle_id)
    sub = _sub(app, sub_id)
    assert sub.level == "district" and sub.status == "draft"
    values = _values(app, sub_id)
    assert values[("CT7", "actual")] == (7, None) and values[("CT7", "estimate")] == (7, None)
    assert values[("CT5", "actual")] == (7, 10)
    url = f"/indicators/submissions/{sub_id}"
    html = client.get(url).get_data(as_text=True)
    assert "1/19 xã" in html and "Xã Mường Mùn" in html  # what is not confirmed yet is named
    assert "Tổng các xã đã xác nhận: 7" in html and "Gửi lên tỉnh" in html and "Gửi lên huyện" not in html

    # Mường Mùn is confirmed later: the officer takes the communes' figures again.
    client.post("/auth/logout")
    login(client, district_reviewer)
    assert client.post(f"/indicators/submissions/{muong_mun}/confirm").status_code == 303
    client.post("/auth/logout")
    login(client, officer)
    assert client.post(f"{url}/prefill").status_code == 303
    assert _values(app, sub_id)[("CT7", "actual")] == (10, None)
    assert _values(app, sub_id)[("CT5", "actual")] == (10, 14)

    # Validation as for a commune: beside the field, input kept, nothing stored.
    form = _form_from_page(client, url)
    form.update({"CT5-actual-value": "20", "CT5-actual-denominator": "14", "results": "Kết quả của huyện"})
    page = client.post(url, data=dict(form, action="submit"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "tỷ lệ không được vượt quá 100%" in html
    assert 'value="20"' in html and "Kết quả của huyện" in html
    assert _sub(app, sub_id).status == "draft"

    # The officer corrects CT7 (a dialogue the district held itself) and sends.
    form.update({"CT5-actual-value": "10", "CT7-actual-value": "11"})
    response = client.post(url, data=dict(form, action="submit"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Đã gửi báo cáo lên tỉnh." in html
    assert "Khác tổng các xã đã xác nhận (10)." in html  # the correction stays visible to the reviewer
    sub = _sub(app, sub_id)
    assert sub.status == "submitted" and sub.results == "Kết quả của huyện"
    assert _values(app, sub_id)[("CT7", "actual")] == (11, None)
    client.post("/auth/logout")

    # The district's own reviewer reads it but never confirms it: only the province does.
    login(client, district_reviewer)
    html = client.get(url).get_data(as_text=True)
    assert "Xác nhận báo cáo" not in html
    for action in ("confirm", "lock"):
        assert client.post(f"{url}/{action}").status_code == 404
    assert client.post(f"{url}/return", data={"reason": "tự trả"}).status_code == 404
    assert _sub(app, sub_id).status == "submitted"
    client.post("/auth/logout")

    login(client, province_reviewer)
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert "Huyện Tuần Giáo" in html and "Đã gửi" in html
    page = client.post(f"{url}/return", data={"reason": ""})
    assert page.status_code == 200 and "Vui lòng ghi lý do." in page.get_data(as_text=True)
    assert (
        client.post(f"{url}/return", data={"reason": "CT7 khác tổng các xã: giải thích"}, follow_redirects=True)
        .get_data(as_text=True)
        .count("Đã trả lại báo cáo cho huyện.")
        == 1
    )
    assert _sub(app, sub_id).status == "returned"
    client.post("/auth/logout")

    login(client, officer)
    html = client.get(url).get_data(as_text=True)
    assert "CT7 khác tổng các xã: giải thích" in html
    form = _form_from_page(client, url)
    form["results"] = "Huyện tổ chức thêm 1 cuộc đối thoại."
    assert client.post(url, data=dict(form, action="submit")).status_code == 303
    client.post("/auth/logout")

    login(client, province_reviewer)
    assert client.post(f"{url}/confirm").status_code == 303
    assert _sub(app, sub_id).status == "confirmed"
    client.post("/auth/logout")

    # Confirmed: the officer can no longer change it; an administrator reopens it with a reason.
    login(client, officer)
    client.post(url, data=dict(form, **{"CT7-actual-value": "30"}, action="save"))
    assert _values(app, sub_id)[("CT7", "actual")] == (11, None)
    assert client.post(f"{url}/prefill").status_code == 303
    assert _values(app, sub_id)[("CT7", "actual")] == (11, None)
    client.post("/auth/logout")
    login(client, make_user("admin", "11"))
    assert client.post(f"{url}/reopen", data={"reason": "Tỉnh cần sửa CT7"}).status_code == 303
    sub = _sub(app, sub_id)
    assert sub.status == "returned" and sub.reopen_reason == "Tỉnh cần sửa CT7"


def _form_from_page(client, url) -> dict:
    """The figures and narrative as the page shows them (what a browser would send back)."""
    from matrix_world import Page

    page = Page(client.get(url).get_data(as_text=True), url)
    form = next(f for f in page.forms if f.action.endswith(url.rsplit("/", 1)[1]))
    return {f["name"]: f["value"] for f in form.fields if f["name"] and f["name"] not in ("action",)}


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_district_report_is_late_against_the_district_deadline(app, client, make_user, login):
    from app.indicators import queries, services
    from app.indicators.models import ReportingCycle, Submission

    cycle_id = _cycle(app, 2024, "update")
    with app.test_request_context():
        cycle = db.session.get(ReportingCycle, cycle_id)
        assert cycle.district_due_on == date(2025, 1, 25) and cycle.commune_due_on == date(2025, 1, 20)
        rows = queries.district_queue(cycle, unit("11"), today=date(2025, 1, 30))
        tuan_giao = next(r for r in rows if r.unit.code == "099")
        assert tuan_giao.state == "not_started" and tuan_giao.late_days == 5
        assert queries.district_queue(cycle, unit("099"), today=date(2025, 1, 25))[0].late_days == 0
        assert queries.district_queue(cycle, unit("03295")) == []  # a commune has no district row
        sub = services.start_submission(cycle, unit("099"), actor="test")
        from datetime import UTC, datetime

        sub.status, sub.first_submitted_at = "submitted", datetime(2025, 1, 27, 3, 0, tzinfo=UTC)
        db.session.commit()
        rows = {r.unit.code: r for r in queries.district_queue(cycle, unit("11"), today=date(2025, 3, 1))}
        assert rows["099"].late_days == 2 and rows["099"].state == "submitted"
        sub_id = db.session.scalar(select(Submission.id).where(Submission.unit_id == unit("099").id))
    login(client, make_user("district_reviewer", "11"))
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert "25/01/2025" in html and "trễ 2 ngày" in html
    html = client.get(f"/indicators/submissions/{sub_id}").get_data(as_text=True)
    assert "25/01/2025" in html and "trễ 2 ngày" in html


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_no_district_report_after_the_reform_and_only_district_officers_start_one(app, client, make_user, login):
    cycle_2026 = _cycle(app, 2026)
    cycle_2024 = _cycle(app, 2024)
    with app.app_context():
        district_id = unit("099").id
    login(client, make_user("reporter", "099"))
    response = client.post(
        "/indicators/reports/start", data={"cycle_id": cycle_2026, "unit_id": district_id}, follow_redirects=True
    )
    assert "các xã báo cáo thẳng lên tỉnh" in response.get_data(as_text=True)
    assert _district_sub(app, cycle_2026) is None
    client.post("/auth/logout")
    login(client, make_user("district_reviewer", "11"))  # other districts of the province may still report
    html = client.get(f"/indicators/reports?cycle={cycle_2026}").get_data(as_text=True)
    districts = (
        html.split('id="district-reports"', 1)[1].split("</table>", 1)[0] if 'id="district-reports"' in html else ""
    )
    assert "Huyện Tuần Giáo" not in districts
    client.post("/auth/logout")
    login(client, make_user("district_reviewer", "099"))  # the former district: nothing to send any more
    html = client.get(f"/indicators/reports?cycle={cycle_2026}").get_data(as_text=True)
    assert "không còn cấp huyện" in html and 'id="district-reports"' not in html
    client.post("/auth/logout")
    login(client, make_user("reporter", "03295"))  # a commune reporter does not file the district's report
    assert (
        client.post("/indicators/reports/start", data={"cycle_id": cycle_2024, "unit_id": district_id}).status_code
        == 404
    )
    assert _district_sub(app, cycle_2024) is None


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_reports_of_the_2025_communes_are_confirmed_by_the_province(app, client, make_user, login):
    """After 1/7/2025 there is no district: the new communes sit under the province, whose reviewer confirms."""
    cycle_id = _cycle(app, 2026)
    reporter = make_user("reporter", "2025-03295")
    with app.app_context():
        new_quai_to = unit("2025-03295").id
    login(client, reporter)
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert "Lập báo cáo" in html
    client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": new_quai_to})
    from app.indicators.models import Submission

    with app.app_context():
        sub_id = db.session.scalar(select(Submission.id).where(Submission.unit_id == new_quai_to))
    url = f"/indicators/submissions/{sub_id}"
    html = client.get(url).get_data(as_text=True)
    assert "Gửi lên tỉnh" in html and "Gửi lên huyện" not in html
    from indicators_helpers import full_report_form

    from app.indicators.models import ReportingCycle

    with app.app_context():
        form = full_report_form(db.session.get(ReportingCycle, cycle_id))
    response = client.post(url, data=dict(form, action="submit"), follow_redirects=True)
    assert "Đã gửi báo cáo lên tỉnh." in response.get_data(as_text=True)
    client.post("/auth/logout")

    login(client, make_user("district_reviewer", "099"))  # the old district does not reach the new communes
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/confirm").status_code == 404
    client.post("/auth/logout")

    login(client, make_user("district_reviewer", "11"))
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert "Xã Quài Tở" in html and url in html
    assert "Xác nhận báo cáo" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/confirm").status_code == 303
    assert _sub(app, sub_id).status == "confirmed"


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_reviewer_never_confirms_a_report_of_their_own_unit(app):
    """The policy itself: strictly above, through lineage too (a reviewer at a new commune does not confirm the
    old commune merged into it)."""
    from app.auth.permissions import authorize
    from app.indicators.models import ReportingCycle

    cycle_id = _cycle(app, 2024)
    with app.test_request_context():
        from app.auth import services as auth

        cycle = db.session.get(ReportingCycle, cycle_id)
        commune = sent_report(cycle, "03295")
        from app.indicators import services

        district = services.start_submission(cycle, unit("099"), actor="test")
        users = {
            code: auth.create_user(
                f"rv-{code}", "mat-khau-kiem-thu-dai", role="district_reviewer", unit=unit(code), actor="test"
            )
            for code in ("11", "099", "03295", "2025-03295")
        }
        db.session.commit()
        assert authorize(users["099"], "review", commune) and authorize(users["11"], "review", commune)
        assert not authorize(users["03295"], "review", commune)
        assert not authorize(users["2025-03295"], "review", commune)  # the old commune merged into its unit
        assert authorize(users["11"], "review", district) and not authorize(users["099"], "review", district)
        assert authorize(users["099"], "read", district)
