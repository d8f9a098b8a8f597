"""Operations on case transfers: each checks, changes state, writes its audit entry (on the case's timeline)
and flushes; the view commits.

The case stays where it is until the receiving side accepts: the sender keeps it (and can cancel), the
receiver sees only the summary tier. On acceptance the case's unit changes, so the sender's scope no longer
holds it; its data key, notes, consents, follow-ups and referrals stay attached to the case and so move with
it, and open follow-ups pass to the counsellor who accepted."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import events
from ..audit import services as audit
from ..auth.models import RoleAssignment, User
from ..cases.models import Case, CaseNote, Consent, FollowUp
from ..cases.tally import refresh as refresh_tally
from ..extensions import db, utcnow
from ..services import ensure, ensure_found
from ..units.models import Unit
from ..units.queries import scope_ids
from .models import CaseTransfer

REASONS = ("moved", "workload", "other")
RECEIVING_KINDS = ("trusted_address", "commune")


def pending_for(case: Case) -> CaseTransfer | None:
    return db.session.scalar(
        select(CaseTransfer).where(CaseTransfer.case_id == case.id, CaseTransfer.status == "pending")
    )


def _counsellor_covering(user_id: str, unit: Unit) -> bool:
    """Does this user hold the counsellor role somewhere that covers `unit`?"""
    user = db.session.get(User, user_id)
    return (
        user is not None
        and user.active
        and any(a.role == "counsellor" and unit.id in scope_ids(a.unit) for a in user.roles)
    )


def request_transfer(case: Case, data: dict, *, actor) -> CaseTransfer:
    """Ask another unit (or a named counsellor there) to take the case over."""
    ensure(not case.is_erased and case.is_open, _l("Chỉ chuyển được hồ sơ đang mở."))
    ensure(pending_for(case) is None, _l("Hồ sơ đang chờ bên nhận chấp nhận một yêu cầu chuyển khác."))
    choose_unit = _l("Vui lòng chọn địa chỉ tin cậy hoặc xã đang hoạt động.")
    unit = ensure_found(db.session.get(Unit, data.get("to_unit_id") or ""), choose_unit, "to_unit_id")
    ensure(unit.kind in RECEIVING_KINDS and unit.is_current(), choose_unit, "to_unit_id")
    ensure(unit.id != case.unit_id, _l("Hồ sơ đã thuộc đơn vị này."), "to_unit_id")
    to_user = data.get("to_user_id") or None
    if to_user:
        ensure(to_user != actor.id, _l("Không thể chuyển hồ sơ cho chính mình."), "to_user_id")
        ensure(_counsellor_covering(to_user, unit), _l("Người nhận phải là tư vấn viên của đơn vị nhận."), "to_user_id")
    else:
        ensure(
            (
                db.session.scalar(
                    select(func.count())
                    .select_from(RoleAssignment)
                    .where(RoleAssignment.role == "counsellor", RoleAssignment.unit_id.in_(scope_ids(unit)))
                )
                or 0
            )
            > 0,
            _l("Đơn vị nhận chưa có tư vấn viên nào để chấp nhận."),
            "to_unit_id",
        )
    reason = data.get("reason_code") or "moved"
    ensure(reason in REASONS, _l("Lý do không hợp lệ."), "reason_code")
    transfer = CaseTransfer(
        case_id=case.id,
        from_unit_id=case.unit_id,
        to_unit_id=unit.id,
        to_user_id=to_user,
        status="pending",
        requested_by_id=actor.id,
        reason_code=reason,
    )
    db.session.add(transfer)
    db.session.flush()
    audit.record(
        actor,
        "transfer.request",
        transfer,
        case_id=case.id,
        detail={"to_unit_id": unit.id, "to_user_id": to_user, "reason": reason},
    )
    return transfer


def what_moves(case: Case) -> dict:
    """Counts for the confirmation step: what goes with the case."""

    def count(model):
        return db.session.scalar(select(func.count()).select_from(model).where(model.case_id == case.id))

    from ..referrals.models import Referral

    return {
        "notes": count(CaseNote),
        "consents": count(Consent),
        "followups": count(FollowUp),
        "referrals": count(Referral),
    }


def accept(transfer: CaseTransfer, *, actor) -> None:
    """Take the case over: it moves to the receiving unit; open follow-ups pass to the acceptor."""
    ensure(transfer.status == "pending", _l("Yêu cầu chuyển này đã được xử lý rồi."))
    case = ensure_found(db.session.get(Case, transfer.case_id), _l("Hồ sơ không còn."))
    ensure(not case.is_erased, _l("Hồ sơ không còn."))
    old_unit = case.unit_id
    case.unit_id = transfer.to_unit_id
    case.refresh_blind_indexes()  # the indexes are keyed per commune: the new commune's search must find it
    refresh_tally(case)  # its counts move to the receiving unit
    for followup in db.session.scalars(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open")):
        followup.assignee_id = actor.id
    transfer.status, transfer.decided_by_id, transfer.decided_at = "accepted", actor.id, utcnow()
    db.session.flush()
    events.case_moved.send(case, from_unit_id=old_unit, actor=actor)
    audit.record(
        actor,
        "transfer.accept",
        transfer,
        case_id=case.id,
        detail={"from_unit_id": old_unit, "to_unit_id": transfer.to_unit_id},
    )


def decline(transfer: CaseTransfer, *, actor) -> None:
    """Refuse the case: it stays with the sender."""
    ensure(transfer.status == "pending", _l("Yêu cầu chuyển này đã được xử lý rồi."))
    transfer.status, transfer.decided_by_id, transfer.decided_at = "declined", actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "transfer.decline", transfer, case_id=transfer.case_id)


def cancel(transfer: CaseTransfer, *, actor) -> None:
    """The sender takes the request back before it is accepted."""
    ensure(transfer.status == "pending", _l("Yêu cầu chuyển này đã được xử lý rồi."))
    transfer.status, transfer.decided_by_id, transfer.decided_at = "cancelled", actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "transfer.cancel", transfer, case_id=transfer.case_id)
