"""Demo livelihood plans at benchmark sizes (from BULK_FROM_CASES cases): one plan per PLAN_PER_CASES
trafficking (or both) cases of every unit and year, in every state. Built as rows directly, in batches, with one
audit entry for the run: going through the services would cost an audit entry and a flush per step.
Fictitious data only (see demo.py for the curated set)."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from .. import clock
from ..audit import services as audit
from ..auth.models import User
from ..cases.models import Case, FollowUp
from ..demo import BULK_FROM_CASES, apportion, assign_states, at, counsellors_by_unit
from ..extensions import db, new_uuid, transaction, utcnow
from ..units.models import Unit
from . import budget, services
from .models import Disbursement, LivelihoodPlan, MonitoringVisit, PlanDecision, PlanOutcome, PlanVersion

# What each activity is about, for the plans of both sets (demo.py uses it too).
TEXT = {
    "livestock": "Nuôi 2 con lợn nái sinh sản; chuồng có sẵn, cần mua giống và thức ăn 3 tháng đầu.",
    "weaving": "Dệt thổ cẩm bán cho hợp tác xã của xã; cần khung dệt và sợi.",
    "small_trade": "Bán tạp hoá nhỏ tại nhà, gần chợ phiên.",
    "crops": "Trồng ngô và đậu tương trên 3.000 m² đất của gia đình.",
    "service": "Sửa chữa quần áo, may đo tại nhà.",
    "other": "Mở quán ăn sáng.",
    "wage_job": "Đi làm thuê theo mùa vụ tại xã, cần đồ bảo hộ và tiền đi lại.",
}

PLAN_PER_CASES = 25  # one plan per 25 trafficking (or both) cases: the pilot funds a few survivors per commune
BATCH = 500
# Shares of the states at any one moment (weights), before the budget has its say: most plans were funded and
# are running or done, some wait for a decision or are being corrected.
STATE_WEIGHTS = {
    "draft": 8,
    "submitted": 12,
    "returned": 7,
    "approved": 6,
    "active": 27,
    "completed": 20,
    "rejected": 10,
    "discontinued": 10,
}
# Days since the case was opened within which each state is plausible (min, max): the minimum covers the
# longest path of _Timeline to that state (so no date is ever in the future); waiting plans are recent, a
# completed plan has a year of monitoring behind it.
AGE_WINDOWS = {
    "draft": (30, 150),
    "submitted": (40, 120),
    "returned": (55, 240),
    "approved": (55, 200),
    "active": (75, 560),
    "rejected": (55, None),
    "discontinued": (280, None),
    "completed": (490, None),
}
OPEN_ONLY = ("draft", "submitted", "returned", "approved", "active")  # a closed case has no plan under way
FUNDED = ("approved", "active", "completed", "discontinued")


@dataclass
class _Timeline:
    """The days a plan passes its steps, counted from the case's opening."""

    created: date
    submitted: date
    decided: date
    paid: date

    @classmethod
    def draw(cls, rng, opened: date) -> "_Timeline":
        created = opened + timedelta(days=rng.randint(3, 30))
        submitted = created + timedelta(days=rng.randint(1, 10))
        decided = submitted + timedelta(days=rng.randint(2, 15))
        return cls(created, submitted, decided, decided + timedelta(days=rng.randint(3, 20)))


class _Funds:
    """What is left of each pool's yearly budget, as the reviewer's check (budget.budget_for) sees it now."""

    def __init__(self):
        self.pools: dict[str, str] = {}  # ids, not rows: the session is emptied after every batch
        self.left: dict[tuple[str, int], int] = {}
        self.source: dict[tuple[str, int], str] = {}

    def pool_id(self, unit_id: str) -> str:
        if unit_id not in self.pools:
            self.pools[unit_id] = budget.pool_of(db.session.get_one(Unit, unit_id)).id
        return self.pools[unit_id]

    def take(self, unit_id: str, year: int, amount: int) -> str | None:
        """Draw `amount` on the year's budget of the unit's pool; the budget source, or None when it runs out.

        The full approved amount is drawn, also for plans discontinued later: that is what the check saw."""
        key = (self.pool_id(unit_id), year)
        if key not in self.left:
            funds = budget.budget_for(year, db.session.get_one(Unit, key[0]))
            self.left[key], self.source[key] = funds.left, funds.source
        if amount > self.left[key]:
            return None
        self.left[key] -= amount
        return self.source[key]


def seed_bulk(reviewer: User) -> int:
    """At benchmark sizes, add one plan per PLAN_PER_CASES trafficking cases; returns how many."""
    kinds = Case.kind.in_(("trafficking", "both"))
    if db.session.execute(select(func.count()).select_from(Case)).scalar_one() < BULK_FROM_CASES:
        return 0
    eligible = db.session.execute(
        select(func.count()).select_from(Case).where(kinds, Case.erased_at.is_(None))
    ).scalar_one()
    rows = db.session.execute(
        select(Case.id, Case.status, Case.opened_on).where(
            kinds, Case.erased_at.is_(None), Case.id.not_in(select(LivelihoodPlan.case_id))
        )
    ).all()
    rng = random.Random(20260425)  # the same demo every time
    today, now = clock.today(), utcnow()
    quotas = apportion(min(eligible // PLAN_PER_CASES, len(rows)), STATE_WEIGHTS)
    pairs = assign_states(rng, rows, quotas, AGE_WINDOWS, today, OPEN_ONLY)
    people = {"reviewer": reviewer.id, "counsellors": counsellors_by_unit()}
    funds = _Funds()
    made: dict[str, int] = {}
    for start in range(0, len(pairs), BATCH):
        chunk = pairs[start : start + BATCH]
        cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_([r.id for r, _ in chunk])))}
        for row, state in chunk:
            state = _plan(rng, cases[row.id], state, people, funds, today, now)
            made[state] = made.get(state, 0) + 1
        with transaction():  # this batch is kept: memory stays flat however many plans are seeded
            db.session.flush()
        db.session.expunge_all()
    audit.record("seed-demo", "livelihood.demo_seed", detail={"count": len(pairs), "states": made})
    db.session.flush()
    return len(pairs)


def _plan(rng, case: Case, state: str, people: dict, funds: _Funds, today: date, now) -> str:
    """One plan of `case` that has reached `state` (a funded state the budget cannot bear is rejected instead);
    returns the state it got."""
    tl = _Timeline.draw(rng, case.opened_on)
    counsellor = people["counsellors"].get(case.unit_id)
    activity = rng.choice(("livestock", "livestock", "crops", "weaving", "small_trade", "service", "wage_job"))
    requested = rng.randrange(5_000_000, 20_000_001, 500_000)
    plan = LivelihoodPlan(
        id=new_uuid(),
        case=case,
        case_id=case.id,
        status="draft",
        activity=activity,
        amount_requested=requested,
        cofund_own=rng.randrange(0, 2_000_001, 500_000),
        cofund_family=rng.randrange(0, 1_000_001, 500_000),
        cofund_bank=rng.choice((0, 0, 5_000_000, 10_000_000)),
        start_on=tl.decided,
        end_on=tl.decided + timedelta(days=365),
        expected_income=rng.randrange(800_000, 3_000_001, 100_000),
        proposed_by_id=counsellor,
        created_at=at(tl.created, rng, now),
    )
    plan.description = f"{TEXT[activity]} (demo)"
    plan.training_needs = "Tập huấn kỹ thuật 3 ngày tại xã (demo)."
    plan.risks = "Dịch bệnh, giá bán xuống thấp (demo)."
    plan.updated_at = plan.created_at
    db.session.add(plan)
    if state == "draft":
        return state
    _submit(rng, plan, tl, counsellor, now)
    if state == "submitted":
        return state
    amount, source, why = None, None, None
    if state in FUNDED:
        amount = requested if rng.random() < 0.7 else max(3_000_000, requested - rng.choice((1, 2, 3)) * 1_000_000)
        source = funds.take(case.unit_id, tl.decided.year, amount)
        if source is None:  # the year's budget is spent: the check refuses it, so the reviewer returns or rejects
            state, why = rng.choice((("returned", "budget_return"), ("rejected", "budget"), ("rejected", "budget")))
            amount = None
    decision = {"returned": "return", "rejected": "reject"}.get(state, "approve")
    comment = None if decision == "approve" else COMMENTS[why or decision]
    _decide(rng, plan, tl, decision, amount, source, comment, people["reviewer"], now)
    if state in ("returned", "rejected", "approved"):
        return state
    _run(rng, plan, tl, state, counsellor, today, now)
    return state


def _submit(rng, plan: LivelihoodPlan, tl: _Timeline, counsellor, now) -> None:
    plan.status, plan.versions_count = "submitted", 1
    plan.submitted_at = plan.updated_at = at(tl.submitted, rng, now)
    version = PlanVersion(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        number=1,
        activity=plan.activity,
        amount_requested=plan.amount_requested,
        submitted_by_id=counsellor,
        submitted_at=plan.submitted_at,
    )
    version.content = services.plan_snapshot(plan)  # the very shape submit_plan keeps
    db.session.add(version)


COMMENTS = {
    "return": "Đề nghị bổ sung phương án tiêu thụ sản phẩm (demo).",
    "reject": "Hoạt động chưa phù hợp với mô hình hỗ trợ của dự án (demo).",
    "budget": "Đã hết ngân sách hỗ trợ sinh kế của năm; đề nghị đăng ký lại năm sau (demo).",
    "budget_return": "Ngân sách năm không đủ: đề nghị giảm số tiền hoặc tăng vốn đối ứng (demo).",
}


def _decide(rng, plan, tl, decision, amount, source, comment, reviewer_id, now) -> None:
    decided_at = at(tl.decided, rng, now)
    status = {"approve": "approved", "return": "returned", "reject": "rejected"}[decision]
    plan.status, plan.decided_at, plan.decided_by_id, plan.updated_at = status, decided_at, reviewer_id, decided_at
    if decision == "approve":
        plan.amount_approved, plan.budget_year = amount, tl.decided.year
    record = PlanDecision(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        version_number=1,
        decision=decision,
        amount=amount,
        budget_source=source,
        decided_by_id=reviewer_id,
        decided_at=decided_at,
    )
    record.comment = comment
    db.session.add(record)


def _run(rng, plan, tl, state, counsellor, today, now) -> None:
    """Disbursements, monitoring visits, outcomes and (while it runs) reminders of a funded plan."""
    plan.status, plan.activated_on = "active", tl.paid
    closed_on = None  # AGE_WINDOWS leave room for these; min() only guards against a change there
    if state == "completed":
        closed_on = min(today, tl.paid + relativedelta(months=12) + timedelta(days=rng.randint(10, 40)))
    elif state == "discontinued":
        closed_on = min(today, tl.paid + timedelta(days=rng.randint(30, 200)))
    end = closed_on or today
    # Paid at once or in two halves; a discontinued plan stopped after its first half.
    halves = state == "discontinued" or rng.random() < 0.5
    first = plan.amount_approved // 2 if halves else plan.amount_approved
    _disburse(rng, plan, tl.paid, first, 1, counsellor, now)
    second_on = tl.paid + timedelta(days=rng.randint(60, 120))
    if halves and state != "discontinued" and second_on <= end:
        _disburse(rng, plan, second_on, plan.amount_approved - first, 2, counsellor, now)
    last = _visits(rng, plan, tl.paid, end, counsellor, now)
    recorded = _outcomes(rng, plan, tl.paid, end, counsellor, now, all_due=state == "completed")
    if closed_on is not None:
        plan.status, plan.closed_on, plan.closed_by_id = state, closed_on, counsellor
        plan.close_reason = "Gia đình chuyển đi nơi khác (demo)." if state == "discontinued" else None
        plan.updated_at = at(closed_on, rng, now)
        return
    _reminders(plan, last or tl.paid, recorded, counsellor)


def _disburse(rng, plan, paid_on, amount, number, counsellor, now) -> None:
    form = rng.choice(("cash", "in_kind", "in_kind"))
    row = Disbursement(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        paid_on=paid_on,
        amount=amount,
        payment_form=form,
        receipt_number=f"PC-{plan.case.code[3:]}-{number} (demo)",
        recorded_by_id=counsellor,
        created_at=at(paid_on, rng, now),
    )
    row.items = "Giống, vật tư theo kế hoạch (demo)" if form == "in_kind" else None
    plan.updated_at = row.created_at
    db.session.add(row)


def _visits(rng, plan, paid_on, end, counsellor, now) -> date | None:
    """A visit about every quarter from the first payment until `end`; returns the day of the last one."""
    day, last = paid_on + timedelta(days=rng.randint(50, 90)), None
    while day <= end:
        visit = MonitoringVisit(
            plan=plan,
            plan_id=plan.id,
            case=plan.case,
            case_id=plan.case_id,
            visited_on=day,
            progress=rng.choice(("on_track", "on_track", "on_track", "slow", "stopped")),
            income=rng.randrange(300_000, 2_500_001, 100_000),
            recorded_by_id=counsellor,
            created_at=at(day, rng, now),
        )
        visit.problems = rng.choice(("Thiếu thức ăn chăn nuôi (demo).", "Giá bán thấp (demo).", None))
        visit.support_needed = "Hướng dẫn kỹ thuật (demo)."
        db.session.add(visit)
        day, last = day + timedelta(days=rng.randint(80, 100)), day
    return last


def _outcomes(rng, plan, paid_on, end, counsellor, now, all_due: bool) -> set[int]:
    """The 6- and 12-month outcomes that fall due before `end` (a running plan sometimes lags behind)."""
    recorded = set()
    for months in services.MILESTONES:
        day = paid_on + relativedelta(months=months) + timedelta(days=rng.randint(0, 9))
        if day > end or (not all_due and rng.random() < 0.2):
            continue
        outcome = PlanOutcome(
            plan=plan,
            plan_id=plan.id,
            case=plan.case,
            case_id=plan.case_id,
            milestone=months,
            recorded_on=day,
            still_active=rng.random() < 0.8,
            income_change=rng.choice(("increased", "increased", "same", "decreased")),
            wellbeing=rng.randint(2, 5),
            reintegration=rng.choice(("good", "good", "partial", "difficult")),
            recorded_by_id=counsellor,
            created_at=at(day, rng, now),
        )
        outcome.note = "Kết quả minh hoạ (demo)."
        db.session.add(outcome)
        recorded.add(months)
    return recorded


def _reminders(plan, since: date, recorded: set[int], counsellor) -> None:
    """The open follow-ups a running plan keeps on the case's list, as disburse and record_visit set them."""
    dues = [(since + timedelta(days=services.VISIT_EVERY_DAYS), "visit", "Thăm giám sát kế hoạch sinh kế (demo)")]
    dues += [
        (plan.activated_on + relativedelta(months=m), f"{m}m", f"Ghi kết quả sinh kế sau {m} tháng (demo)")
        for m in services.MILESTONES
        if m not in recorded
    ]
    for due, tag, purpose in dues:
        followup = FollowUp(
            case=plan.case,
            case_id=plan.case_id,
            due_on=due,
            assignee_id=counsellor,
            status="open",
            source=f"livelihood:{plan.id}:{tag}",
        )
        followup.purpose = purpose
        db.session.add(followup)
    case = plan.case
    earliest = min(due for due, _, _ in dues)
    if case.next_followup_on is None or earliest < case.next_followup_on:
        case.next_followup_on = earliest
