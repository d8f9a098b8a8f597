"""Work-queue items of the data-protection officer: the impact dossier's clocks and the records past
retention that wait for a decision."""

from flask import url_for
from flask_babel import gettext as _

from .. import workqueue
from ..cases.reference_data import N_
from ..deadlines import standing
from . import retention, services

TITLES = {
    "first": N_("Lập hồ sơ đánh giá tác động xử lý dữ liệu cá nhân (60 ngày)"),
    "review": N_("Cập nhật định kỳ hồ sơ đánh giá tác động (6 tháng)"),
    "reorganisation": N_("Cập nhật hồ sơ đánh giá tác động sau khi tổ chức lại (10 ngày)"),
}


@workqueue.source("privacy_dossier")
def dossier_clocks(user):
    if "dpo" not in user.role_names():
        return []
    items = []
    for what, due in services.dossier_clocks(services.processing_start()):
        clock = standing(due)
        items.append(
            workqueue.WorkItem(
                kind="privacy_dossier",
                url=url_for("privacy.dossier"),
                due_at=due,
                state=clock.state,
                title=_(TITLES[what]),
                detail=clock.text,
                key=f"dossier:{what}:{due.date().isoformat()}",
            )
        )
    return items


@workqueue.source("privacy_retention")
def retention_reviews(user):
    if "dpo" not in user.role_names():
        return []
    waiting = retention.open_reviews(user)
    if not waiting:
        return []
    oldest = min(r.due_on for r in waiting)
    return [
        workqueue.WorkItem(
            kind="privacy_retention",
            url=url_for("privacy.reviews"),
            state="overdue",
            title=_("Hồ sơ quá thời hạn lưu trữ chờ quyết định"),
            detail=_("%(n)d hồ sơ, từ %(d)s", n=len(waiting), d=oldest.strftime("%d/%m/%Y")),
            key=f"retention:{len(waiting)}:{oldest.isoformat()}",
        )
    ]
