"""Operations on livelihood plans: each checks its rule, changes state, writes its audit entry and flushes;
the request commits once. Audit details carry ids and codes only: the plan's case_id puts every entry on the
case timeline."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm.exc import StaleDataError

from .. import clock
from ..audit import services as audit
from ..cases import services as case_services
from ..cases.models import Case, FollowUp
from ..cases.restriction import ensure_processing_allowed
from ..extensions import db, utcnow
from ..services import ServiceError, ensure, ensure_found
from ..web.filters import money
from . import budget
from .models import (
    ACTIVITIES,
    DECISIONS,
    MAX_AMOUNT,
    Disbursement,
    LivelihoodPlan,
    MonitoringVisit,
    PlanDecision,
    PlanOutcome,
    PlanVersion,
)

PLAN_FIELDS = (
    "activity",
    "amount_requested",
    "cofund_own",
    "cofund_family",
    "cofund_bank",
    "cofund_other",
    "start_on",
    "end_on",
    "expected_income",
    "description",
    "training_needs",
    "risks",
)
TEXT_FIELDS = ("description", "training_needs", "risks")
MONEY_FIELDS = ("amount_requested", "cofund_own", "cofund_family", "cofund_bank", "cofund_other", "expected_income")
VISIT_EVERY_DAYS = 90  # a monitoring visit at least once a quarter; later than this is overdue
MILESTONES = (6, 12)


class AlreadyDecided(ServiceError):
    """Another reviewer decided the plan first."""


def check_amount(value, field: str, *, required: bool = False) -> None:
    """Amounts are whole đồng, positive, and below the sane ceiling."""
    if value is None:
        ensure(not required, _l("Vui lòng nhập số tiền."), field)
        return
    ensure(isinstance(value, int) and value >= 0, _l("Số tiền phải là số nguyên đồng, không âm."), field)
    ensure(value <= MAX_AMOUNT, _l("Số tiền quá lớn: tối đa %(max)s đ cho một kế hoạch.", max=money(MAX_AMOUNT)), field)
    ensure(not required or value > 0, _l("Số tiền phải lớn hơn 0."), field)


def _check_plan(data: dict) -> None:
    ensure(data.get("activity") in ACTIVITIES, _l("Vui lòng chọn hoạt động sinh kế."), "activity")
    check_amount(data.get("amount_requested"), "amount_requested", required=True)
    for name in MONEY_FIELDS[1:]:
        check_amount(data.get(name), name)
    start, end = data.get("start_on"), data.get("end_on")
    ensure(not (start and end and end < start), _l("Ngày kết thúc phải sau ngày bắt đầu."), "end_on")


def _apply(plan: LivelihoodPlan, data: dict) -> None:
    for name in PLAN_FIELDS:
        value = data.get(name)
        if name in TEXT_FIELDS:
            value = case_services.nfc(value) or None
        elif name.startswith("cofund_"):
            value = value or 0
        setattr(plan, name, value)


def create_plan(case: Case, data: dict, *, actor) -> LivelihoodPlan:
    """Draft a livelihood plan for a case."""
    ensure_processing_allowed(case.id, "livelihood.create_plan", actor=actor)
    ensure(not case.is_erased and case.is_open, _l("Chỉ lập kế hoạch cho hồ sơ đang mở."))
    _check_plan(data)
    plan = LivelihoodPlan(case=case, case_id=case.id, status="draft", proposed_by_id=actor.id)
    _apply(plan, data)
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "livelihood.create", plan)
    db.session.flush()
    return plan


def update_plan(plan: LivelihoodPlan, data: dict, *, actor) -> None:
    """Change a draft or a returned plan."""
    ensure_processing_allowed(plan.case_id, "livelihood.update_plan", actor=actor)
    ensure(plan.is_editable, _l("Chỉ sửa được kế hoạch đang soạn hoặc bị trả lại."))
    _check_plan(data)
    _apply(plan, data)
    audit.record(actor, "livelihood.edit", plan)
    _flush()


def plan_snapshot(plan: LivelihoodPlan) -> dict:
    """The plan as a submitted version keeps it (also the shape the demo seeder writes in bulk)."""
    values = {name: getattr(plan, name) for name in PLAN_FIELDS}
    for name in ("start_on", "end_on"):
        values[name] = values[name].isoformat() if values[name] else None
    return values


def submit_plan(plan: LivelihoodPlan, *, actor) -> PlanVersion:
    """Send a livelihood plan to the district for review, keeping this version."""
    ensure_processing_allowed(plan.case_id, "livelihood.submit_plan", actor=actor)
    ensure(plan.is_editable, _l("Chỉ gửi được kế hoạch đang soạn hoặc bị trả lại."))
    ensure(not plan.case.is_erased, _l("Hồ sơ đã bị xoá."))
    plan.versions_count += 1
    version = PlanVersion(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        number=plan.versions_count,
        activity=plan.activity,
        amount_requested=plan.amount_requested,
        submitted_by_id=actor.id,
    )
    version.content = plan_snapshot(plan)
    db.session.add(version)
    plan.status, plan.submitted_at = "submitted", utcnow()
    audit.record(actor, "livelihood.submit", plan, detail={"version": version.number})
    _flush()
    return version


def proposers(plan: LivelihoodPlan) -> set[str]:
    """Everyone who proposed or submitted the plan: none of them may decide it."""
    return {i for i in (plan.proposed_by_id, *(v.submitted_by_id for v in plan.versions)) if i is not None}


def decide(
    plan: LivelihoodPlan,
    decision: str,
    *,
    actor,
    amount: int | None = None,
    comment: str = "",
    today: date | None = None,
) -> PlanDecision:
    """Approve (optionally a lower amount), return with comments, or reject a submitted plan."""
    ensure_processing_allowed(plan.case_id, "livelihood.decide", actor=actor)
    ensure(decision in DECISIONS, _l("Quyết định không hợp lệ."), "decision")
    ensure(actor.id not in proposers(plan), _l("Bạn không thể quyết định kế hoạch do chính mình đề xuất."), "decision")
    _ensure_still_submitted(plan)
    comment = case_services.nfc(comment or "")
    ensure(decision == "approve" or comment, _l("Vui lòng ghi lý do hoặc góp ý."), "comment")
    year = (today or clock.today()).year
    source = None
    if decision == "approve":
        amount = plan.amount_requested if amount is None else amount
        check_amount(amount, "amount", required=True)
        ensure(amount <= plan.amount_requested, _l("Số tiền duyệt không được lớn hơn số tiền đề nghị."), "amount")
        pool = budget.pool_of(plan.case.unit)
        budget.lock_pool(pool)
        funds = budget.budget_for(year, pool)
        source = funds.source
        ensure(
            amount <= funds.left,
            _l("Vượt ngân sách hỗ trợ sinh kế năm %(y)d: chỉ còn %(left)s đ.", y=year, left=money(max(funds.left, 0))),
            "amount",
        )
    new_status = {"approve": "approved", "return": "returned", "reject": "rejected"}[decision]
    now = utcnow()
    # Exactly one decision wins: the update only applies while the plan is still waiting.
    result: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor result
        update(LivelihoodPlan)
        .where(LivelihoodPlan.id == plan.id, LivelihoodPlan.status == "submitted")
        .values(
            status=new_status,
            decided_at=now,
            decided_by_id=actor.id,
            version=LivelihoodPlan.version + 1,
            amount_approved=amount if decision == "approve" else None,
            budget_year=year if decision == "approve" else None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(plan)
        _ensure_still_submitted(plan)
    db.session.refresh(plan)
    record = PlanDecision(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        version_number=plan.versions_count,
        decision=decision,
        amount=amount if decision == "approve" else None,
        budget_source=source,
        decided_by_id=actor.id,
        decided_at=now,
    )
    record.comment = comment or None
    db.session.add(record)
    audit.record(actor, f"livelihood.{new_status}", plan, detail={"version": plan.versions_count})
    db.session.flush()
    return record


def _ensure_still_submitted(plan: LivelihoodPlan) -> None:
    if plan.status != "submitted":
        raise AlreadyDecided(
            _l("Kế hoạch này không còn chờ duyệt (hiện: %(s)s). Có thể người khác vừa quyết định.", s=plan.status),
            "decision",
        )


def disburse(plan: LivelihoodPlan, data: dict, *, actor, today: date | None = None) -> Disbursement:
    """Record a disbursement; the first one makes the plan active and sets its reminders."""
    ensure_processing_allowed(plan.case_id, "livelihood.disburse", actor=actor)
    ensure(plan.status in ("approved", "active"), _l("Chỉ giải ngân cho kế hoạch đã được duyệt."))
    amount = ensure_found(data.get("amount"), _l("Vui lòng nhập số tiền."), "amount")
    check_amount(amount, "amount", required=True)
    ensure(
        amount <= plan.remaining,
        _l("Vượt số tiền được duyệt: chỉ còn %(left)s đ chưa giải ngân.", left=money(plan.remaining)),
        "amount",
    )
    paid_on = ensure_found(data.get("paid_on"), _l("Vui lòng nhập ngày giải ngân."), "paid_on")
    ensure(paid_on <= (today or clock.today()), _l("Ngày giải ngân không được sau hôm nay."), "paid_on")
    decided_at = ensure_found(plan.decided_at, _l("Chỉ giải ngân cho kế hoạch đã được duyệt."))  # approved: decided
    ensure(
        paid_on >= clock.local_date(decided_at) - timedelta(days=1),
        _l("Ngày giải ngân phải sau ngày duyệt kế hoạch."),
        "paid_on",
    )
    ensure(data.get("payment_form") in ("cash", "in_kind"), _l("Vui lòng chọn hình thức."), "payment_form")
    items = case_services.nfc(data.get("items") or "")
    ensure(data["payment_form"] == "cash" or items, _l("Vui lòng ghi hiện vật đã trao."), "items")
    receipt = (data.get("receipt_number") or "").strip()
    ensure(receipt, _l("Vui lòng nhập số phiếu chi, biên nhận."), "receipt_number")
    row = Disbursement(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        paid_on=paid_on,
        amount=amount,
        payment_form=data["payment_form"],
        receipt_number=receipt,
        recorded_by_id=actor.id,
    )
    row.items = items or None
    db.session.add(row)
    plan.updated_at = utcnow()  # bumps the plan's version: two disbursements at once cannot both pass
    first = plan.status == "approved"
    if first:
        plan.status, plan.activated_on = "active", paid_on
    db.session.flush()
    audit.record(actor, "livelihood.disburse", plan, detail={"disbursement": row.id})
    _flush()
    if first:
        _schedule_reminders(plan, paid_on, actor)
    return row


def _schedule_reminders(plan: LivelihoodPlan, start: date, actor) -> None:
    """The first monitoring visit and the 6- and 12-month outcomes, on the case's follow-up list."""
    case_services.schedule_followup(
        plan.case,
        start + timedelta(days=VISIT_EVERY_DAYS),
        str(_l("Thăm giám sát kế hoạch sinh kế")),
        actor=actor,
        source=f"livelihood:{plan.id}:visit",
    )
    for months in MILESTONES:
        case_services.schedule_followup(
            plan.case,
            start + relativedelta(months=months),
            str(_l("Ghi kết quả sinh kế sau %(m)d tháng", m=months)),
            actor=actor,
            source=f"livelihood:{plan.id}:{months}m",
        )


def _close_reminders(plan: LivelihoodPlan, tag: str, outcome: str, actor, status: str = "done") -> None:
    for followup in db.session.scalars(
        select(FollowUp).where(
            FollowUp.case_id == plan.case_id,
            FollowUp.status == "open",
            FollowUp.source == f"livelihood:{plan.id}:{tag}",
        )
    ):
        case_services.complete_followup(followup, outcome, actor=actor, status=status)


def record_visit(plan: LivelihoodPlan, data: dict, *, actor, today: date | None = None) -> MonitoringVisit:
    """Record a monitoring visit and set the next one on the follow-up list."""
    ensure_processing_allowed(plan.case_id, "livelihood.record_visit", actor=actor)
    not_active = _l("Chỉ ghi thăm giám sát khi kế hoạch đang thực hiện.")
    ensure(plan.status == "active", not_active)
    activated_on = ensure_found(plan.activated_on, not_active)  # active: disbursed at least once
    visited_on = ensure_found(data.get("visited_on"), _l("Vui lòng nhập ngày thăm."), "visited_on")
    ensure(visited_on <= (today or clock.today()), _l("Ngày thăm không được sau hôm nay."), "visited_on")
    ensure(visited_on >= activated_on, _l("Ngày thăm phải sau lần giải ngân đầu tiên."), "visited_on")
    ensure(data.get("progress") in ("on_track", "slow", "stopped"), _l("Vui lòng chọn tiến độ."), "progress")
    check_amount(data.get("income"), "income")
    visit = MonitoringVisit(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        visited_on=visited_on,
        progress=data["progress"],
        income=data.get("income"),
        recorded_by_id=actor.id,
    )
    visit.problems = case_services.nfc(data.get("problems") or "") or None
    visit.support_needed = case_services.nfc(data.get("support_needed") or "") or None
    db.session.add(visit)
    db.session.flush()
    audit.record(actor, "livelihood.visit", plan, detail={"visit": visit.id})
    _close_reminders(plan, "visit", str(_l("Đã thăm giám sát kế hoạch sinh kế")), actor)
    case_services.schedule_followup(
        plan.case,
        visited_on + timedelta(days=VISIT_EVERY_DAYS),
        str(_l("Thăm giám sát kế hoạch sinh kế")),
        actor=actor,
        source=f"livelihood:{plan.id}:visit",
    )
    return visit


def record_outcome(plan: LivelihoodPlan, data: dict, *, actor, today: date | None = None) -> PlanOutcome:
    """Record the outcome 6 or 12 months after the first disbursement."""
    ensure_processing_allowed(plan.case_id, "livelihood.record_outcome", actor=actor)
    activated_on = ensure_found(plan.activated_on, _l("Kế hoạch chưa được giải ngân."))
    milestone = data.get("milestone")
    ensure(milestone in MILESTONES, _l("Vui lòng chọn mốc 6 hoặc 12 tháng."), "milestone")
    ensure(
        all(o.milestone != milestone for o in plan.outcomes),
        _l("Đã ghi kết quả mốc %(m)d tháng.", m=milestone),
        "milestone",
    )
    recorded_on = ensure_found(data.get("recorded_on"), _l("Vui lòng nhập ngày đánh giá."), "recorded_on")
    ensure(
        activated_on <= recorded_on <= (today or clock.today()),
        _l("Ngày đánh giá phải từ lần giải ngân đầu tiên đến hôm nay."),
        "recorded_on",
    )
    ensure(
        data.get("income_change") in ("increased", "same", "decreased"), _l("Vui lòng chọn một mục."), "income_change"
    )
    ensure(data.get("reintegration") in ("good", "partial", "difficult"), _l("Vui lòng chọn một mục."), "reintegration")
    ensure(data.get("wellbeing") in (1, 2, 3, 4, 5), _l("Vui lòng chọn mức từ 1 đến 5."), "wellbeing")
    outcome = PlanOutcome(
        plan=plan,
        plan_id=plan.id,
        case=plan.case,
        case_id=plan.case_id,
        milestone=milestone,
        recorded_on=recorded_on,
        still_active=bool(data.get("still_active")),
        income_change=data["income_change"],
        wellbeing=data["wellbeing"],
        reintegration=data["reintegration"],
        recorded_by_id=actor.id,
    )
    outcome.note = case_services.nfc(data.get("note") or "") or None
    db.session.add(outcome)
    db.session.flush()
    audit.record(actor, "livelihood.outcome", plan, detail={"milestone": milestone})
    _close_reminders(plan, f"{milestone}m", str(_l("Đã ghi kết quả sinh kế sau %(m)d tháng", m=milestone)), actor)
    return outcome


def close_plan(plan: LivelihoodPlan, how: str, reason: str, *, actor, today: date | None = None) -> None:
    """End a plan: completed (after funding) or discontinued (with a reason)."""
    ensure_processing_allowed(plan.case_id, "livelihood.close_plan", actor=actor)
    ensure(how in ("completed", "discontinued"), _l("Vui lòng chọn một mục."), "how")
    allowed = ("active",) if how == "completed" else ("approved", "active")
    ensure(plan.status in allowed, _l("Kế hoạch ở trạng thái này không kết thúc được như vậy."), "how")
    reason = case_services.nfc(reason or "")
    ensure(how == "completed" or reason, _l("Vui lòng ghi lý do dừng."), "reason")
    plan.status, plan.closed_on, plan.closed_by_id = how, today or clock.today(), actor.id
    plan.close_reason = reason or None
    audit.record(actor, f"livelihood.{how}", plan)
    _flush()
    _close_reminders(plan, "visit", str(_l("Kế hoạch sinh kế đã kết thúc")), actor, status="cancelled")


def _flush() -> None:
    """Flush; a concurrent change of the same plan becomes a message, not a 500."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ServiceError(_l("Có người vừa cập nhật kế hoạch này. Hãy tải lại trang và thử lại.")) from exc


def record_read(plan: LivelihoodPlan, *, actor) -> None:
    """Audit an opening of the plan page (its text may tell personal circumstances)."""
    audit.record(actor, "livelihood.read", plan)
