"""The dashboard's commune selector: a user picks one commune of their scope and sees target against achievement
for it, as a plain GET form (no htmx) and as an htmx swap of the figures fragment."""

import pytest
from indicators_helpers import dashboard_rows, indicator, registry_entry, unit
from markup_support import unlabelled

from app.extensions import db

HX = {"HX-Request": "true", "HX-Target": "indicator-figures"}


def _ct1_rows(html: str) -> dict:
    return dashboard_rows(html, "CT1")


def _world(app):
    from app.indicators import services

    with app.test_request_context():
        registry_entry("03295")
        registry_entry("03295")
        registry_entry("03268")
        services.set_target(indicator("CT1"), unit("03295"), None, 5, actor="test")
        db.session.commit()
        return unit("03295").id, unit("03268").id


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_reviewer_picks_one_commune_with_and_without_htmx(app, client, make_user, login):
    quai_to, muong_mun = _world(app)
    login(client, make_user("district_reviewer", "099"))
    html = client.get("/indicators/?year=2024").get_data(as_text=True)
    assert '<select id="f-unit" name="unit">' in html
    assert f'<option value="{quai_to}">Xã Quài Tở</option>' in html
    assert f'<option value="{muong_mun}">Xã Mường Mùn</option>' in html
    assert _ct1_rows(html)["Huyện Tuần Giáo"] == ("85", "3", "3,5%")

    # Without htmx: the form's GET brings the whole page, with the commune chosen and only its figures.
    page = client.get(f"/indicators/?year=2024&unit={quai_to}&targets=phase")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert f'<option value="{quai_to}" selected>Xã Quài Tở</option>' in html
    assert _ct1_rows(html) == {"Xã Quài Tở": ("5", "2", "40%")}
    ct1 = unlabelled(html).split('id="ind-CT1"', 1)[1].split("</section>", 1)[0]
    assert ct1.count("<tr><td>") == 1 and ct1.count("<text ") == 1  # one line and one bar, not the commune twice
    assert "Xã Mường Mùn</a>" not in html

    # With htmx: the figures fragment only (its form included, so the choices follow the year).
    fragment = client.get(f"/indicators/?year=2024&unit={muong_mun}", headers=HX)
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="indicator-figures"') and "<html" not in text
    assert f'<option value="{muong_mun}" selected>Xã Mường Mùn</option>' in text
    assert _ct1_rows(text) == {"Xã Mường Mùn": ("—", "1", "—")}
    assert 'hx-target="#indicator-figures"' in text and 'hx-trigger="change"' in text

    # The whole district again (the first option has no value).
    assert "Huyện Tuần Giáo" in _ct1_rows(client.get("/indicators/?year=2024&unit=", headers=HX).get_data(as_text=True))


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_selector_lists_the_communes_of_the_year_and_of_the_scope_only(app, client, make_user, login):
    quai_to, _muong_mun = _world(app)
    login(client, make_user("monitor", "11"))
    html = client.get("/indicators/?year=2026", headers=HX).get_data(as_text=True)
    with app.app_context():
        new_quai_to = unit("2025-03295").id
    assert f'<option value="{new_quai_to}">Xã Quài Tở</option>' in html  # after the reform: the new communes
    assert f'<option value="{quai_to}">' not in html
    html = client.get(f"/indicators/?year=2026&unit={new_quai_to}").get_data(as_text=True)
    assert _ct1_rows(html)["Xã Quài Tở"][1] == "2"  # the old commune's models roll up to the new one
    client.post("/auth/logout")

    login(client, make_user("reporter", "03268"))  # a commune's own user has nothing to pick, nor another's
    html = client.get("/indicators/?year=2024").get_data(as_text=True)
    assert 'id="f-unit"' not in html
    assert client.get(f"/indicators/?year=2024&unit={quai_to}").status_code == 404
