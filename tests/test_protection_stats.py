"""The coded statistics: counted from plaintext codes only (never decrypting), with the indicator module's
small-cell suppression for viewers outside the unit, and in clear for the unit's own counsellors."""

from datetime import date

import pytest
import time_machine
from protection_support import case, make_world, user, vn

from app.extensions import db


@pytest.fixture
def cases(app, make_user):
    """Six DV cases of TA-02 with an incident in 2026 (all physical, two also sexual), a perpetrator each,
    two chair's orders, one identified trafficking victim and one regime."""
    from app.protection import services

    worlds = [make_world(app, make_user, kind="both") for _ in range(6)]
    with app.test_request_context(), time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        for n, world in enumerate(worlds):
            c, actor = case(world.case_id), user(world.counsellor_id)
            person = services.add_perpetrator(
                c, {"sex": "male", "age_band": "30_44", "relation": "husband" if n else "in_law"}, actor=actor
            )
            services.add_incident(
                c,
                {
                    "occurred_on": date(2026, 11, 1 + n),
                    "place_type": "home",
                    "forms": ["physical", "sexual"] if n < 2 else ["physical"],
                    "sexual_kind": "other_assault" if n < 2 else None,
                    "perpetrator_ids": [person.id],
                },
                actor=actor,
            )
            if n < 2:
                order = services.request_order(
                    c,
                    {"requested_by": "victim", "decider": "commune_chair", "requested_at": vn(2026, 11, 10, 8, 0)},
                    actor=actor,
                )
                services.decide_order(
                    order,
                    {"outcome": "granted", "decided_at": vn(2026, 11, 10, 9, 0), "end_on": date(2026, 11, 12)},
                    actor=actor,
                )
        services.save_identification(
            case(worlds[0].case_id),
            {
                "received_by": "police",
                "received_on": date(2026, 11, 1),
                "outcome": "victim",
                "outcome_on": date(2026, 11, 3),
            },
            actor=user(worlds[0].counsellor_id),
        )
        services.grant_entitlement(
            case(worlds[0].case_id),
            {"regime": "legal_aid", "responsible_body": "legal_aid_centre", "granted_on": date(2026, 11, 4)},
            actor=user(worlds[0].counsellor_id),
        )
        db.session.commit()
    return worlds


def _tables(app, viewer_units):
    from app.protection import stats
    from app.units.queries import by_code

    with app.test_request_context():
        return {t.key: t for t in stats.tables(by_code("03295"), 2026, viewer_units)}


def _cells(table):
    return [table.show(c) for c in table.cells[0]], [table.show(c) for c in table.col_totals]


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield
        db.session.remove()


def test_outside_the_unit_small_cells_are_suppressed(app, cases, request_ctx):
    tables = _tables(app, frozenset())
    shown, totals = _cells(tables["forms"])
    assert shown == ["6", "<5", "<5", "<5"]  # physical, psychological, sexual, economic
    assert totals == shown
    sexes, _ = _cells(tables["perpetrator_sex"])
    # female and unknown are both 0: with the total visible (6) they would be pinned to 0, so male hides too
    assert sexes == ["<5", "x", "<5"]
    relation = dict(
        zip(tables["perpetrator_relation"].col_labels, _cells(tables["perpetrator_relation"])[0], strict=True)
    )
    assert relation["Chồng"] == "5" and relation["Gia đình nhà chồng/vợ"] == "<5"
    # nine hidden cells share the remaining 1: none can be told apart, so nothing more is hidden
    assert tables["perpetrator_relation"].show(tables["perpetrator_relation"].grand) == "6"
    assert _cells(tables["orders"])[0] == ["<5", "<5"]
    assert _cells(tables["identified"])[0] == ["<5"]
    ages, _ = _cells(tables["age_groups"])
    assert ages == ["<5", "6", "<5"]  # women 30–44


def test_the_units_own_counsellors_see_their_figures_in_clear(app, cases, request_ctx):
    from app.units.queries import by_code, scope_ids

    with app.app_context():
        own = frozenset(scope_ids(by_code("TA-02")))
    tables = _tables(app, own | _commune_units(app))
    assert _cells(tables["forms"])[0] == ["6", "0", "2", "0"]
    assert _cells(tables["orders"])[0] == ["2", "0"]
    assert _cells(tables["identified"])[0] == ["1"]
    assert dict(zip(tables["regimes"].col_labels, _cells(tables["regimes"])[0], strict=True))["Trợ giúp pháp lý"] == "1"


def _commune_units(app):
    from app.units.queries import by_code, scope_ids

    with app.app_context():
        units = frozenset(scope_ids(by_code("03295")))
    return units


def test_statistics_never_decrypt(app, cases, monkeypatch):
    from app.crypto import records

    def refuse(*_args, **_kwargs):
        raise AssertionError("the statistics decrypted a field")

    monkeypatch.setattr(records.Encrypted, "__get__", lambda self, obj, owner=None: self if obj is None else refuse())
    assert _tables(app, frozenset())["forms"].col_totals[0].value == 6


def test_the_statistics_page_for_a_monitor(app, cases, make_user, login):
    client = app.test_client()
    with time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        login(client, make_user("monitor", "11"))
        page = client.get("/protection/statistics?year=2026").get_data(as_text=True)
    assert "Vụ việc theo hình thức bạo lực" in page and "&lt;5" in page
    assert "Lò Thị Bảo Vệ" not in page
