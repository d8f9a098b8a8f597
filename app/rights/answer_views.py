"""Pages that carry a request out on the record: correct a field, restrict and lift, legal holds, and the
erasure proposed by the counsellor and signed off by a supervisor (second person, step-up)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..audit import services as audit
from ..auth.permissions import ensure_authorized, permission_required
from ..auth.stepup import step_up_required
from ..cases.views.common import load_case
from ..services import ServiceError
from ..web.unit_of_work import attempt
from . import answers, queries
from . import reference_data as ref
from .forms import CorrectionForm, HoldForm, LiftForm
from .views import bp, render_detail


def _own_request(rights_id):
    return ensure_authorized("read_details", queries.request_for(current_user, str(rights_id)))


def _back(req):
    return redirect(url_for("rights.detail", rights_id=req.id), 303)


@bp.post("/<uuid:rights_id>/correct")
@permission_required("rights.record")
def correct(rights_id):
    """Put one field of the survivor's data right through the case's edit path; the old value is kept."""
    req = _own_request(rights_id)
    form = CorrectionForm()
    if form.validate():
        try:
            with attempt():
                answers.correct(req, form.field.data, form.value(), actor=current_user)
        except ServiceError as exc:
            if exc.field is None:  # the request itself does not allow it: said at the top of its page
                flash(str(exc), "error")
                return _back(req)
            target = form.value_field() if exc.field == "value" else form.field
            target.errors = [*target.errors, str(exc)]
        else:
            flash(_l("Đã sửa dữ liệu; giá trị cũ được lưu trong lịch sử chỉnh sửa."), "success")
            return _back(req)
    return render_detail(queries.request_for(current_user, str(rights_id)), {"correct": form})


@bp.post("/<uuid:rights_id>/restrict")
@permission_required("rights.record")
def restrict(rights_id):
    """Freeze all processing of the case (no write of any area, no referral, no statistics) until lifted."""
    req = _own_request(rights_id)
    try:
        with attempt():
            answers.restrict(req, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _l("Đã hạn chế xử lý hồ sơ: không sửa, không ghi thêm, không chuyển gửi, không tính vào thống kê."),
            "success",
        )
    return _back(req)


@bp.post("/<uuid:rights_id>/lift")
@permission_required("rights.record")
def lift(rights_id):
    """Lift the restriction started on this request, with a coded reason."""
    req = _own_request(rights_id)
    form = LiftForm()
    if form.validate():
        try:
            with attempt():
                answers.lift(req, form.reason.data, actor=current_user)
        except ServiceError as exc:
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            flash(_l("Đã gỡ hạn chế xử lý."), "success")
            return _back(req)
    return render_detail(queries.request_for(current_user, str(rights_id)), {"lift": form})


@bp.route("/cases/<uuid:case_id>/holds", methods=["GET", "POST"])
@permission_required("rights.record")
def holds(case_id):
    """The legal holds of a case (court order, criminal proceeding, retention) that keep it from erasure."""
    case = load_case(case_id, "edit")
    form = HoldForm()
    if form.validate_on_submit():
        try:
            with attempt():
                answers.add_hold(case, form.data, actor=current_user)
        except ServiceError as exc:
            getattr(form, exc.field or "kind").errors.append(str(exc))
        else:
            flash(_l("Đã ghi căn cứ giữ hồ sơ."), "success")
            return redirect(url_for("rights.holds", case_id=case.id), 303)
    rows = answers.holds_of(case.id)
    audit.record(current_user, "rights.holds_read", case)
    return render_template(
        "rights/holds.html", case=case, form=form, holds=rows, kinds=dict(ref.HOLD_KINDS), today=clock.today()
    )


@bp.post("/holds/<uuid:hold_id>/release")
@permission_required("rights.record")
def release_hold(hold_id):
    """The hold's ground ended (the order expired, the proceeding closed): it no longer keeps the case."""
    hold = queries.hold_for(current_user, str(hold_id))
    case = ensure_authorized("edit", hold.case if hold else None)
    try:
        with attempt():
            answers.release_hold(hold, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for("rights.holds", case_id=case.id), 303)


@bp.post("/<uuid:rights_id>/erase")
@permission_required("rights.record")
def propose_erasure(rights_id):
    """Send the survivor's erasure request to a supervisor; under a legal hold it is refused with the reason."""
    req = _own_request(rights_id)
    try:
        with attempt():
            waiting = answers.propose_erasure(req, actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        if waiting is None:
            flash(_l("Không xoá được vì còn căn cứ giữ hồ sơ: yêu cầu đã được trả lời từ chối, kèm lý do."), "error")
        elif answers.superseded_by(waiting):
            flash(
                _l(
                    "Đã gửi đề nghị xoá cho giám sát viên duyệt. Đề nghị xoá theo lịch lưu trữ đang chờ của hồ sơ "
                    "này đã được thay bằng yêu cầu của người được hỗ trợ."
                ),
                "success",
            )
        else:
            flash(_l("Đã gửi đề nghị xoá cho giám sát viên duyệt."), "success")
    return _back(req)


@bp.route("/<uuid:rights_id>/erasure", methods=["GET", "POST"])
@permission_required("rights.erase_sign")
@step_up_required
def erasure(rights_id):
    """The supervisor's sign-off of an erasure asked by the survivor: approve (the case is erased) or return."""
    req = ensure_authorized("sign_erasure", queries.supervised_request(current_user, str(rights_id)))
    waiting = answers.pending_erasure(req.id)
    if request.method == "POST":
        _decide(waiting, _l("Đã xoá hồ sơ theo yêu cầu."), _l("Đã trả lại đề nghị xoá cho tư vấn viên."))
        return redirect(url_for("rights.erasure", rights_id=req.id), 303)
    return render_template(
        "rights/erasure.html",
        req=req,
        waiting=waiting,
        took_over=answers.superseded_by(waiting) if waiting else [],
        kinds=dict(ref.REQUEST_KINDS),
        holds=answers.holds_in_force(req.case_id),
        hold_kinds=dict(ref.HOLD_KINDS),
    )


def _decide(waiting, erased_message, returned_message) -> None:
    """The supervisor's decision on a waiting erasure, from the form's "decision" (approve or return)."""
    decision = request.form.get("decision")
    if waiting is None or decision not in ("approve", "return"):
        flash(_l("Không có đề nghị xoá nào đang chờ duyệt."), "error")
        return
    try:
        with attempt():
            answers.decide_erasure(waiting, decision == "approve", actor=current_user)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(erased_message if decision == "approve" else returned_message, "success")


@bp.route("/erasures/<uuid:erasure_id>", methods=["GET", "POST"])
@permission_required("rights.erase_sign")
@step_up_required
def retention_erasure(erasure_id):
    """The supervisor's sign-off of an erasure the retention schedule proposed: approve (erased) or return."""
    row = ensure_authorized("sign_erasure", queries.supervised_erasure(current_user, str(erasure_id)))
    if request.method == "POST":
        _decide(
            row if row.status == "pending" else None,
            _l("Đã xoá hồ sơ đã hết thời hạn lưu trữ."),
            _l("Đã trả lại đề nghị xoá cho cán bộ bảo vệ dữ liệu cá nhân."),
        )
        return redirect(url_for("rights.retention_erasure", erasure_id=row.id), 303)
    return render_template(
        "rights/retention_erasure.html",
        row=row,
        successor=answers.successor(row),
        holds=answers.holds_in_force(row.case_id) if not row.case.is_erased else [],
        hold_kinds=dict(ref.HOLD_KINDS),
    )
