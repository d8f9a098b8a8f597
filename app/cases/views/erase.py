"""Erasure: an admin asks (seeing case codes and units only), a district reviewer of the case confirms."""

from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ...auth.permissions import deny, ensure_authorized, permission_required
from ...auth.stepup import step_up_required
from ...extensions import db
from ...services import ServiceError
from ...web.forms import options
from ...web.unit_of_work import attempt
from .. import queries, services
from ..forms import EraseDecisionForm, EraseRequestForm
from ..models import Case, EraseRequest
from . import bp


def _requests(stmt):
    """(request, case code, unit name) rows: never anything from the case's protected tiers."""
    return db.session.execute(
        stmt.add_columns(Case.code, Case.unit_id)
        .join(Case, EraseRequest.case_id == Case.id)
        .order_by(EraseRequest.requested_at.desc())
        .limit(200)
    ).all()


@bp.route("/erase", methods=["GET", "POST"])
@permission_required("case.erase_request")
@step_up_required
def erase_requests():
    """Ask for a case to be erased by its code, and see the requests made."""
    form = EraseRequestForm()
    form.reason.choices = options([("", _l("— Chọn —"))], services.ERASE_REASONS)
    if form.validate_on_submit():
        case = db.session.scalar(select(Case).where(Case.code == form.case_code.data.strip().upper()))
        if case is None:
            form.case_code.errors.append(str(_l("Không có hồ sơ mang mã này.")))
        else:
            try:
                with attempt():
                    services.request_erase(case, form.reason.data, actor=current_user)
            except ServiceError as exc:
                getattr(form, exc.field or "case_code").errors.append(str(exc))
            else:
                flash(_l("Đã gửi yêu cầu xoá; cán bộ huyện phụ trách sẽ xác nhận."), "success")
                return redirect(url_for("cases.erase_requests"), 303)
    rows = _requests(select(EraseRequest))
    return render_template(
        "cases/erase_requests.html", form=form, rows=rows, units=_unit_names(rows), reasons=dict(services.ERASE_REASONS)
    )


@bp.get("/erase/review")
@permission_required("case.erase_confirm")
@step_up_required
def erase_review():
    """The erase requests waiting for this district reviewer."""
    scope = queries.scope_for(current_user, "district_reviewer")
    rows = _requests(select(EraseRequest).where(EraseRequest.status == "pending", Case.unit_id.in_(scope)))
    return render_template(
        "cases/erase_review.html",
        rows=rows,
        units=_unit_names(rows),
        form=EraseDecisionForm(),
        reasons=dict(services.ERASE_REASONS),
    )


@bp.post("/erase/<uuid:request_id>")
@permission_required("case.erase_confirm")
@step_up_required
def erase_decide(request_id):
    """Confirm (the case's key is destroyed at once) or refuse an erase request."""
    req = db.session.get(EraseRequest, str(request_id))
    if req is None:
        deny("erase_confirm", None, status=404)
    case = ensure_authorized("erase_confirm", queries.case_for(current_user, req.case_id))
    form = EraseDecisionForm()
    if form.validate():
        try:
            with attempt():
                services.decide_erase(req, actor=current_user, confirm=form.decision.data == "confirm")
        except ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(
                _l("Đã xoá dữ liệu hồ sơ %(code)s.", code=case.code)
                if form.decision.data == "confirm"
                else _l("Đã từ chối yêu cầu xoá."),
                "success",
            )
    return redirect(url_for("cases.erase_review"), 303)


def _unit_names(rows) -> dict:
    from ...units.models import Unit

    ids = {row.unit_id for row in rows}
    return {u.id: u.name for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
