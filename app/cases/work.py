"""What the cases area puts in the work queue: the follow-ups a counsellor has due."""

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select, tuple_

from .. import clock, workqueue
from ..deadlines import standing
from ..extensions import db
from .models import Case, FollowUp
from .queries import scope_for

HORIZON = timedelta(days=7)  # a follow-up enters the queue a week before it falls due
LIMIT = 200


def _due(user, until, scope) -> list:
    """The first LIMIT of the user's open follow-ups due by `until` on live cases of `scope`, in due order.

    Read in steps from the (assignee, status, due date, id) index, each step cut at its size before any case is
    joined: the cost is that of the rows shown, not of the user's whole backlog (at 1 000 000 cases over 45
    communes a counsellor has 2 080 due). The case conditions are in the outer join, so a step tells how many
    follow-ups it read and where it stopped; a follow-up whose case is erased or out of scope (the counsellor
    moved) is skipped, and the next step, twice as long, starts after the last one read."""
    rows: list = []
    after = None
    step = LIMIT
    while len(rows) < LIMIT:
        read = select(FollowUp.id, FollowUp.case_id, FollowUp.due_on).where(
            FollowUp.assignee_id == user.id, FollowUp.status == "open", FollowUp.due_on <= until
        )
        if after is not None:
            read = read.where(tuple_(FollowUp.due_on, FollowUp.id) > after)
        piece = read.order_by(FollowUp.due_on, FollowUp.id).limit(step).subquery()
        batch = db.session.execute(
            select(piece.c.id, piece.c.case_id, piece.c.due_on, Case.code, Case.risk_level, Case.id).outerjoin(
                Case, and_(Case.id == piece.c.case_id, Case.erased_at.is_(None), Case.unit_id.in_(scope))
            )
        ).all()
        kept = sorted((r for r in batch if r[5] is not None), key=lambda r: (r[2], r[0]))
        rows += [r[:5] for r in kept[: LIMIT - len(rows)]]
        if len(batch) < step:
            break
        after = max((r[2], r[0]) for r in batch)
        step *= 2
    return rows


@workqueue.source("followup")
def followups_due(user):
    """Open follow-ups assigned to the user, in their scope, due within a week or overdue."""
    if "counsellor" not in user.role_names():
        return []
    rows = _due(user, clock.today() + HORIZON, scope_for(user, "counsellor"))
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
