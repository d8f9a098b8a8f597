"""Operations on case records: each changes state, writes its audit entry and flushes; the request commits
(app/web/unit_of_work.py).

Other areas use `schedule_followup`, `valid_consents`, `withdraw_consent` and `erase_case`.
"""

import unicodedata
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from .. import clock, events
from ..audit import services as audit
from ..crypto.errors import CryptoError
from ..crypto.records import Encrypted, encrypted_fields, schedule_ledger
from ..extensions import db, transaction, utcnow
from ..services import ServiceError, ensure
from .models import BreakGlassGrant, Case, CaseCounter, CaseNote, CaseService, Consent, EraseRequest, FollowUp
from .queries import scope_for
from .reference_data import CONSENT_LANGUAGES
from .restriction import ensure_processing_allowed
from .tally import refresh as refresh_tally

BREAK_GLASS_MINUTES = 60
CASE_CHILDREN = (Consent, FollowUp, CaseService, CaseNote, BreakGlassGrant)
EDITABLE_SUMMARY = (
    "kind",
    "unit_id",
    "village_id",
    "sex",
    "age_band",
    "ethnic_code",
    "disability",
    "poverty_status",
    "risk_level",
    "opened_on",
)
EDITABLE_FIELDS = EDITABLE_SUMMARY + Case.IDENTITY_FIELDS + Case.NARRATIVE_FIELDS


class EditConflict(ServiceError):
    """Someone else saved the case after the form was opened."""


def nfc(value):
    """Store one Unicode form only: names typed on different phones compare and display alike."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


# --- cases -----------------------------------------------------------------------------------------


def next_code(year: int) -> str:
    """Give the next human case code of a year, TG-<year>-<number>."""
    counter = db.session.scalar(select(CaseCounter).where(CaseCounter.year == year).with_for_update())
    if counter is None:
        counter = CaseCounter(year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    return f"TG-{year}-{counter.last:04d}"


def _apply(case: Case, data: dict, names) -> list[str]:
    """Set the given fields from `data`; return the names whose value changed."""
    changed = []
    for name in names:
        if name not in data:
            continue
        value = nfc(data[name])
        if value in ("", [], {}):
            value = None
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    return changed


def _ensure_unit(actor, unit_id) -> None:
    ensure(unit_id in scope_for(actor, "counsellor"), _l("Bạn không quản lý đơn vị này."), "unit_id")


def create_case(data: dict, *, actor) -> Case:
    """Open a new case from the intake form."""
    _ensure_unit(actor, data.get("unit_id"))
    opened_on = data.get("opened_on") or clock.today()
    case = Case(code=next_code(opened_on.year), status="open", created_by_id=actor.id, opened_on=opened_on)
    _apply(case, data, EDITABLE_FIELDS)
    case.refresh_blind_indexes()
    refresh_tally(case)
    db.session.add(case)
    audit.record(actor, "case.create", case, detail={"kind": case.kind})
    db.session.flush()
    return case


def update_case(case: Case, data: dict, *, actor, version: int, correction: bool = False) -> list[str]:
    """Save an edit made on `version` of the case; refuse it when someone saved in between.

    While processing is restricted on the survivor's request no edit is made, except a correction the survivor
    asked for (`correction`, from the rights desk): putting their data right is what a restriction often
    waits for."""
    if not correction:
        ensure_processing_allowed(case.id, "case.edit", actor=actor)
    if case.version != version:
        raise EditConflict(_l("Hồ sơ đã được người khác sửa sau khi bạn mở biểu mẫu."))
    if "unit_id" in data and data["unit_id"] != case.unit_id:
        _ensure_unit(actor, data["unit_id"])
    try:
        # No autoflush while the fields are set: looking up the commune's index keys would otherwise flush
        # the half-made change early, outside this guard.
        with db.session.no_autoflush:
            changed = _apply(case, data, EDITABLE_FIELDS)
            if not changed:
                return []
            case.refresh_blind_indexes()
            refresh_tally(case)
        db.session.flush()  # the UPDATE carries "WHERE version = <ours>": a concurrent save makes it miss
    except StaleDataError as exc:
        raise EditConflict(_l("Hồ sơ đã được người khác sửa sau khi bạn mở biểu mẫu.")) from exc
    audit.record(actor, "case.edit", case, detail={"fields": changed})
    return changed


def record_read(case: Case, *, actor, tier: str = "full") -> None:
    """Audit that identity and narrative of a case were shown (break-glass reads say so)."""
    audit.record(actor, "case.read_full", case, detail={"tier": tier})


def close_case(case: Case, reason: str, *, actor, note: str = "", on: date | None = None) -> None:
    """Close a case; with follow-ups still open, an explicit explanation is required."""
    ensure(case.is_open, _l("Hồ sơ đã đóng."))
    ensure_processing_allowed(case.id, "case.close", actor=actor, field="reason")
    ensure(reason, _l("Vui lòng chọn lý do đóng hồ sơ."), "reason")
    open_followups = db.session.scalar(
        select(func.count()).select_from(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open")
    )
    if open_followups:
        ensure(
            note and note.strip(),
            _l("Còn %(n)d lần theo dõi chưa xong: hãy ghi rõ vì sao vẫn đóng hồ sơ.", n=open_followups),
            "note",
        )
    case.status, case.closed_on, case.closure_reason = "closed", on or clock.today(), reason
    refresh_tally(case)
    if note and note.strip():
        _add_note(case, _l("Đóng hồ sơ: %(note)s", note=note.strip()), actor=actor)
    # The reason is sealed with the case (Case.closure): the audit trail, kept in clear after erasure, says only
    # that the case was closed.
    audit.record(actor, "case.close", case, detail={"open_followups": open_followups})
    db.session.flush()


def reopen_case(case: Case, reason: str, *, actor) -> None:
    """Reopen a closed case, with the reason kept as a note."""
    ensure(not case.is_open, _l("Hồ sơ đang mở."))
    ensure_processing_allowed(case.id, "case.reopen", actor=actor, field="reason")
    ensure(reason and reason.strip(), _l("Vui lòng ghi lý do mở lại hồ sơ."), "reason")
    case.status, case.closed_on, case.closure_reason = "open", None, None
    refresh_tally(case)
    _add_note(case, _l("Mở lại hồ sơ: %(reason)s", reason=reason.strip()), actor=actor)
    audit.record(actor, "case.reopen", case)
    db.session.flush()


# --- follow-ups -----------------------------------------------------------------------------------


def refresh_next_followup(case: Case) -> None:
    """Keep Case.next_followup_on equal to the earliest open follow-up (the list sorts on it)."""
    db.session.flush()
    case.next_followup_on = db.session.scalar(
        select(func.min(FollowUp.due_on)).where(FollowUp.case_id == case.id, FollowUp.status == "open")
    )


def schedule_followup(
    case: Case, due_on: date, purpose: str, *, actor, assignee=None, source: str | None = None
) -> FollowUp:
    """Schedule a follow-up on a case (other areas pass `source`, e.g. "livelihood:<plan-id>:6m")."""
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá."))
    ensure_processing_allowed(case.id, "followup.schedule", actor=actor, field="due_on")
    ensure(due_on is not None, _l("Vui lòng nhập ngày hẹn."), "due_on")
    assignee_id = getattr(assignee, "id", assignee) or getattr(actor, "id", None)
    followup = FollowUp(
        case=case, case_id=case.id, due_on=due_on, assignee_id=assignee_id, status="open", source=source
    )
    followup.purpose = nfc(purpose) or None
    db.session.add(followup)
    refresh_next_followup(case)
    audit.record(actor, "followup.schedule", followup, detail={"source": (source or "")[:80]})
    db.session.flush()
    return followup


def complete_followup(followup: FollowUp, outcome: str, *, actor, status: str = "done") -> None:
    """Record the outcome of a follow-up (or cancel it) and move the case's next date on."""
    ensure(followup.status == "open", _l("Lần theo dõi này đã xong."))
    ensure_processing_allowed(followup.case_id, f"followup.{status}", actor=actor, field="outcome")
    ensure(status in ("done", "cancelled"), _l("Trạng thái không hợp lệ."), "status")
    ensure(outcome and outcome.strip(), _l("Vui lòng ghi kết quả."), "outcome")
    followup.outcome = nfc(outcome)
    followup.status, followup.done_at = status, utcnow()
    refresh_next_followup(followup.case)
    audit.record(actor, f"followup.{status}", followup)
    db.session.flush()


def my_followups(user, limit: int = 200) -> list[FollowUp]:
    """Open follow-ups assigned to the user within their scope, overdue (earliest due) first."""
    return list(
        db.session.scalars(
            select(FollowUp)
            .join(Case, FollowUp.case_id == Case.id)
            .where(
                FollowUp.assignee_id == user.id,
                FollowUp.status == "open",
                Case.erased_at.is_(None),
                Case.unit_id.in_(scope_for(user, "counsellor")),
            )
            .order_by(FollowUp.due_on, FollowUp.created_at)
            .limit(limit)
        )
    )


# --- consent ledger -------------------------------------------------------------------------------


def record_consent(case: Case, data: dict, *, actor) -> Consent:
    """Add an entry to the consent ledger."""
    ensure_processing_allowed(case.id, "consent.record", actor=actor, field="purpose")
    ensure(
        data.get("purpose") != "share_with_agency" or data.get("agency_id"),
        _l("Chia sẻ thông tin cần nêu tên cơ quan."),
        "agency_id",
    )
    ensure(
        data.get("expires_on") is None or data["expires_on"] >= data["given_on"],
        _l("Ngày hết hạn không được trước ngày đồng ý."),
        "expires_on",
    )
    ensure(
        data.get("method") != "verbal_with_witness" or (data.get("witness") or "").strip(),
        _l("Đồng ý bằng lời cần ghi người làm chứng."),
        "witness",
    )
    notice_id = _notice_shown(data)
    consent = Consent(
        case=case,
        case_id=case.id,
        purpose=data["purpose"],
        method=data["method"],
        given_by=data["given_by"],
        given_on=data["given_on"],
        expires_on=data.get("expires_on"),
        agency_id=data.get("agency_id") if data["purpose"] == "share_with_agency" else None,
        recorded_by_id=actor.id,
        notice_id=notice_id,
        language=data.get("language") if data.get("language") in CONSENT_LANGUAGE_CODES else "vi",
    )
    consent.witness = nfc(data.get("witness")) or None
    consent.note = nfc(data.get("note")) or None
    db.session.add(consent)
    audit.record(actor, "consent.record", consent, detail={"purpose": consent.purpose, "agency_id": consent.agency_id})
    db.session.flush()
    events.consent_recorded.send(consent, actor=actor)
    return consent


CONSENT_LANGUAGE_CODES = {code for code, _ in CONSENT_LANGUAGES}


def _notice_shown(data: dict) -> str | None:
    """The sensitive-data notice read before this consent (Decree 356/2025 Art. 6): the version in force on the
    day of consent; one named by the form must be that one. None only before any notice existed."""
    in_force = events.answer(events.notice_in_force, data["given_on"])
    chosen = data.get("notice_id") or None
    ensure(
        chosen is None or (in_force and chosen == in_force[0]),
        _l("Phiên bản thông báo này không áp dụng vào ngày đồng ý; hãy chọn phiên bản đang áp dụng ngày đó."),
        "notice_id",
    )
    return in_force[0] if in_force else None


@events.case_is_live.connect
def _case_is_live(case_id: str) -> str | None:
    return db.session.scalar(select(Case.id).where(Case.id == case_id, Case.erased_at.is_(None)))


def valid_consents(case: Case, purpose: str, agency_id: str | None = None, on: date | None = None) -> list[Consent]:
    """The consents of a case that cover `purpose` (and the named agency) on a day, today by default."""
    on = on or clock.today()
    stmt = select(Consent).where(
        Consent.case_id == case.id, Consent.purpose == purpose, Consent.withdrawn_on.is_(None), Consent.given_on <= on
    )
    if agency_id is not None:
        stmt = stmt.where(Consent.agency_id == agency_id)
    return [c for c in db.session.scalars(stmt.order_by(Consent.given_on)) if c.is_valid(on)]


def withdraw_consent(consent: Consent, *, actor, on: date | None = None) -> None:
    """Record that a consent was withdrawn; referrals relying on it are told."""
    on = on or clock.today()
    ensure(consent.withdrawn_on is None, _l("Sự đồng ý này đã được rút."))
    ensure(on >= consent.given_on, _l("Ngày rút không được trước ngày đồng ý."), "withdrawn_on")
    consent.withdrawn_on = on
    audit.record(actor, "consent.withdraw", consent, detail={"purpose": consent.purpose})
    db.session.flush()
    events.consent_withdrawn.send(consent, actor=actor)


# --- services in the case plan ---------------------------------------------------------------------


def add_service(case: Case, data: dict, *, actor) -> CaseService:
    """Add a service to the case plan."""
    ensure_processing_allowed(case.id, "service.add", actor=actor, field="kind")
    _check_service_dates(data)
    service = CaseService(
        case=case,
        case_id=case.id,
        kind=data["kind"],
        status=data.get("status") or "planned",
        start_on=data.get("start_on"),
        end_on=data.get("end_on"),
    )
    service.notes = nfc(data.get("notes")) or None
    db.session.add(service)
    # No kind or status in the detail: the audit trail is plaintext, and they are sealed with the case.
    audit.record(actor, "service.add", service)
    db.session.flush()
    return service


def update_service(service: CaseService, data: dict, *, actor) -> None:
    """Change the status and dates of a service."""
    ensure_processing_allowed(service.case_id, "service.update", actor=actor, field="status")
    _check_service_dates(data)
    service.status, service.start_on, service.end_on = data["status"], data.get("start_on"), data.get("end_on")
    if data.get("notes") is not None:
        service.notes = nfc(data["notes"]) or None
    audit.record(actor, "service.update", service)
    db.session.flush()


def _check_service_dates(data: dict) -> None:
    start, end = data.get("start_on"), data.get("end_on")
    ensure(not (start and end and end < start), _l("Ngày kết thúc không được trước ngày bắt đầu."), "end_on")


# --- notes ----------------------------------------------------------------------------------------


def _add_note(case: Case, body, *, actor, supersedes: CaseNote | None = None) -> CaseNote:
    note = CaseNote(
        case=case,
        case_id=case.id,
        author_id=getattr(actor, "id", None),
        supersedes_id=supersedes.id if supersedes else None,
    )
    note.body = nfc(str(body))
    db.session.add(note)
    return note


def add_note(case: Case, body: str, *, actor) -> CaseNote:
    """Append a note to the case."""
    ensure_processing_allowed(case.id, "note.add", actor=actor, field="body")
    ensure(body and body.strip(), _l("Vui lòng nhập nội dung ghi chú."), "body")
    note = _add_note(case, body, actor=actor)
    db.session.flush()
    audit.record(actor, "note.add", note)
    return note


def correct_note(old: CaseNote, body: str, *, actor) -> CaseNote:
    """Correct a note by a new version that supersedes it; the old one is kept."""
    ensure_processing_allowed(old.case_id, "note.correct", actor=actor, field="body")
    ensure(body and body.strip(), _l("Vui lòng nhập nội dung ghi chú."), "body")
    already = db.session.scalar(select(CaseNote.id).where(CaseNote.supersedes_id == old.id))
    ensure(already is None, _l("Ghi chú này đã được sửa; hãy sửa phiên bản mới nhất."))
    ensure(old.withdrawn_at is None, _l("Ghi chú này đã được rút."))
    note = _add_note(old.case, body, actor=actor, supersedes=old)
    db.session.flush()
    audit.record(actor, "note.correct", note, detail={"supersedes": old.id})
    return note


def withdraw_note(note: CaseNote, *, actor) -> None:
    """Withdraw a note and the versions it corrected: they leave the case page, their text stays encrypted."""
    ensure(note.withdrawn_at is None, _l("Ghi chú này đã được rút."))
    newer = db.session.scalar(select(CaseNote.id).where(CaseNote.supersedes_id == note.id))
    ensure(newer is None, _l("Ghi chú này đã được sửa; hãy rút phiên bản mới nhất."))
    at = clock.now()
    version: CaseNote | None = note
    while version is not None:
        version.withdrawn_at, version.withdrawn_by = at, getattr(actor, "id", None)
        version = db.session.get(CaseNote, version.supersedes_id) if version.supersedes_id else None
    db.session.flush()
    audit.record(actor, "note.withdraw", note)


# --- break-glass ----------------------------------------------------------------------------------


def grant_break_glass(case: Case, reason: str, *, actor) -> BreakGlassGrant:
    """Give a district reviewer 60 minutes of read-only access to the whole case, for an emergency."""
    ensure(reason and len(reason.strip()) >= 10, _l("Vui lòng ghi rõ lý do khẩn cấp (ít nhất 10 ký tự)."), "reason")
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá."))
    now = utcnow()
    grant = BreakGlassGrant(
        case=case,
        case_id=case.id,
        user_id=actor.id,
        granted_at=now,
        expires_at=now + timedelta(minutes=BREAK_GLASS_MINUTES),
    )
    grant.reason = nfc(reason)
    db.session.add(grant)
    db.session.flush()
    audit.record(actor, "case.break_glass", grant, detail={"minutes": BREAK_GLASS_MINUTES})
    return grant


def recent_grants(case: Case, days: int = 90) -> list[BreakGlassGrant]:
    """Break-glass grants on the case, newest first, for the owning counsellor to see."""
    since = utcnow() - timedelta(days=days)
    return list(
        db.session.scalars(
            select(BreakGlassGrant)
            .where(BreakGlassGrant.case_id == case.id, BreakGlassGrant.granted_at >= since)
            .order_by(BreakGlassGrant.granted_at.desc())
        )
    )


# --- erasure --------------------------------------------------------------------------------------

ERASE_REASONS = (
    ("subject_request", _l("Theo yêu cầu của người được hỗ trợ")),
    ("retention_end", _l("Hết thời hạn lưu trữ")),
)


def request_erase(case: Case, reason: str, *, actor) -> EraseRequest:
    """Ask for a case to be erased (an admin; a district reviewer confirms)."""
    ensure(reason in dict(ERASE_REASONS), _l("Vui lòng chọn lý do."), "reason")
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá."), "case_code")
    pending = db.session.scalar(
        select(EraseRequest.id).where(EraseRequest.case_id == case.id, EraseRequest.status == "pending")
    )
    ensure(pending is None, _l("Hồ sơ này đã có yêu cầu xoá đang chờ."), "case_code")
    req = EraseRequest(case_id=case.id, reason=reason, status="pending", requested_by_id=actor.id)
    db.session.add(req)
    db.session.flush()
    audit.record(actor, "case.erase_request", req, detail={"reason": reason}, case_id=case.id)
    return req


def decide_erase(req: EraseRequest, *, actor, confirm: bool) -> None:
    """Confirm (and carry out) or refuse an erase request."""
    ensure(req.status == "pending", _l("Yêu cầu này đã được xử lý."))
    req.status, req.decided_by_id, req.decided_at = ("done" if confirm else "refused"), actor.id, utcnow()
    audit.record(actor, "case.erase_confirm" if confirm else "case.erase_refuse", req, case_id=req.case_id)
    if confirm:
        erase_case(db.session.get_one(Case, req.case_id), actor)
    db.session.flush()


def clear_summary_tier(case: Case) -> None:
    """Keep of an erased case's plain row only what a count still reads, at the coarsest grain it reads it.

    Its profile (sex, age band, ethnic group, disability, poverty, village), its closure reason and the cells it
    counted in were sealed under the case key, which `shred` destroys: the counts stay in the statistics
    (app/cases/tally.py), the link from the case to them goes. What stays, and what reads it: a build of the counts
    from scratch (`tally.recount`, mode "scratch": counts lost or never built) counts an erased case by
    `tally.kept_contributions`, from its unit, kind, opening and closing *quarters* and `in_statistics` (a case out
    of the statistics counts nowhere); these stay, the dates as quarters. `status` stays: it tells nothing more than
    `closed_on` (NULL exactly while open), and a constant in its place would break that pairing, which the work
    lists and retention read. `erased_at` says the row is erased (every query leaves it out); the code is how the
    erasure requests list and an admin asking again name the erased case (it says the opening year, which the
    quarter says too, and its number the order of intake in that year). Everything else goes: risk and the exact
    dates single a person out in a small commune (app/cases/disclosure.py measures it); who created the case and
    when (the moment of intake, finer than the quarter kept) are read by no count: the creation time becomes the
    erasure's."""
    case.next_followup_on = None
    case.risk_level = "low"
    case.created_by_id = None
    case.created_at = case.erased_at or utcnow()
    if case.opened_on:
        case.opened_on = quarter_start(case.opened_on)
    if case.closed_on:
        case.closed_on = quarter_end(case.closed_on)


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(day: date) -> date:
    last_month = (day.month - 1) // 3 * 3 + 3
    return (date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)) - timedelta(days=1)


def erase_case(case: Case, actor) -> None:
    """Erase a case for good: its case key is destroyed, so no key kept anywhere opens it again.

    In this transaction: every ciphertext, wrapped data key and blind index of the case, its case-keyed rows,
    its referrals' packets (the referral area's hook) and the drafts typed on its forms go. When the
    transaction commits, and only then, the case's group in the case-key store (the case key and every packet
    key) is destroyed and the id goes on the erasure ledger (app/crypto/records.py, schedule_destroy); so an
    erasure that fails half-way leaves the case wholly readable. Of the summary tier only what the statistics
    count stays (clear_summary_tier).
    Where copies could hide and how each is dealt with: app/crypto/casekeys.py and the README.
    """
    from ..web.drafts import discard_case_drafts

    for model in CASE_CHILDREN:
        columns = {Encrypted.storage_name(name): None for name in encrypted_fields(model)}
        db.session.execute(
            update(model).where(model.case_id == case.id).values(columns).execution_options(synchronize_session=False)
        )
    case.shred(utcnow())  # schedules the destruction of the case's whole key group at commit
    clear_summary_tier(case)
    for column in ("bidx_name", "bidx_name_fold", "bidx_phone", "bidx_id_number", "bidx_name_year"):
        setattr(case, column, None)
    schedule_ledger(case.id)
    discard_case_drafts(case.id)
    audit.record(actor, "case.erase", case)
    db.session.flush()
    for obj in list(db.session.identity_map.values()):  # rows loaded earlier must not keep plaintext either
        if isinstance(obj, CASE_CHILDREN) and obj.case_id == case.id:
            obj.__dict__.pop("_tc_plain", None)
            db.session.expire(obj)
    events.case_erased.send(case, actor=actor)


# --- blind indexes -------------------------------------------------------------------------------


def reindex_blind(batch: int = 500) -> int:
    """Recompute the blind indexes of every case still on the installation-wide scheme under its commune's keys
    (committed in batches; resumable: the cases already done say so in bidx_scheme). Returns how many."""
    from .models import BIDX_SCHEME

    done = 0
    stale = (Case.bidx_scheme.is_(None)) | (Case.bidx_scheme != BIDX_SCHEME)
    while True:
        with transaction():  # one committed batch
            cases = db.session.scalars(select(Case).where(stale, Case.erased_at.is_(None)).limit(batch)).all()
            for case in cases:
                try:
                    case.refresh_blind_indexes()
                except CryptoError:  # erased per the ledger (an older database restored) or damaged: nothing to find
                    for column in ("bidx_name", "bidx_name_fold", "bidx_phone", "bidx_id_number", "bidx_name_year"):
                        setattr(case, column, None)
                    case.bidx_scheme = BIDX_SCHEME
        if not cases:
            break
        done += len(cases)
    if done:
        with transaction():
            audit.record("cli", "cases.reindex", detail={"cases": done, "scheme": BIDX_SCHEME})
    return done


__all__ = [
    "EditConflict",
    "ServiceError",
    "add_note",
    "add_service",
    "close_case",
    "complete_followup",
    "correct_note",
    "create_case",
    "decide_erase",
    "erase_case",
    "grant_break_glass",
    "my_followups",
    "record_consent",
    "record_read",
    "refresh_next_followup",
    "reindex_blind",
    "reopen_case",
    "request_erase",
    "schedule_followup",
    "update_case",
    "update_service",
    "valid_consents",
    "withdraw_consent",
    "withdraw_note",
]
