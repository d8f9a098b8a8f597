"""The supervisor's pages: the caseload of its counsellors and the sign-offs waiting; the sign-off itself."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import workqueue
from ..auth.permissions import authorize, ensure_authorized, has_permission, permission_required
from ..cases import queries as case_queries
from ..cases.views.common import render_case
from ..services import ServiceError
from ..web.unit_of_work import attempt
from . import services
from .forms import ReturnForm

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

KIND_WORDS = {
    "safety_plan": _l("Ký duyệt kế hoạch an toàn (nguy cơ cao)"),
    "closure": _l("Ký duyệt đóng hồ sơ nguy cơ cao"),
}
RETURNED_WORDS = {  # the counsellor's turn after a return
    "safety_plan": _l("Giám sát viên trả lại kế hoạch an toàn: sửa và lưu để gửi duyệt lại"),
    "closure": _l("Giám sát viên trả lại việc đóng hồ sơ: mở lại hồ sơ để tiếp tục hỗ trợ"),
}
# Where on the case page the supervisor reads what it is asked to sign (app/static/js/app.js opens the section
# the address names): the safety plan is in the narrative, the closure's date and reason in the status panel.
SIGNED_SECTIONS = {"safety_plan": "case-narrative", "closure": "case-status"}
OPEN_WORDS = {
    "safety_plan": _l("Xem kế hoạch an toàn"),
    "closure": _l("Xem thông tin đóng hồ sơ"),
}
TIMELINE_WORDS = {
    "supervision.safety_plan_approved": _l("Giám sát viên duyệt kế hoạch an toàn"),
    "supervision.safety_plan_returned": _l("Giám sát viên trả lại kế hoạch an toàn"),
    "supervision.closure_approved": _l("Giám sát viên duyệt việc đóng hồ sơ"),
    "supervision.closure_returned": _l("Giám sát viên trả lại việc đóng hồ sơ"),
}


@bp.get("/")
@permission_required("supervision.view")
def index():
    """The counsellors' caseload and the high-risk cases waiting for a sign-off."""
    return render_template(
        "supervision/index.html",
        caseload=services.caseload(current_user),
        waiting=services.waiting(current_user),
        kind_words=KIND_WORDS,
        signed_sections=SIGNED_SECTIONS,
        open_words=OPEN_WORDS,
    )


@bp.post("/case/<uuid:case_id>/sign-off")
@permission_required("supervision.sign_off")
def sign_off(case_id):
    """Approve or return a high-risk safety plan or closure; a return without its reason is refused beside the
    field, on the case page again with what was typed."""
    case = ensure_authorized("sign_off", case_queries.case_for(current_user, str(case_id)))
    decision = request.form.get("decision", "")
    form = ReturnForm(prefix="signoff")
    if decision == "returned" and not form.validate():
        return _refused(case, form)
    try:
        with attempt():
            kind = request.form.get("kind", "")  # an approval's reason, if any was typed, is not kept
            services.sign_off(case, kind, decision, actor=current_user, reason=form.reason.data or "")
    except ServiceError as exc:
        if exc.field == "reason":
            form.reason.errors = [*form.reason.errors, str(exc)]
            return _refused(case, form)
        flash(str(exc), "error")
    else:
        flash(_("Đã trả lại cho tư vấn viên.") if decision == "returned" else _("Đã ghi nhận ký duyệt."), "success")
    return redirect(url_for("cases.detail", case_id=case.id), 303)


def _refused(case, form):
    g.signoff_form = form  # the panel (_case_panel) shows it, its message beside the reason
    return render_case(case)


def _case_panel(case, user) -> dict | None:
    kinds = services.needed(case)
    history = [h for k in ("safety_plan", "closure") if (h := services.latest(case.id, k)) is not None]
    if not kinds and not history:
        return None
    return {
        "needed": kinds,
        "returned": services.returned_to_counsellor(case),
        # Read with the whole case (sections render only then, and that read is audited): sealed with its key.
        "reasons": {h.kind: h.reason for h in history if h.decision == "returned"},
        "history": history,
        "kind_words": KIND_WORDS,
        "returned_words": RETURNED_WORDS,
        "signed_sections": SIGNED_SECTIONS,
        "open_words": OPEN_WORDS,
        "can_sign": has_permission(user, "supervision.sign_off") and authorize(user, "sign_off", case),
        "return_form": g.get("signoff_form") or ReturnForm(formdata=None, prefix="signoff"),
    }


def _signoff_items(kind: str, words: dict, pairs) -> list:
    return [
        workqueue.WorkItem(
            kind=kind,
            title=str(words[what]),
            detail=case.code,
            high_risk=True,
            url=url_for("cases.detail", case_id=case.id, _anchor="case-signoff"),
            key=f"{kind}:{case.id}:{what}:{case.version}",
        )
        for case, what in pairs
    ]


@workqueue.source("signoff")
def signoffs_waiting(user):
    if "supervisor" not in user.role_names():
        return []
    return _signoff_items("signoff", KIND_WORDS, services.waiting(user))


@workqueue.source("signoff_returned")
def signoffs_returned(user):
    """The counsellor's turn after a return: in its queue until the case is saved again."""
    if "counsellor" not in user.role_names():
        return []
    return _signoff_items("signoff_returned", RETURNED_WORDS, services.returned(user))


def _register() -> None:
    from ..cases import timeline
    from ..cases.sections import register_section

    timeline.ACTIONS.update({k: v for k, v in TIMELINE_WORDS.items() if k not in timeline.ACTIONS})
    timeline.NOTES.update({f"supervision.{kind}_returned": services.reasons for kind in SIGNED_SECTIONS})
    register_section("supervision/_case_panel.html", order=55, context_fn=_case_panel)


_register()
