"""Offline capture: register and revoke devices, choose cases for offline work, receive sealed items.

A received item goes through exactly the validation of the online forms (the same WTForms classes and case
services). What fails comes back to the counsellor as a work-queue task, sealed on the server and shown only
online; nothing is ever sent back to the phone. Every item is audited as an offline-origin write with its
capture and receive times.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import clock, events
from ..audit import services as audit
from ..auth.permissions import authorize
from ..cases import queries as case_queries
from ..cases import services as case_services
from ..cases.forms import FollowUpOutcomeForm, NoteForm
from ..cases.models import FollowUp
from ..cases.reference_data import N_
from ..crypto.records import schedule_ledger
from ..extensions import db
from ..services import ServiceError, ensure
from . import envelope
from .models import OfflineCase, OfflineDevice, OfflineItem

# Devices are named from this list, never by a free text that could name a person; stored as the msgid.
DEVICE_LABELS = (
    N_("Điện thoại 1"),
    N_("Điện thoại 2"),
    N_("Điện thoại 3"),
    N_("Điện thoại 4"),
    N_("Điện thoại 5"),
    N_("Máy tính bảng 1"),
    N_("Máy tính bảng 2"),
    N_("Máy tính bảng 3"),
)
MAX_DEVICES = 5  # per counsellor: a phone and a spare or two, not a fleet
MAX_OFFLINE_CASES = 30  # what a counsellor can visit in a week or two
FUTURE_TOLERANCE = timedelta(minutes=10)
STALE_AFTER = timedelta(days=30)

REASONS = {
    "invalid": _l("Nội dung chưa hợp lệ: sửa theo các lỗi bên dưới rồi lưu lại."),
    "duplicate": _l("Có thể trùng với hồ sơ đã có: kiểm tra rồi xác nhận khi tạo hồ sơ."),
    "no_access": _l("Bạn không còn quyền với hồ sơ này; báo giám sát viên để chuyển nội dung."),
    "no_followup": _l("Hồ sơ không còn lần theo dõi nào đang mở; ghi lại nội dung thành ghi chú."),
}


class Refused(ServiceError):
    """The item is refused outright (not kept): tampered, unknown or revoked device, wrong owner."""

    def __init__(self, message, code: str, status: int = 400):
        super().__init__(message)
        self.code, self.status = code, status


# --- devices -------------------------------------------------------------------------------------------------


def register_device(user, public_key: bytes, label: str) -> OfflineDevice:
    """Record a phone's public signing key for this counsellor."""
    ensure(label in DEVICE_LABELS, _l("Chọn tên thiết bị trong danh sách."), "label")
    active = db.session.scalars(
        select(OfflineDevice).where(OfflineDevice.user_id == user.id, OfflineDevice.revoked_at.is_(None))
    ).all()
    ensure(
        len(active) < MAX_DEVICES, _l("Bạn đã đăng ký đủ %(n)d thiết bị; thu hồi một thiết bị cũ trước.", n=MAX_DEVICES)
    )
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = serialization.load_der_public_key(public_key)
        ensure(
            isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1",
            _l("Khoá thiết bị không hợp lệ."),
        )
    except ValueError as exc:
        raise ServiceError(_l("Khoá thiết bị không hợp lệ.")) from exc
    device = OfflineDevice(user_id=user.id, label=label, public_key=public_key, last_seen_at=clock.now())
    db.session.add(device)
    db.session.flush()
    audit.record(user, "offline.device_register", device)
    return device


def revoke_device(device: OfflineDevice, *, actor) -> None:
    """Stop a device: its pending items are refused from now on and its shell stops at the next contact."""
    ensure(device.revoked_at is None, _l("Thiết bị này đã bị thu hồi."))
    device.revoked_at, device.revoked_by_id = clock.now(), actor.id
    audit.record(actor, "offline.device_revoke", device, detail={"owner": device.user_id})
    db.session.flush()


def device_for(user, device_id: str) -> OfflineDevice:
    """The user's own device, refusing unknown, foreign and revoked ones (audited)."""
    device = db.session.get(OfflineDevice, device_id)
    if device is None or device.user_id != user.id:
        audit.record_independently(user, "offline.refused", detail={"reason": "unknown_device"}, result="denied")
        raise Refused(_l("Thiết bị này chưa được đăng ký cho tài khoản của bạn."), "unknown_device", 403)
    if device.revoked_at is not None:
        audit.record_independently(user, "offline.refused", device, detail={"reason": "revoked"}, result="denied")
        raise Refused(_l("Thiết bị này đã bị thu hồi; các bản ghi chờ gửi không được nhận."), "revoked", 403)
    device.last_seen_at = clock.now()
    return device


# --- cases kept available offline ---------------------------------------------------------------------------


def offline_cases(user) -> list[OfflineCase]:
    """The user's offline cases that are still in their scope and not erased or closed."""
    rows = db.session.scalars(
        select(OfflineCase).where(OfflineCase.user_id == user.id).order_by(OfflineCase.added_at)
    ).all()
    scope = case_queries.scope_for(user, "counsellor")
    return [r for r in rows if r.case.unit_id in scope and not r.case.is_erased and r.case.status == "open"]


def add_offline_case(user, case) -> OfflineCase:
    ensure(case.status == "open" and not case.is_erased, _l("Chỉ mang theo được hồ sơ đang mở."))
    existing = db.session.scalar(
        select(OfflineCase).where(OfflineCase.user_id == user.id, OfflineCase.case_id == case.id)
    )
    if existing:
        return existing
    ensure(
        len(offline_cases(user)) < MAX_OFFLINE_CASES,
        _l("Tối đa %(n)d hồ sơ mang theo ngoại tuyến.", n=MAX_OFFLINE_CASES),
    )
    row = OfflineCase(user_id=user.id, case_id=case.id)
    db.session.add(row)
    db.session.flush()
    audit.record(user, "offline.case_add", case)
    return row


def remove_offline_case(user, row: OfflineCase) -> None:
    audit.record(user, "offline.case_remove", row.case)
    db.session.delete(row)
    db.session.flush()


def device_label_of(row: OfflineCase) -> dict:
    """What the phone may know of an offline case: a pointer, the code and the kind, nothing about the person."""
    return {"ref": row.id, "code": row.case.code, "kind": row.case.kind}


# --- receiving -----------------------------------------------------------------------------------------------


def receive(user, data) -> OfflineItem:
    """Check, open and save one item; a repeat of an item already received changes nothing."""
    env = _parse(user, data)
    device = device_for(user, env.device_id)
    try:
        envelope.verify(env, device.public_key)
    except envelope.BadEnvelope as exc:
        audit.record_independently(user, "offline.refused", device, detail={"reason": "signature"}, result="denied")
        raise Refused(_l("Bản ghi không đúng chữ ký của thiết bị (có thể đã bị sửa)."), "tampered") from exc
    known = db.session.get(OfflineItem, env.item_id)
    if known is not None:
        audit.record(user, "offline.repeat", known, detail={"status": known.status})
        return known
    try:
        payload = envelope.open_payload(env)
    except envelope.BadEnvelope as exc:
        audit.record_independently(user, "offline.refused", device, detail={"reason": "ciphertext"}, result="denied")
        raise Refused(_l("Không giải mã được bản ghi (có thể đã bị sửa)."), "tampered") from exc
    item = OfflineItem(
        id=env.item_id,
        device_id=device.id,
        user_id=user.id,
        kind=env.kind,
        captured_at=env.captured_at,
        received_at=clock.now(),
        size=len(env.ct),
        clock_flag=_clock_flag(env.captured_at, device),
    )
    _save_into_case_flow(user, item, env.case_ref, _formdata(payload["fields"]))
    db.session.add(item)
    db.session.flush()
    audit.record(
        user,
        f"offline.{item.status}",
        item,
        case_id=item.case_id,
        detail={
            "kind": item.kind,
            "captured_at": item.captured_at.isoformat(),
            "received_at": item.received_at.isoformat(),
            "clock_flag": item.clock_flag or "",
            "reason": item.reason or "",
        },
    )
    return item


def _parse(user, data):
    try:
        return envelope.parse(data)
    except envelope.BadEnvelope as exc:
        audit.record_independently(user, "offline.refused", detail={"reason": "malformed"}, result="denied")
        raise Refused(_l("Bản ghi không đúng định dạng."), "malformed") from exc


def _clock_flag(captured_at, device) -> str | None:
    """Keep the phone's capture time, but say when it cannot be right (a phone days off is common)."""
    now = clock.now()
    if captured_at > now + FUTURE_TOLERANCE:
        return "future"
    if captured_at < device.registered_at - FUTURE_TOLERANCE:
        return "before_registration"
    if captured_at < now - STALE_AFTER:
        return "stale"
    return None


def _formdata(fields: dict) -> MultiDict:
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((str(name)[:64], str(v)[:10_000]) for v in values if v is not None)
    return MultiDict(pairs)


def _save_into_case_flow(user, item: OfflineItem, case_ref: str, formdata: MultiDict) -> None:
    """Validate with the online forms and save through the case services; reject into the work queue."""
    savepoint = db.session.begin_nested()
    try:
        if item.kind == "intake":
            _save_intake(user, item, formdata)
        else:
            _save_on_case(user, item, case_ref, formdata)
    except _Rejected as rejected:
        savepoint.rollback()
        _reject(item, rejected.reason, formdata, rejected.errors)
    except ServiceError as exc:
        savepoint.rollback()
        _reject(item, "invalid", formdata, {exc.field or "_": [str(exc)]})
    else:
        savepoint.commit()
        item.status = "accepted"


class _Rejected(Exception):
    def __init__(self, reason: str, errors: dict | None = None):
        super().__init__(reason)
        self.reason, self.errors = reason, errors or {}


def _save_intake(user, item: OfflineItem, formdata: MultiDict) -> None:
    from ..cases.views.records import case_form  # the online intake form with this counsellor's units

    form = case_form(formdata, meta={"csrf": False})
    if not form.validate():
        raise _Rejected("invalid", {k: [str(m) for m in v] for k, v in form.errors.items()})
    birth_year = form.birth_date.data.year if form.birth_date.data else form.birth_year.data
    if not form.confirm_duplicate.data and case_queries.find_duplicates(
        user,
        full_name=form.full_name.data or "",
        birth_year=birth_year,
        phone=form.phone.data or "",
        id_number=form.id_number.data or "",
    ):
        raise _Rejected("duplicate")
    case = case_services.create_case(form.to_data(), actor=user)
    item.case_id = item.result_id = case.id


def _save_on_case(user, item: OfflineItem, case_ref: str, formdata: MultiDict) -> None:
    row = db.session.get(OfflineCase, case_ref) if case_ref else None
    mine = row if row is not None and row.user_id == user.id else None
    if mine is not None and not mine.case.is_erased:
        # Known before anything is sealed: a rejected item is sealed under this case's key and dies with it,
        # even when the counsellor has lost access to the case since (the case is still what it is about).
        item.case_id = mine.case_id
    case = case_queries.case_for(user, mine.case_id) if mine is not None else None
    # Found through any reading role's scope, so the edit itself is asked of the case's policy: a user who holds
    # a counsellor role elsewhere and only supervises (or reviews) this case reads it but may not write into it.
    if case is None or not authorize(user, "edit", case):
        raise _Rejected("no_access")
    if item.kind == "note":
        form = NoteForm(formdata, meta={"csrf": False})
        if not form.validate():
            raise _Rejected("invalid", {k: [str(m) for m in v] for k, v in form.errors.items()})
        item.result_id = case_services.add_note(case, form.body.data, actor=user).id
        return
    form = FollowUpOutcomeForm(formdata, meta={"csrf": False})
    if not form.validate():
        raise _Rejected("invalid", {k: [str(m) for m in v] for k, v in form.errors.items()})
    followup = db.session.scalar(
        select(FollowUp)
        .where(FollowUp.case_id == case.id, FollowUp.status == "open")
        .order_by(FollowUp.due_on)
        .limit(1)
    )
    if followup is None:
        raise _Rejected("no_followup")
    case_services.complete_followup(followup, form.outcome.data, actor=user, status=form.status.data)
    item.result_id = followup.id


def _reject(item: OfflineItem, reason: str, formdata: MultiDict, errors: dict) -> None:
    item.status, item.reason = "rejected", reason
    item.values = {name: formdata.getlist(name) for name in formdata}
    item.errors = errors or {}


# --- the work-queue tasks of rejected items ------------------------------------------------------------------


def rejected_items(user) -> list[OfflineItem]:
    return list(
        db.session.scalars(
            select(OfflineItem)
            .where(OfflineItem.user_id == user.id, OfflineItem.status == "rejected")
            .order_by(OfflineItem.received_at)
        )
    )


def resolve(item: OfflineItem, *, actor) -> None:
    """The counsellor dealt with a rejected item online: its sealed content is destroyed."""
    ensure(item.status == "rejected", _l("Bản ghi này đã được xử lý."))
    item.shred(clock.now())
    item.status = "resolved"
    audit.record(actor, "offline.resolve", item, case_id=item.case_id)
    db.session.flush()


@events.case_erased.connect
def on_case_erased(case, actor) -> None:
    """The case was erased: what a phone sent for it and could not save is destroyed too (its sealed values,
    and its id on the erasure ledger so that an older backup cannot open it), and no phone carries it any more."""
    now = clock.now()
    shredded = []
    for item in db.session.scalars(
        select(OfflineItem).where(OfflineItem.case_id == case.id, OfflineItem.status == "rejected")
    ):
        item.shred(now)
        item.status = "resolved"
        shredded.append(item.id)
    schedule_ledger(*shredded)
    for row in db.session.scalars(select(OfflineCase).where(OfflineCase.case_id == case.id)):
        db.session.delete(row)
    db.session.flush()


def max_item_bytes() -> int:
    return int(current_app.config.get("OFFLINE_MAX_ITEM_BYTES", 64 * 1024))


def record_item_read(item: OfflineItem, *, actor) -> None:
    """Opening a rejected item shows what was typed: audited like any read of person data."""
    audit.record(actor, "offline.item_read", item, case_id=item.case_id)
