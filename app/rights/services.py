"""The rights desk and the breach register: record, acknowledge, extend once, answer or refuse, annotate."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock, events
from ..audit import services as audit
from ..deadlines import due_at
from ..extensions import db
from ..services import ensure, ensure_found
from . import reference_data as ref
from . import rules
from .models import Breach, CaseCorrection, LegalHold, RightsRequest

KIND_CODES = {code for code, _ in ref.REQUEST_KINDS}


def _codes(pairs) -> set[str]:
    return {code for code, _ in pairs}


def record_request(case, data: dict, *, actor) -> RightsRequest:
    """Record a survivor's request (often spoken at the trusted address) and start its two clocks."""
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá."))
    ensure(data.get("kind") in KIND_CODES, _l("Vui lòng chọn loại yêu cầu."), "kind")
    ensure(
        data.get("identity_check") in _codes(ref.IDENTITY_CHECKS),
        _l("Cần ghi cách đã xác minh người yêu cầu trước khi nhận yêu cầu."),
        "identity_check",
    )
    ensure(data.get("channel") in _codes(ref.CHANNELS), _l("Vui lòng chọn cách nhận yêu cầu."), "channel")
    received = clock.now()
    third = bool(data.get("third_parties"))
    req = RightsRequest(
        case=case,
        case_id=case.id,
        kind=data["kind"],
        channel=data["channel"],
        identity_check=data["identity_check"],
        third_parties=third,
        received_at=received,
        ack_due_at=due_at(rules.ACKNOWLEDGE, received),
        answer_due_at=due_at(rules.answer_rule(data["kind"], third), received),
        recorded_by_id=actor.id,
    )
    req.details = (data.get("details") or "").strip() or None
    db.session.add(req)
    db.session.flush()
    audit.record(actor, "rights.record", req, detail={"kind": req.kind})
    return req


def acknowledge(req: RightsRequest, *, actor) -> None:
    """The person was told their request is received (the printable acknowledgement)."""
    ensure(req.status == "received", _l("Yêu cầu này đã được xác nhận."))
    req.status, req.acknowledged_at = "acknowledged", clock.now()
    audit.record(actor, "rights.acknowledge", req)
    db.session.flush()


def extend(req: RightsRequest, days: int | None, reason: str, *, actor) -> None:
    """One recorded extension, within the legal limit for that kind of request."""
    ensure(req.is_open, _l("Yêu cầu đã được trả lời; chỉ có thể ghi chú thêm."))
    ensure(req.extension_days == 0, _l("Chỉ được gia hạn một lần."), "days")
    limit = rules.max_extension(req.kind)
    beyond = _l("Gia hạn từ 1 đến %(n)d ngày với loại yêu cầu này (%(law)s).", n=limit, law=rules.DEADLINES)
    days = ensure_found(days, beyond, "days")
    ensure(1 <= days <= limit, beyond, "days")
    ensure(reason and reason.strip(), _l("Vui lòng ghi lý do gia hạn."), "reason")
    req.extension_days, req.extension_reason = days, reason.strip()
    req.answer_due_at = req.answer_due_at + timedelta(days=days)
    audit.record(actor, "rights.extend", req, detail={"days": days})
    db.session.flush()


def answer(req: RightsRequest, text: str, *, actor) -> None:
    """Record what was done for the person; the answer cannot be edited afterwards, only annotated."""
    ensure(req.is_open, _l("Yêu cầu đã được trả lời; chỉ có thể ghi chú thêm."))
    ensure(text and text.strip(), _l("Vui lòng ghi nội dung trả lời."), "text")
    _close(req, "answered", text, actor)
    audit.record(actor, "rights.answer", req)


def refuse(req: RightsRequest, code: str, explanation: str, *, actor) -> None:
    """Refuse with a coded reason and a written explanation the person is given (Law 91/2025 Art. 14(2),(5))."""
    ensure(req.is_open, _l("Yêu cầu đã được trả lời; chỉ có thể ghi chú thêm."))
    ensure(code in _codes(ref.REFUSAL_REASONS), _l("Từ chối phải có lý do theo danh mục."), "code")
    ensure(
        explanation and explanation.strip(),
        _l("Từ chối phải có giải thích bằng văn bản để báo cho người yêu cầu (Luật 91/2025 Điều 14)."),
        "explanation",
    )
    req.refusal_code = code
    _close(req, "refused", explanation, actor)
    audit.record(actor, "rights.refuse", req, detail={"code": code})


def _close(req: RightsRequest, status: str, text: str, actor) -> None:
    now = clock.now()
    if req.acknowledged_at is None:
        req.acknowledged_at = now  # an answer given at once is its own acknowledgement
    req.status, req.answered_at, req.answered_by_id = status, now, actor.id
    req.answer = text.strip()
    db.session.flush()


def annotate(req: RightsRequest, text: str, *, actor) -> None:
    """Add a note to an answered request (the answer itself stays as it was)."""
    ensure(not req.is_open, _l("Ghi chú thêm chỉ dành cho yêu cầu đã trả lời."))
    ensure(text and text.strip(), _l("Vui lòng nhập ghi chú."), "text")
    req.notes = [*(req.notes or []), {"at": clock.now().isoformat(), "by": actor.id, "text": text.strip()}]
    audit.record(actor, "rights.annotate", req)
    db.session.flush()


def record_copy(req: RightsRequest, fmt: str, *, actor) -> None:
    """The survivor's copy was produced (page, PDF or DOCX): audited, and the request shows when."""
    ensure(req.kind == "view_copy", _l("Bản sao chỉ dành cho yêu cầu xem, nhận bản sao dữ liệu."))
    ensure(not req.case.is_erased, _l("Hồ sơ đã bị xoá."))
    req.copy_made_at = clock.now()
    audit.record(actor, "rights.copy", req, detail={"format": fmt}, case_id=req.case_id)
    db.session.flush()


def requests_of(case) -> list[RightsRequest]:
    return list(
        db.session.scalars(
            select(RightsRequest).where(RightsRequest.case_id == case.id).order_by(RightsRequest.received_at.desc())
        )
    )


@events.case_erased.connect
def on_case_erased(case, actor) -> None:
    """Erasure: the requests' sealed text goes with the case (its key is destroyed anyway); dates stay."""
    for req in db.session.scalars(select(RightsRequest).where(RightsRequest.case_id == case.id)):
        for name in ("details", "extension_reason", "answer", "notes"):
            setattr(req, f"{name}_enc", None)
    for model, name in ((CaseCorrection, "previous"), (LegalHold, "reason")):
        for row in db.session.scalars(select(model).where(model.case_id == case.id)):
            setattr(row, f"{name}_enc", None)
            row.__dict__.pop("_tc_plain", None)
    db.session.flush()


# --- breaches --------------------------------------------------------------------------------------------


def record_breach(unit, data: dict, *, actor) -> Breach:
    ensure(data.get("kind") in _codes(ref.BREACH_KINDS), _l("Vui lòng chọn loại sự cố."), "kind")
    given = data.get("detected_at")
    detected = ensure_found(
        given if isinstance(given, datetime) else None, _l("Vui lòng nhập thời điểm phát hiện."), "detected_at"
    )
    ensure(detected <= clock.now(), _l("Thời điểm phát hiện không được ở tương lai."), "detected_at")
    ensure(data.get("description") and data["description"].strip(), _l("Vui lòng mô tả sự cố."), "description")
    breach = Breach(
        unit_id=unit.id,
        kind=data["kind"],
        detected_at=detected,
        notify_due_at=due_at(rules.BREACH_NOTIFY, detected),
        persons_affected=int(data.get("persons_affected") or 0),
        recorded_by_id=actor.id,
    )
    breach.description = data["description"].strip()
    breach.measures = (data.get("measures") or "").strip() or None
    db.session.add(breach)
    db.session.flush()
    audit.record(actor, "breach.record", breach)
    return breach


def notify_authority(breach: Breach, notified_at: datetime | None, late_reason: str, *, actor) -> None:
    """The authority was notified (form 08); after 72 hours only with the reason for lateness."""
    ensure(breach.notified_at is None, _l("Đã ghi nhận việc thông báo."))
    notified_at = ensure_found(
        notified_at if isinstance(notified_at, datetime) else None,
        _l("Vui lòng nhập thời điểm thông báo."),
        "notified_at",
    )
    ensure(
        breach.detected_at <= notified_at <= clock.now(),
        _l("Thời điểm thông báo phải sau khi phát hiện và không ở tương lai."),
        "notified_at",
    )
    late = notified_at > breach.notify_due_at
    ensure(
        not late or (late_reason and late_reason.strip()),
        _l("Thông báo sau 72 giờ phải ghi rõ lý do chậm (Luật 91/2025 Điều 23)."),
        "late_reason",
    )
    breach.notified_at = notified_at
    breach.late_reason = late_reason.strip() if late and late_reason else None
    audit.record(actor, "breach.notify", breach, detail={"late": late})
    db.session.flush()


def contain(breach: Breach, *, actor) -> None:
    ensure(breach.contained_at is None, _l("Đã ghi nhận việc khắc phục."))
    breach.contained_at = clock.now()
    audit.record(actor, "breach.contain", breach)
    db.session.flush()
