"""The livelihood workflow through the browser-level client: draft, submit, return, revise, approve, disburse,
visit, outcome, close; versions, who and when, reminders on the case's follow-up list, the audit trail."""

import re
from datetime import timedelta

import pytest
from test_cases_support import audit_actions, new_case
from test_livelihood_support import (
    PLAN,
    budget_from_config,
    decide,
    draft,
    followups,
    new_plan,
    plan_row,
    submitted_plan,
)

from app import clock


@pytest.fixture(autouse=True)
def _budget_from_config(monkeypatch):
    budget_from_config(monkeypatch)


@pytest.fixture
def reviewer(make_user):
    return make_user("district_reviewer", "099")


@pytest.fixture
def case_id(client, counsellor, unit):
    """A domestic-violence case: livelihood support is open to violence survivors too."""
    return new_case(client, unit("TA-02").id, kind="dv")


@pytest.fixture
def rclient(app, reviewer, login):
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    login(other, reviewer)
    return other


def test_the_whole_way_from_draft_to_outcome(app, client, rclient, case_id, counsellor, reviewer):
    today = clock.today()
    # Draft from the case page's panel, then submit.
    assert "Lập kế hoạch sinh kế" in client.get(f"/cases/{case_id}").get_data(as_text=True)
    plan_id = new_plan(client, case_id)
    page = client.get(f"/livelihood/{plan_id}").get_data(as_text=True)
    assert "Đang soạn" in page and "Nuôi lợn nái sinh sản" in page and "12.000.000" in page
    assert client.post(f"/livelihood/{plan_id}/submit").status_code == 303
    assert plan_row(app, plan_id)["status"] == "submitted"

    # The reviewer finds it in the queue and returns it with a comment.
    queue = rclient.get("/livelihood/").get_data(as_text=True)
    assert f"/livelihood/{plan_id}" in queue and "Kế hoạch chờ duyệt" in queue
    assert decide(rclient, plan_id, "return", comment="Bổ sung đầu ra sản phẩm").status_code == 303
    row = plan_row(app, plan_id)
    assert row["status"] == "returned" and row["decisions"] == [("return", reviewer.id, None)]
    waiting, decided = rclient.get("/livelihood/").get_data(as_text=True).split('id="decided-title"')
    assert f"/livelihood/{plan_id}" not in waiting and f"/livelihood/{plan_id}" in decided

    # The counsellor sees the comment, revises and resubmits: version 2.
    page = client.get(f"/livelihood/{plan_id}").get_data(as_text=True)
    assert "Trả lại để sửa" in page and "Bổ sung đầu ra sản phẩm" in page
    edit = client.get(f"/livelihood/{plan_id}/edit").get_data(as_text=True)
    assert "Nuôi lợn nái sinh sản" in edit  # the form opens with the plan as it is
    response = client.post(
        f"/livelihood/{plan_id}/edit",
        data={**PLAN, "amount_requested": "10000000", "description": "Nuôi lợn, bán cho thương lái xã"},
    )
    assert response.status_code == 303
    assert client.post(f"/livelihood/{plan_id}/submit").status_code == 303
    assert plan_row(app, plan_id)["versions"] == 2
    # Both versions are kept and both sides can read them.
    for who in (client, rclient):
        first = who.get(f"/livelihood/{plan_id}/versions/1").get_data(as_text=True)
        second = who.get(f"/livelihood/{plan_id}/versions/2").get_data(as_text=True)
        assert "Nuôi lợn nái sinh sản" in first and "12.000.000" in first
        assert "bán cho thương lái xã" in second and "10.000.000" in second

    # The reviewer approves a lower amount; the decision records who and when.
    detail = rclient.get(f"/livelihood/{plan_id}").get_data(as_text=True)
    assert "Ngân sách hỗ trợ sinh kế năm" in detail and "mức tối đa mỗi năm do quản trị viên đặt" in detail
    assert decide(rclient, plan_id, "approve", amount="9000000").status_code == 303
    row = plan_row(app, plan_id)
    assert row["status"] == "approved" and row["approved"] == 9_000_000 and row["decided_by"] == reviewer.id
    assert row["decisions"][-1] == ("approve", reviewer.id, 9_000_000) and row["year"] == today.year

    # The first disbursement (in kind) makes it active and puts the reminders on the case's follow-up list.
    response = client.post(
        f"/livelihood/{plan_id}/disburse",
        data={
            "paid_on": today.isoformat(),
            "amount": "5000000",
            "payment_form": "in_kind",
            "items": "2 lợn giống",
            "receipt_number": "PC-01",
        },
    )
    assert response.status_code == 303
    row = plan_row(app, plan_id)
    assert row["status"] == "active" and row["disbursed"] == 5_000_000
    sources = followups(app, case_id)
    assert (f"livelihood:{plan_id}:visit", "open") in sources
    assert (f"livelihood:{plan_id}:6m", "open") in sources and (f"livelihood:{plan_id}:12m", "open") in sources
    response = client.post(
        f"/livelihood/{plan_id}/disburse",
        data={"paid_on": today.isoformat(), "amount": "4000000", "payment_form": "cash", "receipt_number": "PC-02"},
    )
    assert response.status_code == 303
    assert plan_row(app, plan_id)["disbursed"] == 9_000_000

    # A monitoring visit closes the visit reminder and sets the next one.
    response = client.post(
        f"/livelihood/{plan_id}/visits",
        data={
            "visited_on": today.isoformat(),
            "progress": "on_track",
            "income": "800000",
            "problems": "Thiếu cám",
            "support_needed": "Hướng dẫn tiêm phòng",
        },
    )
    assert response.status_code == 303
    visits = [s for s in followups(app, case_id) if s[0] == f"livelihood:{plan_id}:visit"]
    assert sorted(visits) == [(f"livelihood:{plan_id}:visit", "done"), (f"livelihood:{plan_id}:visit", "open")]

    # The 6-month outcome closes its reminder; then the plan is completed.
    response = client.post(
        f"/livelihood/{plan_id}/outcomes",
        data={
            "milestone": "6",
            "recorded_on": today.isoformat(),
            "still_active": "y",
            "income_change": "increased",
            "wellbeing": "4",
            "reintegration": "good",
            "note": "Ổn định",
        },
    )
    assert response.status_code == 303
    assert (f"livelihood:{plan_id}:6m", "done") in followups(app, case_id)
    page = client.get(f"/livelihood/{plan_id}").get_data(as_text=True)
    assert "Hoà nhập tốt" in page and "Thiếu cám" in page and "2 lợn giống" in page
    assert client.post(f"/livelihood/{plan_id}/close", data={"how": "completed"}).status_code == 303
    assert plan_row(app, plan_id)["status"] == "completed"

    # Every state change is on the case's audit trail (and so on its timeline), with ids only.
    actions = [a for a, result, detail in audit_actions(app, case_id) if a.startswith("livelihood.")]
    for expected in (
        "livelihood.create",
        "livelihood.submit",
        "livelihood.returned",
        "livelihood.edit",
        "livelihood.approved",
        "livelihood.disburse",
        "livelihood.visit",
        "livelihood.outcome",
        "livelihood.completed",
    ):
        assert expected in actions, expected
    for _, _, detail in audit_actions(app, case_id):
        assert "Nuôi lợn" not in str(detail) and "PC-01" not in str(detail)
    timeline = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Huyện duyệt kế hoạch sinh kế" in timeline or "Sinh kế" in timeline


def test_htmx_forms_answer_the_plan_body(app, client, rclient, case_id):
    plan_id = submitted_plan(client, case_id)
    response = rclient.post(
        f"/livelihood/{plan_id}/decide",
        data={"decision": "approve"},
        headers={"HX-Request": "true", "HX-Target": "plan-body"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="plan-body"') and "<html" not in html
    assert "Đã duyệt kế hoạch." in html
    fragment = client.get(f"/livelihood/{plan_id}", headers={"HX-Request": "true", "HX-Target": "plan-body"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="plan-body"')
    lists = client.get("/livelihood/?status=approved", headers={"HX-Request": "true", "HX-Target": "plan-lists"})
    assert lists.get_data(as_text=True).lstrip().startswith('<div id="plan-lists"')


def test_the_plan_body_says_its_messages_once_through_the_shared_flashes(app, client, rclient, case_id):
    """The plan body htmx swaps shows what a change said inside itself, as every other swapped fragment does
    (_macros/flashes.html): a refusal as an alert that takes the focus, a success as a status; said once, so
    neither waits for the next page."""
    hx = {"HX-Request": "true", "HX-Target": "plan-body"}
    plan_id = submitted_plan(client, case_id)
    refusal = "Chỉ gửi được kế hoạch đang soạn hoặc bị trả lại."
    for headers in (hx, {}):
        answer = client.post(f"/livelihood/{plan_id}/submit", headers=headers)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and html.count(refusal) == 1, headers
        assert f'<div class="flash flash-error" role="alert" tabindex="-1" data-autofocus>{refusal}</div>' in html
        if headers:
            assert html.lstrip().startswith('<div id="plan-body"') and "<html" not in html
        assert refusal not in client.get(f"/livelihood/{plan_id}").get_data(as_text=True), "said once"
    approved = rclient.post(f"/livelihood/{plan_id}/decide", data={"decision": "approve"}, headers=hx)
    html = approved.get_data(as_text=True)
    body = re.match(r'\s*<div id="plan-body"[^>]*>(.*)</div>\s*$', html, re.S)
    assert body and '<div class="flash flash-success" role="status">Đã duyệt kế hoạch.</div>' in body.group(1)
    assert html.count("Đã duyệt kế hoạch.") == 1
    assert "Đã duyệt kế hoạch." not in rclient.get(f"/livelihood/{plan_id}").get_data(as_text=True), "said once"


def test_bad_input_is_refused_beside_the_field_and_the_input_is_kept(app, client, case_id):
    response = draft(client, case_id, amount_requested="250000000", description="Mở tiệm may")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="amount_requested-error"' in html and "Số tiền quá lớn" in html
    assert "Mở tiệm may" in html and 'value="250000000"' in html
    response = draft(client, case_id, amount_requested="mười triệu")
    assert response.status_code == 200 and "chỉ gồm chữ số" in response.get_data(as_text=True)
    response = draft(client, case_id, amount_requested="0")
    assert response.status_code == 200 and 'id="amount_requested-error"' in response.get_data(as_text=True)
    response = draft(client, case_id, start_on="2026-05-01", end_on="2026-04-01")
    assert response.status_code == 200 and 'id="end_on-error"' in response.get_data(as_text=True)
    response = draft(client, case_id, start_on="31/02/2026")
    assert response.status_code == 200 and "Ngày không hợp lệ" in response.get_data(as_text=True)
    # Only the activity, the description and the amount are needed; empty dates and amounts are fine.
    new_plan(client, case_id, **{k: "" for k in PLAN if k not in ("activity", "description", "amount_requested")})
    # Dots typed as thousands separators without JavaScript are read as đồng.
    plan_id = new_plan(client, case_id, amount_requested="12.000.000")
    assert plan_row(app, plan_id)["requested"] == 12_000_000


def test_returning_or_rejecting_needs_a_reason(app, client, rclient, case_id):
    plan_id = submitted_plan(client, case_id)
    response = decide(rclient, plan_id, "reject")
    assert response.status_code == 200 and 'id="comment-error"' in response.get_data(as_text=True)
    assert plan_row(app, plan_id)["status"] == "submitted"
    assert decide(rclient, plan_id, "reject", comment="Không phù hợp mô hình").status_code == 303
    assert plan_row(app, plan_id)["status"] == "rejected"
    # A rejected plan is not edited, disbursed or decided again.
    assert client.post(f"/livelihood/{plan_id}/submit").status_code == 200
    assert decide(rclient, plan_id, "approve").status_code == 200
    assert plan_row(app, plan_id)["status"] == "rejected"


def test_disbursements_never_exceed_the_approved_amount(app, client, rclient, case_id):
    plan_id = submitted_plan(client, case_id)
    # Nothing is paid before approval.
    today = clock.today().isoformat()
    early = client.post(
        f"/livelihood/{plan_id}/disburse",
        data={"paid_on": today, "amount": "1000000", "payment_form": "cash", "receipt_number": "PC-00"},
    )
    assert early.status_code == 200 and plan_row(app, plan_id)["disbursed"] == 0
    decide(rclient, plan_id, "approve", amount="8000000")
    ok = client.post(
        f"/livelihood/{plan_id}/disburse",
        data={"paid_on": today, "amount": "6000000", "payment_form": "cash", "receipt_number": "PC-01"},
    )
    assert ok.status_code == 303
    over = client.post(
        f"/livelihood/{plan_id}/disburse",
        data={"paid_on": today, "amount": "2000001", "payment_form": "cash", "receipt_number": "PC-02"},
    )
    html = over.get_data(as_text=True)
    assert over.status_code == 200 and 'id="amount-error"' in html and "Vượt số tiền được duyệt" in html
    assert "2.000.000" in html and 'value="PC-02"' in html
    assert plan_row(app, plan_id)["disbursed"] == 6_000_000
    # In kind needs the items; a date in the future is refused.
    kind = client.post(
        f"/livelihood/{plan_id}/disburse",
        data={"paid_on": today, "amount": "1000000", "payment_form": "in_kind", "receipt_number": "PC-03"},
    )
    assert kind.status_code == 200 and 'id="items-error"' in kind.get_data(as_text=True)
    future = client.post(
        f"/livelihood/{plan_id}/disburse",
        data={
            "paid_on": (clock.today() + timedelta(days=2)).isoformat(),
            "amount": "1000000",
            "payment_form": "cash",
            "receipt_number": "PC-04",
        },
    )
    assert future.status_code == 200 and 'id="paid_on-error"' in future.get_data(as_text=True)
    assert plan_row(app, plan_id)["disbursed"] == 6_000_000


def test_discontinuing_needs_a_reason_and_stops_the_visit_reminders(app, client, rclient, case_id):
    plan_id = submitted_plan(client, case_id)
    decide(rclient, plan_id, "approve")
    client.post(
        f"/livelihood/{plan_id}/disburse",
        data={
            "paid_on": clock.today().isoformat(),
            "amount": "1000000",
            "payment_form": "cash",
            "receipt_number": "PC-1",
        },
    )
    response = client.post(f"/livelihood/{plan_id}/close", data={"how": "discontinued"})
    assert response.status_code == 200 and 'id="reason-error"' in response.get_data(as_text=True)
    assert (
        client.post(f"/livelihood/{plan_id}/close", data={"how": "discontinued", "reason": "Chuyển đi"}).status_code
        == 303
    )
    assert plan_row(app, plan_id)["status"] == "discontinued"
    assert (f"livelihood:{plan_id}:visit", "cancelled") in followups(app, case_id)
