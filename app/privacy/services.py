"""The controller's duties: publish notice versions, keep the dossier and its clocks, the transfer agreements
and the retention schedule. Every change is audited (ids, versions and numbers; these texts name no one)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import clock, events
from ..audit import services as audit
from ..deadlines import due_at
from ..directory.models import Service
from ..extensions import db
from ..services import ensure, ensure_found
from . import reference_data as ref
from . import rules
from .models import DossierVersion, PrivacyNotice, Reorganisation, RetentionRule, TransferAgreement

# --- the sensitive-data notice ----------------------------------------------------------------------------


def notices() -> list[PrivacyNotice]:
    return list(db.session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())))


def notice_on(day: date) -> PrivacyNotice | None:
    """The version in force on `day` (versions follow one another without gaps or overlaps)."""
    return db.session.scalar(
        select(PrivacyNotice).where(
            PrivacyNotice.valid_from <= day, (PrivacyNotice.valid_to.is_(None)) | (PrivacyNotice.valid_to > day)
        )
    )


def publish_notice(data: dict, *, actor) -> PrivacyNotice:
    """Publish a new version from its first day; the version before it ends the day before. Never edits one."""
    text_vi, plain = (data.get("text_vi") or "").strip(), (data.get("text_plain") or "").strip()
    ensure(text_vi, _l("Vui lòng nhập nội dung thông báo."), "text_vi")
    ensure(plain, _l("Vui lòng nhập bản dễ hiểu cho người đọc tiếng Việt khó khăn."), "text_plain")
    given = data.get("valid_from")
    start = ensure_found(given if isinstance(given, date) else None, _l("Vui lòng nhập ngày áp dụng."), "valid_from")
    ensure(
        start >= clock.today(),
        _l("Ngày áp dụng không được ở quá khứ: thông báo đã đọc cho người được hỗ trợ không thay đổi được."),
        "valid_from",
    )
    current = db.session.scalar(select(PrivacyNotice).where(PrivacyNotice.valid_to.is_(None)))
    if current is not None:
        ensure(
            start > current.valid_from, _l("Ngày áp dụng phải sau ngày áp dụng của phiên bản hiện hành."), "valid_from"
        )
        current.valid_to = start
    version = (db.session.scalar(select(func.max(PrivacyNotice.version))) or 0) + 1
    notice = PrivacyNotice(
        version=version,
        valid_from=start,
        text_vi=text_vi,
        text_plain=plain,
        change_note=(data.get("change_note") or "").strip()[:300],
        published_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    audit.record(actor, "privacy.notice_publish", notice, detail={"version": version, "valid_from": start.isoformat()})
    return notice


def notice_label(notice: PrivacyNotice) -> str:
    return str(_l("Phiên bản %(n)d (từ %(d)s)", n=notice.version, d=notice.valid_from.strftime("%d/%m/%Y")))


@events.notice_in_force.connect
def _notice_in_force(day: date):
    """The consent ledger asks which notice was in force on the day of a consent: (id, label) or None."""
    notice = notice_on(day)
    return (notice.id, notice_label(notice)) if notice else None


@events.notice_versions.connect
def _notice_versions(_sender):
    return [(n.id, notice_label(n)) for n in notices()]


# --- the impact-assessment dossier ------------------------------------------------------------------------


def dossiers() -> list[DossierVersion]:
    return list(db.session.scalars(select(DossierVersion).order_by(DossierVersion.version.desc())))


def latest_dossier() -> DossierVersion | None:
    return db.session.scalar(select(DossierVersion).order_by(DossierVersion.version.desc()).limit(1))


def open_reorganisations() -> list[Reorganisation]:
    return list(
        db.session.scalars(
            select(Reorganisation).where(Reorganisation.answered_by_id.is_(None)).order_by(Reorganisation.occurred_on)
        )
    )


def save_dossier(data: dict, facts: dict, *, actor) -> DossierVersion:
    """Save the dossier as a new version: its sections, and the system's facts as they stand today."""
    reason = data.get("reason")
    ensure(reason in {code for code, _ in ref.DOSSIER_REASONS}, _l("Vui lòng chọn lý do lập, cập nhật."), "reason")
    sections = {key: (data.get(key) or "").strip() for key, _ in ref.DOSSIER_SECTIONS}
    missing = [key for key, value in sections.items() if not value]
    ensure(not missing, _l("Vui lòng điền đủ các mục của hồ sơ."), missing[0] if missing else None)
    started = data.get("processing_started_on")
    ensure(
        isinstance(started, date) and started <= clock.today(),
        _l("Vui lòng nhập ngày bắt đầu xử lý (không ở tương lai)."),
        "processing_started_on",
    )
    version = (db.session.scalar(select(func.max(DossierVersion.version))) or 0) + 1
    dossier = DossierVersion(
        version=version,
        reason=reason,
        processing_started_on=started,
        completed_on=clock.today(),
        sections=sections,
        facts=facts,
        saved_by_id=actor.id,
    )
    db.session.add(dossier)
    db.session.flush()
    for reorganisation in open_reorganisations():
        reorganisation.answered_by_id = dossier.id  # this version is the update the reorganisation called for
    audit.record(actor, "privacy.dossier_save", dossier, detail={"version": version, "reason": reason})
    db.session.flush()
    return dossier


def mark_sent(dossier: DossierVersion, sent_on: date | None, *, actor) -> None:
    """The dossier was sent to the authority (A05, Bộ Công an) on a day."""
    ensure(dossier.sent_on is None, _l("Đã ghi nhận ngày gửi hồ sơ này."))
    ensure(
        isinstance(sent_on, date) and dossier.completed_on <= sent_on <= clock.today(),
        _l("Ngày gửi phải từ ngày lập hồ sơ đến hôm nay."),
        "sent_on",
    )
    dossier.sent_on = sent_on
    audit.record(actor, "privacy.dossier_sent", dossier, detail={"version": dossier.version})
    db.session.flush()


def record_reorganisation(data: dict, *, actor) -> Reorganisation:
    """A reorganisation happened: the dossier must be updated within 10 days (form 03a)."""
    occurred = data.get("occurred_on")
    ensure(
        isinstance(occurred, date) and occurred <= clock.today(),
        _l("Vui lòng nhập ngày tổ chức lại (không ở tương lai)."),
        "occurred_on",
    )
    description = (data.get("description") or "").strip()
    ensure(description, _l("Vui lòng mô tả việc tổ chức lại."), "description")
    row = Reorganisation(occurred_on=occurred, description=description[:300], recorded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "privacy.reorganisation", row)
    return row


def dossier_clocks(processing_started_on: date) -> list[tuple[str, datetime]]:
    """The dossier's deadlines now: (what, due moment), from the engine's rules."""
    latest = latest_dossier()
    clocks = []
    if latest is None:
        clocks.append(("first", due_at(rules.DOSSIER_FIRST, clock.start_of_day(processing_started_on))))
    else:
        clocks.append(("review", due_at(rules.DOSSIER_REVIEW, clock.start_of_day(latest.completed_on))))
    for reorganisation in open_reorganisations():
        clocks.append(
            ("reorganisation", due_at(rules.DOSSIER_REORGANISATION, clock.start_of_day(reorganisation.occurred_on)))
        )
    return clocks


def processing_start() -> date:
    """When the processing started: as the last dossier says, or the day the law took effect."""
    latest = latest_dossier()
    return latest.processing_started_on if latest else ref.IN_FORCE


# --- transfer agreements ----------------------------------------------------------------------------------


def agreements() -> list[TransferAgreement]:
    return list(db.session.scalars(select(TransferAgreement).order_by(TransferAgreement.valid_from.desc())))


def live_agreement(service_id: str, on: date | None = None) -> TransferAgreement | None:
    """The agreement that covers the directory service on a day (today by default), if any."""
    on = on or clock.today()
    rows = db.session.scalars(select(TransferAgreement).where(TransferAgreement.service_id == service_id))
    return next((a for a in rows if a.live_on(on)), None)


def record_agreement(data: dict, *, actor) -> TransferAgreement:
    """Record the written agreement with one receiving service of the directory (Decree 356/2025 Art. 7)."""
    no_service = _l("Vui lòng chọn dịch vụ nhận dữ liệu.")
    service = ensure_found(db.session.get(Service, data.get("service_id") or ""), no_service, "service_id")
    ensure(service.is_live(), no_service, "service_id")
    reference = (data.get("reference") or "").strip()
    ensure(reference, _l("Vui lòng nhập số văn bản thoả thuận."), "reference")
    signed, start, end = data.get("signed_on"), data.get("valid_from"), data.get("valid_to")
    ensure(
        isinstance(signed, date) and signed <= clock.today(),
        _l("Vui lòng nhập ngày ký (không ở tương lai)."),
        "signed_on",
    )
    ensure(isinstance(start, date), _l("Vui lòng nhập ngày bắt đầu hiệu lực."), "valid_from")
    ensure(end is None or end >= start, _l("Ngày hết hiệu lực không được trước ngày bắt đầu."), "valid_to")
    scope = (data.get("scope") or "").strip()
    ensure(scope, _l("Vui lòng ghi phạm vi dữ liệu và mục đích chuyển giao."), "scope")
    row = TransferAgreement(
        agency_id=service.unit_id,
        service_id=service.id,
        reference=reference[:80],
        signed_on=signed,
        valid_from=start,
        valid_to=end,
        scope=scope[:500],
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor, "privacy.agreement_record", row, detail={"agency_id": service.unit_id, "service_id": service.id}
    )
    return row


def end_agreement(row: TransferAgreement, ended_on: date | None, *, actor) -> None:
    """The agreement ended early (terminated, or the service was closed)."""
    ensure(row.ended_on is None, _l("Thoả thuận này đã chấm dứt."))
    ensure(
        isinstance(ended_on, date) and ended_on >= row.valid_from,
        _l("Ngày chấm dứt không được trước ngày bắt đầu hiệu lực."),
        "ended_on",
    )
    row.ended_on = ended_on
    audit.record(actor, "privacy.agreement_end", row, detail={"agency_id": row.agency_id, "service_id": row.service_id})
    db.session.flush()


@events.transfer_agreement_asked.connect
def _agreement_asked(service_id: str, *, on: date | None = None):
    """A referral (or an agency's onward referral) asks whether a live agreement covers the receiving service."""
    row = live_agreement(service_id, on)
    return {"live": row is not None, "reference": row.reference if row else None}


# --- the retention schedule -------------------------------------------------------------------------------


def retention_rules() -> dict[str, RetentionRule]:
    return {r.record_type: r for r in db.session.scalars(select(RetentionRule))}


def set_retention(record_type: str, months: int | None, basis: str, *, actor) -> RetentionRule:
    """Change one line of the schedule; the audit entry keeps the period before and after."""
    ensure(record_type in {code for code, *_ in ref.RECORD_TYPES}, _l("Loại hồ sơ không hợp lệ."))
    months = ensure_found(months, _l("Thời hạn từ 1 đến 1200 tháng."), "months")
    ensure(1 <= months <= 1200, _l("Thời hạn từ 1 đến 1200 tháng."), "months")
    basis = (basis or "").strip()
    ensure(basis, _l("Vui lòng ghi căn cứ của thời hạn."), "basis")
    row = retention_rules().get(record_type)
    before = row.months if row else None
    if row is None:
        row = RetentionRule(record_type=record_type, months=months, basis=basis[:300])
        db.session.add(row)
    row.months, row.basis, row.updated_by_id, row.updated_at = months, basis[:300], actor.id, clock.now()
    db.session.flush()
    audit.record(
        actor, "privacy.retention_set", row, detail={"record_type": record_type, "before": before, "months": months}
    )
    return row


def load_reference() -> None:
    """Start a database with notice version 1 and the proposed retention schedule, only where none exists:
    the officer's own versions and lines are never overwritten."""
    if db.session.scalar(select(func.count()).select_from(PrivacyNotice)) == 0:
        db.session.add(
            PrivacyNotice(
                version=1,
                valid_from=ref.IN_FORCE,
                text_vi=ref.NOTICE_V1_FULL,
                text_plain=ref.NOTICE_V1_PLAIN,
                change_note="Phiên bản đầu tiên",
            )
        )
    existing = retention_rules()
    for code, _label, _start, months in ref.RECORD_TYPES:
        if code not in existing:
            db.session.add(RetentionRule(record_type=code, months=months, basis=ref.PROPOSED_BASIS))
    db.session.flush()
