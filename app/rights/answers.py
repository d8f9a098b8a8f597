"""Carrying out a survivor's request on the record: a correction (the old value kept, sealed), a restriction
of processing (no referral, no edit, no statistics until lifted), legal holds, and erasure after a supervisor's
sign-off (second person). Each step is audited; services flush, the request commits."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock, events
from ..audit import services as audit
from ..cases import services as case_services
from ..extensions import db, utcnow
from ..services import ensure, ensure_found
from ..web.filters import date_vn
from . import reference_data as ref
from .models import CaseCorrection, ErasureSignOff, LegalHold, Restriction, RightsRequest
from .services import refuse

CORRECTABLE = {name: kind for name, _label, kind in ref.CORRECTABLE}
ANSWERED = _l("Yêu cầu đã được trả lời; chỉ có thể ghi chú thêm.")


def _open_of_kind(req: RightsRequest, kind: str, message) -> None:
    ensure(req.kind == kind, message)
    ensure(req.is_open, ANSWERED)
    ensure(not req.case.is_erased, _l("Hồ sơ đã bị xoá."))


# --- corrections ------------------------------------------------------------------------------------------


def correct(req: RightsRequest, field: str, value, *, actor) -> CaseCorrection:
    """Change one field of the case through the case's own edit path, keeping the value it had (sealed)."""
    _open_of_kind(req, "correct", _l("Chỉ sửa dữ liệu theo yêu cầu chỉnh sửa."))
    ensure(field in CORRECTABLE, _l("Vui lòng chọn thông tin cần sửa."), "field")
    if isinstance(value, str):
        value = value.strip()
    ensure(value not in (None, ""), _l("Vui lòng nhập giá trị đúng."), "value")
    case = req.case
    before = getattr(case, field)
    changed = case_services.update_case(case, {field: value}, actor=actor, version=case.version, correction=True)
    ensure(changed, _l("Giá trị mới giống giá trị đang lưu."), "value")
    row = CaseCorrection(
        case=case, case_id=case.id, request_id=req.id, field=field, corrected_by_id=actor.id, corrected_at=utcnow()
    )
    row.previous = {"value": before.isoformat() if isinstance(before, date) else before}
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "rights.correct", row, detail={"field": field, "request_id": req.id})
    return row


def corrections_of(case_id: str, request_id: str | None = None) -> list[CaseCorrection]:
    stmt = select(CaseCorrection).where(CaseCorrection.case_id == case_id)
    if request_id:
        stmt = stmt.where(CaseCorrection.request_id == request_id)
    return list(db.session.scalars(stmt.order_by(CaseCorrection.corrected_at.desc())))


def history(case_id: str, request_id: str | None = None) -> list[dict]:
    """The corrections of a case as shown to its counsellors: field, the value before, who and when."""
    from ..auth.models import User

    rows = corrections_of(case_id, request_id)
    people = {
        u.id: u.display_name or u.username
        for u in db.session.scalars(select(User).where(User.id.in_({r.corrected_by_id for r in rows})))
    }
    labels = {name: label for name, label, _kind in ref.CORRECTABLE}
    shown = []
    for row in rows:
        before = (row.previous or {}).get("value")
        if CORRECTABLE.get(row.field) == "date" and before:
            before = date_vn(date.fromisoformat(before))
        shown.append(
            {
                "field": labels.get(row.field, row.field),
                "before": before,
                "at": row.corrected_at,
                "by": people.get(row.corrected_by_id or "", ""),
                "request_id": row.request_id,
            }
        )
    return shown


# --- restriction ------------------------------------------------------------------------------------------


def restriction_in_force(case_id: str) -> Restriction | None:
    return db.session.scalar(select(Restriction).where(Restriction.case_id == case_id, Restriction.lifted_at.is_(None)))


@events.processing_restricted.connect
def _restricted(case_id: str) -> str | None:
    return "restricted" if restriction_in_force(case_id) is not None else None


def restrict(req: RightsRequest, *, actor) -> Restriction:
    """Freeze processing of the case: it stays, but is not referred, edited or counted until lifted."""
    _open_of_kind(req, "restrict", _l("Chỉ hạn chế xử lý theo yêu cầu hạn chế xử lý."))
    ensure(restriction_in_force(req.case_id) is None, _l("Hồ sơ này đang bị hạn chế xử lý."))
    row = Restriction(case_id=req.case_id, request_id=req.id, started_at=utcnow(), started_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "rights.restrict", row, case_id=req.case_id, detail={"request_id": req.id})
    events.restriction_changed.send(req.case, actor=actor)
    return row


def lift(req: RightsRequest, reason: str, *, actor) -> Restriction:
    """End the restriction started on this request, with a coded reason; the case counts again."""
    row = db.session.scalar(
        select(Restriction).where(Restriction.request_id == req.id, Restriction.lifted_at.is_(None))
    )
    row = ensure_found(row, _l("Không có hạn chế xử lý nào đang áp dụng theo yêu cầu này."))
    ensure(reason in dict(ref.LIFT_REASONS), _l("Vui lòng chọn lý do gỡ hạn chế."), "reason")
    row.lifted_at, row.lifted_by_id, row.lift_reason = utcnow(), actor.id, reason
    db.session.flush()
    audit.record(actor, "rights.restriction_lift", row, case_id=req.case_id, detail={"reason": reason})
    events.restriction_changed.send(req.case, actor=actor)
    return row


def restrictions_of(case_id: str) -> list[Restriction]:
    return list(
        db.session.scalars(
            select(Restriction).where(Restriction.case_id == case_id).order_by(Restriction.started_at.desc())
        )
    )


# --- legal holds ------------------------------------------------------------------------------------------


def add_hold(case, data: dict, *, actor) -> LegalHold:
    """Record why the case may not be erased yet (a court order, a criminal proceeding, a retention period)."""
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá."))
    kind = data.get("kind")
    ensure(kind in dict(ref.HOLD_KINDS), _l("Vui lòng chọn loại căn cứ giữ hồ sơ."), "kind")
    ends_on = data.get("ends_on")
    ensure(kind != "retention" or ends_on is not None, _l("Thời hạn lưu trữ cần ngày hết hạn."), "ends_on")
    ensure(ends_on is None or ends_on >= clock.today(), _l("Ngày kết thúc không được ở quá khứ."), "ends_on")
    reason = (data.get("reason") or "").strip()
    ensure(reason, _l("Vui lòng ghi căn cứ (ví dụ: toà án, số quyết định, số vụ án)."), "reason")
    hold = LegalHold(case=case, case_id=case.id, kind=kind, ends_on=ends_on, created_by_id=actor.id)
    hold.reason = reason
    db.session.add(hold)
    db.session.flush()
    audit.record(actor, "rights.hold_add", hold, detail={"kind": kind})
    return hold


def release_hold(hold: LegalHold, *, actor) -> None:
    """The court order ended, the proceeding closed: the hold no longer keeps the case."""
    ensure(hold.released_at is None, _l("Căn cứ này đã được gỡ."))
    hold.released_at, hold.released_by_id = utcnow(), actor.id
    audit.record(actor, "rights.hold_release", hold, detail={"kind": hold.kind})
    db.session.flush()


def holds_of(case_id: str) -> list[LegalHold]:
    return list(
        db.session.scalars(select(LegalHold).where(LegalHold.case_id == case_id).order_by(LegalHold.created_at.desc()))
    )


def holds_in_force(case_id: str, on: date | None = None) -> list[LegalHold]:
    on = on or clock.today()
    return [h for h in holds_of(case_id) if h.in_force(on)]


def _hold_list(holds: list[LegalHold]) -> str:
    kinds = dict(ref.HOLD_KINDS)
    parts = []
    for hold in holds:
        until = _l("đến ngày %(day)s", day=date_vn(hold.ends_on)) if hold.ends_on else None
        parts.append(f"{kinds[hold.kind]} ({until})" if until else str(kinds[hold.kind]))
    return "; ".join(parts)


def _hold_explanation(holds: list[LegalHold]) -> str:
    return str(
        _l(
            "Chưa thể xoá dữ liệu vì: %(holds)s. Dữ liệu được giữ đến khi căn cứ này hết; bạn có thể hỏi "
            "lại sau ngày đó.",
            holds=_hold_list(holds),
        )
    )


# --- erasure by request -----------------------------------------------------------------------------------


def pending_erasure(req_id: str) -> ErasureSignOff | None:
    return db.session.scalar(
        select(ErasureSignOff).where(ErasureSignOff.request_id == req_id, ErasureSignOff.status == "pending")
    )


def _waiting_on_case(case_id: str) -> list[ErasureSignOff]:
    """The erasures of the case waiting for a supervisor, the case row locked first: two proposals made at the
    same moment (the officer's and the counsellor's) are taken one after the other, each seeing the other's."""
    from ..cases.models import Case

    db.session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
    return list(
        db.session.scalars(
            select(ErasureSignOff)
            .where(ErasureSignOff.case_id == case_id, ErasureSignOff.status == "pending")
            .order_by(ErasureSignOff.proposed_at)
        )
    )


def propose_erasure(req: RightsRequest, *, actor) -> ErasureSignOff | None:
    """Ask the supervisor to sign the erasure off; under a legal hold, refuse with the coded reason instead.

    Returns the sign-off waiting, or None when the request was refused (the holds are in its answer).

    A retention proposal waiting on the same case is closed as superseded by this one (its own row says so,
    pointing here; audited; its page tells the supervisors), so that only one erasure of the case runs at once.
    Why the survivor's request takes over rather than being refused or made to wait: it has a legal clock (20
    days to delete, Decree 356 Art. 5) and must be answered, or refused only for a reason the person is given
    (Law 91/2025 Art. 14) — a retention proposal waiting is no such reason, and it has neither a clock nor a
    person to answer. Waiting behind it would delay the request for the controller's reasons (a supervisor who
    returns the retention proposal would leave the person's request at the start), and an approval of it would
    erase the case without ever answering the request. Taken over, the same supervisors sign off the same
    outcome, now under the request's clock, and the approval answers the request. The reverse order is refused
    (`propose_retention_erasure`): the erasure the schedule wants is already on its way, by the person's will."""
    _open_of_kind(req, "delete", _l("Chỉ đề nghị xoá theo yêu cầu xoá dữ liệu."))
    waiting = _waiting_on_case(req.case_id)
    ensure(not any(w.request_id == req.id for w in waiting), _l("Đã gửi đề nghị xoá, đang chờ giám sát viên duyệt."))
    other = next((w for w in waiting if w.origin == "request"), None)
    ensure(
        other is None,
        _l(
            "Hồ sơ này đã có đề nghị xoá theo một yêu cầu khác của người được hỗ trợ (nhận ngày %(day)s), đang "
            "chờ giám sát viên duyệt. Khi được duyệt, yêu cầu này cũng được trả lời.",
            day=date_vn(clock.local_date(other.request.received_at)) if other and other.request else "",
        ),
    )
    holds = holds_in_force(req.case_id)
    if holds:
        refuse(req, "legal_hold", _hold_explanation(holds), actor=actor)
        return None
    row = ErasureSignOff(
        request_id=req.id, case_id=req.case_id, status="pending", proposed_by_id=actor.id, proposed_at=utcnow()
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "rights.erase_propose", row, case_id=req.case_id)
    for old in waiting:  # (retention proposals only: another request's was refused above)
        old.status, old.superseded_by_id, old.decided_at = "superseded", row.id, utcnow()
        audit.record(
            actor,
            "rights.erase_supersede",
            old,
            case_id=req.case_id,
            detail={"origin": old.origin, "review_id": old.retention_review_id, "by": row.id},
        )
    db.session.flush()
    return row


def successor(row: ErasureSignOff) -> ErasureSignOff | None:
    """The survivor's erasure that took this retention proposal over, if one did."""
    return db.session.get(ErasureSignOff, row.superseded_by_id) if row.superseded_by_id else None


def superseded_by(row: ErasureSignOff) -> list[ErasureSignOff]:
    """The retention proposals this survivor's erasure took over (shown to the supervisor who signs it off)."""
    return list(db.session.scalars(select(ErasureSignOff).where(ErasureSignOff.superseded_by_id == row.id)))


@events.retention_erasure_proposed.connect
def _proposed_by_retention(case_id: str, *, review_id: str, actor) -> ErasureSignOff:
    return propose_retention_erasure(case_id, review_id, actor=actor)


def propose_retention_erasure(case_id: str, review_id: str, *, actor) -> ErasureSignOff:
    """A closed case past its retention period, proposed for erasure by the data-protection officer: the same
    sign-off as a survivor's erasure request (a supervisor of the case's unit, second person, step-up). Under a
    legal hold it is refused with the holds named (the officer keeps the case until they end)."""
    from ..cases.models import Case

    case = db.session.get(Case, case_id)
    ensure(case is not None and not case.is_erased, _l("Hồ sơ đã bị xoá."), "decision")
    waiting = _waiting_on_case(case_id)
    # A survivor's own erasure request waiting: refused, it already carries the erasure (see propose_erasure).
    ensure(
        not any(w.origin == "request" for w in waiting),
        _l(
            "Hồ sơ này đã có đề nghị xoá theo yêu cầu của chính người được hỗ trợ, đang chờ giám sát viên duyệt, "
            "nên không cần đề nghị xoá theo lịch lưu trữ. Nếu đề nghị đó bị trả lại, hãy quyết định lại."
        ),
        "decision",
    )
    ensure(not waiting, _l("Hồ sơ này đã có đề nghị xoá đang chờ giám sát viên duyệt."), "decision")
    holds = holds_in_force(case_id)
    ensure(
        not holds,
        _l(
            "Không đề nghị xoá được: hồ sơ đang có căn cứ giữ lại (%(holds)s). Hãy chọn tiếp tục lưu đến khi "
            "căn cứ hết.",
            holds=_hold_list(holds),
        ),
        "decision",
    )
    row = ErasureSignOff(
        origin="retention",
        retention_review_id=review_id,
        case_id=case_id,
        status="pending",
        proposed_by_id=actor.id,
        proposed_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor, "rights.erase_propose", row, case_id=case_id, detail={"origin": "retention", "review_id": review_id}
    )
    return row


def decide_erasure(row: ErasureSignOff, approve: bool, *, actor) -> None:
    """A supervisor of the case's unit, not the one who proposed it, approves (the case is erased) or returns."""
    ensure(row.status == "pending", _l("Đề nghị này đã được xử lý."))
    ensure(not row.case.is_erased, _l("Hồ sơ đã bị xoá."))  # by another sign-off of the same case
    req = row.request  # None when the retention schedule proposed it
    ensure(
        actor.id not in {row.proposed_by_id, req.recorded_by_id if req else None},
        _l("Người thứ hai phải duyệt: bạn đã ghi nhận hoặc đề nghị việc xoá này."),
    )
    ensure(
        not approve or not holds_in_force(row.case_id),
        _l("Hồ sơ đang có căn cứ giữ lại (toà án, điều tra, thời hạn lưu trữ): không xoá được. Hãy trả lại đề nghị."),
    )
    row.status, row.decided_by_id, row.decided_at = ("approved" if approve else "returned"), actor.id, utcnow()
    if not approve:
        audit.record(actor, "rights.erase_return", row, case_id=row.case_id, detail={"origin": row.origin})
        db.session.flush()
        return
    audit.record(actor, "rights.erase_approve", row, case_id=row.case_id, detail={"origin": row.origin})
    case_services.erase_case(row.case, actor)
    # Every erasure request of the person still open is answered by it (this sign-off's, and one recorded but
    # not yet proposed, e.g. beside a retention proposal): after erasure none could be answered any more.
    # The answer's words would be sealed under the key that was just destroyed: the state and dates say it.
    now = clock.now()
    for open_req in db.session.scalars(
        select(RightsRequest).where(
            RightsRequest.case_id == row.case_id,
            RightsRequest.kind == "delete",
            RightsRequest.status.in_(("received", "acknowledged")),
        )
    ):
        open_req.acknowledged_at = open_req.acknowledged_at or now
        open_req.status, open_req.answered_at, open_req.answered_by_id = "answered", now, actor.id
        audit.record(actor, "rights.answer", open_req, case_id=row.case_id, detail={"erasure_id": row.id})
    db.session.flush()


def erasures_waiting(unit_ids) -> list[ErasureSignOff]:
    from ..cases.models import Case

    return list(
        db.session.scalars(
            select(ErasureSignOff)
            .join(Case, ErasureSignOff.case_id == Case.id)
            .where(ErasureSignOff.status == "pending", Case.unit_id.in_(unit_ids), Case.erased_at.is_(None))
            .order_by(ErasureSignOff.proposed_at)
        )
    )
