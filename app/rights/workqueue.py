"""Work-queue items of the rights desk: requests to acknowledge or answer, breaches to notify."""

from flask import url_for
from flask_babel import gettext as _

from .. import workqueue
from ..deadlines import standing
from .queries import visible_breaches, visible_requests


@workqueue.source("rights_requests")
def open_requests(user):
    roles = user.role_names()
    if not roles & {"counsellor", "dpo"}:
        return []
    items = []
    for req in visible_requests(user, open_only=True):
        acknowledging = req.status == "received"
        due = req.ack_due_at if acknowledging else req.answer_due_at
        clock = standing(due)
        items.append(
            workqueue.WorkItem(
                kind="rights_request",
                url=url_for("rights.detail", rights_id=req.id),
                due_at=due,
                state=clock.state,
                title=_("Yêu cầu về dữ liệu cá nhân: xác nhận đã nhận")
                if acknowledging
                else _("Yêu cầu về dữ liệu cá nhân: trả lời"),
                detail=f"{req.case.code} · {clock.text}",
                key=f"rights:{req.id}:{req.status}",
            )
        )
    return items


@workqueue.source("breaches")
def breaches_to_notify(user):
    if "dpo" not in user.role_names():
        return []
    return [
        workqueue.WorkItem(
            kind="breach",
            url=url_for("rights.breach", breach_id=b.id),
            due_at=b.notify_due_at,
            state=standing(b.notify_due_at).state,
            high_risk=True,
            title=_("Sự cố dữ liệu: thông báo cơ quan chuyên trách (72 giờ)"),
            detail=standing(b.notify_due_at).text,
            key=f"breach:{b.id}",
        )
        for b in visible_breaches(user)
        if b.notified_at is None
    ]


@workqueue.source("rights_erasures")
def erasures_to_sign(user):
    """Erasures waiting for a supervisor of the case's unit (second person): asked by survivors, or proposed by
    the data-protection officer for closed cases past their retention period."""
    if "supervisor" not in user.role_names():
        return []
    from ..cases.queries import scope_for
    from .answers import erasures_waiting

    items = []
    for row in erasures_waiting(scope_for(user, "supervisor")):
        if row.request is not None:
            due = row.request.answer_due_at
            url, state = url_for("rights.erasure", rights_id=row.request_id), standing(due).state
            title = _("Duyệt xoá hồ sơ theo yêu cầu của người được hỗ trợ")
        else:  # the retention schedule's proposal has no legal answer clock
            due, state = None, "none"
            url = url_for("rights.retention_erasure", erasure_id=row.id)
            title = _("Duyệt xoá hồ sơ đã hết thời hạn lưu trữ")
        items.append(
            workqueue.WorkItem(
                kind="rights_erasure",
                url=url,
                due_at=due,
                state=state,
                title=title,
                detail=row.case.code,
                key=f"rights-erasure:{row.id}",
            )
        )
    return items
