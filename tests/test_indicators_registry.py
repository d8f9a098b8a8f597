"""Stock indicators are derived from the registry of models ("established and maintained" = active at the
period end), and the registry form checks its figures."""

from datetime import date

import pytest
from indicators_helpers import registry_entry, unit

from app.extensions import db


def test_stock_counts_come_from_the_models_active_at_the_period_end(app, ctx):
    """Set in 2024, while the district and its communes existed (in 2026 they have no figures of their own)."""
    from app.indicators import figures, queries
    from app.units.queries import scope_ids

    registry_entry("03295")
    registry_entry("03295")
    registry_entry("03268")
    registry_entry("03268", founded_on=date(2025, 2, 1))  # founded after the period
    registry_entry("03268", status="dissolved", ended_on=date(2024, 5, 1))  # ended within the period
    registry_entry("03271", status="dissolved", ended_on=date(2025, 3, 1))  # ended after: maintained in 2024
    registry_entry("03271", status="inactive")  # not meeting: not maintained
    registry_entry("03295", "savings_group", total=20, women=15, linked=3, livelihood=5, gals=True)
    registry_entry("03268", "savings_group", total=10, women=10, linked=1, livelihood=0)
    registry_entry("03295", "trusted_address")
    db.session.commit()
    day = date(2024, 12, 31)
    figures_099 = queries.registry_figures(scope_ids(unit("099")), day)
    assert figures_099["CT1"] == (4, None)
    assert figures_099["CT2"] == (2, None) and figures_099["CT2.3"] == (1, None)
    assert figures_099["CT2.1"] == (4, 30) and figures_099["CT2.2"] == (5, 30)
    assert figures_099["CT4"] == (1, None) and figures_099["CT6"] == (0, None)
    report = figures.build(unit("099"), 2024)
    rows = {r.indicator.code: r for r in report.rows}
    assert rows["CT1"].total.value == 4 and rows["CT1"].total.target == 85
    assert rows["CT1"].total.rate == round(100 * 4 / 85, 1)
    assert rows["CT2.1"].total.achieved == round(100 * 4 / 30, 1)
    by_commune = {f.unit.code: f.value for f in rows["CT1"].communes}
    assert by_commune["03295"] == 2 and by_commune["03268"] == 1 and by_commune["03271"] == 1
    assert sum(by_commune.values()) == rows["CT1"].total.value


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_sent_report_freezes_the_registry_figures(app, ctx):
    from app.indicators import services
    from app.indicators.models import ReportingCycle

    registry_entry("03295")
    cycle = ReportingCycle(
        year=2024, round="update", commune_due_on=date(2025, 1, 20), district_due_on=date(2025, 1, 25)
    )
    db.session.add(cycle)
    sub = services.start_submission(cycle, unit("03295"), actor="test")
    services.freeze_registry_figures(sub)
    frozen = {v.indicator.code: v.value for v in sub.values if v.from_registry}
    assert frozen["CT1"] == 1 and frozen["CT2"] == 0


def test_the_registry_form_checks_members_and_keeps_the_input(app, client, make_user, login):
    reporter = make_user("reporter", "2025-03295")  # a model is added in a commune in force
    login(client, reporter)
    with app.app_context():
        commune = unit("2025-03295").id
    data = {
        "unit_id": commune,
        "kind": "savings_group",
        "name": "Tổ TKVV bản Thử",
        "decision_number": "7/QĐ-UBND",
        "founded_on": "2024-03-01",
        "status": "active",
        "members_total": "10",
        "members_women": "12",
        "members_ethnic_minority": "9",
        "members_linked_finance": "11",
        "members_livelihood": "abc",
        "meetings_held": "-1",
    }
    page = client.post("/indicators/registry/new", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Số nữ không được lớn hơn tổng số thành viên." in html
    assert "Số thành viên được kết nối không được lớn hơn tổng số thành viên." in html
    assert html.count("Phải là số nguyên không âm.") >= 2
    assert 'value="Tổ TKVV bản Thử"' in html and 'value="12"' in html
    data.update(members_women="6", members_linked_finance="2", members_livelihood="3", meetings_held="5")
    assert client.post("/indicators/registry/new", data=data).status_code == 303
    html = client.get("/indicators/registry").get_data(as_text=True)
    assert "Tổ TKVV bản Thử" in html
    dissolved = dict(data, status="dissolved", name="Tổ giải thể")
    assert "vui lòng nhập ngày giải thể" in client.post("/indicators/registry/new", data=dissolved).get_data(
        as_text=True
    )
