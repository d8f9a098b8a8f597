"""Budget lines against the plan's 12.380 triệu đồng, the disbursement rate, and the livelihood area's hook;
the report form's htmx fragment."""

import pytest
from indicators_helpers import active_plan, unit

from app.extensions import db


def test_budget_lines_give_the_disbursement_rate_and_the_livelihood_budget(app, client, make_user, login):
    with app.app_context():
        active_plan()  # the 2022 plan is archived: 2026's money is the 2026-2030 plan's
        db.session.commit()
    reviewer = make_user("district_reviewer", "099")
    login(client, reviewer)
    line = {
        "component": "II",
        "activity_code": "II.4",
        "year": "2026",
        "source": "central",
        "planned": "400000000",
        "allocated": "300000000",
        "disbursed": "350000000",
    }
    page = client.post("/indicators/budget", data=line)
    assert page.status_code == 200
    assert "Số đã giải ngân không được lớn hơn số được giao." in page.get_data(as_text=True)
    assert 'value="350000000"' in page.get_data(as_text=True)
    assert client.post("/indicators/budget", data=dict(line, disbursed="120000000")).status_code == 303
    assert (
        client.post(
            "/indicators/budget",
            data=dict(line, component="I", activity_code="", planned="100000000", allocated="100000000", disbursed="0"),
        ).status_code
        == 303
    )
    html = client.get("/indicators/budget").get_data(as_text=True)
    assert "12.380.000.000 đ" in html and "400.000.000 đ" in html and "30%" in html  # 120 of 400 allocated
    from app.indicators import services

    with app.test_request_context():
        assert services.livelihood_budget(2026, unit("099")) == 300_000_000
        assert services.livelihood_budget(2025, unit("099")) is None
        totals = services.budget_totals(frozenset({unit("099").id}))
        assert totals == {"planned": 500_000_000, "allocated": 400_000_000, "disbursed": 120_000_000, "rate": 30.0}


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_report_form_answers_htmx_with_its_fragment(app, client, make_user, login):
    from app.indicators import services

    with app.test_request_context():
        cycle = services.open_cycle(2025, "update", actor="test")
        sub = services.start_submission(cycle, unit("03295"), actor="test")
        db.session.commit()
        url = f"/indicators/submissions/{sub.id}"
    login(client, make_user("reporter", "03295"))
    headers = {"HX-Request": "true", "HX-Target": "report-form"}
    page = client.post(url, data={"CT7-actual-value": "x", "action": "save"}, headers=headers)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and body.lstrip().startswith('<div id="report-form"')
    assert "Phải là số nguyên không âm." in body and 'value="x"' in body
    page = client.post(url, data={"CT7-actual-value": "3", "action": "save"}, headers=headers)
    assert page.status_code == 204 and page.headers["HX-Redirect"] == url
