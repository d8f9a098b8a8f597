"""Erasing a case erases its protection casework: every part is sealed under the case's key, so once that key is
gone the parts cannot be read, and the database bytes hold none of their values."""

from datetime import date

import pytest
import time_machine
from helpers import sqlite_file_bytes
from protection_support import case, make_world, user, vn

from app.crypto.errors import RecordErased
from app.extensions import db

SECRETS = {
    "perpetrator": "Quàng Văn Bí Mật",
    "phone": "0988 777 666",
    "address": "Bản Hua Nà nhà thứ tư",
    "incident": "Bị đánh bằng gậy tre sau bữa cơm",
    "measure": "Ghi chú biện pháp kín đáo",
    "order": "Lệnh ghi chú kín đáo",
    "breach": "Đến cổng nhà lúc nửa đêm",
    "exception": "Đám tang bà nội ở bản Mường",
    "identification": "Được giải cứu tại biên giới Tây Trang",
    "evidence": "Giấy số 77/BĐBP-TT",
    "entitlement": "Nhận gạo và chăn màn",
    "notice": "Báo qua cán bộ tư pháp xã",
    "risk": "Đe doạ bằng dao phay",
}


def _everything(world):
    from app.protection import services

    c, actor = case(world.case_id), user(world.counsellor_id)
    person = services.add_perpetrator(
        c,
        {
            "sex": "male",
            "age_band": "30_44",
            "relation": "husband",
            "full_name": SECRETS["perpetrator"],
            "phone": SECRETS["phone"],
            "address": SECRETS["address"],
        },
        actor=actor,
    )
    services.add_incident(
        c,
        {
            "occurred_on": date(2026, 11, 30),
            "place_type": "home",
            "forms": ["physical"],
            "perpetrator_ids": [person.id],
            "description": SECRETS["incident"],
        },
        actor=actor,
    )
    services.add_measure(
        c,
        {
            "measure": "summon",
            "decided_by": "commune_chair",
            "decided_on": date(2026, 12, 1),
            "note": SECRETS["measure"],
        },
        actor=actor,
    )
    order = services.request_order(
        c,
        {
            "requested_by": "victim",
            "decider": "commune_chair",
            "requested_at": vn(2026, 12, 1, 7, 0),
            "perpetrator_id": person.id,
            "note": SECRETS["order"],
        },
        actor=actor,
    )
    services.decide_order(
        order, {"outcome": "granted", "decided_at": vn(2026, 12, 1, 8, 0), "end_on": date(2026, 12, 3)}, actor=actor
    )
    services.add_copy(order, {"recipient": "victim", "sent_on": date(2026, 12, 1)}, actor=actor)
    services.add_breach(order, {"occurred_at": vn(2026, 12, 1, 9, 0), "description": SECRETS["breach"]}, actor=actor)
    services.request_exception(
        order,
        {
            "reason": "funeral",
            "starts_at": vn(2026, 12, 2, 8, 0),
            "ends_at": vn(2026, 12, 2, 10, 0),
            "form09_on": date(2026, 12, 1),
            "note": SECRETS["exception"],
        },
        actor=actor,
    )
    ident = services.save_identification(
        c,
        {
            "received_by": "border_guard",
            "received_on": date(2026, 12, 1),
            "outcome": "pending",
            "note": SECRETS["identification"],
        },
        actor=actor,
    )
    services.add_evidence(ident, {"kind": "border_guard_confirmation", "reference": SECRETS["evidence"]}, actor=actor)
    services.grant_entitlement(
        c,
        {
            "regime": "essential_needs",
            "responsible_body": "health_dept",
            "granted_on": date(2026, 12, 1),
            "note": SECRETS["entitlement"],
        },
        actor=actor,
    )
    services.record_notice(
        c, {"notified_on": date(2026, 12, 1), "method": "phone", "note": SECRETS["notice"]}, actor=actor
    )
    services.assess_risk(
        c, {"assessed_on": date(2026, 12, 1), "answers": {"weapon": True}, "note": SECRETS["risk"]}, actor=actor
    )


def _raw_database(app) -> bytes:
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        path = db.engine.url.database
        db.session.remove()
    return sqlite_file_bytes(path)


@time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False)
def test_erasing_the_case_makes_every_part_unreadable_and_leaves_no_value_in_the_database(app, make_user):
    from app.cases import services as case_services
    from app.protection.models import CASE_PARTS

    world = make_world(app, make_user)
    with app.test_request_context():
        _everything(world)
        db.session.commit()
    with app.test_request_context():
        from app.protection import queries

        parts = queries.case_parts(case(world.case_id))
        assert parts["perpetrators"][0].full_name == SECRETS["perpetrator"]  # readable before
        assert parts["identification"].evidence[0].reference == SECRETS["evidence"]
        db.session.remove()
    with app.test_request_context():
        case_services.erase_case(case(world.case_id), user(world.counsellor_id))
        db.session.commit()
        db.session.remove()
    with app.test_request_context():
        from app.protection import queries

        sealed = 0
        for model in CASE_PARTS:
            for row in db.session.scalars(db.select(model).where(model.case_id == world.case_id)):
                for name in _encrypted(model):
                    if getattr(row, f"{name}_enc") is None:
                        continue
                    sealed += 1
                    with pytest.raises(RecordErased):
                        getattr(row, name)
        # the plain codes of the incident stay for the statistics; the perpetrator's sex, age band and relation
        # were sealed with the case and are gone with it, while the counts made of them stay
        from app.cases.models import StatTally
        from app.protection.models import Incident, Measure, Perpetrator

        incident = db.session.scalar(db.select(Incident).where(Incident.case_id == world.case_id))
        assert incident.form_codes == ["physical"]
        for model, name in ((Perpetrator, "relation"), (Measure, "measure"), (Measure, "decided_on")):
            with pytest.raises(RecordErased):
                getattr(db.session.scalar(db.select(model).where(model.case_id == world.case_id)), name)

        assert (
            db.session.scalar(
                db.select(StatTally.count).where(
                    StatTally.statistic == "perpetrator_relation",
                    StatTally.period == "2026",
                    StatTally.category == "husband",
                )
            )
            == 1
        )
        db.session.remove()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raw = _raw_database(app)
        assert raw
        for name, value in SECRETS.items():
            for needle in {value.encode(), value.encode("utf-16-le")}:
                assert needle not in raw, f"{name} found in the database file"
    assert sealed >= 10


def _encrypted(model):
    from app.crypto.records import encrypted_fields

    return encrypted_fields(model)


def test_the_protection_pages_refuse_an_erased_case(app, make_user, client, login):
    from app.cases import services as case_services

    with time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        world = make_world(app, make_user)
        with app.test_request_context():
            _everything(world)
            case_services.erase_case(case(world.case_id), user(world.counsellor_id))
            db.session.commit()
            db.session.remove()
        login(client, make_user("counsellor", "TA-02"))
        assert client.get(f"/protection/cases/{world.case_id}").status_code == 404
        response = client.post(
            f"/protection/cases/{world.case_id}/perpetrators", data={"perpetrator-relation": "husband"}
        )
        assert response.status_code == 404
        page = client.get(f"/cases/{world.case_id}")
        assert page.status_code == 200 and "Các bước pháp lý" not in page.get_data(as_text=True)
