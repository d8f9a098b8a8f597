"""Recording a case conference and closing its actions (audited on the case's timeline)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import services as audit
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import scope_for
from ..extensions import db, utcnow
from ..services import ServiceError, ensure
from .models import CaseConference, ConferenceAction, ConferenceMeeting


def owner_ids(case: Case) -> set[str]:
    """Who may own an action: the counsellors and supervisors whose scope holds the case."""
    users = db.session.scalars(select(User).where(User.active.is_(True))).all()
    return {u.id for u in users if case.unit_id in scope_for(u, "counsellor", "supervisor")}


# A joint conference is about a few related cases (siblings, one perpetrator's victims); more is a meeting of its
# own kind, not a case conference.
JOINT_MAX = 6


def hold(case: Case, data: dict, *, actor) -> CaseConference:
    """Record a conference: date, services present, decisions, and actions (what, owner, due date)."""
    ensure(data.get("held_on") is not None, _l("Vui lòng nhập ngày họp."), "held_on")
    return _record(case, data, data, meeting=None, actor=actor)


def hold_joint(cases: list[Case], data: dict, *, actor) -> ConferenceMeeting:
    """Record one meeting about several cases: a part per case (decisions, actions), each sealed under its case."""
    ensure(data.get("held_on") is not None, _l("Vui lòng nhập ngày họp."), "held_on")
    ensure(
        2 <= len({c.id for c in cases}) == len(cases) <= JOINT_MAX,
        _l("Họp ca chung cần từ 2 đến %(n)d hồ sơ khác nhau.", n=JOINT_MAX),
        "other_codes",
    )
    parts = {p.get("case_id"): p for p in data.get("parts", [])}
    meeting = ConferenceMeeting(held_on=data["held_on"], case_count=len(cases), recorded_by_id=actor.id)
    db.session.add(meeting)
    for index, case in enumerate(cases):
        part = parts.get(case.id) or {}
        try:
            _record(case, data, part, meeting=meeting, actor=actor)
        except ServiceError as exc:  # name the part the refusal belongs to
            raise ServiceError(str(exc), f"parts-{index}-{exc.field or 'decisions'}") from exc
    return meeting


def _record(case: Case, data: dict, part: dict, *, meeting, actor) -> CaseConference:
    """Record one case's part of a conference (the whole of it, when the meeting was about that case only)."""
    ensure(not case.is_erased, _l("Hồ sơ đã bị xoá."))
    ensure((part.get("decisions") or "").strip(), _l("Vui lòng ghi các quyết định của buổi họp."), "decisions")
    allowed = owner_ids(case)
    actions = [a for a in part.get("actions", []) if (a.get("what") or "").strip()]
    for action in actions:
        ensure(
            action.get("owner_id") in allowed,
            _l("Người phụ trách phải là tư vấn viên hoặc giám sát viên của hồ sơ."),
            "actions",
        )
        ensure(action.get("due_on") is not None, _l("Mỗi việc cần có hạn."), "actions")
    conference = CaseConference(
        case=case,
        case_id=case.id,
        held_on=data["held_on"],
        recorded_by_id=actor.id,
        meeting=meeting,
        services_present=list(data.get("services_present") or []),
    )
    conference.decisions = part["decisions"].strip()
    db.session.add(conference)
    for action in actions:
        row = ConferenceAction(
            conference=conference,
            case=case,
            case_id=case.id,
            owner_id=action["owner_id"],
            due_on=action["due_on"],
            status="open",
        )
        row.what = action["what"].strip()
        db.session.add(row)
    db.session.flush()
    detail = {"services": len(conference.services_present), "actions": len(actions)}
    if meeting is not None:
        detail["joint_cases"] = meeting.case_count
    audit.record(actor, "conference.hold", conference, detail=detail)
    return conference


def complete(action: ConferenceAction, *, actor) -> None:
    ensure(action.status == "open", _l("Việc này đã xong."))
    ensure(action.owner_id == actor.id, _l("Chỉ người phụ trách đánh dấu được việc này."))
    action.status, action.done_at = "done", utcnow()
    db.session.flush()
    audit.record(actor, "conference.action_done", action)
