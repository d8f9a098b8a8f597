"""Work-queue sources of protection casework: each legal clock that runs, for the people who owe the work.

Titles are about the work, never about the person; the detail is the case code and the time left.
Counsellors get the clocks of their scope's cases; supervisors get the form 09 requests to co-sign and the
rises to high risk whose safety plan needs review.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock, workqueue
from ..cases.models import Case
from ..cases.queries import scope_for
from ..extensions import db
from . import clocks
from .models import Entitlement, ExceptionContact, Identification, NoContactOrder, RiskAssessment


def _live(model, units, *conditions):
    """Rows of `model` on the live (not erased) cases of `units`."""
    if not units:
        return []
    return db.session.scalars(
        select(model)
        .join(Case, Case.id == model.case_id)
        .where(Case.unit_id.in_(units), Case.erased_at.is_(None), *conditions)
    ).all()


def _url(endpoint: str, **values) -> str:
    from flask import url_for

    return url_for(endpoint, **values)


def _item(kind: str, title: str, run, url: str, code: str, high_risk: bool = False) -> workqueue.WorkItem:
    return workqueue.WorkItem(
        kind=kind,
        title=title,
        url=url,
        due_at=run.due,
        state=run.standing.state,
        detail=f"{code} · {run.standing.text}",
        high_risk=high_risk,
        key=f"{kind}:{run.obj.id}",
    )


@workqueue.source("no_contact")
def order_items(user):
    """Requests waiting for the 12-hour decision, and orders ending within a day."""
    units = scope_for(user, "counsellor")
    now = clock.now()
    items = []
    for order in _live(
        NoContactOrder,
        units,
        NoContactOrder.status.in_(("requested", "granted")),
        (NoContactOrder.ends_at.is_(None)) | (NoContactOrder.ends_at >= now),
    ):
        url = _url("protection.order", order_id=order.id)
        decision = clocks.order_decision(order, now)
        if decision:
            items.append(
                _item(
                    "no_contact_decision",
                    _("Quyết định cấm tiếp xúc (12 giờ)"),
                    decision,
                    url,
                    order.case.code,
                    high_risk=True,
                )
            )
        end = clocks.order_end(order, now)
        if end and end.standing.state == "soon":
            items.append(_item("no_contact_end", _("Lệnh cấm tiếp xúc sắp hết hạn"), end, url, order.case.code))
    return items


@workqueue.source("trafficking_verification")
def verification_items(user):
    """Identifications whose 3-day verification is running or overdue."""
    items = []
    for ident in _live(
        Identification,
        scope_for(user, "counsellor"),
        Identification.outcome == "pending",
        Identification.health_dept_notified_on.is_not(None),
        Identification.verified_with_police_on.is_(None),
    ):
        run = clocks.verification(ident)
        items.append(
            _item(
                "trafficking_verification",
                _("Xác minh nạn nhân mua bán người (3 ngày)"),
                run,
                _url("protection.case", case_id=ident.case_id, _anchor="identification"),
                ident.case.code,
            )
        )
    return items


@workqueue.source("entitlement_limit")
def entitlement_items(user):
    """Entitlements within a week of their legal limit, or past it."""
    items = []
    for ent in _live(
        Entitlement, scope_for(user, "counsellor"), Entitlement.ended_on.is_(None), Entitlement.started_on.is_not(None)
    ):
        run = clocks.entitlement_limit(ent)
        if run and run.standing.state in ("soon", "overdue"):
            items.append(
                _item(
                    "entitlement_limit",
                    _("Chế độ hỗ trợ sắp hết thời hạn"),
                    run,
                    _url("protection.case", case_id=ent.case_id, _anchor="entitlements"),
                    ent.case.code,
                )
            )
    return items


@workqueue.source("exception_cosign")
def cosign_items(user):
    """Form 09 requests waiting for the supervisor's co-signature (Decree 76/2023 Art. 18)."""
    items = []
    for contact in _live(ExceptionContact, scope_for(user, "supervisor"), ExceptionContact.status == "pending"):
        items.append(
            workqueue.WorkItem(
                kind="exception_cosign",
                title=_("Ký duyệt đề nghị tiếp xúc (Mẫu số 09)"),
                url=_url("protection.order", order_id=contact.order_id),
                due_at=contact.starts_at,
                state="soon",
                detail=contact.case.code,
                key=f"exception_cosign:{contact.id}",
            )
        )
    return items


@workqueue.source("risk_review")
def risk_items(user):
    """A rise to high risk: the safety plan is to be reviewed (counsellor) and the supervisor is told."""
    units = scope_for(user, "counsellor", "supervisor")
    items = []
    for assessment in _live(
        RiskAssessment, units, RiskAssessment.review_needed.is_(True), RiskAssessment.reviewed_at.is_(None)
    ):
        items.append(
            workqueue.WorkItem(
                kind="risk_review",
                title=_("Nguy cơ tăng lên cao: rà soát kế hoạch an toàn"),
                url=_url("protection.case", case_id=assessment.case_id, _anchor="risk"),
                state="overdue",
                detail=assessment.case.code,
                high_risk=True,
                key=f"risk_review:{assessment.id}",
            )
        )
    return items
