"""Sign-offs and the supervisor's view of the caseload. A sign-off is given on a version of the case: any
later change to a high-risk case (its safety plan is part of the case) asks for the supervisor again."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from .. import clock, events
from ..audit import services as audit
from ..audit.models import AuditEntry
from ..auth.models import RoleAssignment, User
from ..cases.models import Case, FollowUp
from ..cases.queries import scope_for
from ..cases.restriction import ensure_processing_allowed
from ..crypto.records import Encrypted
from ..extensions import db
from ..services import ServiceError, ensure
from .models import DECISIONS, KINDS, RETURN_REASON_MAX, RETURN_REASON_MIN, CaseSignOff


def latest(case_id: str, kind: str) -> CaseSignOff | None:
    return db.session.scalar(
        select(CaseSignOff)
        .where(CaseSignOff.case_id == case_id, CaseSignOff.kind == kind)
        .order_by(CaseSignOff.decided_at.desc())
        .limit(1)
    )


def _decision_now(case: Case) -> tuple[str, CaseSignOff | None] | None:
    """For a high-risk case: the sign-off its state asks for (the safety plan while open, else the closure) and
    the supervisor's decision on this version of the case, if any (None for a case that asks for none)."""
    if case.is_erased or case.risk_level != "high":
        return None
    kind = "safety_plan" if case.is_open else "closure"
    done = latest(case.id, kind)
    return kind, done if done is not None and done.case_version >= case.version else None


def needed(case: Case) -> list[str]:
    """The sign-offs this case is waiting for: a high-risk open case's safety plan, a high-risk closure.
    A decision on this version of the case settles the supervisor's part: approved, or returned (then it is the
    counsellor's turn: `returned_to_counsellor`), and the counsellor's next save asks again."""
    now = _decision_now(case)
    return [now[0]] if now is not None and now[1] is None else []


def returned_to_counsellor(case: Case) -> list[str]:
    """What the supervisor returned on this version of the case: the counsellor revises it and saves."""
    now = _decision_now(case)
    return [now[0]] if now is not None and now[1] is not None and now[1].decision == "returned" else []


# What writes what a sign-off is given on: the safety plan is written at intake and by edits; the closure by closing.
_WRITES = {"safety_plan": ("case.create", "case.edit"), "closure": ("case.close",)}


def authors(case: Case, kind: str) -> set[str]:
    """Who wrote what is to be signed since the last decision on it: the sign-off is the second person's (one
    holding a counsellor role and a supervisor role over the case must not approve their own plan or closure)."""
    stmt = select(AuditEntry.actor_id).where(
        AuditEntry.case_id == case.id, AuditEntry.action.in_(_WRITES[kind]), AuditEntry.result == "ok"
    )
    last = latest(case.id, kind)
    if last is not None:
        stmt = stmt.where(AuditEntry.at > last.decided_at)
    return {actor_id for actor_id in db.session.scalars(stmt) if actor_id}


def sign_off(case: Case, kind: str, decision: str, *, actor, reason: str = "") -> CaseSignOff:
    """Approve, or return to the counsellor, a high-risk safety plan or closure. A return says why (the
    counsellor cannot know what to fix otherwise); the reason is sealed with the case, never audited."""
    ensure(kind in KINDS and decision in DECISIONS, _l("Yêu cầu không hợp lệ."))
    ensure(kind in needed(case), _l("Hồ sơ này không chờ ký duyệt mục này (hoặc đã được ký duyệt)."))
    # A decision on the case (and a return's reason, sealed into it) is processing, like a closure: frozen while
    # the survivor's restriction is in force (Law 91/2025, cases/restriction.py); refused beside the reason.
    ensure_processing_allowed(case.id, f"supervision.{kind}_{decision}", actor=actor, field="reason")
    if actor.id in authors(case, kind):
        error = ServiceError(_l("Người viết nội dung cần ký duyệt không tự ký duyệt được: cần một giám sát viên khác."))
        error.after_rollback.append(
            lambda: audit.record(actor, f"supervision.{kind}_{decision}", case, result="refused", case_id=case.id)
        )
        raise error
    reason = (reason or "").strip() if decision == "returned" else ""
    if decision == "returned":
        ensure(
            len(reason) >= RETURN_REASON_MIN,
            _l(
                "Vui lòng ghi rõ lý do trả lại (ít nhất %(n)d ký tự) để tư vấn viên biết cần sửa gì.",
                n=RETURN_REASON_MIN,
            ),
            "reason",
        )
        ensure(len(reason) <= RETURN_REASON_MAX, _l("Tối đa %(max)d ký tự.", max=RETURN_REASON_MAX), "reason")
    row = CaseSignOff(case=case, case_id=case.id, kind=kind, decision=decision, case_version=case.version)
    row.decided_by_id = actor.id
    row.reason = reason or None
    db.session.add(row)
    db.session.flush()
    audit.record(actor, f"supervision.{kind}_{decision}", row, case_id=case.id, detail={"version": case.version})
    return row


def reasons(ids) -> dict[str, str]:
    """The return reasons of these sign-offs, by id (for the case timeline, read with the whole case)."""
    ids = [i for i in ids if i]
    if not ids:
        return {}
    rows = db.session.scalars(select(CaseSignOff).where(CaseSignOff.id.in_(ids), CaseSignOff.decision == "returned"))
    return {row.id: row.reason for row in rows if not row.case.is_erased and row.reason}


@events.case_erased.connect
def forget_reasons(case: Case, actor) -> None:
    """Erasure: the return reasons go with the case (its key is destroyed anyway); the decisions and dates stay."""
    for row in db.session.scalars(select(CaseSignOff).where(CaseSignOff.case_id == case.id)):
        setattr(row, Encrypted.storage_name("reason"), None)
        row.__dict__.pop("_tc_plain", None)
    db.session.flush()


def caseload(user) -> list[dict]:
    """Per counsellor of the supervisor's scope: open cases, high-risk ones and overdue follow-ups."""
    scope = scope_for(user, "supervisor")
    counsellors = db.session.execute(
        select(User.id, User.display_name, User.username, RoleAssignment.unit_id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == "counsellor", RoleAssignment.unit_id.in_(scope), User.active.is_(True))
        .order_by(User.username)
    ).all()
    rows = []
    for user_id, name, username, unit_id in counsellors:
        open_cases = (
            select(func.count())
            .select_from(Case)
            .where(Case.unit_id == unit_id, Case.status == "open", Case.erased_at.is_(None))
        )
        rows.append(
            {
                "name": name or username,
                "unit_id": unit_id,
                "open": db.session.scalar(open_cases),
                "high": db.session.scalar(open_cases.where(Case.risk_level == "high")),
                "overdue": db.session.scalar(
                    select(func.count())
                    .select_from(FollowUp)
                    .where(FollowUp.assignee_id == user_id, FollowUp.status == "open", FollowUp.due_on < clock.today())
                ),
            }
        )
    return rows


def _high_risk_cases(user, role: str, limit: int, *conditions) -> list[tuple[Case, str]]:
    """The role's high-risk cases meeting `conditions`, each with the sign-off its state asks for: one query
    whatever the caseload (the work queue counts these on every page)."""
    rows = db.session.execute(
        select(Case, _KIND_NOW)
        .where(Case.unit_id.in_(scope_for(user, role)), Case.risk_level == "high", Case.erased_at.is_(None))
        .where(*conditions)
        .order_by(Case.code)
        .limit(limit)
    )
    return [(case, kind) for case, kind in rows]


# The SQL form of `needed` and `returned_to_counsellor`: versions only grow, so the latest decision is on the
# current version exactly when some decision of that kind is.
_KIND_NOW = sql_case((Case.status == "open", "safety_plan"), else_="closure")
_ON_THIS_VERSION = (
    CaseSignOff.case_id == Case.id,
    CaseSignOff.kind == _KIND_NOW,
    CaseSignOff.case_version >= Case.version,
)
_LATER = aliased(CaseSignOff)


def waiting(user, limit: int = 200) -> list[tuple[Case, str]]:
    """High-risk cases of the supervisor's scope waiting for a sign-off."""
    return _high_risk_cases(user, "supervisor", limit, ~exists().where(*_ON_THIS_VERSION))


def returned(user, limit: int = 200) -> list[tuple[Case, str]]:
    """High-risk cases of the counsellor's units whose plan or closure the supervisor returned, not yet revised."""
    same = (_LATER.case_id == CaseSignOff.case_id, _LATER.kind == CaseSignOff.kind)
    later = exists().where(*same, _LATER.decided_at > CaseSignOff.decided_at)
    returned_now = exists().where(*_ON_THIS_VERSION, CaseSignOff.decision == "returned", ~later)
    return _high_risk_cases(user, "counsellor", limit, returned_now)
