"""What the referrals area puts in the work queue.

* The agency side: every referral still waiting for its acknowledgement, with the deadline (the overdue
  ones first); urgent ones count as high risk.
* The sender side: referrals past their acknowledgement deadline, so the counsellor calls the agency.
"""

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import clock, workqueue
from ..deadlines import standing
from ..extensions import db
from . import queries
from .models import Referral

LIMIT = 200


def _item(referral: Referral, kind: str, title) -> workqueue.WorkItem:
    state = standing(referral.ack_due_at)
    return workqueue.WorkItem(
        kind=kind,
        title=str(title),
        url=url_for("referrals.detail", referral_id=referral.id),
        due_at=referral.ack_due_at,
        state=state.state,
        detail=f"{referral.code} · {state.text}",
        high_risk=referral.urgency == "urgent",
        key=f"{kind}:{referral.id}",
    )


@workqueue.source("referral_ack")
def awaiting_acknowledgement(user):
    """Referrals addressed to the officer's agencies that nobody has acknowledged yet."""
    if "agency_officer" not in user.role_names():
        return []
    stmt = queries.inbox(user).where(Referral.status == "sent").limit(LIMIT)
    return [_item(r, "referral_ack", _l("Xác nhận đã nhận chuyển gửi")) for r in db.session.scalars(stmt)]


@workqueue.source("referral_overdue")
def overdue_sent(user):
    """Referrals the counsellor's cases sent that are past their acknowledgement deadline."""
    if "counsellor" not in user.role_names():
        return []
    stmt = queries.outbox(user).where(Referral.status == "sent", Referral.ack_due_at < clock.now()).limit(LIMIT)
    return [
        _item(r, "referral_overdue", _l("Chuyển gửi quá hạn chưa được xác nhận: gọi cơ quan nhận"))
        for r in db.session.scalars(stmt)
    ]
