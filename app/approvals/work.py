"""The work-queue source "approvals to give": requests waiting for this user as the second person."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import workqueue
from ..deadlines import standing
from . import services


@workqueue.source("approvals")
def approvals_to_give(user):
    items = []
    for row in services.pending_for(user):
        state = standing(row.expires_at)
        items.append(
            workqueue.WorkItem(
                kind="approvals",
                title=str(_l("Cần người thứ hai phê duyệt")) + ": " + str(services.KIND_LABELS[row.kind]),
                url=url_for("approvals.review", approval_id=row.id),
                due_at=row.expires_at,
                state=state.state,
                detail=state.text,
                key=f"approvals:{row.id}",
            )
        )
    return items
