"""The registry of models, extended: supported by the project (new / strengthened), a dated meeting log per model,
and each trusted address model linked to its trusted address (unit) and to the indicator it feeds."""

from sqlalchemy import select

from app.extensions import db


def _form(unit_id, **over):
    return {
        "unit_id": unit_id,
        "kind": "communication_team",
        "name": "Tổ truyền thông bản Thử",
        "decision_number": "3/QĐ-UBND",
        "founded_on": "2024-03-01",
        "status": "active",
        "members_total": "12",
        "members_women": "8",
        "members_ethnic_minority": "10",
        "meetings_held": "0",
        "project_support": "new",
        "address_unit_id": "",
        **over,
    }


def _entry(app, name):
    from app.indicators.models import RegistryEntry

    with app.app_context():
        entry_id = db.session.scalar(select(RegistryEntry.id).where(RegistryEntry.name == name))
        db.session.remove()
        return entry_id


def test_a_trusted_address_model_must_name_its_address_once_and_shows_the_indicator(
    app, client, make_user, login, unit
):
    login(client, make_user("reporter", "2025-03295"))  # a model is added in a commune in force (its old TA-02 too)
    commune = unit("2025-03295").id
    data = _form(commune, kind="trusted_address", name="Địa chỉ tin cậy Quài Tở", project_support="strengthened")
    page = client.post("/indicators/registry/new", data=data)
    assert page.status_code == 200 and "Vui lòng chọn địa chỉ tin cậy của xã" in page.get_data(as_text=True)
    other_commune_address = unit("TA-03").id
    page = client.post("/indicators/registry/new", data=dict(data, address_unit_id=other_commune_address))
    assert page.status_code == 200 and "Vui lòng chọn địa chỉ tin cậy của xã" in page.get_data(as_text=True)
    assert client.post("/indicators/registry/new", data=dict(data, address_unit_id=unit("TA-02").id)).status_code == 303
    again = client.post("/indicators/registry/new", data=dict(data, name="Lần hai", address_unit_id=unit("TA-02").id))
    assert "Địa chỉ tin cậy này đã có trong sổ mô hình." in again.get_data(as_text=True)
    listing = client.get("/indicators/registry").get_data(as_text=True)
    assert "CT4" in listing and "củng cố, nâng cao chất lượng" in listing
    from app.indicators.models import RegistryEntry

    with app.app_context():
        entry = db.session.scalar(select(RegistryEntry).where(RegistryEntry.name == "Địa chỉ tin cậy Quài Tở"))
        assert entry.address_unit.code == "TA-02" and entry.project_support == "strengthened"
        db.session.remove()


def test_other_kinds_name_no_address_and_keep_their_support(app, client, make_user, login, unit):
    login(client, make_user("reporter", "2025-03295"))
    data = _form(unit("2025-03295").id, address_unit_id=unit("TA-02").id)
    assert client.post("/indicators/registry/new", data=data).status_code == 303
    from app.indicators.models import RegistryEntry

    with app.app_context():
        entry = db.session.scalar(select(RegistryEntry))
        assert entry.address_unit_id is None and entry.project_support == "new"
        db.session.remove()


def test_the_meeting_log_takes_dated_meetings_refuses_bad_ones_and_voids_with_a_reason(
    app, client, make_user, login, unit
):
    login(client, make_user("reporter", "2025-03295"))
    client.post("/indicators/registry/new", data=_form(unit("2025-03295").id))
    entry_id = _entry(app, "Tổ truyền thông bản Thử")
    url = f"/indicators/registry/{entry_id}/meetings"
    page = client.post(url, data={"held_on": "2024-01-05", "attendees": "10", "women": "6", "topic": "Trước"})
    assert page.status_code == 200 and "không được trước ngày thành lập" in page.get_data(as_text=True)
    page = client.post(url, data={"held_on": "2025-05-05", "attendees": "10", "women": "11"})
    assert page.status_code == 200 and "Số nữ không được lớn hơn số người tham gia." in page.get_data(as_text=True)
    assert (
        client.post(
            url, data={"held_on": "2025-05-05", "attendees": "10", "women": "6", "topic": "Sinh hoạt quý II"}
        ).status_code
        == 303
    )
    edit = client.get(f"/indicators/registry/{entry_id}").get_data(as_text=True)
    assert "05/05/2025" in edit and "Sinh hoạt quý II" in edit
    from app.indicators.models import RegistryMeeting

    with app.app_context():
        meeting_id = db.session.scalar(select(RegistryMeeting.id))
        db.session.remove()
    void = f"/indicators/registry/{entry_id}/meetings/{meeting_id}/void"
    assert "Vui lòng ghi lý do." in client.post(void, data={"reason": ""}).get_data(as_text=True)
    assert client.post(void, data={"reason": "Ghi nhầm ngày"}).status_code == 303
    with app.app_context():
        meeting = db.session.get(RegistryMeeting, meeting_id)
        assert (meeting.status, meeting.void_reason, meeting.entry.logged_meetings) == ("void", "Ghi nhầm ngày", 0)
        db.session.remove()
    other = app.test_client()
    login(other, make_user("reporter", "03268"))
    assert other.post(url, data={"held_on": "2025-05-06", "attendees": "3"}).status_code == 404
    assert other.post(void, data={"reason": "x"}).status_code == 404


def test_the_demo_links_every_trusted_address_model_to_its_address(app):
    from app.indicators import demo
    from app.indicators.models import RegistryEntry

    with app.test_request_context():
        demo.seed()
        db.session.flush()
        rows = db.session.scalars(select(RegistryEntry).where(RegistryEntry.kind == "trusted_address")).all()
        assert rows and all(r.address_unit is not None and r.address_unit.kind == "trusted_address" for r in rows)
        db.session.rollback()
        db.session.remove()


def test_the_demo_seeds_registers_that_the_overview_counts(app, client, make_user, login):
    from app.registers import demo

    with app.test_request_context():
        assert demo.seed() == 7
        assert demo.seed() == 0  # once
        db.session.commit()
    login(client, make_user("monitor", "11"))
    page = client.get("/registers/").get_data(as_text=True)
    assert "Xã Quài Tở" in page and "(demo)" not in page  # aggregates only: no name reaches the monitor
