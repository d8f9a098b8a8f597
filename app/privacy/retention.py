"""The monthly retention job: list every record past its retention period for the officer's decision.

Nothing is deleted here. Each record found becomes a review row (once: the job is safe to run again) in the
data-protection officer's work queue; the officer keeps it (with a reason and a new review date) or proposes
erasure. For a closed case the proposal opens the erasure sign-off of the rights desk (signal
`retention_erasure_proposed`): a supervisor of the case's unit approves it as second person with a fresh second
factor, and a legal hold in force refuses the proposal at once (the review stays open). A proposal the
supervisor returns comes back to the officer as an open review at the next run.
`flask --app wsgi retention run` runs it; cron or the systemd timer of the README runs that monthly.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock, events
from ..audit import services as audit
from ..cases.models import Case
from ..extensions import db
from ..livelihood.models import LivelihoodPlan
from ..referrals.models import Referral
from ..rights.models import ErasureSignOff, RightsRequest
from ..services import ensure
from ..units.queries import scope_for
from . import reference_data as ref
from .models import RetentionReview
from .services import retention_rules


@dataclass(frozen=True)
class Found:
    record_id: str
    unit_id: str | None
    label: str
    ended_on: date


def _closed_cases(cutoff: date) -> Iterator[Found]:
    for case in db.session.scalars(
        select(Case).where(Case.status == "closed", Case.erased_at.is_(None), Case.closed_on <= cutoff)
    ):
        if case.closed_on is not None:  # (always: the query's `<= cutoff` leaves out a missing day)
            yield Found(case.id, case.unit_id, case.code, case.closed_on)


def _ended_referrals(cutoff: date) -> Iterator[Found]:
    rows = db.session.scalars(
        select(Referral).where(
            Referral.packet_destroyed_at.is_(None), Referral.status.in_(("completed", "declined", "withdrawn"))
        )
    )
    for referral in rows:
        ended = referral.completed_at or referral.withdrawn_at or referral.decided_at
        if ended is not None and clock.local_date(ended) <= cutoff:
            yield Found(referral.id, referral.sender_unit_id, referral.code, clock.local_date(ended))


def _closed_plans(cutoff: date) -> Iterator[Found]:
    rows = db.session.execute(
        select(LivelihoodPlan.id, Case.unit_id, Case.code, LivelihoodPlan.closed_on)
        .join(Case, LivelihoodPlan.case_id == Case.id)
        .where(LivelihoodPlan.closed_on.is_not(None), LivelihoodPlan.closed_on <= cutoff, Case.erased_at.is_(None))
    )
    for plan_id, unit_id, code, closed_on in rows:
        yield Found(plan_id, unit_id, code, closed_on)


def _answered_requests(cutoff: date) -> Iterator[Found]:
    rows = db.session.execute(
        select(RightsRequest.id, Case.unit_id, Case.code, RightsRequest.answered_at)
        .join(Case, RightsRequest.case_id == Case.id)
        .where(RightsRequest.answered_at.is_not(None))
    )
    for request_id, unit_id, code, answered_at in rows:
        if clock.local_date(answered_at) <= cutoff:
            yield Found(request_id, unit_id, code, clock.local_date(answered_at))


FINDERS = {
    "closed_case": _closed_cases,
    "referral_packet": _ended_referrals,
    "livelihood_plan": _closed_plans,
    "rights_request": _answered_requests,
}


def run(today: date | None = None) -> dict[str, int]:
    """Find what is past retention today; returns the new reviews per record type."""
    today = today or clock.today()
    rules = retention_rules()
    added: dict[str, int] = {}
    for code, *_ in ref.RECORD_TYPES:
        rule = rules.get(code)
        if rule is None:
            continue
        cutoff = today - relativedelta(months=rule.months)
        added[code] = sum(_review(code, found, rule.months) for found in FINDERS[code](cutoff))
    audit.record("retention-job", "privacy.retention_run", detail={"added": added, "on": today.isoformat()})
    db.session.flush()
    return added


def _review(record_type: str, found: Found, months: int) -> int:
    """Add the review unless the record already has an open one, or a decision to keep it that still holds."""
    existing = db.session.scalars(
        select(RetentionReview).where(
            RetentionReview.record_type == record_type, RetentionReview.record_id == found.record_id
        )
    )
    for review in existing:
        if review.status == "erase" and _erasure_returned(review):
            # the supervisor returned the proposal: the same review is the officer's to decide again
            review.status, review.decided_by_id, review.decided_at = "open", None, None
            return 1
        if review.status == "open":
            review.unit_id = found.unit_id  # the record's unit now (a case transferred since it was listed)
            return 0
        if review.status == "erase" or (review.keep_until and review.keep_until > clock.today()):
            return 0
    db.session.add(
        RetentionReview(
            record_type=record_type,
            record_id=found.record_id,
            unit_id=found.unit_id,
            label=found.label[:40],
            ended_on=found.ended_on,
            due_on=found.ended_on + relativedelta(months=months),
        )
    )
    return 1


def _erasure_returned(review: RetentionReview) -> bool:
    """The erasure this review proposed was returned by the supervisor, or taken over by the survivor's own
    erasure request, and no erasure of the case is waiting or done (a request's sign-off still waiting keeps
    the review decided: the case is on its way out by the person's will)."""
    states = set(
        db.session.scalars(select(ErasureSignOff.status).where(ErasureSignOff.retention_review_id == review.id))
    )
    if not states & {"returned", "superseded"}:
        return False
    live = db.session.scalar(
        select(ErasureSignOff.id)
        .where(ErasureSignOff.case_id == review.record_id, ErasureSignOff.status.in_(("pending", "approved")))
        .limit(1)
    )
    return live is None


def _open_reviews_of(case: Case, child, child_type: str) -> list[RetentionReview]:
    """The open reviews of the case, of its livelihood plans and of its records of one more kind (`child`, a
    model with a case_id, reviewed as `child_type`)."""
    ids = {case.id}
    ids |= set(db.session.scalars(select(LivelihoodPlan.id).where(LivelihoodPlan.case_id == case.id)))
    ids |= set(db.session.scalars(select(child.id).where(child.case_id == case.id)))
    return list(
        db.session.scalars(
            select(RetentionReview).where(
                RetentionReview.status == "open",
                RetentionReview.record_type.in_(("closed_case", "livelihood_plan", child_type)),
                RetentionReview.record_id.in_(ids),
            )
        )
    )


@events.case_erased.connect
def close_reviews_of_erased_case(case: Case, actor) -> None:
    """An erased case leaves nothing to keep or to erase: the open reviews of the case, of its plans and of its
    referral packets (their text and keys die with the case) close as "erased", whichever sign-off erased it
    (the survivor's own request, typically), so the officer is not asked to decide on what no longer exists.
    A review of an answered rights request stays: the request's dates outlive the case (rights/services.py)."""
    for review in _open_reviews_of(case, Referral, "referral_packet"):
        review.status, review.decided_at = "erased", clock.now()
        audit.record(actor, "privacy.retention_closed", review, detail={"record_type": review.record_type})
    db.session.flush()


@events.case_moved.connect
def move_reviews_with_case(case: Case, from_unit_id: str, actor) -> None:
    """A transferred case is answered for by the receiving unit's officer: its open reviews (of the case, its
    livelihood plans and its answered rights requests, which the monthly job lists under the case's unit) go
    with it at once, not at the next monthly run. A referral's review stays with the unit that sent it."""
    for review in _open_reviews_of(case, RightsRequest, "rights_request"):
        review.unit_id = case.unit_id
    db.session.flush()


def officer_reviews(user):
    """The reviews the officer `user` may see and decide: those of the records of its units (like its rights
    requests and breaches; a review names a case's code, and "erase" proposes that case's erasure)."""
    return select(RetentionReview).where(RetentionReview.unit_id.in_(scope_for(user, "dpo")))


def open_reviews(user, limit: int = 500) -> list[RetentionReview]:
    return list(
        db.session.scalars(
            officer_reviews(user).where(RetentionReview.status == "open").order_by(RetentionReview.due_on).limit(limit)
        )
    )


def review_for(user, review_id: str) -> RetentionReview | None:
    return db.session.scalar(officer_reviews(user).where(RetentionReview.id == review_id))


def decide(review: RetentionReview, decision: str, reason: str, keep_until: date | None, *, actor) -> None:
    """The officer's decision on one record past retention: keep (why, until when) or propose erasure."""
    ensure(review.status == "open", _l("Hồ sơ này đã có quyết định."))
    ensure(decision in {code for code, _ in ref.REVIEW_DECISIONS}, _l("Vui lòng chọn quyết định."), "decision")
    reason = (reason or "").strip()
    ensure(reason, _l("Vui lòng ghi lý do (không ghi tên người được hỗ trợ)."), "reason")
    if decision == "keep":
        ensure(
            keep_until is not None and keep_until > clock.today(),
            _l("Tiếp tục lưu cần một ngày xem lại sau hôm nay."),
            "keep_until",
        )
    if decision == "erase" and review.record_type == "closed_case":
        # The erasure sign-off of the rights desk (second person, step-up); refused under a legal hold.
        proposed = events.answer(events.retention_erasure_proposed, review.record_id, review_id=review.id, actor=actor)
        ensure(proposed is not None, _l("Không gửi được đề nghị xoá; vui lòng thử lại."), "decision")
    review.status, review.reason, review.decided_by_id = decision, reason[:500], actor.id
    review.decided_at, review.keep_until = clock.now(), keep_until if decision == "keep" else None
    audit.record(
        actor, "privacy.retention_decide", review, detail={"record_type": review.record_type, "decision": decision}
    )
    db.session.flush()
