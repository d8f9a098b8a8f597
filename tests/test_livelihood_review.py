"""The district's side: what a reviewer receives (never identity or narrative), who may decide (the district
of the case, never the proposer), the budget ceiling, and two reviewers deciding at once."""

import threading

import pytest
from test_cases_support import new_case
from test_livelihood_support import SECRETS, add_role, budget_from_config, decide, plan_row, submitted_plan

from app import clock
from app.extensions import db
from app.livelihood.budget import indicator_budget as REAL_INDICATOR_BUDGET


@pytest.fixture(autouse=True)
def _budget_from_config(monkeypatch):
    budget_from_config(monkeypatch)


@pytest.fixture
def case_id(client, counsellor, unit):
    """A domestic-violence case: livelihood support is open to violence survivors too."""
    return new_case(client, unit("TA-02").id, kind="dv")


def signed_in(app, login, user, address):
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    login(other, user)
    return other


@pytest.fixture
def rclient(app, make_user, login):
    return signed_in(app, login, make_user("district_reviewer", "099"), "10.1.2.3")


def test_the_reviewer_never_receives_identity_or_narrative(app, client, rclient, case_id):
    plan_id = submitted_plan(client, case_id)
    pages = [
        rclient.get("/livelihood/"),
        rclient.get(f"/livelihood/{plan_id}"),
        rclient.get(f"/livelihood/{plan_id}/versions/1"),
        rclient.get("/livelihood/overview"),
        rclient.get(f"/livelihood/{plan_id}", headers={"HX-Request": "true", "HX-Target": "plan-body"}),
        rclient.get("/livelihood/", headers={"HX-Request": "true", "HX-Target": "plan-lists"}),
        decide(rclient, plan_id, "reject"),
    ]  # a refused decision re-renders the page
    assert decide(rclient, plan_id, "approve", amount="10000000").status_code == 303
    client.post(
        f"/livelihood/{plan_id}/disburse",
        data={"paid_on": "2026-01-01", "amount": "1000", "payment_form": "cash", "receipt_number": "X"},
    )
    pages += [rclient.get(f"/livelihood/{plan_id}"), rclient.get("/livelihood/overview"), rclient.get("/livelihood/")]
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in html, secret
    # The queue shows the summary tier of the case and the plan.
    queue = pages[0].get_data(as_text=True)
    for shown in ("Xã Quài Tở", "Nữ", "Thái", "Bạo lực gia đình", "Cao", "Chăn nuôi", "12.000.000"):
        assert shown in queue, shown


def test_the_queue_is_oldest_first_and_of_the_district_only(app, client, rclient, case_id, unit, make_user, login):
    first = submitted_plan(client, case_id)
    second = submitted_plan(client, case_id, activity="weaving")
    other_counsellor = signed_in(app, login, make_user("counsellor", "TA-03"), "10.1.2.4")
    other_case = new_case(other_counsellor, unit("TA-03").id)
    third = submitted_plan(other_counsellor, other_case)
    queue = rclient.get("/livelihood/").get_data(as_text=True)
    assert queue.index(first) < queue.index(second) < queue.index(third)
    # A counsellor of another unit sees neither the plan nor its page.
    assert first not in other_counsellor.get("/livelihood/").get_data(as_text=True)
    assert other_counsellor.get(f"/livelihood/{first}").status_code == 404


def test_a_reviewer_of_another_district_reaches_nothing(app, client, case_id, make_user, login, unit):
    from app.units.queries import by_code
    from app.units.services import create_unit

    with app.app_context():
        create_unit(code="D-KHAC", kind="district", name="Huyện khác", parent=by_code("11"), actor="test")
        db.session.commit()
    plan_id = submitted_plan(client, case_id)
    for n, code in enumerate(("D-KHAC", "03268")):  # another district; a commune that does not hold the case
        far = signed_in(app, login, make_user("district_reviewer", code), f"10.1.3.{n}")
        assert plan_id not in far.get("/livelihood/").get_data(as_text=True)
        assert far.get(f"/livelihood/{plan_id}").status_code == 404
        assert decide(far, plan_id, "approve").status_code == 404
        assert plan_row(app, plan_id)["status"] == "submitted"


def test_nobody_decides_their_own_plan(app, client, case_id, counsellor):
    add_role(app, counsellor, "district_reviewer", "099")  # a counsellor who also reviews for the district
    plan_id = submitted_plan(client, case_id)
    page = client.get(f"/livelihood/{plan_id}").get_data(as_text=True)
    response = decide(client, plan_id, "approve")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "do chính mình đề xuất" in html
    assert plan_row(app, plan_id)["status"] == "submitted"
    assert "Quyết định của huyện" in page  # the form is offered to the role; the rule refuses it


def test_approval_is_refused_beyond_the_budget_left_for_the_year(app, client, rclient, case_id, monkeypatch):
    monkeypatch.setitem(app.config, "LIVELIHOOD_YEARLY_CEILING", 20_000_000)
    first = submitted_plan(client, case_id, amount_requested="12000000")
    second = submitted_plan(client, case_id, amount_requested="10000000")
    assert decide(rclient, first, "approve").status_code == 303
    page = rclient.get(f"/livelihood/{second}").get_data(as_text=True)
    assert "20.000.000" in page and "12.000.000" in page and "8.000.000" in page
    assert "mức tối đa mỗi năm do quản trị viên đặt" in page  # the page says which budget applied
    response = decide(rclient, second, "approve")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="amount-error"' in html and "Vượt ngân sách" in html
    assert plan_row(app, second)["status"] == "submitted"
    # A lower amount within what is left passes.
    assert decide(rclient, second, "approve", amount="8000000").status_code == 303
    assert plan_row(app, second)["approved"] == 8_000_000


def test_budget_lines_of_the_indicator_module_take_precedence(app, client, rclient, case_id, monkeypatch):
    from app.livelihood import budget

    monkeypatch.setattr(budget, "indicator_budget", lambda year, unit: 5_000_000)
    plan_id = submitted_plan(client, case_id, amount_requested="6000000")
    page = rclient.get(f"/livelihood/{plan_id}").get_data(as_text=True)
    assert "lấy từ ngân sách Dự án 8 đã nhập ở trang «Ngân sách»" in page
    assert decide(rclient, plan_id, "approve").status_code == 200
    assert decide(rclient, plan_id, "approve", amount="5000000").status_code == 303


def test_two_reviewers_deciding_at_once_exactly_one_wins(app, client, case_id, make_user, login):
    plan_id = submitted_plan(client, case_id)
    reviewers = [signed_in(app, login, make_user("district_reviewer", "099"), f"10.1.4.{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    results = [None, None]
    choices = [("approve", {}), ("reject", {"comment": "Không phù hợp"})]

    def go(i):
        decision, data = choices[i]
        barrier.wait()
        response = decide(reviewers[i], plan_id, decision, **data)
        results[i] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(status for status, _ in results)
    assert codes == [200, 303], codes
    row = plan_row(app, plan_id)
    assert len(row["decisions"]) == 1 and row["status"] in ("approved", "rejected")
    loser = next(html for status, html in results if status == 200)
    assert "không còn chờ duyệt" in loser  # the other reviewer sees what happened
    # And a decision sent from a stale page after the fact is refused the same way.
    assert "không còn chờ duyệt" in decide(reviewers[0], plan_id, "return", comment="x").get_data(as_text=True)
    assert len(plan_row(app, plan_id)["decisions"]) == 1


def test_with_the_real_indicator_module_its_livelihood_budget_line_applies(app, client, rclient, case_id, monkeypatch):
    indicator_models = pytest.importorskip("app.indicators.models")
    if not hasattr(indicator_models, "BudgetLine"):
        pytest.skip("the indicator module has no budget lines yet")

    from app.livelihood import budget
    from app.units.queries import by_code

    monkeypatch.setattr(budget, "indicator_budget", REAL_INDICATOR_BUDGET)
    with app.app_context():
        db.session.add(
            indicator_models.BudgetLine(
                unit_id=by_code("099").id,
                component="II",
                activity_code="II.4",
                year=clock.today().year,
                planned=15_000_000,
                allocated=15_000_000,
            )
        )
        db.session.commit()
        db.session.remove()
    plan_id = submitted_plan(client, case_id, amount_requested="16000000")
    page = rclient.get(f"/livelihood/{plan_id}").get_data(as_text=True)
    assert "lấy từ ngân sách Dự án 8 đã nhập ở trang «Ngân sách»" in page and "15.000.000" in page
    response = decide(rclient, plan_id, "approve")
    assert response.status_code == 200 and "Vượt ngân sách" in response.get_data(as_text=True)
    assert decide(rclient, plan_id, "approve", amount="15000000").status_code == 303


def test_the_queue_and_the_unit_list_page_through_every_plan(
    app, client, rclient, counsellor, login, unit, monkeypatch
):
    import re

    from app.web import paging

    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    login(client, counsellor)
    plans = [
        submitted_plan(client, new_case(client, unit("TA-02").id, kind="dv", confirm_duplicate="y")) for _ in range(3)
    ]
    for who, arg in ((rclient, "queue_page"), (client, "page")):
        seen, url, pages = [], "/livelihood/", 0
        while url:
            html = who.get(url).get_data(as_text=True)
            shown = [p for p in re.findall(r'href="/livelihood/([0-9a-f-]{36})"', html) if p in plans]
            assert len(set(shown)) <= 2, shown  # one page of the list
            seen, pages = seen + shown, pages + 1
            nxt = re.search(rf'href="(/livelihood/\?[^"]*{arg}=\d+[^"]*)">Trang sau', html)
            url = nxt.group(1).replace("&amp;", "&") if nxt else None
        assert sorted(set(seen)) == sorted(plans) and pages == 2, (arg, seen, pages)
