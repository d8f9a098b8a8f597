"""Targets per commune and year, and the check that the communes add up to the district's target."""

import pytest
from indicators_helpers import active_plan, indicator, unit

from app.extensions import db


def _communes():
    from datetime import date

    from app.indicators import queries

    return queries.communes_of(unit("099"), date(2025, 6, 30))


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_cascade_check_compares_the_communes_with_the_district(app, ctx):
    from app.indicators import queries, services

    ct1, ct5 = indicator("CT1"), indicator("CT5")
    communes = _communes()
    assert len(communes) == 19
    for commune in communes[:17]:
        services.set_target(ct1, commune, None, 5, actor="test")  # 85 for 17 communes
    db.session.commit()
    checks = {c.indicator.code: c for c in queries.cascade(unit("099"), communes, None)}
    assert checks["CT1"].parent_target == 85 and checks["CT1"].commune_sum == 85 and checks["CT1"].state == "ok"
    assert checks["CT5"].state == "rate" and checks["CT7"].state == "empty"
    services.set_target(ct1, communes[0], None, 2, actor="test")
    checks = {c.indicator.code: c for c in queries.cascade(unit("099"), communes, None)}
    assert checks["CT1"].state == "under" and checks["CT1"].gap == 3
    services.set_target(ct1, communes[18], None, 10, actor="test")
    checks = {c.indicator.code: c for c in queries.cascade(unit("099"), communes, None)}
    assert checks["CT1"].state == "over" and checks["CT1"].gap == -7
    # A year's targets are checked against the district's target for that year.
    services.set_target(ct1, unit("099"), 2024, 20, actor="test")
    services.set_target(ct1, communes[0], 2024, 20, actor="test")
    assert {c.indicator.code: c for c in queries.cascade(unit("099"), communes, 2024)}["CT1"].state == "ok"
    services.set_target(ct5, communes[0], None, 85, actor="test")
    db.session.commit()


def test_the_targets_screen_saves_shows_the_check_and_refuses_bad_cells(app, client, make_user, login):
    from datetime import date

    from app.indicators import plans, queries

    with app.app_context():
        plan_id = active_plan().id  # the 2022 plan is archived: targets are set in the 2026-2030 plan
        reference_id = plans.reference().id
        db.session.commit()
        ids = [c.id for c in queries.communes_of(unit("11"), date(2026, 1, 1))]
    reviewer = make_user("district_reviewer", "11")
    login(client, reviewer)
    page = client.get("/indicators/targets")
    assert "Chưa giao chỉ tiêu cho xã" in page.get_data(as_text=True) and "Giai đoạn 2026-2030" in page.get_data(
        as_text=True
    )
    form = {f"t-CT1-{ids[0]}": "40", f"t-CT1-{ids[1]}": "40", f"t-CT5-{ids[0]}": "120", f"t-CT7-{ids[2]}": "-1"}
    page = client.post(f"/indicators/targets?year=phase&plan={plan_id}", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Tỷ lệ không được vượt quá 100%." in html
    assert "Phải là số nguyên không âm." in html and 'value="120"' in html
    form.update({f"t-CT5-{ids[0]}": "90", f"t-CT7-{ids[2]}": "2"})
    assert client.post(f"/indicators/targets?year=phase&plan={plan_id}", data=form).status_code == 303
    html = client.get("/indicators/targets").get_data(as_text=True)
    assert "Tổng các xã (80) thấp hơn chỉ tiêu (85): còn thiếu 5" in html
    # The 2021-2025 plan is archived: its grid is read-only and a change sent anyway is refused, in Vietnamese.
    page = client.post(f"/indicators/targets?year=phase&plan={reference_id}", data={f"t-CT1-{ids[0]}": "9"})
    assert page.status_code == 200 and "đã lưu trữ: chỉ xem" in page.get_data(as_text=True)
    with app.app_context():
        assert not plans.targets(plans.reference())


def test_reporters_cannot_set_targets(app, client, make_user, login):
    reporter = make_user("reporter", "03295")
    login(client, reporter)
    assert client.get("/indicators/targets").status_code == 200
    with app.app_context():
        commune = unit("03295").id
    assert client.post("/indicators/targets", data={f"t-CT1-{commune}": "9"}).status_code == 403
