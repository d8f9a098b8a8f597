"""Reporters act only for their own commune, district reviewers only for their district; everyone else is
refused with a 404 that is audited. The monitor sees the same aggregate figures."""

import pytest
from indicators_helpers import active_plan, full_report_form, registry_entry, unit
from markup_support import unlabelled
from sqlalchemy import select

from app import clock
from app.extensions import db


def _world(app):
    """A cycle with a sent report of Quài Tở, a model of Quài Tở, and a second district."""
    from app.indicators import services
    from app.units.queries import by_code
    from app.units.services import create_unit

    with app.test_request_context():
        if by_code("IND-KHAC") is None:
            district = create_unit(
                code="IND-KHAC", kind="district", name="Huyện Chỉ Tiêu Khác", parent=unit("11"), actor="test"
            )
            create_unit(code="IND-KHAC-01", kind="commune", name="Xã Chỉ Tiêu Khác", parent=district, actor="test")
        cycle = services.open_cycle(2025, "preliminary", actor="test")
        sub = services.start_submission(cycle, unit("03295"), actor="test")
        form = full_report_form(cycle)
        values = {}
        from app.indicators import queries

        for ind in queries.indicators():
            for kind in services.required_kinds(cycle):
                if not ind.derived:
                    values[(ind.id, kind)] = (int(form[f"{ind.code}-{kind}-value"]), 8 if ind.is_percent else None, {})
        services.save_draft(sub, values, {}, actor="test")
        services.submit(sub, actor="test")
        entry = registry_entry("03295")
        db.session.commit()
        return {
            "cycle": cycle.id,
            "sub": sub.id,
            "entry": entry.id,
            "quai_to": unit("03295").id,
            "muong_mun": unit("03268").id,
            "far": unit("IND-KHAC-01").id,
        }


def _denials(app) -> int:
    from app.audit.models import AuditEntry

    with app.app_context():
        return len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")).all())


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_reporter_of_another_commune_is_refused(app, client, make_user, login):
    world = _world(app)
    login(client, make_user("reporter", "03268"))
    before = _denials(app)
    sub = f"/indicators/submissions/{world['sub']}"
    assert client.get(sub).status_code == 404
    assert client.post(sub, data={"action": "save"}).status_code == 404
    assert client.get(f"/indicators/registry/{world['entry']}").status_code == 404
    assert (
        client.post(
            "/indicators/reports/start", data={"cycle_id": world["cycle"], "unit_id": world["quai_to"]}
        ).status_code
        == 404
    )
    entry = {
        "unit_id": world["quai_to"],
        "kind": "communication_team",
        "name": "Tổ lạ",
        "decision_number": "1",
        "founded_on": "2024-01-01",
        "status": "active",
        "members_total": "5",
        "members_women": "3",
        "members_ethnic_minority": "3",
        "meetings_held": "1",
    }
    assert client.post("/indicators/registry/new", data=entry).status_code == 404
    assert client.get(f"/indicators/?unit={world['quai_to']}").status_code == 404  # another commune's figures
    assert client.get(f"/indicators/?unit={world['muong_mun']}").status_code == 200
    assert client.get(f"/indicators/?unit={world['far']}").status_code == 404
    assert (
        client.post(
            f"/indicators/activities/{_activity(app)}/status",
            data={"unit_id": world["quai_to"], "year": "2026", "status": "done"},
        ).status_code
        == 404
    )
    assert _denials(app) == before + 8
    from app.indicators.models import RegistryEntry

    with app.app_context():
        assert db.session.scalar(select(RegistryEntry).where(RegistryEntry.name == "Tổ lạ")) is None


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_reviewer_of_another_district_is_refused(app, client, make_user, login):
    world = _world(app)
    _active_plan(app)
    login(client, make_user("district_reviewer", "IND-KHAC"))
    sub = f"/indicators/submissions/{world['sub']}"
    for path in (f"{sub}/confirm", f"{sub}/lock"):
        assert client.post(path).status_code == 404
    assert client.post(f"{sub}/return", data={"reason": "không phải của tôi"}).status_code == 404
    assert client.get(sub).status_code == 404
    assert (
        client.post(
            "/indicators/budget",
            data={
                "component": "II",
                "year": "2026",
                "source": "central",
                "planned": "1",
                "allocated": "1",
                "disbursed": "0",
            },
        ).status_code
        == 303
    )  # its own district: allowed
    from app.indicators.models import Submission

    with app.app_context():
        assert db.session.get(Submission, world["sub"]).status == "submitted"
    client.post("/auth/logout")
    login(client, make_user("district_reviewer", "099"))
    assert client.post(f"{sub}/confirm").status_code == 303


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_monitor_sees_the_same_aggregates_and_no_report(app, client, make_user, login):
    world = _world(app)
    from app.indicators import figures

    with app.test_request_context():
        registry_entry("03295")
        db.session.commit()
        ct1 = next(r for r in figures.build(unit("11"), 2026).rows if r.indicator.code == "CT1").total.value
    login(client, make_user("monitor", "11"))
    html = client.get("/indicators/?year=2026").get_data(as_text=True)
    assert "Tỉnh Điện Biên" in html and f'<td class="right">{ct1}' in unlabelled(html)
    assert client.get(f"/indicators/submissions/{world['sub']}").status_code == 404
    assert client.get("/indicators/export.xlsx?year=2026").status_code == 200
    assert client.post("/indicators/targets", data={}).status_code == 403
    for page in (
        "/indicators/targets",
        "/indicators/registry",
        "/indicators/reports",
        "/indicators/activities",
        "/indicators/budget",
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert response.headers["Cache-Control"] == "no-store"
        body = response.get_data(as_text=True)
        assert " style=" not in body and "<script>" not in body, page


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_only_an_administrator_reopens(app, client, make_user, login):
    world = _world(app)
    login(client, make_user("district_reviewer", "099"))
    sub = f"/indicators/submissions/{world['sub']}"
    client.post(f"{sub}/confirm")
    assert client.post(f"{sub}/reopen", data={"reason": "x"}).status_code == 403
    client.post("/auth/logout")
    login(client, make_user("admin", "11"))
    assert "Xã Quài Tở" in client.get("/indicators/reopen").get_data(as_text=True)
    assert client.post(f"{sub}/reopen", data={"reason": "Sửa số liệu"}).status_code == 303


def _activity(app) -> str:
    """Activity I.1.2.1 of this year's plan."""
    from app.indicators import plans
    from app.indicators.models import IndicatorActivity

    with app.app_context():
        return db.session.scalar(
            select(IndicatorActivity.id).where(
                IndicatorActivity.code == "I.1.2.1", IndicatorActivity.plan_id == plans.current().id
            )
        )


def _active_plan(app) -> None:
    """The 2022 plan is archived (read-only): changes go to an active 2026-2030 plan."""
    with app.app_context():
        active_plan()
        db.session.commit()


def test_activity_status_needs_a_reason_when_not_done(app, client, make_user, login):
    _active_plan(app)
    login(client, make_user("reporter", "03295"))
    with app.app_context():
        quai_to = unit("03295").id
    url = f"/indicators/activities/{_activity(app)}/status"
    client.post(url, data={"unit_id": quai_to, "year": "2026", "status": "not_done", "reason": ""})
    html = client.get(f"/indicators/activities?year=2026&unit={quai_to}").get_data(as_text=True)
    assert "Vui lòng ghi lý do không thực hiện được." in html
    client.post(url, data={"unit_id": quai_to, "year": "2026", "status": "not_done", "reason": "Mưa lũ"})
    html = client.get(f"/indicators/activities?year=2026&unit={quai_to}").get_data(as_text=True)
    assert "Mưa lũ" in html and "Không thực hiện được" in html
    assert clock.today()  # pages are plain forms: no htmx needed
