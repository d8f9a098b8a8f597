"""What the cases area puts in the work queue: the follow-ups a counsellor has due."""

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock, workqueue
from ..deadlines import standing
from ..extensions import db
from .models import Case, FollowUp
from .queries import scope_for

HORIZON = timedelta(days=7)  # a follow-up enters the queue a week before it falls due
LIMIT = 200


@workqueue.source("followup")
def followups_due(user):
    """Open follow-ups assigned to the user, in their scope, due within a week or overdue."""
    if "counsellor" not in user.role_names():
        return []
    rows = db.session.execute(
        select(FollowUp.id, FollowUp.case_id, FollowUp.due_on, Case.code, Case.risk_level)
        .join(Case, FollowUp.case_id == Case.id)
        .where(
            FollowUp.assignee_id == user.id,
            FollowUp.status == "open",
            Case.erased_at.is_(None),
            FollowUp.due_on <= clock.today() + HORIZON,
            Case.unit_id.in_(scope_for(user, "counsellor")),
        )
        .order_by(FollowUp.due_on)
        .limit(LIMIT)
    ).all()
    items = []
    for followup_id, case_id, due_on, code, risk in rows:
        due = clock.end_of_day(due_on)
        state = standing(due)
        items.append(
            workqueue.WorkItem(
                kind="followup",
                title=str(_l("Theo dõi hồ sơ đến hẹn")),
                due_at=due,
                state=state.state,
                url=url_for("cases.detail", case_id=case_id, _anchor="case-followups"),
                detail=f"{code} · {state.text}",
                high_risk=risk == "high" and state.state == "overdue",
                key=f"followup:{followup_id}",
            )
        )
    return items
