"""Work-queue tasks of offline capture: items that arrived but could not be saved."""

from flask import url_for
from flask_babel import gettext as _

from .. import workqueue
from ..web.filters import datetime_vn
from .services import rejected_items


@workqueue.source("offline_rejected")
def rejected(user):
    if "counsellor" not in user.role_names():
        return []
    return [
        workqueue.WorkItem(
            kind="offline_rejected",
            title=_("Bản ghi ngoại tuyến chưa lưu được"),
            url=url_for("offline.item", item_id=item.id),
            due_at=None,
            state="overdue",
            detail=_("nhận lúc %(when)s", when=datetime_vn(item.received_at, "dd/MM HH:mm")),
            key=f"offline:{item.id}",
        )
        for item in rejected_items(user)
    ]
