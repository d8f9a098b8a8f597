"""Unit pickers: one label for a unit not in force (a unit not yet in force "từ …", one that stopped
"ngừng …"), and for a period only the units that exist in it (the district abolished on 1/7/2025 and its
communes are offered up to 2025, not for 2026; scoping is unchanged)."""

import re
from datetime import date, timedelta

import pytest
from indicators_helpers import registry_entry
from sqlalchemy import delete

from app import clock
from app.extensions import db

HX = {"HX-Request": "true", "HX-Target": "indicator-figures"}


def _options(html: str, select_id: str) -> list[str]:
    """The labels of a select's options, as shown."""
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return [] if found is None else re.findall(r"<option[^>]*>([^<]*)</option>", found.group(1))


@pytest.fixture
def future_agency(app):
    """An agency that starts in 40 days (a new office announced ahead); units are reference data: removed after."""
    from app.units.models import Unit
    from app.units.queries import by_code

    start = clock.today() + timedelta(days=40)
    with app.app_context():
        province = by_code("11")
        agency = Unit(
            code="AG-TEST-NEW",
            kind="agency",
            name="Trung tâm thử nghiệm",
            parent_id=province.id,
            path=province.path + "AG-TEST-NEW/",
            valid_from=start,
        )
        db.session.add(agency)
        db.session.commit()
        agency_id = agency.id
    yield agency_id, start
    with app.app_context():
        db.session.execute(delete(Unit).where(Unit.id == agency_id))
        db.session.commit()


def test_the_note_tells_a_unit_not_yet_in_force_from_one_that_stopped(app):
    from app.units.models import Unit
    from app.units.queries import unit_label, validity_note

    def made(**dates):
        return Unit(code="X", kind="commune", name="Xã Thử", path="/X/", **dates)

    with app.test_request_context():
        today = clock.today()
        later = made(valid_from=today + timedelta(days=10))
        starts = today + timedelta(days=10)
        expected = f"{starts.month}/{starts.year}" if starts.day == 1 else starts.strftime("%d/%m/%Y")
        assert validity_note(later) == "từ " + expected
        assert "ngừng" not in validity_note(later)
        # Short, for a closed select on a phone: the month when the unit stopped at its start, else the day.
        assert validity_note(made(valid_to=date(2025, 6, 30))) == "ngừng 7/2025"
        assert validity_note(made(valid_to=date(2025, 6, 14))) == "ngừng 15/06/2025"
        assert validity_note(made(valid_from=date(2099, 1, 1))) == "từ 1/2099"
        assert validity_note(made(valid_from=date(2099, 1, 2))) == "từ 02/01/2099"
        assert validity_note(made(valid_from=date(2025, 7, 1))) == ""  # in force today
        assert validity_note(made(disabled=True)) == "đã ngừng"
        # Edges of the calendar: no day after date.max, none before date.min; nothing overflows.
        assert validity_note(made(valid_to=date.max)) == ""
        assert validity_note(made(valid_to=date.min)) == "ngừng 02/01/0001"
        assert validity_note(made(valid_from=date.max)) == "từ 31/12/9999"
        assert validity_note(made(valid_from=date.max - timedelta(days=1), valid_to=date.max)) == "từ 30/12/9999"
        # For a period: the old communes stop within 2025, the new ones start within it; in 2024 the old are whole.
        y2025 = (date(2025, 1, 1), date(2025, 12, 31))
        old, new = made(valid_to=date(2025, 6, 30)), made(valid_from=date(2025, 7, 1))
        assert validity_note(old, *y2025) == "ngừng 7/2025"
        assert validity_note(new, *y2025) == "từ 7/2025"
        assert validity_note(old, date(2024, 1, 1), date(2024, 12, 31)) == ""
        brief = made(valid_from=date(2025, 3, 1), valid_to=date(2025, 6, 30))
        assert validity_note(brief, *y2025) == "từ 3/2025 đến 6/2025"
        odd = made(valid_from=date(2025, 3, 2), valid_to=date(2025, 6, 29))
        assert validity_note(odd, *y2025) == "từ 02/03/2025 đến 29/06/2025"
        assert unit_label(old) == "Xã Thử (X) — ngừng 7/2025"
        assert unit_label(later, code=False).startswith("Xã Thử — từ ")
        db.session.rollback()


def test_the_admin_pickers_mark_a_unit_not_yet_in_force_as_such(app, make_user, login, unit, future_agency):
    from app.units.queries import unit_choices

    agency_id, start = future_agency
    when = f"{start.month}/{start.year}" if start.day == 1 else start.strftime("%d/%m/%Y")
    expected = f"Trung tâm thử nghiệm (AG-TEST-NEW) — từ {when}"
    with app.test_request_context():
        labels = dict(unit_choices())
        db.session.remove()
    assert labels[agency_id] == expected
    admin = app.test_client()
    login(admin, make_user("admin", "11"))
    page = admin.get("/referrals/agency-map").get_data(as_text=True)  # the agency map had its own words
    assert f'<option value="{agency_id}">{expected}</option>' in page
    assert "Phòng Lao động - Thương binh và Xã hội huyện Tuần Giáo (AG-LDTBXH-099) — ngừng 7/2025" in page
    # the unit page's lineage form offers every unit, each marked the same way
    edit = admin.get(f"/admin/units/{unit('03295').id}")
    assert edit.status_code == 200 and f'<option value="{agency_id}">{expected}</option>' in edit.get_data(as_text=True)


@pytest.mark.usefixtures("plan_2022_in_force")
def test_the_dashboard_offers_the_communes_of_the_year(app, client, make_user, login, unit):
    with app.test_request_context():
        registry_entry("03295")
        db.session.commit()
    old_quai_to, new_quai_to = unit("03295").id, unit("2025-03295").id
    login(client, make_user("district_reviewer", "099"))
    # 2024 and 2025 (until 30/6): the district and its communes, to pick from; their history stays reachable.
    for year in (2024, 2025):
        options = _options(client.get(f"/indicators/?year={year}", headers=HX).get_data(as_text=True), "f-unit")
        # (other tests may have added a commune of their own to the district: names, not a count)
        assert options[0] == "Cả Huyện Tuần Giáo" and {"Xã Quài Tở", "Xã Tênh Phông"} <= set(options), year
        assert "Xã Búng Lao" not in options, year  # a commune formed in 2025 under the province, not the district's
    # 2026: the district and its communes no longer exist; nothing of them is offered, the page says why.
    html = client.get("/indicators/?year=2026").get_data(as_text=True)
    assert 'id="f-unit"' not in html and "Cả Huyện Tuần Giáo" not in html
    assert "(ngừng 7/2025)" in html and "Trong năm 2026 đơn vị này không còn hoạt động" in html
    assert 'href="/indicators/?year=2025&amp;targets=phase"' in html
    # An old commune asked for in 2026 (a year changed while it was shown): its own figures, chosen and marked.
    html = client.get(f"/indicators/?year=2026&unit={old_quai_to}", headers=HX).get_data(as_text=True)
    assert f'<option value="{old_quai_to}" selected>Xã Quài Tở — ngừng 7/2025</option>' in html
    # Scoping unchanged: the new commune is not the district reviewer's, in any year.
    assert client.get(f"/indicators/?year=2026&unit={new_quai_to}").status_code == 404
    client.post("/auth/logout")

    login(client, make_user("monitor", "11"))
    options = _options(client.get("/indicators/?year=2026", headers=HX).get_data(as_text=True), "f-unit")
    # The 8 communes formed on 1/7/2025, none that ended (other tests may have added a commune of their own).
    new_communes = {"Xã Tuần Giáo", "Xã Quài Tở", "Xã Mường Mùn", "Xã Pú Nhung", "Xã Chiềng Sinh", "Xã Búng Lao"}
    assert options[0] == "Cả Tỉnh Điện Biên" and new_communes | {"Xã Tủa Chùa", "Xã Sáng Nhè"} <= set(options)
    assert options.count("Xã Quài Tở") == 1 and "Xã Tênh Phông" not in options
    assert not [label for label in options if re.search(r"\bngừng\b", label)]
    options = _options(client.get("/indicators/?year=2023", headers=HX).get_data(as_text=True), "f-unit")
    assert {"Xã Tênh Phông", "Xã Chiềng Đông"} <= set(options)  # history by choosing an earlier year


@pytest.mark.usefixtures("plan_2022_in_force")
def test_the_targets_grid_offers_the_communes_of_the_year(app, client, make_user, login, unit):
    login(client, make_user("district_reviewer", "099"))
    old_quai_to = unit("03295").id
    for year, offered in (("2024", True), ("2025", True), ("phase", True), ("2026", False)):
        html = client.get(f"/indicators/targets?year={year}").get_data(as_text=True)
        assert (f"-{old_quai_to}" in html) is offered, year
    # a cell of an old commune sent for 2026 is not saved: the grid does not offer it
    client.post("/indicators/targets?year=2026", data={f"t-CT1-{old_quai_to}": "9"})
    with app.app_context():
        from app.indicators.models import IndicatorTarget

        assert not db.session.scalars(
            db.select(IndicatorTarget).where(IndicatorTarget.unit_id == old_quai_to, IndicatorTarget.year == 2026)
        ).all()


def test_register_filters_tell_the_old_commune_from_the_new_one(app, client, make_user, login, unit):
    login(client, make_user("reporter", "2025-03295"))  # the new commune's reporter also keeps its predecessors'
    options = _options(client.get("/registers/payments").get_data(as_text=True), "f-commune")
    assert "Xã Quài Tở" in options and "Xã Quài Tở — ngừng 7/2025" in options
    assert "Xã Tênh Phông — ngừng 7/2025" in options
    options = _options(client.get("/registers/payments/new").get_data(as_text=True), "unit_id")
    assert "Xã Quài Tở" in options and "Xã Quài Tở — ngừng 7/2025" in options
    # a new model goes to a commune in force: the old one keeps its models as history (services.ensure_maintainable)
    options = _options(client.get("/indicators/registry/new").get_data(as_text=True), "unit_id")
    assert "Xã Quài Tở" in options and "Xã Quài Tở — ngừng 7/2025" not in options


def test_units_edit_survives_a_unit_closed_on_the_last_day_and_refuses_edge_dates_beside_the_field(
    app, make_user, login, unit
):
    """A unit whose last day is 9999-12-31 is listed in the edit page's lineage picker: its label once added a day
    to it (OverflowError, a 500 on units.edit). A valid_to of 9999-12-31 or 1900-01-01 typed on units.edit is
    refused in Vietnamese beside the field, what was typed kept."""
    from app.units.models import Unit
    from app.units.queries import by_code

    with app.app_context():
        province = by_code("11")
        endless = Unit(
            code="AG-TEST-MAX", kind="agency", name="Trung tâm vô hạn", parent_id=province.id,
            path=province.path + "AG-TEST-MAX/", valid_to=date.max,
        )  # fmt: skip
        db.session.add(endless)
        db.session.commit()
        endless_id = endless.id
    try:
        admin = app.test_client()
        login(admin, make_user("admin", "11"))
        commune = unit("03295")
        url = f"/admin/units/{commune.id}"
        page = admin.get(url)
        assert page.status_code == 200 and f'<option value="{endless_id}">Trung tâm vô hạn (AG-TEST-MAX)</option>' in (
            page.get_data(as_text=True)
        )
        assert admin.get(f"/admin/units/{endless_id}").status_code == 200
        for typed in ("9999-12-31", "1900-01-01"):
            answer = admin.post(url, data={"name": commune.name, "valid_to": typed})
            html = answer.get_data(as_text=True)
            assert answer.status_code == 200, typed
            error = re.search(r'<p class="field-error" id="valid_to-error" role="alert">([^<]*)</p>', html)
            assert error and error.group(1) == "Ngày phải từ 01/01/2000 đến 31/12/2100.", typed
            assert re.search(rf'<input[^>]*id="valid_to"[^>]*value="{typed}"', html) or re.search(
                rf'<input[^>]*value="{typed}"[^>]*id="valid_to"', html
            ), typed
    finally:
        with app.app_context():
            db.session.execute(delete(Unit).where(Unit.id == endless_id))
            db.session.commit()
