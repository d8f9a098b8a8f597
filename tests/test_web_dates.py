"""Edge dates on every form: each date input of every page a role may open (found as the hostile-input test finds
them) is posted with the first and last days Python knows (0001-01-01, 9999-12-31), with the first days of 1900
and the day before, and with an end before its start. A date out of range comes back beside its field in
Vietnamese, with what was typed kept; nothing answers 500, neither the post nor the pages shown after it (a
unit's "closed from" label once added a day to 9999-12-31)."""

import re
from datetime import date

import pytest
from matrix_world import login
from test_hostile_input import discover_forms, world  # noqa: F401 (a fixture)

from app.extensions import db

IMPOSSIBLE = ("0001-01-01", "9999-12-31")
EDGES = ("1900-01-01", "1899-12-31", "2100-12-31")
PLAUSIBLE = "2026-03-02"
# (start, end) pairs of date inputs that the same form carries: an end before the start is refused beside the end.
PAIRS = (
    ("valid_from", "valid_to"),
    ("given_on", "expires_on"),
    ("start_on", "end_on"),
    ("tr_departure_on", "tr_return_on"),
    ("founded_on", "ended_on"),
    ("period_from", "period_to"),
    ("started_on", "ended_on"),
)
PROFILES = ("admin", "counsellor", "supervisor", "reviewer", "reporter", "agency", "dpo")


@pytest.fixture
def kept_world(app, world):  # noqa: F811
    """The world, and afterwards the directory of services as it was: it is reference data that survives the wipe
    between tests, and the admin's directory forms here save plausible dates that close a service."""
    from sqlalchemy import delete, insert, select, update

    from app.directory.models import Service, ServiceArea

    with app.app_context():
        services = [dict(row) for row in db.session.execute(select(Service.__table__)).mappings()]
        areas = [dict(row) for row in db.session.execute(select(ServiceArea.__table__)).mappings()]
        db.session.remove()
    yield world
    with app.app_context():
        table, ids = Service.__table__, [row["id"] for row in services]
        db.session.execute(delete(ServiceArea.__table__))
        db.session.execute(update(table).where(table.c.id.not_in(ids)).values(successor_id=None))
        for row in services:
            db.session.execute(update(table).where(table.c.id == row["id"]).values(**row))
        db.session.execute(delete(table).where(table.c.id.not_in(ids)))
        db.session.execute(insert(ServiceArea.__table__), areas)
        db.session.commit()
        db.session.remove()


def _body(form, **dates) -> dict:
    """The form as the page filled it, a plausible value in every empty field, and `dates` on top."""
    body: dict[str, list[str]] = {}
    for spec in form.fields:
        kind, value = spec["type"], spec["value"]
        if kind in ("submit", "button") or (kind in ("checkbox", "radio") and not spec["checked"]):
            continue
        if kind == "select":  # as the page chose it, else the first real option
            for value in spec["selected"] or [next((o for o in spec["options"] if o), "")]:
                body.setdefault(spec["name"], []).append(value)
            continue
        elif kind == "date" and not value:
            value = PLAUSIBLE
        elif kind in ("text", "textarea") and not value:
            value = "Thử"
        body.setdefault(spec["name"], []).append(value)
    body.update({name: [value] for name, value in dates.items()})
    return body


def _after(client, response, action: str, where: str) -> None:
    """The answer and the pages shown after it: never a server error."""
    assert response.status_code < 500, f"{where}: {response.status_code}"
    for path in (response.headers.get("Location"), action):
        if path:
            shown = client.get(path)
            assert shown.status_code < 500, f"{where}, then GET {path}: {shown.status_code}"


def _error_beside(page: str, name: str) -> re.Match | None:
    """The error element of field `name`: its id is `<name>-error`, or `<row>-<name>-error` in a form drawn once
    per row of a list (the forms macros' `id_prefix`, which keeps every id on the page unique)."""
    return re.search(rf'id="(?:[\w-]+-)?{re.escape(name)}-error"', page)


def _refused_beside(response, name: str, value: str, where: str) -> None:
    assert response.status_code == 200, f"{where}: accepted ({response.status_code} {response.headers.get('Location')})"
    page = response.get_data(as_text=True)
    found = _error_beside(page, name)
    assert found, f"{where}: no error beside the field"
    error = page[found.end() :].split("</p>", 1)[0]
    assert "Ngày" in error, f"{where}: the error is not in Vietnamese: {error!r}"
    assert f'value="{value}"' in page, f"{where}: the date typed was not kept"


@pytest.mark.timeout(900)
@pytest.mark.parametrize("profile", PROFILES)
def test_every_date_field_refuses_impossible_dates_and_survives_edge_ones(app, kept_world, profile):
    client = login(app.test_client(), kept_world, profile)
    forms = [
        (e, f)
        for e, f in discover_forms(app, kept_world, profile, client)
        if any(s["type"] == "date" for s in f.fields)
    ]
    if profile in ("admin", "counsellor", "reporter", "dpo"):
        assert forms, f"{profile}: no form with a date found"
    checked = 0
    for endpoint, form in forms:
        for name in [s["name"] for s in form.fields if s["type"] == "date"]:
            for value in IMPOSSIBLE:
                where = f"{profile} {endpoint} {name}={value}"
                response = client.post(form.action, data=_body(form, **{name: value}))
                _refused_beside(response, name, value, where)
                _after(client, response, form.action, where)
                checked += 1
            for value in EDGES:
                where = f"{profile} {endpoint} {name}={value}"
                response = client.post(form.action, data=_body(form, **{name: value}))
                _after(client, response, form.action, where)
                if response.status_code == 200 and _error_beside(response.get_data(as_text=True), name):
                    assert f'value="{value}"' in response.get_data(as_text=True), f"{where}: the date typed was lost"
            if client.get("/auth/account").status_code != 200:
                client = login(app.test_client(), kept_world, profile)  # a form may end the session: sign in again
    assert checked >= 2 * len(forms)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("profile", PROFILES)
def test_an_end_before_its_start_is_refused_beside_the_end(app, kept_world, profile):
    client = login(app.test_client(), kept_world, profile)
    checked = 0
    for endpoint, form in discover_forms(app, kept_world, profile, client):
        dates = {s["name"] for s in form.fields if s["type"] == "date"}
        for start, end in PAIRS:
            prefix = next(
                (n[: -len(start)] for n in dates if n.endswith(start) and n[: -len(start)] + end in dates), None
            )
            if prefix is None:
                continue
            where = f"{profile} {endpoint} {prefix}{end} < {prefix}{start}"
            response = client.post(
                form.action, data=_body(form, **{prefix + start: "2026-03-02", prefix + end: "2026-03-01"})
            )
            _refused_beside(response, prefix + end, "2026-03-01", where)
            checked += 1
    if profile in ("admin", "counsellor"):
        assert checked, f"{profile}: no form with a pair of dates found"


def test_the_closed_label_of_a_unit_survives_the_last_and_first_days(app):
    from app.units.models import Unit
    from app.units.queries import validity_note

    with app.test_request_context():
        for last in (date.min, date(1900, 1, 1)):
            label = validity_note(Unit(code="X", kind="village", name="X", path="/X/", valid_to=last))
            assert label.startswith("ngừng ")
        assert validity_note(Unit(code="X", kind="village", name="X", path="/X/", valid_to=date.max)) == ""
        assert validity_note(Unit(code="X", kind="village", name="X", path="/X/", valid_to=date(2025, 6, 30))) == (
            "ngừng 7/2025"
        )
        db.session.rollback()
