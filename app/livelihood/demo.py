"""Demo livelihood plans. Fictitious data only; does nothing without trafficking (or both) cases or without a
district reviewer.

* The curated set: the first open trafficking cases get one plan in each state, made through the services so
  that versions, decisions, reminders and audit entries are real (the demo and e2e tests know them).
* At benchmark sizes (from BULK_FROM_CASES cases), on top of it, one plan per PLAN_PER_CASES trafficking (or
  both) cases of every unit and year, in every state (demo_bulk.py).
"""

from contextlib import nullcontext
from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy import select

from .. import clock
from ..auth.models import RoleAssignment, User
from ..cases.models import Case
from ..extensions import db, utcnow
from . import services
from .demo_bulk import PLAN_PER_CASES, TEXT, seed_bulk  # noqa: F401 - PLAN_PER_CASES for the tests
from .models import LivelihoodPlan

# (final state, activity, amount requested): one plan per case, in this order.
PLAN = (
    ("submitted", "livestock", 12_000_000),
    ("active", "weaving", 8_000_000),
    ("returned", "small_trade", 15_000_000),
    ("completed", "crops", 10_000_000),
    ("draft", "service", 6_000_000),
    ("rejected", "other", 30_000_000),
    ("discontinued", "livestock", 9_000_000),
)


def seed(count=None) -> int:
    """Add demo plans to the first open trafficking demo cases (once); returns how many were made."""
    if db.session.scalar(select(LivelihoodPlan.id).limit(1)):
        return 0
    reviewer = db.session.scalar(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == "district_reviewer")
        .order_by(User.username)
    )
    cases = db.session.scalars(
        select(Case)
        .where(Case.status == "open", Case.erased_at.is_(None), Case.kind.in_(("trafficking", "both")))
        .order_by(Case.code)
        .limit(len(PLAN))
    ).all()
    if reviewer is None or not cases:
        return 0
    made = 0
    with nullcontext() if has_request_context() else current_app.test_request_context():
        for case, (state, activity, amount) in zip(cases, PLAN, strict=False):
            counsellor = db.session.scalar(
                select(User)
                .join(RoleAssignment, RoleAssignment.user_id == User.id)
                .where(RoleAssignment.role == "counsellor", RoleAssignment.unit_id == case.unit_id)
            )
            if counsellor is None:
                continue
            _make(case, state, activity, amount, counsellor, reviewer)
            made += 1
    db.session.flush()
    return made + seed_bulk(reviewer)


def _make(case, state, activity, amount, counsellor, reviewer) -> None:
    today = clock.today()
    plan = services.create_plan(
        case,
        {
            "activity": activity,
            "amount_requested": amount,
            "cofund_own": 1_000_000,
            "cofund_family": 500_000,
            "cofund_bank": 5_000_000 if amount > 10_000_000 else 0,
            "start_on": today,
            "end_on": today + timedelta(days=365),
            "expected_income": 1_500_000,
            "description": TEXT[activity],
            "training_needs": "Tập huấn kỹ thuật 3 ngày tại xã.",
            "risks": "Dịch bệnh, giá bán xuống thấp.",
        },
        actor=counsellor,
    )
    if state == "draft":
        return
    services.submit_plan(plan, actor=counsellor)
    if state == "submitted":
        return
    if state == "returned":
        services.decide(plan, "return", actor=reviewer, comment="Đề nghị bổ sung phương án tiêu thụ sản phẩm.")
        return
    if state == "rejected":
        services.decide(plan, "reject", actor=reviewer, comment="Số tiền vượt mức hỗ trợ của mô hình.")
        return
    approved = amount - 1_000_000
    services.decide(plan, "approve", actor=reviewer, amount=approved)
    paid_on = today - timedelta(days=200 if state in ("completed", "discontinued") else 120)
    plan.decided_at = (plan.decided_at or utcnow()) - timedelta(days=210)  # the demo plan was approved months ago
    services.disburse(
        plan,
        {
            "paid_on": paid_on,
            "amount": approved // 2,
            "payment_form": "in_kind",
            "items": "Giống và vật tư theo kế hoạch",
            "receipt_number": f"PC-{case.code[-4:]}-1",
        },
        actor=counsellor,
    )
    if state == "discontinued":
        services.close_plan(plan, "discontinued", "Gia đình chuyển đi nơi khác.", actor=counsellor)
        return
    services.record_visit(
        plan,
        {
            "visited_on": paid_on + timedelta(days=60),
            "progress": "on_track",
            "income": 900_000,
            "problems": "Thiếu thức ăn chăn nuôi.",
            "support_needed": "Hướng dẫn kỹ thuật.",
        },
        actor=counsellor,
    )
    if state == "completed":
        services.record_outcome(
            plan,
            {
                "milestone": 6,
                "recorded_on": paid_on + timedelta(days=183),
                "still_active": True,
                "income_change": "increased",
                "wellbeing": 4,
                "reintegration": "good",
            },
            actor=counsellor,
        )
        services.close_plan(plan, "completed", "", actor=counsellor)
