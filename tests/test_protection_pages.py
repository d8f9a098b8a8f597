"""Protection casework through its pages: recording, refusals beside the field (Vietnamese, article named,
input kept), the order page with its renewal and the supervisor's co-signature, the case page's legal-steps
panel, access by role, and the English pages."""

import re

import pytest
import time_machine
from protection_support import vn
from test_cases_support import new_case

from app.extensions import db


@pytest.fixture
def start(app, client, make_user, login, unit):
    """Sign a counsellor of TA-02 in and open a case; call it inside the test's time travel, since a session
    signed in at another time would have expired."""

    def begin():
        counsellor = make_user("counsellor", "TA-02")
        login(client, counsellor)
        return {"case_id": new_case(client, unit("TA-02").id, kind="both"), "counsellor": counsellor}

    return begin


def _post(client, url, prefix, **fields):
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    return client.post(url, data=data)


def _person_id(app, case_id):
    from sqlalchemy import select

    from app.protection.models import Perpetrator

    with app.app_context():
        found = db.session.scalar(select(Perpetrator.id).where(Perpetrator.case_id == case_id))
        db.session.remove()
    return found


@time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False)
def test_incidents_perpetrators_and_measures_recorded_and_recurrence_shown(app, client, start):
    setup = start()
    base = f"/protection/cases/{setup['case_id']}"
    response = _post(
        client,
        f"{base}/perpetrators",
        "perpetrator",
        relation="husband",
        sex="male",
        age_band="30_44",
        full_name="Quàng Văn Thử",
    )
    assert response.status_code == 303
    person = _person_id(app, setup["case_id"])
    # no form of violence: refused beside the field, the description kept
    response = _post(
        client,
        f"{base}/incidents",
        "incident",
        occurred_on="2026-11-30",
        place_type="home",
        description="Mô tả giữ lại",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Chọn ít nhất một hình thức bạo lực." in page and "Mô tả giữ lại" in page
    for day in ("2026-10-01", "2026-11-30"):
        response = client.post(
            f"{base}/incidents",
            data={
                "incident-occurred_on": day,
                "incident-place_type": "home",
                "incident-forms": ["physical", "economic"],
                "incident-perpetrator_ids": [person],
                "incident-reported_to_police": "y",
            },
        )
        assert response.status_code == 303
    response = _post(
        client,
        f"{base}/incidents",
        "incident",
        period_from="2026-06-01",
        period_to="2026-05-01",
        place_type="field",
        forms="psychological",
    )
    assert "Ngày kết thúc không được trước ngày bắt đầu." in response.get_data(as_text=True)
    response = _post(
        client,
        f"{base}/measures",
        "measure",
        measure="summon",
        decided_by="commune_chair",
        decided_on="2026-12-01",
        outcome="ongoing",
    )
    assert response.status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "Bạo lực lặp lại" in page and "2 vụ việc" in page and "Quàng Văn Thử" in page
    assert "Triệu tập người có hành vi bạo lực" in page and "Kinh tế" in page
    case_page = client.get(f"/cases/{setup['case_id']}").get_data(as_text=True)
    assert "Các bước pháp lý" in case_page and "Lặp lại" in case_page
    # the panel sits next to the follow-ups, before the notes
    assert (
        case_page.index('id="case-followups"')
        < case_page.index('id="case-legal-steps"')
        < case_page.index('id="case-notes"')
    )


def _order_id(response):
    return re.search(r"/protection/orders/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def test_an_order_through_its_page_decision_clock_refusals_renewal_and_cosigned_exception(
    app, client, start, make_user, login
):
    with time_machine.travel(vn(2026, 12, 1, 8, 0), tick=False):
        setup = start()
        base = f"/protection/cases/{setup['case_id']}"
        response = _post(
            client,
            f"{base}/orders",
            "order",
            requested_by="victim",
            decider="commune_chair",
            requested_on="2026-12-01",
            requested_time="07:00",
        )
        assert response.status_code == 303
        order_url = f"/protection/orders/{_order_id(response)}"
        page = client.get(order_url).get_data(as_text=True)
        assert "Chờ quyết định" in page and "còn 11 giờ" in page and "Luật 13/2022/QH15, Điều 25" in page
        case_page = client.get(f"/cases/{setup['case_id']}").get_data(as_text=True)
        assert "Quyết định cấm tiếp xúc trong 12 giờ" in case_page and "còn 11 giờ" in case_page
        # four days from a commune chair: refused beside the end date, naming Art. 25; the number kept
        response = _post(
            client,
            f"{order_url}/decision",
            "decision",
            outcome="granted",
            decided_on="2026-12-01",
            decided_time="07:45",
            end_on="2026-12-05",
            decision_number="17/QĐ-UBND",
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Luật 13/2022/QH15, Điều 25" in page and "17/QĐ-UBND" in page
        assert "Quá thời hạn tối đa" in page
        response = _post(
            client,
            f"{order_url}/decision",
            "decision",
            outcome="granted",
            decided_on="2026-12-01",
            decided_time="07:45",
            end_on="2026-12-03",
            decision_number="17/QĐ-UBND",
        )
        assert response.status_code == 303
        response = _post(client, f"{order_url}/copies", "copy", recipient="police_chief", sent_on="2026-12-01")
        assert response.status_code == 303
        # an exception over 4 hours, and one without a listed reason
        response = _post(
            client,
            f"{order_url}/exceptions",
            "exception",
            reason="funeral",
            day="2026-12-02",
            start_time="08:00",
            end_time="12:30",
            form09_on="2026-12-01",
            note="Đám tang ông ngoại",
        )
        page = response.get_data(as_text=True)
        assert "Nghị định 76/2023/NĐ-CP, Điều 18" in page and "Đám tang ông ngoại" in page
        response = _post(
            client,
            f"{order_url}/exceptions",
            "exception",
            reason="",
            day="2026-12-02",
            start_time="08:00",
            end_time="10:00",
            form09_on="2026-12-01",
        )
        assert "Vui lòng chọn một mục." in response.get_data(as_text=True)
        response = _post(
            client,
            f"{order_url}/exceptions",
            "exception",
            reason="funeral",
            day="2026-12-02",
            start_time="08:00",
            end_time="12:00",
            form09_on="2026-12-01",
        )
        assert response.status_code == 303
    with time_machine.travel(vn(2026, 12, 1, 9, 0), tick=False):
        other = app.test_client()
        login(other, make_user("supervisor", "03295"))
        page = other.get(order_url).get_data(as_text=True)
        assert "Chờ giám sát viên ký" in page and "Ký duyệt Mẫu số 09" in page
        exception_id = re.search(r"/protection/exceptions/([0-9a-f-]{36})/cosign", page).group(1)
        assert other.post(f"/protection/exceptions/{exception_id}/cosign").status_code == 303
        assert "Giám sát viên đã ký" in other.get(order_url).get_data(as_text=True)
        # The supervisor reads the caseload (issue 17) but never edits a case file.
        assert other.get(f"/cases/{setup['case_id']}/edit").status_code in (403, 404)
    with time_machine.travel(vn(2026, 12, 4, 10, 0), tick=False):
        client = app.test_client()
        login(client, setup["counsellor"])
        page = client.get(order_url).get_data(as_text=True)
        assert "Gia hạn (quyết định mới)" in page and "Đã hết hiệu lực" in page
        response = _post(
            client,
            f"{order_url}/change",
            "change",
            decided_on="2026-12-04",
            decided_time="09:00",
            end_on="2026-12-06",
            decision_number="18/QĐ-UBND",
        )
        assert response.status_code == 303 and _order_id(response) != order_url.rsplit("/", 1)[1]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Các quyết định nối tiếp" in page and "Gia hạn" in page and "18/QĐ-UBND" in page


@time_machine.travel(vn(2026, 12, 5, 9, 0), tick=False)
def test_identification_outcome_without_a_date_is_refused_and_entitlement_over_its_limit(app, client, start):
    setup = start()
    base = f"/protection/cases/{setup['case_id']}"
    response = _post(
        client,
        f"{base}/identification",
        "identification",
        received_by="border_guard",
        received_on="2026-12-01",
        health_dept_notified_on="2026-12-01",
        outcome="victim",
        being_protected="y",
        note="Ghi chú giữ lại",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Luật 53/2024/QH15, Điều 27" in page and "Ghi chú giữ lại" in page
    response = _post(
        client,
        f"{base}/identification",
        "identification",
        received_by="border_guard",
        received_on="2026-12-01",
        health_dept_notified_on="2026-12-01",
        outcome="pending",
        being_protected="y",
    )
    assert response.status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "quá hạn 9 giờ" in page and "Đang được bảo vệ" in page
    response = _post(client, f"{base}/evidence", "evidence", kind="police_confirmation", reference="Số 12/CAT")
    assert response.status_code == 303
    response = _post(
        client,
        f"{base}/entitlements",
        "entitlement",
        regime="essential_needs",
        responsible_body="health_dept",
        granted_on="2026-08-01",
        started_on="2026-08-01",
        ended_on="2026-12-01",
        amount="1.500.000",
    )
    page = response.get_data(as_text=True)
    assert "Nghị định 162/2025/NĐ-CP, Điều 17" in page and 'value="1.500.000"' in page


def test_reviewers_never_reach_the_protection_pages_but_see_the_statistics(app, client, start, make_user, login):
    setup = start()
    reviewer = app.test_client()
    login(reviewer, make_user("district_reviewer", "099"))
    assert reviewer.get(f"/protection/cases/{setup['case_id']}").status_code == 403
    assert reviewer.get("/protection/statistics").status_code == 200
    summary = reviewer.get(f"/cases/{setup['case_id']}").get_data(as_text=True)
    assert "Các bước pháp lý" not in summary


def test_the_english_page(app, client, start):
    setup = start()
    client.set_cookie("lang", "en")
    page = client.get(f"/protection/cases/{setup['case_id']}").get_data(as_text=True)
    assert "Protection file" in page and "Incidents of violence" in page and "Husband" in page
