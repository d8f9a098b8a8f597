"""Requests that wait for a second person, who they are, and what happens when they approve.

Separation of duties: the roles that read case content (CASE_ROLES) and the administrator's role are
disjoint for a person, and every change that could open case content to someone — a case-reading role, a
case reader's new password or second factor, a unit lineage, an agency mapping — is only requested here. It
takes effect when a case reader responsible for that scope approves it with a fresh second factor: a
supervisor whose subtree holds the unit, or the province's district_reviewer (the only approver of lineage
and of roles at province level). The requester and the account concerned never approve. A request expires
after seven days and may be withdrawn by its requester. A new case reader, or one whose credentials are
reset, gets a one-time link shown to the approver, who hands it over: no administrator learns a credential.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import events
from ..audit import services as audit
from ..auth import setup_links
from ..auth.models import PERSON_DATA_ROLES, User
from ..extensions import db, utcnow
from ..services import ServiceError, ensure, ensure_found
from ..units.models import Unit
from ..units.queries import subtree_ids
from .models import ApprovalRequest

CASE_ROLES = PERSON_DATA_ROLES  # counsellor, supervisor, district_reviewer, agency_officer, dpo
ADMIN_ROLE = "admin"
LIFETIME = timedelta(days=7)
NEEDS_SECOND_PERSON = _l("Cần người thứ hai phê duyệt")

KIND_LABELS = {
    "role_grant": _l("Cấp vai trò đọc hồ sơ"),
    "credential_reset": _l("Đặt lại mật khẩu và xác thực hai bước"),
    "second_factor_reset": _l("Đặt lại xác thực hai bước (giữ mật khẩu)"),
    "lineage": _l("Ghi nhận sáp nhập đơn vị"),
    "agency_map": _l("Ánh xạ cơ quan tiếp nhận"),
}
STATUS_LABELS = {
    "pending": _l("Đang chờ phê duyệt"),
    "approved": _l("Đã phê duyệt"),
    "refused": _l("Bị từ chối"),
    "withdrawn": _l("Đã rút lại"),
    "expired": _l("Đã hết hạn"),
}


# --- who holds what ---------------------------------------------------------------------------


def holds_case_role(user: User) -> bool:
    return bool(user.role_names() & CASE_ROLES) or _pending_grant(user) is not None


def _pending_grant(user: User):
    return db.session.scalar(
        select(ApprovalRequest.id)
        .where(
            ApprovalRequest.subject_user_id == user.id,
            ApprovalRequest.kind == "role_grant",
            ApprovalRequest.status == "pending",
            ApprovalRequest.expires_at > utcnow(),
        )
        .limit(1)
    )


def check_disjoint(user: User, role: str) -> None:
    """Refuse a role that would make one person both an administrator and a case reader."""
    if role in CASE_ROLES:
        ensure(
            ADMIN_ROLE not in user.role_names(),
            _l("Quản trị viên không thể giữ vai trò đọc hồ sơ. Hãy dùng một tài khoản khác."),
            "role",
        )
    elif role == ADMIN_ROLE:
        ensure(
            not holds_case_role(user),
            _l("Người giữ vai trò đọc hồ sơ không thể là quản trị viên. Hãy dùng một tài khoản khác."),
            "role",
        )


# --- asking -----------------------------------------------------------------------------------


def _request(kind: str, *, actor, unit: Unit, subject: User | None = None, payload: dict) -> ApprovalRequest:
    now = utcnow()
    row = ApprovalRequest(
        kind=kind,
        requested_by_id=actor.id,
        subject_user_id=subject.id if subject else None,
        unit_id=unit.id,
        payload=payload,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "approval.request", row, detail={"kind": kind, "unit": unit.code})
    return row


def request_role(user: User, role: str, unit: Unit | None, *, actor) -> ApprovalRequest:
    ensure(role in CASE_ROLES, _l("Vai trò không hợp lệ."), "role")
    unit = ensure_found(unit, _l("Hãy chọn đơn vị."), "unit")
    ensure(user.id != actor.id, _l("Bạn không thể tự cấp vai trò cho mình."), "role")
    check_disjoint(user, role)
    ensure(
        not any(r.role == role and r.unit_id == unit.id for r in user.roles), _l("Người này đã có vai trò đó."), "role"
    )
    return _request("role_grant", actor=actor, unit=unit, subject=user, payload={"role": role, "unit_id": unit.id})


def request_credential_reset(user: User, *, actor) -> ApprovalRequest:
    ensure(user.id != actor.id, _l("Hãy đổi mật khẩu của chính bạn ở trang Tài khoản."))
    reader_roles = [r for r in user.roles if r.role in CASE_ROLES]
    ensure(reader_roles, _l("Tài khoản này không giữ vai trò đọc hồ sơ."))
    return _request("credential_reset", actor=actor, unit=reader_roles[0].unit, subject=user, payload={})


def request_second_factor_reset(user: User, *, actor) -> ApprovalRequest:
    """A case reader lost their phone and their recovery codes: their password stays, their authenticator is
    replaced through a one-time link, once a supervisor of their unit approves."""
    ensure(user.id != actor.id, _l("Bạn không thể tự đặt lại xác thực hai bước của mình."))
    reader_roles = [r for r in user.roles if r.role in CASE_ROLES]
    ensure(reader_roles, _l("Tài khoản này không giữ vai trò đọc hồ sơ."))
    ensure(user.totp_enabled or user.totp_by_link, _l("Tài khoản này chưa bật xác thực hai bước."))
    return _request("second_factor_reset", actor=actor, unit=reader_roles[0].unit, subject=user, payload={})


def request_lineage(old: Unit, new: Unit | None, effective: date | None, note: str, *, actor) -> ApprovalRequest:
    new = ensure_found(new, _l("Hãy chọn đơn vị."), "new")
    ensure(old.id != new.id, _l("Đơn vị cũ và mới phải khác nhau."), "new")
    return _request(
        "lineage",
        actor=actor,
        unit=new,
        payload={
            "old_id": old.id,
            "new_id": new.id,
            "effective": effective.isoformat() if effective else None,
            "note": (note or "")[:500],
        },
    )


def request_agency_map(old_id: str, new_id: str, *, actor) -> ApprovalRequest:
    no_old, no_new = _l("Vui lòng chọn cơ quan cũ."), _l("Vui lòng chọn cơ quan tiếp nhận.")
    old = ensure_found(db.session.get(Unit, old_id or ""), no_old, "old_agency_id")
    ensure(old.kind == "agency", no_old, "old_agency_id")
    new = ensure_found(db.session.get(Unit, new_id or ""), no_new, "new_agency_id")
    ensure(new.kind == "agency", no_new, "new_agency_id")
    ensure(old.id != new.id, _l("Cơ quan cũ và cơ quan tiếp nhận phải khác nhau."), "new_agency_id")
    return _request("agency_map", actor=actor, unit=new, payload={"old_id": old.id, "new_id": new.id})


def withdraw(row: ApprovalRequest, *, actor) -> None:
    ensure(row.requested_by_id == actor.id, _l("Chỉ người gửi yêu cầu mới rút lại được."))
    _ensure_pending(row)
    row.status, row.decided_at = "withdrawn", utcnow()
    audit.record(actor, "approval.withdraw", row, detail={"kind": row.kind})
    db.session.flush()


# --- approving --------------------------------------------------------------------------------


def _province_reviewer_over(user: User, unit: Unit) -> bool:
    return any(u.kind == "province" and unit.id in subtree_ids(u) for u in user.units_for("district_reviewer"))


def may_approve(user: User, row: ApprovalRequest) -> bool:
    """Is `user` a second person for this request? Never its requester, its subject, or an administrator."""
    if user.id in (row.requested_by_id, row.subject_user_id) or ADMIN_ROLE in user.role_names():
        return False
    if _province_reviewer_over(user, row.unit):
        return True
    if row.kind == "lineage" or row.unit.kind == "province":
        return False
    return any(row.unit.id in subtree_ids(u) for u in user.units_for("supervisor"))


def expire_if_due(row: ApprovalRequest) -> None:
    if row.status == "pending" and row.expires_at <= utcnow():
        row.status = "expired"
        audit.record(None, "approval.expire", row, detail={"kind": row.kind})
        db.session.flush()


def _ensure_pending(row: ApprovalRequest) -> None:
    expire_if_due(row)
    ensure(
        row.status == "pending",
        _l("Yêu cầu này không còn chờ phê duyệt (%(status)s).", status=STATUS_LABELS[row.status]),
    )


def pending_for(user: User) -> list[ApprovalRequest]:
    """The requests `user` may decide, oldest first (only supervisors and reviewers approve)."""
    if not user.role_names() & {"supervisor", "district_reviewer"}:
        return []
    rows = db.session.scalars(
        select(ApprovalRequest)
        .where(ApprovalRequest.status == "pending", ApprovalRequest.expires_at > utcnow())
        .order_by(ApprovalRequest.created_at)
    ).all()
    return [r for r in rows if may_approve(user, r)]


@dataclass
class Outcome:
    row: ApprovalRequest
    token: str | None = None  # a one-time link to hand over, shown once


def decide(row: ApprovalRequest, approve: bool, *, actor) -> Outcome:
    """Approve (the change happens now) or refuse. The caller has checked the fresh second factor."""
    ensure(may_approve(actor, row), _l("Bạn không thể phê duyệt yêu cầu này."))
    _ensure_pending(row)
    ensure(actor.totp_enabled, _l("Hãy bật xác thực hai bước trước khi phê duyệt."))
    row.decided_by_id, row.decided_at = actor.id, utcnow()
    if not approve:
        row.status = "refused"
        audit.record(actor, "approval.refuse", row, detail={"kind": row.kind})
        db.session.flush()
        return Outcome(row)
    token = _APPLY[row.kind](row, actor)
    row.status = "approved"
    audit.record(actor, "approval.approve", row, detail={"kind": row.kind})
    db.session.flush()
    return Outcome(row, token)


def _apply_role_grant(row: ApprovalRequest, actor) -> str | None:
    from ..auth.services import assign_role, revoke_access

    user, unit = row.subject, db.session.get(Unit, row.payload["unit_id"])
    ensure(ADMIN_ROLE not in user.role_names(), _l("Quản trị viên không thể giữ vai trò đọc hồ sơ."))
    new_reader = not (user.role_names() & CASE_ROLES)
    token = None
    if new_reader:
        # Whoever knew this account's password (its administrator, for one) must not inherit case access.
        setup_links.reset_credentials(user, actor=actor, reason="role_change")
        token = setup_links.issue(user, actor=actor)
    assign_role(user, row.payload["role"], unit, actor=actor, approved=True)
    revoke_access(user, "role_change", actor=actor)
    return token


def _apply_credential_reset(row: ApprovalRequest, actor) -> str:
    setup_links.reset_credentials(row.subject, actor=actor, reason="credentials_reset")
    return setup_links.issue(row.subject, actor=actor)


def _apply_second_factor_reset(row: ApprovalRequest, actor) -> str:
    setup_links.reset_second_factor(row.subject, actor=actor)
    return setup_links.issue(row.subject, actor=actor, purpose="totp")


def _apply_lineage(row: ApprovalRequest, actor) -> None:
    from ..units.services import add_lineage

    p = row.payload
    old, new = db.session.get(Unit, p["old_id"]), db.session.get(Unit, p["new_id"])
    if old is None or new is None:
        raise ServiceError(_l("Đơn vị không còn tồn tại."))
    add_lineage(
        old, new, date.fromisoformat(p["effective"]) if p.get("effective") else None, p.get("note", ""), actor=actor
    )


def _apply_agency_map(row: ApprovalRequest, actor) -> None:
    # The referral area makes the change (app/events.py); an approval nobody can apply must not pass silently.
    if not events.approved_change.send("agency_map", payload=row.payload, actor=row.requested_by):
        raise ServiceError(_l("Không áp dụng được thay đổi này."))


_APPLY = {
    "role_grant": _apply_role_grant,
    "credential_reset": _apply_credential_reset,
    "second_factor_reset": _apply_second_factor_reset,
    "lineage": _apply_lineage,
    "agency_map": _apply_agency_map,
}
