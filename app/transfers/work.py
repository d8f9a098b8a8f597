"""The work queue's "transfers to accept": pending transfers the user may accept."""

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .. import workqueue
from ..cases.models import Case
from ..cases.queries import scope_for
from ..deadlines import standing
from ..extensions import db
from .models import CaseTransfer

SOON_AFTER = 2  # days: a transfer waiting longer than this shows as overdue (the survivor is between places)


@workqueue.source("transfer")
def transfers_to_accept(user):
    if "counsellor" not in user.role_names():
        return []
    scope = scope_for(user, "counsellor")
    rows = db.session.execute(
        select(CaseTransfer.id, CaseTransfer.requested_at, CaseTransfer.to_user_id, Case.code, Case.risk_level)
        .join(Case, Case.id == CaseTransfer.case_id)
        .where(
            CaseTransfer.status == "pending",
            CaseTransfer.to_unit_id.in_(scope),
            or_(CaseTransfer.to_user_id.is_(None), CaseTransfer.to_user_id == user.id),
        )
        .limit(200)
    ).all()
    items = []
    for transfer_id, requested_at, _to_user, code, risk in rows:
        due = requested_at + timedelta(days=SOON_AFTER)
        state = standing(due)
        items.append(
            workqueue.WorkItem(
                kind="transfer",
                title=str(_l("Nhận hồ sơ được chuyển đến")),
                url=url_for("transfers.detail", transfer_id=transfer_id),
                due_at=due,
                state=state.state,
                detail=f"{code} · {state.text}",
                high_risk=risk == "high",
                key=f"transfer:{transfer_id}",
            )
        )
    return items
