"""Sign-offs and the supervisor's view of the caseload. A sign-off is given on a version of the case: any
later change to a high-risk case (its safety plan is part of the case) asks for the supervisor again."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import clock
from ..audit import services as audit
from ..auth.models import RoleAssignment, User
from ..cases.models import Case, FollowUp
from ..cases.queries import scope_for
from ..extensions import db
from ..services import ensure
from .models import DECISIONS, KINDS, CaseSignOff


def latest(case_id: str, kind: str) -> CaseSignOff | None:
    return db.session.scalar(
        select(CaseSignOff)
        .where(CaseSignOff.case_id == case_id, CaseSignOff.kind == kind)
        .order_by(CaseSignOff.decided_at.desc())
        .limit(1)
    )


def needed(case: Case) -> list[str]:
    """The sign-offs this case is waiting for: a high-risk open case's safety plan, a high-risk closure."""
    if case.is_erased or case.risk_level != "high":
        return []
    kind = "safety_plan" if case.is_open else "closure"
    # A decision on this version of the case settles the supervisor's part: approved, or returned (then it is
    # the counsellor's turn: `returned_to_counsellor`), and the counsellor's next save asks again.
    done = latest(case.id, kind)
    return [] if done is not None and done.case_version >= case.version else [kind]


def returned_to_counsellor(case: Case) -> list[str]:
    """What the supervisor returned on this version of the case: the counsellor revises it and saves."""
    if case.is_erased or case.risk_level != "high":
        return []
    kind = "safety_plan" if case.is_open else "closure"
    done = latest(case.id, kind)
    return [kind] if done is not None and done.decision == "returned" and done.case_version >= case.version else []


def sign_off(case: Case, kind: str, decision: str, *, actor) -> CaseSignOff:
    """Approve, or return to the counsellor, a high-risk safety plan or closure."""
    ensure(kind in KINDS and decision in DECISIONS, _l("Yêu cầu không hợp lệ."))
    ensure(kind in needed(case), _l("Hồ sơ này không chờ ký duyệt mục này (hoặc đã được ký duyệt)."))
    row = CaseSignOff(case_id=case.id, kind=kind, decision=decision, case_version=case.version, decided_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, f"supervision.{kind}_{decision}", row, case_id=case.id, detail={"version": case.version})
    return row


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


def _high_risk_cases(user, role: str, limit: int) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.unit_id.in_(scope_for(user, role)), Case.risk_level == "high", Case.erased_at.is_(None))
            .order_by(Case.code)
            .limit(limit)
        )
    )


def waiting(user, limit: int = 200) -> list[tuple[Case, str]]:
    """High-risk cases of the supervisor's scope waiting for a sign-off."""
    return [(case, kind) for case in _high_risk_cases(user, "supervisor", limit) for kind in needed(case)]


def returned(user, limit: int = 200) -> list[tuple[Case, str]]:
    """High-risk cases of the counsellor's units whose plan or closure the supervisor returned, not yet revised."""
    cases = _high_risk_cases(user, "counsellor", limit)
    return [(case, kind) for case in cases for kind in returned_to_counsellor(case)]
