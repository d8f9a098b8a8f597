"""The district overview and its Excel export hold exactly the sums of the underlying records; the demo;
plans of an erased case keep their figures and lose their text."""

from io import BytesIO

import pytest
from sqlalchemy import func, select
from test_cases_support import new_case
from test_livelihood_support import SECRETS, budget_from_config, decide, new_plan, submitted_plan

from app import clock
from app.extensions import db


@pytest.fixture(autouse=True)
def _budget_from_config(monkeypatch):
    budget_from_config(monkeypatch)


@pytest.fixture
def world(app, client, make_user, login, unit):
    """Plans in several states across two communes; returns (reviewer client, counsellor client, case ids)."""
    counsellor = make_user("counsellor", "TA-02")
    login(client, counsellor)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.2.0.2"
    login(other, make_user("counsellor", "TA-03"))
    reviewer = app.test_client()
    reviewer.environ_base["REMOTE_ADDR"] = "10.2.0.3"
    login(reviewer, make_user("district_reviewer", "099"))
    today = clock.today().isoformat()
    quai_to, muong_mun = new_case(client, unit("TA-02").id), new_case(other, unit("TA-03").id)
    new_plan(client, quai_to, amount_requested="3000000")  # draft
    submitted_plan(client, quai_to, amount_requested="4000000")  # waiting
    a = submitted_plan(client, quai_to, amount_requested="10000000")
    decide(reviewer, a, "approve", amount="9000000")
    client.post(
        f"/livelihood/{a}/disburse",
        data={"paid_on": today, "amount": "2500000", "payment_form": "cash", "receipt_number": "A1"},
    )
    client.post(
        f"/livelihood/{a}/outcomes",
        data={
            "milestone": "6",
            "recorded_on": today,
            "still_active": "y",
            "income_change": "same",
            "wellbeing": "3",
            "reintegration": "partial",
        },
    )
    b = submitted_plan(other, muong_mun, amount_requested="7000000")
    decide(reviewer, b, "approve")
    other.post(
        f"/livelihood/{b}/disburse",
        data={"paid_on": today, "amount": "7000000", "payment_form": "cash", "receipt_number": "B1"},
    )
    for milestone in ("6", "12"):
        other.post(
            f"/livelihood/{b}/outcomes",
            data={
                "milestone": milestone,
                "recorded_on": today,
                "still_active": "y",
                "income_change": "increased",
                "wellbeing": "5",
                "reintegration": "good",
            },
        )
    c = submitted_plan(other, muong_mun, amount_requested="5000000")
    decide(reviewer, c, "reject", comment="Trùng hỗ trợ khác")
    return reviewer, client, (quai_to, muong_mun)


def db_sums(app) -> dict:
    from app.livelihood.models import Disbursement, LivelihoodPlan, PlanOutcome

    with app.app_context():
        sums = {
            "plans": db.session.scalar(select(func.count()).select_from(LivelihoodPlan)),
            "requested": db.session.scalar(select(func.sum(LivelihoodPlan.amount_requested))),
            "approved": db.session.scalar(select(func.sum(LivelihoodPlan.amount_approved))),
            "disbursed": db.session.scalar(select(func.sum(Disbursement.amount))),
            "outcomes_6": db.session.scalar(select(func.count()).where(PlanOutcome.milestone == 6)),
            "outcomes_12": db.session.scalar(select(func.count()).where(PlanOutcome.milestone == 12)),
        }
        db.session.remove()
    return sums


def test_the_overview_equals_the_sum_of_the_records(app, world):
    reviewer, _, _ = world
    sums = db_sums(app)
    assert sums == {
        "plans": 5,
        "requested": 29_000_000,
        "approved": 16_000_000,
        "disbursed": 9_500_000,
        "outcomes_6": 2,
        "outcomes_12": 1,
    }
    html = reviewer.get("/livelihood/overview").get_data(as_text=True)
    for figure in ("29.000.000", "16.000.000", "9.500.000"):
        assert figure in html, figure
    assert "Xã Quài Tở" in html and "Xã Mường Mùn" in html
    # The budget: the configured ceiling, with what the approvals committed and what is left.
    assert "500.000.000" in html and "484.000.000" in html and "Mức trần cấu hình" in html
    for secret in SECRETS:
        assert secret not in html
    # Another year holds none of it; the htmx request answers the table only.
    other = reviewer.get(
        f"/livelihood/overview?year={clock.today().year - 3}",
        headers={"HX-Request": "true", "HX-Target": "overview-table"},
    ).get_data(as_text=True)
    assert other.lstrip().startswith('<div id="overview-table"') and "29.000.000" not in other


def test_the_excel_export_opens_and_holds_the_same_figures(app, world):
    from openpyxl import load_workbook

    from app.livelihood.overview import headers

    reviewer, counsellor, _ = world
    sums = db_sums(app)
    response = reviewer.post("/livelihood/overview/export", data={"year": str(clock.today().year)})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(headers())
    table = rows[header + 1 : rows.index([None] * len(headers()), header) if [None] * len(headers()) in rows else None]
    body = [r for r in rows[header + 1 :] if r[0] and r[0] != "Tổng"][:2]
    total = next(r for r in rows if r[0] == "Tổng")
    col = {name: headers().index(name) for name in headers()}
    assert total[col["Đề nghị (đ)"]] == sums["requested"] == sum(r[col["Đề nghị (đ)"]] for r in body)
    assert total[col["Đã duyệt (đ)"]] == sums["approved"]
    assert total[col["Đã giải ngân (đ)"]] == sums["disbursed"]
    assert total[col["Kết quả 6 tháng"]] == sums["outcomes_6"] and total[col["Kết quả 12 tháng"]] == sums["outcomes_12"]
    assert sum(total[1:9]) == sums["plans"]  # every plan in exactly one status column
    assert table  # the commune rows come before the total
    # The export is a district reviewer action, and it is audited.
    assert counsellor.post("/livelihood/overview/export", data={"year": "2026"}).status_code == 403
    from app.audit.models import AuditEntry

    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "livelihood.export")) == 1
        db.session.remove()


def test_overdue_monitoring_is_listed(app, world, monkeypatch):
    from datetime import timedelta

    from app.livelihood import overview

    reviewer, _, _ = world
    assert "Không có kế hoạch nào quá hạn" in reviewer.get("/livelihood/overview").get_data(as_text=True)
    real_build = overview.build
    later = clock.today() + timedelta(days=120)
    monkeypatch.setattr(overview, "build", lambda *a, **k: real_build(*a, **{**k, "today": later}))
    html = reviewer.get("/livelihood/overview").get_data(as_text=True)
    assert "Quá hạn" in html and "TG-" in html


def test_an_erased_case_keeps_its_plan_figures_and_loses_the_text(app, world):
    from app.cases import services as case_services
    from app.cases.models import Case

    reviewer, counsellor, (quai_to, _) = world
    with app.test_request_context():
        case_services.erase_case(db.session.get(Case, quai_to), "test")
        db.session.commit()
        db.session.remove()
    from app.livelihood.models import LivelihoodPlan

    with app.app_context():
        plan_id = db.session.scalar(
            select(LivelihoodPlan.id).where(LivelihoodPlan.case_id == quai_to, LivelihoodPlan.status == "active")
        )
        db.session.remove()
    page = reviewer.get(f"/livelihood/{plan_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "nội dung kế hoạch không còn đọc được" in html
    assert "9.000.000" in html and "Nuôi lợn" not in html
    assert "29.000.000" in reviewer.get("/livelihood/overview").get_data(as_text=True)
    assert reviewer.get(f"/livelihood/{plan_id}/versions/1").status_code == 404


def test_the_demo_makes_plans_in_several_states(app, ctx, make_user):
    from app.cases import demo as case_demo
    from app.livelihood import demo
    from app.livelihood.models import LivelihoodPlan

    for n in range(1, 8):
        make_user("counsellor", f"TA-0{n}")
    make_user("district_reviewer", "099")
    assert demo.seed() == 0  # no cases yet: nothing
    app.config["DEMO_CASE_COUNT"] = 40
    case_demo.seed()
    db.session.commit()
    made = demo.seed()
    db.session.commit()
    assert made >= 5
    states = set(db.session.scalars(select(LivelihoodPlan.status)))
    assert {"draft", "submitted", "returned", "active", "completed"} <= states
    assert demo.seed() == 0  # once only
