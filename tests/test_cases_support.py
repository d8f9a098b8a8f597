"""Shared helpers for the case tests (no tests here): a valid intake form and a case made through it."""

import re

from sqlalchemy import select

INTAKE = {
    "kind": "dv",
    "opened_on": "2026-03-02",
    "sex": "female",
    "age_band": "30_44",
    "ethnic_code": "03",
    "poverty_status": "poor",
    "risk_level": "high",
    "full_name": "Lò Thị Mai",
    "birth_year": "1990",
    "phone": "0912 345 678",
    "id_number": "011223344556",
    "address_detail": "Bản Sáng, nhà thứ ba",
    "dv_acts": ["beating_threats", "insult_humiliation"],
    "perpetrator": "Chồng — Quàng Văn B",
    "perpetrator_relation": "chồng",
    "incident": "Bị đánh ngày 1/3 sau khi say rượu",
    "safety_plan": "Tạm lánh tại nhà văn hoá",
    "contact_channel": "through_trusted_person",
    "contact_window": "8-10 giờ sáng",
    "contact_code_word": "hỏi mua gà giống",
}


def intake(client, unit_id, **changes):
    """POST the intake form; returns the response (a 303 to the new case page when it worked)."""
    data = dict(INTAKE, unit_id=unit_id)
    data.update(changes)
    return client.post("/cases/new", data={k: v for k, v in data.items() if v is not None})


def new_case(client, unit_id, **changes) -> str:
    """Create a case through the form; returns its id."""
    response = intake(client, unit_id, **changes)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return re.search(r"/cases/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def audit_actions(app, case_id=None) -> list[str]:
    from app.audit.models import AuditEntry
    from app.extensions import db

    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.seq)
        if case_id:
            stmt = stmt.where(AuditEntry.case_id == case_id)
        rows = [(e.action, e.result, e.detail) for e in db.session.scalars(stmt)]
        db.session.remove()
    return rows
