"""Works after the 2025 mergers: figures of merged communes roll up to the new commune through the unit
lineage, while the history stays under the old names."""

from datetime import date

import pytest
from indicators_helpers import registry_entry, unit

from app.extensions import db


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_figures_of_merged_communes_roll_up_to_the_new_commune(app, ctx):
    from app.indicators import figures, queries, services

    # Quài Tở, Tỏa Tình and Tênh Phông became the new Xã Quài Tở on 1/7/2025.
    registry_entry("03295")
    registry_entry("03280")
    registry_entry("03304", "leaders_of_change_club")
    registry_entry("2025-03295", founded_on=date(2025, 9, 1))  # one founded after the merger
    services.set_target(queries_indicator("CT1"), unit("03295"), None, 3, actor="test")
    services.set_target(queries_indicator("CT1"), unit("03280"), None, 2, actor="test")
    db.session.commit()

    new = figures.build(unit("11"), 2026)
    rows = {r.indicator.code: r for r in new.rows}
    communes = {f.unit.code: f for f in rows["CT1"].communes}
    assert "2025-03295" in communes and "03295" not in communes  # in 2026 the new communes are listed
    assert communes["2025-03295"].value == 3
    assert communes["2025-03295"].target == 5  # the old communes' targets add up
    assert {f.unit.code: f.value for f in rows["CT6"].communes}["2025-03295"] == 1
    assert rows["CT1"].total.value == 3

    old = figures.build(unit("099"), 2024)  # history: under the old names, as it was
    communes = {f.unit.code: f for f in {r.indicator.code: r for r in old.rows}["CT1"].communes}
    assert communes["03295"].value == 1 and communes["03280"].value == 1 and communes["03304"].value == 0
    assert "2025-03295" not in communes
    # in 2026 the old commune's model stands under the new one (queries.standing_entries), never under the old
    assert queries.registry_figures(queries.scope_ids(unit("03295")), date(2026, 12, 31))["CT1"] == (0, None)
    assert queries.registry_figures(queries.scope_ids(unit("03295")), date(2025, 6, 30))["CT1"] == (1, None)


def test_a_reporter_of_the_new_commune_covers_the_old_ones(app, client, make_user, login):
    reporter = make_user("reporter", "2025-03295")
    with app.app_context():
        registry_entry("03280", name="Tổ truyền thông bản Cũ")
        db.session.commit()
    login(client, reporter)
    html = client.get("/indicators/registry").get_data(as_text=True)
    assert "Tổ truyền thông bản Cũ" in html and "Xã Tỏa Tình" in html  # kept under the old commune's name
    html = client.get("/indicators/?year=2026").get_data(as_text=True)
    assert "Xã Quài Tở" in html


def queries_indicator(code):
    from indicators_helpers import indicator

    return indicator(code)
