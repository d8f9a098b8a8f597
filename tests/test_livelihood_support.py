"""Shared helpers for the livelihood tests (no tests here): a plan form, a plan drafted through it, and reads."""

import re

from sqlalchemy import select
from test_cases_support import INTAKE

from app.extensions import db

PLAN = {
    "activity": "livestock",
    "description": "Nuôi lợn nái sinh sản, chuồng có sẵn",
    "training_needs": "Kỹ thuật chăn nuôi",
    "amount_requested": "12000000",
    "cofund_own": "1000000",
    "cofund_family": "500000",
    "cofund_bank": "5000000",
    "cofund_other": "",
    "start_on": "2026-04-01",
    "end_on": "2027-03-31",
    "expected_income": "1500000",
    "risks": "Dịch tả lợn",
}
# Every identity and narrative value written on the test cases: none may reach a district reviewer.
SECRETS = [
    INTAKE[k]
    for k in (
        "full_name",
        "phone",
        "id_number",
        "address_detail",
        "perpetrator",
        "incident",
        "safety_plan",
        "contact_window",
        "contact_code_word",
    )
]


def draft(client, case_id, **changes):
    return client.post(f"/cases/{case_id}/livelihood/new", data={**PLAN, **changes})


def new_plan(client, case_id, **changes) -> str:
    """Draft a plan through the form; returns its id."""
    response = draft(client, case_id, **changes)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return re.search(r"/livelihood/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def submitted_plan(client, case_id, **changes) -> str:
    plan_id = new_plan(client, case_id, **changes)
    assert client.post(f"/livelihood/{plan_id}/submit").status_code == 303
    return plan_id


def decide(client, plan_id, decision="approve", **data):
    return client.post(f"/livelihood/{plan_id}/decide", data={"decision": decision, **data})


def plan_row(app, plan_id) -> dict:
    from app.livelihood.models import LivelihoodPlan

    with app.app_context():
        plan = db.session.get(LivelihoodPlan, plan_id)
        row = {
            "status": plan.status,
            "approved": plan.amount_approved,
            "requested": plan.amount_requested,
            "disbursed": plan.disbursed,
            "versions": len(plan.versions),
            "decided_by": plan.decided_by_id,
            "decisions": [(d.decision, d.decided_by_id, d.amount) for d in plan.decisions],
            "year": plan.budget_year,
        }
        db.session.remove()
    return row


def followups(app, case_id) -> list[tuple[str, str]]:
    from app.cases.models import FollowUp

    with app.app_context():
        rows = [
            (f.source, f.status)
            for f in db.session.scalars(select(FollowUp).where(FollowUp.case_id == case_id).order_by(FollowUp.due_on))
        ]
        db.session.remove()
    return rows


def add_role(app, user, role, unit_code):
    from app.auth import services
    from app.auth.models import User
    from app.units.queries import by_code

    with app.app_context():
        services.assign_role(db.session.get(User, user.id), role, by_code(unit_code), actor="test")
        db.session.commit()
        db.session.remove()


def budget_from_config(monkeypatch):
    """Make the budget come from the configured ceiling, whatever budget lines the indicator module holds."""
    from app.livelihood import budget

    monkeypatch.setattr(budget, "indicator_budget", lambda year, unit: None)
