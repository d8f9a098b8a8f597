"""Operations on the registers: record, correct, void (with a reason) and erase person data. They add and
flush, never commit; every change is audited (ids and codes only, never the person's name)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import clock, events
from ..audit import services as audit
from ..crypto.records import schedule_ledger
from ..extensions import db, utcnow
from ..services import ensure, ensure_found
from ..web.filters import number
from . import reference_data as ref
from .models import CommunityEvent, SafeMotherhoodPayment

PACKAGE_CODES = {code for code, _ in ref.PACKAGES}
EVENT_CODES = {code for code, _ in ref.EVENT_KINDS}
BUCKETS = [code for code, _ in ref.ETHNIC_BUCKETS]
# One package payment is a few hundred thousand to a few million đồng (Hướng dẫn 04/HD-ĐCT); a figure above
# this is a typing error (an extra zero), not a payment.
MAX_AMOUNT = 50_000_000


def ensure_period_open(unit_id: str, day, field: str | None = None) -> None:
    """Refuse to record, correct or void an entry of a day the commune has already reported: the indicator area
    answers why (which report counted the day); the reviewer returning or reopening that report opens it again."""
    locked = events.answer(events.period_reported, unit_id, day=day) if day is not None else None
    ensure(locked is None, locked, field)


def locked_entries(entries) -> frozenset[str]:
    """The ids of the payments or events among `entries` whose day a sent report locks (the list marks them)."""
    day_of = {e.id: (e.paid_on if isinstance(e, SafeMotherhoodPayment) else e.held_on) for e in entries}
    pairs = {(e.unit_id, day_of[e.id]) for e in entries if day_of[e.id] is not None}
    locked = events.answer(events.entries_locked, None, entries=pairs) if pairs else None
    return frozenset(e.id for e in entries if (e.unit_id, day_of[e.id]) in (locked or set()))


# --- safe-motherhood payments ------------------------------------------------------------------------


def _check_payment(unit, data: dict, payment: SafeMotherhoodPayment | None) -> None:
    ensure(data.get("package") in PACKAGE_CODES, _l("Vui lòng chọn gói hỗ trợ."), "package")
    not_positive = _l("Số tiền phải lớn hơn 0.")
    amount = ensure_found(data.get("amount"), not_positive, "amount")
    ensure(isinstance(amount, int) and amount > 0, not_positive, "amount")
    ensure(amount <= MAX_AMOUNT, _l("Số tiền quá lớn cho một lần chi hỗ trợ; vui lòng kiểm tra lại."), "amount")
    ensure(data.get("paid_on") is not None, _l("Vui lòng nhập ngày chi."), "paid_on")
    ensure(data["paid_on"] <= clock.today(), _l("Ngày chi không được sau hôm nay."), "paid_on")
    voucher = (data.get("voucher_number") or "").strip()
    ensure(voucher, _l("Vui lòng nhập số chứng từ."), "voucher_number")
    ensure((data.get("full_name") or "").strip(), _l("Vui lòng nhập họ tên người nhận."), "full_name")
    taken = db.session.scalar(
        select(func.count())
        .select_from(SafeMotherhoodPayment)
        .where(
            SafeMotherhoodPayment.unit_id == unit.id,
            SafeMotherhoodPayment.voucher_number == voucher,
            SafeMotherhoodPayment.status == "valid",
            SafeMotherhoodPayment.id != (payment.id if payment else ""),
        )
    )
    ensure(not taken, _l("Số chứng từ này đã được ghi cho một khoản chi khác của xã."), "voucher_number")


def save_payment(payment: SafeMotherhoodPayment | None, unit, data: dict, *, actor) -> SafeMotherhoodPayment:
    """Record a payment of the commune, or correct one that is still valid."""
    ensure(payment is None or payment.is_valid, _l("Khoản chi đã huỷ không sửa được."))
    _check_payment(unit, data, payment)
    if payment is not None:
        ensure_period_open(payment.unit_id, payment.paid_on, "paid_on")
    ensure_period_open(unit.id, data["paid_on"], "paid_on")
    created = payment is None
    if payment is None:
        payment = SafeMotherhoodPayment(unit_id=unit.id, recorded_by_id=getattr(actor, "id", None))
        db.session.add(payment)
    payment.package = data["package"]
    payment.amount = data["amount"]
    payment.paid_on = data["paid_on"]
    payment.voucher_number = data["voucher_number"].strip()
    payment.ethnic_code = data.get("ethnic_code") or None
    payment.age_band = data.get("age_band") or None
    for name in SafeMotherhoodPayment.PERSON_FIELDS:
        setattr(payment, name, (data.get(name) or "").strip() or None)
    db.session.flush()
    audit.record(
        actor,
        "registers.payment_create" if created else "registers.payment_update",
        payment,
        detail={"package": payment.package},
    )
    return payment


def erase_payment_person(payment: SafeMotherhoodPayment, *, actor, reason_code: str = "request") -> None:
    """Destroy the person data of a payment for good; the amount, date and voucher stay for the accounts."""
    ensure(not payment.is_erased, _l("Thông tin cá nhân của khoản chi này đã được xoá."))
    payment.shred(utcnow())  # ciphertexts and DEK now; the payment's store key once the transaction commits
    schedule_ledger(payment.id)
    audit.record(actor, "registers.payment_erase", payment, detail={"reason": reason_code})
    db.session.flush()


def void_payment(payment: SafeMotherhoodPayment, reason: str, *, actor) -> None:
    """Void a payment typed in error: it stops counting, and its person data is erased at once."""
    ensure(payment.is_valid, _l("Khoản chi này đã được huỷ."))
    ensure(reason and reason.strip(), _l("Vui lòng ghi lý do huỷ."), "reason")
    ensure_period_open(payment.unit_id, payment.paid_on, "reason")
    payment.status, payment.void_reason = "void", reason.strip()
    payment.voided_at, payment.voided_by_id = utcnow(), getattr(actor, "id", None)
    audit.record(actor, "registers.payment_void", payment)
    if not payment.is_erased:
        erase_payment_person(payment, actor=actor, reason_code="void")
    db.session.flush()


def read_person_data(payments, *, actor, purpose: str) -> None:
    """Audit that `actor` was shown the person data of these payments (one entry per page, ids only)."""
    ids = [p.id for p in payments if not p.is_erased]
    if ids:
        audit.record(
            actor, "registers.payment_read", detail={"ids": ids, "purpose": purpose}, object_type="register_payment"
        )


# --- community events ----------------------------------------------------------------------------------


def check_participants(data: dict) -> None:
    """The parts of the participant count must add up to it, by sex and by ethnicity (field errors). The figures
    in the messages are written the Vietnamese way (1.234), as everywhere else."""
    none_came = _l("Số người tham gia phải lớn hơn 0.")
    total = ensure_found(data.get("participants"), none_came, "participants")
    ensure(isinstance(total, int) and total > 0, none_came, "participants")
    female, male = data.get("female") or 0, data.get("male") or 0
    ensure(female >= 0 and male >= 0, _l("Số người phải là số không âm."), "female")
    shown = {"total": number(total), "parts": number(female + male)}
    ensure(
        total >= female + male,
        _l("Tổng số người tham gia (%(total)s) nhỏ hơn số nữ cộng số nam (%(parts)s).", **shown),
        "participants",
    )
    ensure(
        total == female + male,
        _l("Số nữ cộng số nam (%(parts)s) phải bằng tổng số người tham gia (%(total)s).", **shown),
        "female",
    )
    ethnic = {code: int(data.get("by_ethnicity", {}).get(code) or 0) for code in BUCKETS}
    ensure(all(n >= 0 for n in ethnic.values()), _l("Số người phải là số không âm."), "by_ethnicity")
    parts = sum(ethnic.values())
    shown = {"total": number(total), "parts": number(parts)}
    ensure(
        total >= parts,
        _l("Tổng số người tham gia (%(total)s) nhỏ hơn tổng theo dân tộc (%(parts)s).", **shown),
        "participants",
    )
    ensure(
        total == parts,
        _l("Tổng theo dân tộc (%(parts)s) phải bằng tổng số người tham gia (%(total)s).", **shown),
        "by_ethnicity",
    )


def save_event(event: CommunityEvent | None, unit, place, data: dict, *, actor) -> CommunityEvent:
    """Record a community event of the commune, or correct one that is still valid."""
    ensure(event is None or event.is_valid, _l("Sự kiện đã huỷ không sửa được."))
    ensure(data.get("kind") in EVENT_CODES, _l("Vui lòng chọn loại sự kiện."), "kind")
    ensure(data.get("held_on") is not None, _l("Vui lòng nhập ngày tổ chức."), "held_on")
    ensure(data["held_on"] <= clock.today(), _l("Ngày tổ chức không được sau hôm nay."), "held_on")
    ensure(place is not None, _l("Vui lòng chọn nơi tổ chức (thôn, bản hoặc xã)."), "place_id")
    check_participants(data)
    if event is not None:
        ensure_period_open(event.unit_id, event.held_on, "held_on")
    ensure_period_open(unit.id, data["held_on"], "held_on")
    created = event is None
    if event is None:
        event = CommunityEvent(unit_id=unit.id, recorded_by_id=getattr(actor, "id", None))
        db.session.add(event)
    event.place_id = place.id
    event.kind, event.held_on = data["kind"], data["held_on"]
    event.topic = (data.get("topic") or "").strip()
    event.participants, event.female, event.male = data["participants"], data["female"] or 0, data["male"] or 0
    event.by_ethnicity = {code: int(data["by_ethnicity"].get(code) or 0) for code in BUCKETS}
    db.session.flush()
    audit.record(
        actor, "registers.event_create" if created else "registers.event_update", event, detail={"kind": event.kind}
    )
    return event


def void_event(event: CommunityEvent, reason: str, *, actor) -> None:
    """Void an event recorded in error: it stays in the register, marked, and stops counting."""
    ensure(event.is_valid, _l("Sự kiện này đã được huỷ."))
    ensure(reason and reason.strip(), _l("Vui lòng ghi lý do huỷ."), "reason")
    ensure_period_open(event.unit_id, event.held_on, "reason")
    event.status, event.void_reason = "void", reason.strip()
    event.voided_at, event.voided_by_id = utcnow(), getattr(actor, "id", None)
    audit.record(actor, "registers.event_void", event)
    db.session.flush()
