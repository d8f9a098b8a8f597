"""A register's breakdowns reach the report: events entered in the register → the commune's report form shows
the participants by sex and by ethnic group of the indicator that counts them, the sent report keeps them,
and the Excel report has a cell for each part."""

from io import BytesIO

import pytest
from indicators_helpers import active_plan, unit
from markup_support import unlabelled
from openpyxl import load_workbook
from registers_support import event

from app.extensions import db


def _plan_counting_participants():
    """A 2026–2030 plan whose CT7 counts the events' participants, disaggregated by sex and by ethnic group."""
    from app.indicators import plans

    plan = active_plan(activate=False)
    ct7 = next(i for i in plans.indicators(plan) if i.code == "CT7")
    ct7.source, ct7.disaggregation = "register:events.participants", ["sex", "ethnic_group"]
    plans.activate(plan, actor="test")
    return plan, ct7


def test_events_entered_reach_the_report_form_the_sent_report_and_the_excel_cell(app, client, make_user, login):
    from app.indicators import plans, services

    with app.test_request_context():
        plan, ct7 = _plan_counting_participants()
        # 2026: the new Quài Tở (2025-03295) reports; the old one ended on 30/06/2025
        event("2025-03295")  # 30: 18 women, 12 men; 10 Thái, 15 Mông, 5 Kinh
        event("2025-03295", kind="communication", participants=12, female=9, male=3, by_ethnicity={"08": 12})
        event("2025-03268", participants=50, female=25, male=25, by_ethnicity={"03": 50})  # another commune
        cycle = services.open_cycle(2026, "update", actor="test", plan=plan)
        db.session.commit()
        cycle_id, ct7_id, quai_to = cycle.id, ct7.id, unit("2025-03295").id
    reporter = make_user("reporter", "2025-03295")
    login(client, reporter)
    started = client.post("/indicators/reports/start", data={"unit_id": quai_to, "cycle_id": cycle_id})
    assert started.status_code == 303
    page = unlabelled(client.get(started.headers["Location"]).get_data(as_text=True))
    sex = page.split('id="derived-CT7-sex"', 1)[1].split("</tr>", 1)[0]
    assert "Nữ: 27" in sex and "Nam: 15" in sex
    ethnic = page.split('id="derived-CT7-ethnic_group"', 1)[1].split("</tr>", 1)[0]
    assert "Thái: 10" in ethnic and "Mông: 27" in ethnic and "Kinh: 5" in ethnic
    assert "Khơ Mú" not in ethnic  # a part nobody is in is not shown

    with app.test_request_context():
        from app.indicators.models import Submission

        sub = db.session.get(Submission, started.headers["Location"].rsplit("/", 1)[1])
        typed = {
            (i.id, "actual"): (0, 0 if i.is_percent else None, {}) for i in plans.indicators(plan) if not i.derived
        }
        services.save_draft(sub, typed, {}, actor="test")
        services.submit(sub, actor="test")
        frozen = sub.value(ct7_id, "actual")
        assert frozen.value == 42 and frozen.from_registry
        assert frozen.breakdown == {
            "sex": {"female": 27, "male": 15},
            "ethnic_group": {"thai": 10, "mong": 27, "kinh": 5},
        }
        db.session.commit()
    # The sent report shows what it froze.
    page = unlabelled(client.get(started.headers["Location"]).get_data(as_text=True))
    assert "Nữ: 27" in page.split('id="derived-CT7-sex"', 1)[1].split("</tr>", 1)[0]

    book = load_workbook(BytesIO(client.get("/indicators/export.xlsx?year=2026").data)).active
    rows = [[c.value for c in row] for row in book.iter_rows()]
    ct7_row = next(i for i, r in enumerate(rows) if r[0] == "CT7")
    below = {(r[1] or "").strip(): r[4] for r in rows[ct7_row + 1 : ct7_row + 8]}
    assert rows[ct7_row][4] == 42
    assert below["Theo giới tính: Nữ"] == 27 and below["Theo giới tính: Nam"] == 15
    assert below["Theo dân tộc: Thái"] == 10 and below["Theo dân tộc: Mông"] == 27
    assert below["Theo dân tộc: Kinh"] == 5 and "Theo dân tộc: Khơ Mú" not in below


@pytest.mark.usefixtures("plan_2022_in_force")  # the 2022 plan's 2025 round: kept in force for it
def test_typed_breakdowns_add_up_over_the_communes_in_the_excel(app, client, make_user, login):
    """A typed indicator's breakdown (CT8 by ethnic group) is summed over the communes' reports, as its value."""
    from indicators_helpers import indicator

    from app.indicators import services

    with app.test_request_context():
        cycle = services.open_cycle(2025, "update", actor="test")  # the old communes' last year
        ct8 = indicator("CT8")
        for code, parts in (("03295", {"thai": 2, "mong": 1}), ("03268", {"thai": 1})):
            sub = services.start_submission(cycle, unit(code), actor="test")
            services.save_draft(
                sub, {(ct8.id, "actual"): (sum(parts.values()), None, {"ethnic_group": parts})}, {}, actor="test"
            )
            sub.status = "submitted"
        db.session.commit()
    login(client, make_user("district_reviewer", "099"))
    rows = [
        [c.value for c in r]
        for r in load_workbook(BytesIO(client.get("/indicators/export.xlsx?year=2025").data)).active.iter_rows()
    ]
    at = next(i for i, r in enumerate(rows) if r[0] == "CT8")
    assert rows[at][4] == 4
    assert rows[at + 1][1].strip() == "Theo dân tộc: Thái" and rows[at + 1][4] == 3
    assert rows[at + 2][1].strip() == "Theo dân tộc: Mông" and rows[at + 2][4] == 1
