"""Operations of protection casework: each checks its legal rule (the refusal names the rule and its article,
beside the field it concerns), changes state, writes its audit entry (ids and codes only) and flushes; the view
commits once."""

from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import clock, events
from ..audit import services as audit
from ..cases.models import Case, FollowUp
from ..cases.restriction import ensure_processing_allowed
from ..cases.tally import refresh as refresh_tally
from ..extensions import db, utcnow
from ..services import ServiceError, ensure, ensure_found
from . import reference_data as ref
from . import rules
from .models import (
    AddressNotice,
    Entitlement,
    Evidence,
    ExceptionContact,
    Identification,
    Incident,
    IncidentViolence,
    Measure,
    NoContactOrder,
    OrderBreach,
    OrderCopy,
    Perpetrator,
    RiskAssessment,
)

MAX_AMOUNT = 500_000_000  # đồng: far above any regime; a typo with extra zeros is caught


def at_vn(day: date, hour: time | None = None) -> datetime:
    """A Việt Nam wall-clock moment as aware UTC (what is stored)."""
    return datetime.combine(day, hour or time(0, 0), tzinfo=clock.VN).astimezone(UTC)


def _open(case: Case, actor, action: str) -> None:
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá."))
    ensure_processing_allowed(case.id, action, actor=actor)


def _code(items, value, field: str, on: date | None = None) -> None:
    found = ref.find(items, value or "")
    ensure(
        found is not None and found.applies_on(on or clock.today()), _l("Vui lòng chọn một mục trong danh sách."), field
    )


def _not_future(day: date | None, field: str) -> None:
    ensure(day is None or day <= clock.today(), _l("Ngày không được sau hôm nay."), field)


def _record(actor, action: str, obj) -> None:
    db.session.flush()
    audit.record(actor, action, obj)


# --- perpetrators and incidents ------------------------------------------------------------------------


def add_perpetrator(case: Case, data: dict, *, actor) -> Perpetrator:
    """Record a perpetrator: coded sex, age band and relation; identity sealed under the case's key."""
    _open(case, actor, "protection.add_perpetrator")
    _code(ref.SEXES, data.get("sex"), "sex")
    _code(ref.PERPETRATOR_AGE_BANDS, data.get("age_band"), "age_band")
    _code(ref.RELATIONS, data.get("relation"), "relation")
    person = Perpetrator(
        case=case,
        case_id=case.id,
        sex=data["sex"],
        age_band=data["age_band"],
        relation=data["relation"],
        created_by_id=actor.id,
    )
    for name in ("full_name", "phone", "address", "note"):
        setattr(person, name, (data.get(name) or "").strip())
    db.session.add(person)
    _record(actor, "protection.perpetrator", person)
    return person


def add_incident(case: Case, data: dict, *, actor) -> Incident:
    """Record an incident: a day or an approximate period, place, forms of violence, perpetrators involved."""
    _open(case, actor, "protection.add_incident")
    day, start, end = data.get("occurred_on"), data.get("period_from"), data.get("period_to")
    ensure(day or start, _l("Nhập ngày xảy ra, hoặc khoảng thời gian ước chừng."), "occurred_on")
    ensure(not (start and end and end < start), _l("Ngày kết thúc không được trước ngày bắt đầu."), "period_to")
    for name in ("occurred_on", "period_from", "period_to"):
        _not_future(data.get(name), name)
    _code(ref.PLACE_TYPES, data.get("place_type"), "place_type")
    forms = sorted(set(data.get("forms") or []))
    ensure(forms, _l("Chọn ít nhất một hình thức bạo lực."), "forms")
    for form in forms:
        _code(ref.VIOLENCE_FORMS, form, "forms")
    sexual_kind = data.get("sexual_kind") or None
    if "sexual" in forms:
        ensure(
            sexual_kind, _l("Vui lòng chọn loại bạo lực tình dục: hiếp dâm hay xâm hại tình dục khác."), "sexual_kind"
        )
        _code(ref.SEXUAL_KINDS, sexual_kind, "sexual_kind")
    else:
        ensure(sexual_kind is None, _l("Chỉ chọn loại bạo lực tình dục khi có hình thức “Tình dục”."), "sexual_kind")
    mine = {p.id: p for p in db.session.scalars(select(Perpetrator).where(Perpetrator.case_id == case.id))}
    chosen = data.get("perpetrator_ids") or []
    ensure(all(pid in mine for pid in chosen), _l("Vui lòng chọn một mục trong danh sách."), "perpetrator_ids")
    incident = Incident(
        case=case,
        case_id=case.id,
        occurred_on=day,
        period_from=None if day else start,
        period_to=None if day else end,
        place_type=data["place_type"],
        reported_to_police=bool(data.get("reported_to_police")),
        sexual_kind=sexual_kind,
        forced_marriage=bool(data.get("forced_marriage")),
        created_by_id=actor.id,
    )
    incident.description = (data.get("description") or "").strip()
    incident.forms = [IncidentViolence(form=f) for f in forms]
    incident.perpetrators = [mine[pid] for pid in chosen]
    db.session.add(incident)
    _record(actor, "protection.incident", incident)
    refresh_tally(case)  # a year with an incident counts the victim in that year's age groups
    return incident


@events.case_erased.connect
def forget_incident_quarters(case: Case, actor) -> None:
    """Erasure leaves only counts: the quarter an incident counts in, the one date of it kept in clear, goes
    too (the counts made of it stay)."""
    db.session.execute(update(Incident).where(Incident.case_id == case.id).values(quarter=None))


# --- measures of Art. 22 --------------------------------------------------------------------------------


def add_measure(case: Case, data: dict, *, actor) -> Measure:
    """Record a protective or support measure of Law 13/2022 Art. 22."""
    _open(case, actor, "protection.add_measure")
    _code(ref.MEASURES, data.get("measure"), "measure")
    _code(ref.MEASURE_DECIDERS, data.get("decided_by"), "decided_by")
    _code(ref.MEASURE_OUTCOMES, data.get("outcome") or "ongoing", "outcome")
    _not_future(data.get("decided_on"), "decided_on")
    start, end = data.get("start_on"), data.get("end_on")
    ensure(not (start and end and end < start), _l("Ngày kết thúc không được trước ngày bắt đầu."), "end_on")
    measure = Measure(
        case=case,
        case_id=case.id,
        measure=data["measure"],
        decided_by=data["decided_by"],
        decided_on=data["decided_on"],
        start_on=start,
        end_on=end,
        outcome=data.get("outcome") or "ongoing",
        created_by_id=actor.id,
    )
    measure.note = (data.get("note") or "").strip()
    db.session.add(measure)
    _record(actor, "protection.measure", measure)
    refresh_tally(case)  # the statistics count measures by year and month (app/protection/tally.py)
    return measure


# --- no-contact orders (Law 13/2022 Art. 25–26; Decree 76/2023 Art. 18) -----------------------------------


def request_order(case: Case, data: dict, *, actor) -> NoContactOrder:
    """Record a request for a no-contact order: the 12-hour decision clock (Art. 25) starts."""
    _open(case, actor, "protection.request_order")
    _code(ref.ORDER_REQUESTERS, data.get("requested_by"), "requested_by")
    _code(ref.ORDER_DECIDERS, data.get("decider"), "decider")
    requested_at = data["requested_at"]
    ensure(requested_at <= clock.now(), _l("Thời điểm yêu cầu không được sau bây giờ."), "requested_on")
    order = NoContactOrder(
        case=case,
        case_id=case.id,
        requested_by=data["requested_by"],
        requested_at=requested_at,
        decider=data["decider"],
        perpetrator_id=_perpetrator_of(case, data.get("perpetrator_id")),
        status="requested",
        created_by_id=actor.id,
    )
    order.note = (data.get("note") or "").strip()
    db.session.add(order)
    _record(actor, "protection.order_request", order)
    return order


def _perpetrator_of(case: Case, perpetrator_id: str | None) -> str | None:
    if not perpetrator_id:
        return None
    not_listed = _l("Vui lòng chọn một mục trong danh sách.")
    found = ensure_found(db.session.get(Perpetrator, perpetrator_id), not_listed, "perpetrator_id")
    ensure(found.case_id == case.id, not_listed, "perpetrator_id")
    return found.id


def check_period(decider: str, starts_at: datetime, ends_at: datetime) -> None:
    """An order's period: end after start, and no longer than its legal maximum (Art. 25 or Art. 26)."""
    ensure(ends_at > starts_at, _l("Ngày kết thúc không được trước thời điểm có hiệu lực."), "end_on")
    rule = rules.ORDER_MAX[decider]
    ensure(
        ends_at <= rules.order_latest_end(decider, starts_at),
        _l("Quá thời hạn tối đa: %(rule)s (%(article)s).", rule=rule.label, article=rule.article),
        "end_on",
    )


def decide_order(order: NoContactOrder, data: dict, *, actor) -> None:
    """Record the decision on a request: granted (with its period) or refused."""
    _open(order.case, actor, "protection.decide_order")
    ensure(order.status == "requested", _l("Yêu cầu này đã có quyết định."), "outcome")
    decided_at = data["decided_at"]
    ensure(decided_at >= order.requested_at, _l("Thời điểm quyết định không được trước khi có yêu cầu."), "decided_on")
    ensure(decided_at <= clock.now(), _l("Thời điểm quyết định không được sau bây giờ."), "decided_on")
    order.decided_at = decided_at
    if data.get("outcome") == "refused":
        order.status = "refused"
    else:
        ends_at = ensure_found(
            clock.end_of_day(data["end_on"]) if data.get("end_on") else None,
            _l("Vui lòng nhập ngày kết thúc."),
            "end_on",
        )
        check_period(order.decider, decided_at, ends_at)  # effective on signature (Art. 25)
        order.status, order.starts_at, order.ends_at = "granted", decided_at, ends_at
        order.decision_number = (data.get("decision_number") or "").strip() or None
    _record(actor, f"protection.order_{order.status}", order)


def change_order(order: NoContactOrder, data: dict, *, actor) -> NoContactOrder:
    """Correct an order's end or number while it runs; once it has ended, the same form makes a renewal
    (a new decision), so an order is never silently extended."""
    _open(order.case, actor, "protection.change_order")
    not_granted = _l("Chỉ sửa được lệnh cấm tiếp xúc đã được quyết định.")
    ensure(order.status == "granted", not_granted, "end_on")
    if order.has_ended():
        return renew_order(order, data, actor=actor)
    ends_at = clock.end_of_day(data["end_on"])
    check_period(order.decider, ensure_found(order.starts_at, not_granted, "end_on"), ends_at)
    order.ends_at = ends_at
    order.decision_number = (data.get("decision_number") or "").strip() or order.decision_number
    _record(actor, "protection.order_change", order)
    return order


def renew_order(order: NoContactOrder, data: dict, *, actor) -> NoContactOrder:
    """A renewal: a new decision of the same decider, from its own signature, within its own maximum."""
    _open(order.case, actor, "protection.renew_order")
    starts_at = data.get("decided_at") or clock.now()
    previous_start = ensure_found(order.starts_at, _l("Chỉ sửa được lệnh cấm tiếp xúc đã được quyết định."), "end_on")
    ensure(starts_at >= previous_start, _l("Lần gia hạn phải bắt đầu sau lệnh trước."), "decided_on")
    ends_at = clock.end_of_day(data["end_on"])
    check_period(order.decider, starts_at, ends_at)
    renewal = NoContactOrder(
        case=order.case,
        case_id=order.case_id,
        perpetrator_id=order.perpetrator_id,
        renewal_of_id=order.id,
        requested_by=data.get("requested_by") or order.requested_by,
        requested_at=starts_at,
        decider=order.decider,
        status="granted",
        decided_at=starts_at,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_id=actor.id,
        decision_number=(data.get("decision_number") or "").strip() or None,
    )
    db.session.add(renewal)
    _record(actor, "protection.order_renewal", renewal)
    return renewal


def add_copy(order: NoContactOrder, data: dict, *, actor) -> OrderCopy:
    """Record a copy of the decision sent to one of the recipients Art. 25 names."""
    _open(order.case, actor, "protection.add_copy")
    _code(ref.COPY_RECIPIENTS, data.get("recipient"), "recipient")
    _not_future(data.get("sent_on"), "sent_on")
    ensure(order.status == "granted", _l("Chỉ gửi bản sao của quyết định đã ban hành."), "recipient")
    copy = OrderCopy(
        order=order, order_id=order.id, case_id=order.case_id, recipient=data["recipient"], sent_on=data["sent_on"]
    )
    db.session.add(copy)
    _record(actor, "protection.order_copy", copy)
    return copy


def add_breach(order: NoContactOrder, data: dict, *, actor) -> OrderBreach:
    """Record a breach of the order."""
    _open(order.case, actor, "protection.add_breach")
    occurred_at = data["occurred_at"]
    ensure(occurred_at <= clock.now(), _l("Thời điểm vi phạm không được sau bây giờ."), "occurred_on")
    ensure(
        order.status == "granted" and order.starts_at <= occurred_at <= order.ends_at,
        _l("Vi phạm phải xảy ra trong thời gian lệnh có hiệu lực."),
        "occurred_on",
    )
    breach = OrderBreach(
        order=order,
        order_id=order.id,
        case_id=order.case_id,
        case=order.case,
        occurred_at=occurred_at,
        reported_to_police=bool(data.get("reported_to_police")),
        created_by_id=actor.id,
    )
    breach.description = (data.get("description") or "").strip()
    db.session.add(breach)
    _record(actor, "protection.order_breach", breach)
    return breach


def request_exception(order: NoContactOrder, data: dict, *, actor) -> ExceptionContact:
    """An exception contact (Decree 76/2023 Art. 18): a listed reason, at most 4 hours, within the order;
    it waits for the supervisor's co-signature on form 09."""
    _open(order.case, actor, "protection.request_exception")
    rule = rules.EXCEPTION_MAX
    found = ensure_found(
        ref.find(ref.EXCEPTION_REASONS, data.get("reason") or ""),
        _l("Lý do tiếp xúc phải là một trong các trường hợp của %(article)s.", article=rule.article),
        "reason",
    )
    starts_at, ends_at = data["starts_at"], data["ends_at"]
    ensure(ends_at > starts_at, _l("Giờ kết thúc phải sau giờ bắt đầu."), "end_time")
    ensure(
        (ends_at - starts_at).total_seconds() <= rule.amount * 3600,
        _l("Quá thời hạn tối đa: %(rule)s (%(article)s).", rule=rule.label, article=rule.article),
        "end_time",
    )
    ensure(
        order.status == "granted" and order.starts_at <= starts_at and ends_at <= order.ends_at,
        _l("Lần tiếp xúc phải nằm trong thời gian lệnh có hiệu lực."),
        "day",
    )
    contact = ExceptionContact(
        order=order,
        order_id=order.id,
        case=order.case,
        case_id=order.case_id,
        reason=found.code,
        starts_at=starts_at,
        ends_at=ends_at,
        form09_on=data["form09_on"],
        status="pending",
        requested_by_id=actor.id,
    )
    contact.note = (data.get("note") or "").strip()
    db.session.add(contact)
    _record(actor, "protection.exception_request", contact)
    return contact


def cosign_exception(contact: ExceptionContact, *, actor) -> None:
    """The supervisor co-signs the form 09 request."""
    _open(contact.case, actor, "protection.cosign_exception")
    ensure(contact.status == "pending", _l("Yêu cầu này đã được ký."))
    ensure(contact.requested_by_id != actor.id, _l("Người đề nghị không tự ký duyệt."))
    contact.status, contact.cosigned_by_id, contact.cosigned_at = "cosigned", actor.id, utcnow()
    _record(actor, "protection.exception_cosign", contact)


# --- trafficking identification (Law 53/2024 Art. 27, 32–33) ---------------------------------------------


def save_identification(case: Case, data: dict, *, actor) -> Identification:
    """Record (or update) the identification steps of a trafficking case."""
    _open(case, actor, "protection.save_identification")
    ensure(
        case.kind in ("trafficking", "both"),
        _l("Chỉ hồ sơ mua bán người mới có bước xác định nạn nhân."),
        "received_by",
    )
    _code(ref.RECEIVERS, data.get("received_by"), "received_by")
    outcome = data.get("outcome") or "pending"
    _code(ref.ID_OUTCOMES, outcome, "outcome")
    received = data["received_on"]
    for name in (
        "received_on",
        "brought_to_commune_on",
        "health_dept_notified_on",
        "verified_with_police_on",
        "outcome_on",
    ):
        _not_future(data.get(name), name)
        ensure(data.get(name) is None or data[name] >= received, _l("Ngày này không được trước ngày tiếp nhận."), name)
    if outcome != "pending":
        ensure(
            data.get("outcome_on"),
            _l("Kết quả xác minh cần có ngày (%(article)s).", article=rules.VERIFICATION.article),
            "outcome_on",
        )
    ident = db.session.scalar(select(Identification).where(Identification.case_id == case.id))
    created = ident is None
    if ident is None:
        ident = Identification(case=case, case_id=case.id, created_by_id=actor.id)
        db.session.add(ident)
    for name in (
        "received_by",
        "received_on",
        "brought_to_commune_on",
        "health_dept_notified_on",
        "verified_with_police_on",
        "outcome_on",
    ):
        setattr(ident, name, data.get(name))
    ident.outcome = outcome
    ident.urgent_support = bool(data.get("urgent_support"))
    # "Being protected" holds before the outcome; a person found not to be a victim is no longer.
    ident.being_protected = bool(data.get("being_protected")) and outcome != "not_victim"
    ident.note = (data.get("note") or "").strip()
    _record(actor, "protection.identification" if created else "protection.identification_edit", ident)
    return ident


def add_evidence(ident: Identification, data: dict, *, actor) -> Evidence:
    """Add a document evidencing victim status (Art. 32–33)."""
    _open(ident.case, actor, "protection.add_evidence")
    _code(ref.EVIDENCE_KINDS, data.get("kind"), "kind")
    _not_future(data.get("issued_on"), "issued_on")
    evidence = Evidence(
        identification=ident,
        identification_id=ident.id,
        case=ident.case,
        case_id=ident.case_id,
        kind=data["kind"],
        issued_on=data.get("issued_on"),
    )
    evidence.reference = (data.get("reference") or "").strip()
    db.session.add(evidence)
    _record(actor, "protection.evidence", evidence)
    return evidence


# --- support regimes (Decree 162/2025 Art. 17–25) ---------------------------------------------------------


def _check_entitlement(regime: str, granted: date, started: date | None, ended: date | None, amount) -> None:
    ensure(not (started and started < granted), _l("Ngày bắt đầu không được trước ngày được duyệt."), "started_on")
    ensure(not (ended and not started), _l("Nhập ngày bắt đầu trước khi ghi ngày kết thúc."), "started_on")
    ensure(not (started and ended and ended < started), _l("Ngày kết thúc không được trước ngày bắt đầu."), "ended_on")
    limit = rules.limit_end(regime, started) if started else None
    if limit and ended:
        rule = rules.REGIME_LIMITS[regime]
        ensure(
            clock.end_of_day(ended) <= limit,
            _l("Quá thời hạn tối đa: %(rule)s (%(article)s).", rule=rule.label, article=rule.article),
            "ended_on",
        )
    ensure(amount is None or 0 <= amount <= MAX_AMOUNT, _l("Số tiền không hợp lệ."), "amount")


def grant_entitlement(case: Case, data: dict, *, actor) -> Entitlement:
    """Record a support regime granted to the case."""
    _open(case, actor, "protection.grant_entitlement")
    _code(ref.REGIMES, data.get("regime"), "regime")
    _code(ref.RESPONSIBLE_BODIES, data.get("responsible_body"), "responsible_body")
    _not_future(data.get("granted_on"), "granted_on")
    _check_entitlement(
        data["regime"], data["granted_on"], data.get("started_on"), data.get("ended_on"), data.get("amount")
    )
    ent = Entitlement(
        case=case,
        case_id=case.id,
        regime=data["regime"],
        responsible_body=data["responsible_body"],
        granted_on=data["granted_on"],
        started_on=data.get("started_on"),
        ended_on=data.get("ended_on"),
        amount=data.get("amount"),
        created_by_id=actor.id,
    )
    ent.note = (data.get("note") or "").strip()
    db.session.add(ent)
    _record(actor, "protection.entitlement", ent)
    return ent


def update_entitlement(ent: Entitlement, data: dict, *, actor) -> None:
    """Record when an entitlement started or ended."""
    _open(ent.case, actor, "protection.update_entitlement")
    started, ended = data.get("started_on") or ent.started_on, data.get("ended_on")
    _check_entitlement(ent.regime, ent.granted_on, started, ended, ent.amount)
    ent.started_on, ent.ended_on = started, ended
    _record(actor, "protection.entitlement_edit", ent)


# --- the trusted address's notification (Law 13/2022 Art. 19) --------------------------------------------


def record_notice(case: Case, data: dict, *, actor) -> AddressNotice:
    """Record that the trusted address notified the UBND xã of the victim it received."""
    _open(case, actor, "protection.record_notice")
    _code(ref.NOTICE_METHODS, data.get("method"), "method")
    _not_future(data.get("notified_on"), "notified_on")
    ack = data.get("acknowledged_on")
    _not_future(ack, "acknowledged_on")
    ensure(
        not (ack and ack < data["notified_on"]), _l("Ngày xác nhận không được trước ngày thông báo."), "acknowledged_on"
    )
    notice = AddressNotice(
        case=case,
        case_id=case.id,
        notified_on=data["notified_on"],
        method=data["method"],
        acknowledged_on=ack,
        created_by_id=actor.id,
    )
    notice.note = (data.get("note") or "").strip()
    db.session.add(notice)
    _record(actor, "protection.notice", notice)
    return notice


# --- risk reassessment ----------------------------------------------------------------------------------


def score_risk(answers: dict) -> tuple[int, str]:
    """The count of "yes" answers, and the level: high on any critical answer or 4+, medium on 2–3."""
    score = sum(1 for q in ref.codes(ref.RISK_QUESTIONS) if answers.get(q))
    if score >= 4 or any(answers.get(q) for q in ref.CRITICAL_QUESTIONS):
        return score, "high"
    return score, "medium" if score >= 2 else "low"


def assess_risk(case: Case, data: dict, *, actor) -> RiskAssessment:
    """Record a reassessment; a rise to high asks for a safety-plan review and tells the supervisor."""
    _open(case, actor, "protection.assess_risk")
    _not_future(data.get("assessed_on"), "assessed_on")
    answers = {q: bool((data.get("answers") or {}).get(q)) for q in ref.codes(ref.RISK_QUESTIONS)}
    score, level = score_risk(answers)
    previous = db.session.scalar(
        select(RiskAssessment)
        .where(RiskAssessment.case_id == case.id)
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.created_at.desc())
        .limit(1)
    )
    followup_id = data.get("followup_id") or None
    if followup_id:
        followup = db.session.get(FollowUp, followup_id)
        ensure(
            followup is not None and followup.case_id == case.id,
            _l("Vui lòng chọn một mục trong danh sách."),
            "followup_id",
        )
    rose = level == "high" and (previous is None or previous.level != "high")
    assessment = RiskAssessment(
        case=case,
        case_id=case.id,
        followup_id=followup_id,
        assessed_on=data["assessed_on"],
        score=score,
        level=level,
        review_needed=rose,
        created_by_id=actor.id,
    )
    assessment.answers = answers
    assessment.note = (data.get("note") or "").strip()
    db.session.add(assessment)
    if case.risk_level != level:
        case.risk_level = level  # the summary tier follows the latest structured assessment
    _record(actor, "protection.risk", assessment)
    return assessment


def mark_reviewed(assessment: RiskAssessment, *, actor) -> None:
    """The safety plan was reviewed after a rise to high risk."""
    _open(assessment.case, actor, "protection.mark_reviewed")
    ensure(assessment.review_needed and assessment.reviewed_at is None, _l("Không có việc rà soát nào đang chờ."))
    assessment.reviewed_at = utcnow()
    _record(actor, "protection.risk_reviewed", assessment)


__all__ = [
    "ServiceError",
    "add_breach",
    "add_copy",
    "add_evidence",
    "add_incident",
    "add_measure",
    "add_perpetrator",
    "assess_risk",
    "at_vn",
    "change_order",
    "check_period",
    "cosign_exception",
    "decide_order",
    "grant_entitlement",
    "mark_reviewed",
    "record_notice",
    "renew_order",
    "request_exception",
    "request_order",
    "save_identification",
    "score_risk",
    "update_entitlement",
]
