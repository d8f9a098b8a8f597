"""Operations on referrals: each checks, changes state, writes its audit entry and flushes; the request commits.

Rules kept here:
* Sending needs a valid consent to share with THAT agency, or a recorded emergency basis (urgent protection
  of life or health, Law 91/2025 Art. 19(1)(a)), which is flagged for review. Nothing is half-made: every
  check runs before the first row is added.
* Packets die with consent: the identity the agency received lives only while the referral is open and the
  consent it relied on stands. Withdrawing the referral, the agency declining or completing it, withdrawing
  that consent, and erasing the case each destroy every packet's data key (`tombstone`); the referral row
  stays as the agency's tombstone (code, dates, outcome, `packet_destroyed_cause`), and its next page view
  says why. What the referral itself sealed (the decline reason, the feedback, service notes) is the
  outcome for the sender and stays, except when consent is withdrawn or the case is erased, or the sender
  asks for it to go: then it is shredded too.
"""

import secrets
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import clock, events
from ..audit import services as audit
from ..cases.models import Case, Consent
from ..cases.restriction import ensure_processing_allowed
from ..cases.services import valid_consents
from ..crypto.records import schedule_ledger
from ..deadlines import add_working_days
from ..extensions import db, utcnow
from ..services import ServiceError, ensure, ensure_found
from ..units.models import Unit
from .fields import SHAREABLE, snapshot
from .models import (
    URGENCIES,
    AgencyMapping,
    Referral,
    ReferralPacket,
    ReferralPrint,
    ReferralServiceDelivered,
    SenderContact,
)
from .reference_data import SERVICE_KINDS

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


class AlreadyDone(ServiceError):
    """The same form was submitted twice (double-click): the first submission stands."""

    def __init__(self, obj):
        super().__init__(_l("Yêu cầu này đã được gửi rồi."))
        self.obj = obj


# --- deadlines --------------------------------------------------------------------------------------


def ack_due(sent_at: datetime, urgency: str, working_days: int | None = None) -> datetime:
    """When acknowledgement falls due: end of the same local day if urgent, else after N working days."""
    if working_days is None:
        working_days = int(current_app.config.get("REFERRAL_ACK_WORKING_DAYS", 2))
    day = clock.local_date(sent_at)
    if urgency != "urgent":
        day = add_working_days(day, working_days)
    return clock.end_of_day(day).astimezone(sent_at.tzinfo)


# --- the sender's side ------------------------------------------------------------------------------


def share_consent(case: Case, agency_id: str, on: date | None = None) -> Consent | None:
    """The latest valid consent of the case to share with that agency (None without one)."""
    found = valid_consents(case, "share_with_agency", agency_id=agency_id, on=on)
    return found[-1] if found else None


def sendable_agency(agency_id: str | None) -> Unit:
    """The agency, if it is a current, enabled agency of the directory."""
    no_agency = _l("Vui lòng chọn dịch vụ nhận.")
    agency = ensure_found(db.session.get(Unit, agency_id) if agency_id else None, no_agency, "service_id")
    ensure(agency.kind == "agency", no_agency, "service_id")
    ensure(agency.is_current(), _l("Cơ quan này đã ngừng hoạt động hoặc bị khoá; hãy chọn cơ quan khác."), "service_id")
    return agency


OUT_OF_AREA = _l("Dịch vụ này không phục vụ địa bàn của người được hỗ trợ; hãy chọn dịch vụ trong danh sách.")


class ClosedService(ServiceError):
    """The service asked for has closed: say since when, and which live service replaced it."""

    def __init__(self, service, successor):
        from ..web.filters import date_vn

        if successor is not None:
            message = _l(
                "%(old)s đã giải thể từ %(day)s; thay thế: %(new)s",
                old=service.name,
                day=date_vn(service.closed_on),
                new=successor.unit.name,
            )
        else:
            message = _l("%(old)s đã ngừng hoạt động; hãy chọn dịch vụ khác.", old=service.name)
        super().__init__(message, "service_id")
        self.service, self.successor = service, successor


def sendable_service(case: Case, data: dict):
    """The live directory service the referral goes to, covering the survivor's commune.

    Chosen by `service_id`; a link that names only the agency (`agency_id`, as before the directory) means
    that agency's live service covering the case. A closed one raises ClosedService with its successor."""
    from ..directory import queries as directory
    from ..directory.models import Service

    service = db.session.get(Service, data["service_id"]) if data.get("service_id") else None
    if service is None and data.get("agency_id"):
        runs = [s for s in directory.offered(case.unit) if s.unit_id == data["agency_id"]]
        service = runs[0] if runs else directory.closed_service_of_agency(data["agency_id"])
        if service is None:
            sendable_agency(data["agency_id"])  # refuses an unknown, closed or disabled agency
            raise ServiceError(OUT_OF_AREA, "service_id")
    service = ensure_found(service, _l("Vui lòng chọn dịch vụ nhận."), "service_id")
    if not service.is_live():
        raise ClosedService(service, service.live_successor())
    ensure(service.id in {s.id for s in directory.offered(case.unit)}, OUT_OF_AREA, "service_id")
    return service, sendable_agency(service.unit_id)


def _check_case(case: Case, actor, action: str) -> None:
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá: không thể chuyển gửi."))
    ensure(case.is_open, _l("Hồ sơ đã đóng: hãy mở lại hồ sơ trước khi chuyển gửi."))
    ensure_processing_allowed(case.id, action, actor=actor, field="fields")


def _check_fields(fields) -> list[str]:
    fields = [f for f in SHAREABLE if f in set(fields or ())]
    ensure(fields, _l("Vui lòng chọn ít nhất một thông tin để chia sẻ."), "fields")
    return fields


def check_sending(case: Case, data: dict, *, actor):
    """Every check of sending, without writing anything (the confirmation step runs it too; only a refusal
    on a restricted case is audited)."""
    _check_case(case, actor, "referral.send")
    service, agency = sendable_service(case, data)
    services = [code for code, _ in SERVICE_KINDS if code in set(data.get("services") or ())]
    ensure(services, _l("Vui lòng chọn ít nhất một dịch vụ đề nghị."), "services")
    urgency = data.get("urgency") or "normal"
    ensure(urgency in URGENCIES, _l("Mức độ khẩn không hợp lệ."), "urgency")
    fields = _check_fields(data.get("fields"))
    consent = share_consent(case, agency.id)
    reason = (data.get("emergency_reason") or "").strip()
    if consent is None:
        ensure(
            data.get("emergency"),
            _l(
                "Chưa có sự đồng ý còn hiệu lực để chia sẻ thông tin với cơ quan này. "
                "Hãy ghi nhận sự đồng ý trước, hoặc nêu căn cứ khẩn cấp."
            ),
            "service_id",
        )
        ensure(
            len(reason) >= 10,
            _l("Vui lòng ghi rõ vì sao cần chia sẻ ngay để bảo vệ tính mạng, sức khoẻ (ít nhất 10 ký tự)."),
            "emergency_reason",
        )
    return service, agency, services, urgency, fields, consent, reason


def agreement_live(service) -> bool:
    """Whether a written transfer agreement covers the receiving service today (Decree 356/2025 Art. 7: one
    per receiver; app/privacy keeps them). Its absence warns on the confirmation step (of a referral and of an
    agency's onward referral) and is noted in the audit entry: it does not refuse, since a survivor's safety
    may not wait for paperwork between two offices."""
    answer = events.answer(events.transfer_agreement_asked, service.id, on=None)
    return bool(answer and answer["live"])


def send_referral(case: Case, data: dict, *, actor) -> Referral:
    """Refer a case to an agency, sharing exactly the chosen fields in a new encrypted packet."""
    key = (data.get("idempotency_key") or "").strip()
    ensure(key, _l("Biểu mẫu đã cũ, vui lòng mở lại và gửi lần nữa."))
    existing = db.session.scalar(select(Referral).where(Referral.idempotency_key == key))
    if existing is not None:
        raise AlreadyDone(existing)
    service, agency, services, urgency, fields, consent, reason = check_sending(case, data, actor=actor)
    now = utcnow()
    referral = Referral(
        code=new_code(now),
        case_id=case.id,
        agency_id=agency.id,
        service_id=service.id,
        sender_unit_id=case.unit_id,
        services=services,
        urgency=urgency,
        status="sent",
        legal_basis="consent" if consent else "emergency",
        consent_id=consent.id if consent else None,
        needs_review=consent is None,
        idempotency_key=key,
        sent_by_id=actor.id,
        sent_at=now,
        ack_due_at=ack_due(now, urgency),
    )
    if consent is None:
        referral.emergency_reason = reason
    db.session.add(referral)
    _add_packet(referral, case, fields, data.get("message"), key=f"{key}:1", actor=actor, number=1)
    _flush_once(referral, twin=lambda: db.session.scalar(select(Referral).where(Referral.idempotency_key == key)))
    audit.record(
        actor,
        "referral.send",
        referral,
        detail={
            "agency_id": agency.id,
            "service_id": service.id,
            "basis": referral.legal_basis,
            "consent_id": referral.consent_id,
            "urgency": urgency,
            "services": services,
            "fields": fields,
            "agreement": agreement_live(service),
        },
    )
    return referral


def new_code(now: datetime) -> str:
    return f"CG-{now.year}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _add_packet(referral, case, fields, message, *, key, actor, number) -> ReferralPacket:
    packet = ReferralPacket(
        referral=referral, number=number, fields=list(fields), idempotency_key=key, created_by_id=actor.id
    )
    packet.content = {"values": snapshot(case, fields), "message": (message or "").strip()}
    db.session.add(packet)
    return packet


def _flush_once(obj, twin=None) -> None:
    """Flush; a concurrent twin of this submission (same idempotency key) or of this change is refused."""
    try:
        with db.session.begin_nested():  # a savepoint: a refused flush leaves the request's transaction usable
            db.session.flush()
    except IntegrityError as exc:
        first = twin() if twin else None  # the double-click that won the race: show it, make nothing more
        if first is not None:
            raise AlreadyDone(first) from exc
        raise ServiceError(_l("Yêu cầu này đã được gửi rồi.")) from exc
    except StaleDataError as exc:
        raise ServiceError(_l("Chuyển gửi vừa được người khác cập nhật; vui lòng tải lại trang.")) from exc


def send_update(referral: Referral, data: dict, *, actor) -> ReferralPacket:
    """Send a new version of the packet (the earlier versions stay as they were)."""
    key = (data.get("idempotency_key") or "").strip()
    ensure(key, _l("Biểu mẫu đã cũ, vui lòng mở lại và gửi lần nữa."))
    existing = db.session.scalar(select(ReferralPacket).where(ReferralPacket.idempotency_key == key))
    if existing is not None:
        raise AlreadyDone(existing)
    ensure(referral.is_open, _l("Chuyển gửi đã kết thúc hoặc đã rút: không gửi cập nhật được."))
    ensure(referral.packet_destroyed_at is None, _l("Gói thông tin đã bị huỷ."))
    case = db.session.get_one(Case, referral.case_id)
    _check_case(case, actor, "referral.update")
    fields = _check_fields(data.get("fields"))
    if referral.legal_basis == "consent":
        ensure(
            share_consent(case, referral.agency_id) is not None,
            _l("Sự đồng ý chia sẻ với cơ quan này không còn hiệu lực."),
            "fields",
        )
    number = (referral.latest_packet.number if referral.latest_packet else 0) + 1
    packet = _add_packet(referral, case, fields, data.get("message"), key=key, actor=actor, number=number)
    referral.updated_at = utcnow()
    _flush_once(
        packet, twin=lambda: db.session.scalar(select(ReferralPacket).where(ReferralPacket.idempotency_key == key))
    )
    audit.record(actor, "referral.update", referral, detail={"packet": number, "fields": fields})
    return packet


def withdraw(referral: Referral, *, actor, destroy: bool = False, cause: str = "sender") -> None:
    """Withdraw a referral: its packets are destroyed at once (and what the referral sealed, if asked)."""
    ensure(referral.is_open, _l("Chuyển gửi này đã kết thúc hoặc đã rút."))
    referral.status, referral.withdrawn_at = "withdrawn", utcnow()
    referral.withdrawn_by_id, referral.withdraw_cause = getattr(actor, "id", None), cause
    _flush_once(referral)
    audit.record(actor, "referral.withdraw", referral, detail={"cause": cause, "destroy": bool(destroy)})
    whole = destroy or cause in WHOLE_CAUSES
    destroy_packets(referral, actor=actor, cause="withdrawn" if cause == "sender" else cause, whole=whole)


# Causes after which nothing of the exchange stays readable, not even the agency's own answers.
WHOLE_CAUSES = ("consent_withdrawn", "case_erased")


def tombstone(referral: Referral, cause: str, now: datetime, *, whole: bool = False) -> list[str]:
    """Shred every packet of the referral (and, if `whole`, what the referral sealed); return the row ids whose
    data keys are gone, for the erasure ledger. The referral row stays: code, dates, outcome, cause."""
    erased = []
    if referral.packet_destroyed_at is None:
        for packet in referral.packets:
            packet.shred(now)
            erased.append(packet.id)
        referral.packet_destroyed_at, referral.packet_destroyed_cause = now, cause
    if whole and not referral.is_erased:
        for row in referral.delivered:
            row.notes = None
        referral.shred(now)
        erased.append(referral.id)
    return erased


def destroy_packets(referral: Referral, *, actor, cause: str = "sender", whole: bool = True) -> None:
    """Crypto-shred every packet version (and, if `whole`, what the referral itself sealed): unreadable for good."""
    ensure(not referral.is_open, _l("Hãy rút chuyển gửi trước khi huỷ gói thông tin."))
    ensure(
        referral.packet_destroyed_at is None or (whole and not referral.is_erased),
        _l("Gói thông tin đã bị huỷ trước đó."),
    )
    erased = tombstone(referral, cause, utcnow(), whole=whole)
    schedule_ledger(*erased)  # with the packet keys' destruction, when this commits
    _flush_once(referral)
    audit.record(
        actor,
        "referral.destroy_packet",
        referral,
        detail={"cause": cause, "whole": whole, "packets": len(referral.packets)},
    )


@events.consent_recorded.connect
def on_consent_recorded(consent: Consent, actor) -> None:
    """The survivor has now consented to share with an agency: the referrals sent to it on an emergency basis
    are reviewed by that consent (the flag "cần rà soát" clears; the emergency basis stays on record)."""
    if consent.purpose != "share_with_agency" or not consent.agency_id or not consent.is_valid(clock.today()):
        return
    for referral in db.session.scalars(
        select(Referral).where(
            Referral.case_id == consent.case_id,
            Referral.agency_id == consent.agency_id,
            Referral.legal_basis == "emergency",
            Referral.needs_review.is_(True),
        )
    ):
        referral.needs_review = False
        referral.consent_id = consent.id
        audit.record(actor, "referral.reviewed", referral, detail={"by": "consent", "consent_id": consent.id})
    db.session.flush()


def relying_on(consent: Consent) -> list[Referral]:
    """The referrals that lose their packets when `consent` goes: those sent under it, and those to its agency
    that no other valid consent of the case covers."""
    if consent.purpose != "share_with_agency":
        return []
    case = db.session.get_one(Case, consent.case_id)
    others = (
        [c for c in valid_consents(case, "share_with_agency", agency_id=consent.agency_id) if c.id != consent.id]
        if consent.agency_id
        else []
    )
    referrals = db.session.scalars(
        select(Referral).where(Referral.case_id == consent.case_id, Referral.legal_basis == "consent")
    )
    return [r for r in referrals if r.consent_id == consent.id or (r.agency_id == consent.agency_id and not others)]


@events.consent_dependents.connect
def count_relying_on(consent: Consent) -> int:
    """How many referrals still holding a packet would lose it (the withdrawal's confirmation step says so)."""
    return sum(1 for r in relying_on(consent) if r.is_open or r.packet_destroyed_at is None)


@events.consent_withdrawn.connect
def on_consent_withdrawn(consent: Consent, actor) -> None:
    """A consent to share with an agency was withdrawn: every referral that relied on it loses its packets
    (open ones are withdrawn first), and what it sealed."""
    for referral in relying_on(consent):
        if referral.is_open:
            withdraw(referral, actor=actor, cause="consent_withdrawn")
        elif referral.packet_destroyed_at is None or not referral.is_erased:
            destroy_packets(referral, actor=actor, cause="consent_withdrawn")


@events.approved_change.connect_via("agency_map")
def _approved_agency_map(_kind, *, payload: dict, actor) -> None:
    """A second person approved an agency mapping (approvals area): make it."""
    map_agency(payload["old_id"], payload["new_id"], actor=actor)


@events.case_erased.connect
def on_case_erased(case: Case, actor) -> None:
    """The case was erased: every referral of it loses its packets and what it sealed; open ones are withdrawn
    first, and each stays as a tombstone (code, dates, outcome) marked `case_erased_at`. The packet keys die
    with the case's key group in any event (app/crypto/casekeys.py)."""
    now = utcnow()
    for referral in db.session.scalars(select(Referral).where(Referral.case_id == case.id)):
        referral.case_erased_at = now
        if referral.is_open:
            withdraw(referral, actor=actor, destroy=True, cause="case_erased")
        elif referral.packet_destroyed_at is None or not referral.is_erased:
            destroy_packets(referral, actor=actor, cause="case_erased")
    db.session.flush()


# --- the agency's side ------------------------------------------------------------------------------


def record_open(referral: Referral, *, actor, readable: bool) -> None:
    """Audit that the agency opened the referral (and whether the packet was shown)."""
    if readable and referral.opened_at is None:
        referral.opened_at = utcnow()
    packet = referral.latest_packet
    audit.record(
        actor,
        "referral.open",
        referral,
        result="ok" if readable else "withdrawn",
        detail={"packet": packet.number if packet and readable else None},
    )
    db.session.flush()


def record_status_read(referral: Referral, *, actor) -> None:
    """Audit that the referral's status panel (its outcome: decline reason, services, feedback) was shown."""
    audit.record(actor, "referral.read_status", referral)


def record_sender_read(referral: Referral, *, actor) -> None:
    """Audit that the sender looked at the packet they sent."""
    packet = referral.latest_packet
    audit.record(actor, "referral.read_packet", referral, detail={"packet": packet.number if packet else None})


def _transition(referral: Referral, allowed: tuple[str, ...], new: str, *, actor, message, detail=None):
    ensure(referral.status in allowed, message)
    old, referral.status = referral.status, new
    _flush_once(referral)
    audit.record(
        actor,
        f"referral.{new if new != 'services_recorded' else 'service'}",
        referral,
        detail={"from": old, **(detail or {})},
    )


def acknowledge(referral: Referral, *, actor) -> None:
    """Acknowledge receipt."""
    referral.acknowledged_at = referral.acknowledged_at or utcnow()
    _transition(referral, ("sent",), "acknowledged", actor=actor, message=_l("Chuyển gửi này đã được xác nhận."))


def accept(referral: Referral, *, actor) -> None:
    """Accept the referral (receipt is acknowledged with it)."""
    now = utcnow()
    ensure(referral.status in ("sent", "acknowledged"), _l("Chỉ nhận được chuyển gửi đang chờ xử lý."))
    referral.acknowledged_at = referral.acknowledged_at or now
    referral.decided_at = now
    _transition(referral, ("sent", "acknowledged"), "accepted", actor=actor, message="")


def check_decline(referral: Referral, reason: str) -> None:
    """Refuse a decline the referral's state or its reason does not allow (before the confirmation step too)."""
    ensure(referral.status in ("sent", "acknowledged"), _l("Chỉ từ chối được chuyển gửi đang chờ xử lý."))
    ensure(reason and len(reason.strip()) >= 5, _l("Vui lòng ghi lý do từ chối."), "reason")


def decline(referral: Referral, reason: str, *, actor) -> None:
    """Decline the referral, with the reason for the sender."""
    check_decline(referral, reason)
    now = utcnow()
    referral.acknowledged_at = referral.acknowledged_at or now
    referral.decided_at = now
    referral.decline_reason = reason.strip()
    _transition(referral, ("sent", "acknowledged"), "declined", actor=actor, message="")
    destroy_packets(referral, actor=actor, cause="declined", whole=False)  # the reason stays for the sender


def record_service(referral: Referral, data: dict, *, actor) -> ReferralServiceDelivered:
    """Record a service the agency delivered."""
    ensure(
        referral.status in ("accepted", "services_recorded"),
        _l("Hãy nhận chuyển gửi trước khi ghi dịch vụ đã cung cấp."),
    )
    ensure(data.get("kind") in dict(SERVICE_KINDS), _l("Vui lòng chọn dịch vụ."), "kind")
    delivered_on = ensure_found(data.get("delivered_on"), _l("Vui lòng nhập ngày cung cấp."), "delivered_on")
    ensure(delivered_on <= clock.today(), _l("Ngày cung cấp không được ở tương lai."), "delivered_on")
    sent_on = clock.local_date(referral.sent_at)
    ensure(
        delivered_on >= sent_on,
        _l("Ngày cung cấp không được trước ngày gửi chuyển gửi (%(day)s).", day=sent_on.strftime("%d/%m/%Y")),
        "delivered_on",
    )
    row = ReferralServiceDelivered(
        referral=referral, kind=data["kind"], delivered_on=delivered_on, recorded_by_id=actor.id
    )
    row.notes = (data.get("notes") or "").strip() or None
    db.session.add(row)
    _transition(
        referral,
        ("accepted", "services_recorded"),
        "services_recorded",
        actor=actor,
        message="",
        detail={"kind": row.kind},
    )
    return row


def complete(referral: Referral, feedback: str, *, actor) -> None:
    """Close the referral with feedback to the sender."""
    ensure(referral.status in ("accepted", "services_recorded"), _l("Chỉ hoàn thành được chuyển gửi đã nhận."))
    ensure(feedback and len(feedback.strip()) >= 5, _l("Vui lòng ghi phản hồi cho đơn vị gửi."), "feedback")
    referral.feedback = feedback.strip()
    referral.completed_at = utcnow()
    _transition(referral, ("accepted", "services_recorded"), "completed", actor=actor, message="")
    destroy_packets(referral, actor=actor, cause="completed", whole=False)  # the feedback stays for the sender


def record_print(referral: Referral, *, actor) -> ReferralPrint:
    """Record that the referral slip was printed."""
    ensure(
        referral.packet_destroyed_at is None and referral.status != "withdrawn",
        _l("Chuyển gửi đã rút hoặc gói thông tin đã bị huỷ: không in được."),
    )
    packet = referral.latest_packet
    row = ReferralPrint(referral_id=referral.id, packet_id=packet.id if packet else None, printed_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "referral.print", referral, detail={"packet": packet.number if packet else None})
    return row


# --- the admin's agency map -------------------------------------------------------------------------


def map_agency(old_id: str, new_id: str, *, actor) -> AgencyMapping:
    """Let the officers of `new` read the referrals addressed to `old` (a merged or renamed agency)."""
    no_old, no_new = _l("Vui lòng chọn cơ quan cũ."), _l("Vui lòng chọn cơ quan tiếp nhận.")
    old = ensure_found(db.session.get(Unit, old_id or ""), no_old, "old_agency_id")
    ensure(old.kind == "agency", no_old, "old_agency_id")
    new = ensure_found(db.session.get(Unit, new_id or ""), no_new, "new_agency_id")
    ensure(new.kind == "agency", no_new, "new_agency_id")
    ensure(old.id != new.id, _l("Cơ quan cũ và cơ quan tiếp nhận phải khác nhau."), "new_agency_id")
    exists = db.session.scalar(
        select(AgencyMapping.id).where(AgencyMapping.old_agency_id == old.id, AgencyMapping.new_agency_id == new.id)
    )
    ensure(exists is None, _l("Đã có ánh xạ này."), "new_agency_id")
    row = AgencyMapping(old_agency_id=old.id, new_agency_id=new.id, mapped_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "referral.map_agency", row, detail={"old": old.code, "new": new.code})
    return row


def unmap_agency(row: AgencyMapping, *, actor) -> None:
    """Remove an agency mapping: the new agency's officers lose the old agency's referrals."""
    audit.record(actor, "referral.unmap_agency", row, detail={"old": row.old_agency.code, "new": row.new_agency.code})
    db.session.delete(row)
    db.session.flush()


# --- the sender's contact for the agencies ----------------------------------------------------------


def sender_contact(user_id: str | None) -> SenderContact | None:
    """The sender's published contact, if they chose to share it."""
    contact = db.session.get(SenderContact, user_id) if user_id else None
    return contact if contact is not None and contact.share and contact.work_phone else None


def save_sender_contact(user, work_phone: str, share: bool, *, actor) -> None:
    """Record whether agencies see the counsellor's name and work phone (the phone is not audited)."""
    contact = db.session.get(SenderContact, user.id) or SenderContact(user_id=user.id)
    contact.work_phone, contact.share = (work_phone or "").strip(), bool(share)
    db.session.add(contact)
    db.session.flush()
    audit.record(actor, "referral.sender_contact", contact, object_id=user.id, detail={"share": contact.share})


# --- onward referral by the receiving agency ------------------------------------------------------------


def forward_targets(referral: Referral) -> list:
    """Live services covering the survivor's commune that the survivor consented to share with (never the
    agency that forwards). The agency never sees the case: the check runs here."""
    from ..directory.queries import offered

    case = db.session.get(Case, referral.case_id)
    if case is None or case.is_erased or not case.is_open:
        return []
    return [
        s
        for s in offered(case.unit)
        if s.unit_id not in (referral.agency_id, referral.successor_agency_id)
        and share_consent(case, s.unit_id) is not None
    ]


def forward(referral: Referral, data: dict, *, actor) -> Referral:
    """Refer onward, within consent: a new referral of the same case whose packet holds only fields this agency
    received (copied from its packet, never read from the case). The original counsellor follows it."""
    key = (data.get("idempotency_key") or "").strip()
    ensure(key, _l("Biểu mẫu đã cũ, vui lòng mở lại và gửi lần nữa."))
    existing = db.session.scalar(select(Referral).where(Referral.idempotency_key == key))
    if existing is not None:
        raise AlreadyDone(existing)
    ensure(referral.status in ("accepted", "services_recorded"), _l("Chỉ chuyển tiếp được chuyển gửi đã nhận xử lý."))
    # The agency never sees the case; the survivor's restriction still stops the onward referral.
    ensure_processing_allowed(referral.case_id, "referral.forward", actor=actor, field="service_id")
    destroyed = _l("Gói thông tin đã bị huỷ.")
    packet = ensure_found(referral.latest_packet, destroyed)
    ensure(referral.packet_destroyed_at is None, destroyed)
    targets = {s.id: s for s in forward_targets(referral)}
    not_a_target = _l(
        "Người được hỗ trợ chưa đồng ý chia sẻ thông tin với dịch vụ này, hoặc dịch vụ "
        "không phục vụ địa bàn; hãy liên hệ đơn vị gửi."
    )
    service = ensure_found(targets.get(data.get("service_id") or ""), not_a_target, "service_id")
    received = list(packet.fields)
    fields = [f for f in received if f in set(data.get("fields") or ())]
    ensure(fields, _l("Vui lòng chọn ít nhất một thông tin để chia sẻ."), "fields")
    ensure(
        set(data.get("fields") or ()) <= set(received), _l("Chỉ chuyển tiếp được thông tin cơ quan đã nhận."), "fields"
    )
    case = db.session.get_one(Case, referral.case_id)
    # forward_targets() offers only services the case consents to share with; the consent is read again here.
    consent = ensure_found(share_consent(case, service.unit_id), not_a_target, "service_id")
    now = utcnow()
    onward = Referral(
        code=new_code(now),
        case_id=referral.case_id,
        agency_id=service.unit_id,
        service_id=service.id,
        sender_unit_id=referral.successor_agency_id or referral.agency_id,
        parent_id=referral.id,
        services=list(referral.services),
        urgency=referral.urgency,
        status="sent",
        legal_basis="consent",
        consent_id=consent.id,
        idempotency_key=key,
        sent_by_id=actor.id,
        sent_at=now,
        ack_due_at=ack_due(now, referral.urgency),
    )
    db.session.add(onward)
    values = (packet.content or {}).get("values", {})
    copy = ReferralPacket(referral=onward, number=1, fields=fields, idempotency_key=f"{key}:1", created_by_id=actor.id)
    copy.content = {"values": {f: values.get(f) for f in fields}, "message": (data.get("message") or "").strip()}
    db.session.add(copy)
    _flush_once(onward, twin=lambda: db.session.scalar(select(Referral).where(Referral.idempotency_key == key)))
    audit.record(
        actor,
        "referral.forward",
        referral,
        detail={
            "onward_id": onward.id,
            "service_id": service.id,
            "agency_id": service.unit_id,
            "fields": fields,
            "consent_id": consent.id,
            "agreement": agreement_live(service),
        },
    )
    return onward


def onward_of(referral: Referral) -> list[Referral]:
    """The referrals this one was passed on to (the chain's next hops)."""
    return list(
        db.session.scalars(select(Referral).where(Referral.parent_id == referral.id).order_by(Referral.sent_at))
    )
