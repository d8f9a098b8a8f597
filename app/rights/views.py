"""The rights desk (a survivor's requests and their clocks) and the breach register."""

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..audit import services as audit
from ..auth import stepup
from ..auth.permissions import authorize, ensure_authorized, has_permission, permission_required
from ..cases.sections import register_section
from ..cases.views.common import load_case
from ..deadlines import standing
from ..services import ServiceError
from ..units.models import Unit
from ..web import documents as files
from ..web.unit_of_work import attempt
from . import answers, copy, documents, queries, rules, services
from . import reference_data as ref
from .forms import (
    AnswerForm,
    BreachForm,
    CorrectionForm,
    ExtendForm,
    LiftForm,
    NoteForm,
    NotifyForm,
    RefuseForm,
    RequestForm,
)

bp = Blueprint("rights", __name__, url_prefix="/rights")

STEP_FORMS = {"extend": ExtendForm, "answer": AnswerForm, "refuse": RefuseForm, "annotate": NoteForm}
ANSWER_FORMS = {"correct": CorrectionForm, "lift": LiftForm}


def _case_panel(case, user):
    if not has_permission(user, "rights.record") or not authorize(user, "edit", case):
        return None
    return {
        "requests": services.requests_of(case),
        "labels": dict(ref.REQUEST_KINDS),
        "statuses": dict(ref.STATUSES),
        "corrections": answers.history(case.id),
        "restriction": answers.restriction_in_force(case.id),
        "holds": answers.holds_in_force(case.id),
        "hold_kinds": dict(ref.HOLD_KINDS),
    }


register_section("rights/_case_panel.html", order=70, context_fn=_case_panel)


def _clocks(req) -> dict:
    return {
        "ack": standing(req.ack_due_at, done=req.acknowledged_at is not None),
        "answer": standing(req.answer_due_at, done=not req.is_open),
    }


def _carried_out(req) -> dict:
    """What was done on the record for this request (for the case's counsellors)."""
    return {
        "corrections": answers.history(req.case_id, req.id),
        "restriction": answers.restriction_in_force(req.case_id),
        "lift_reasons": dict(ref.LIFT_REASONS),
        "restrictions": [r for r in answers.restrictions_of(req.case_id) if r.request_id == req.id],
        "holds": answers.holds_in_force(req.case_id),
        "hold_kinds": dict(ref.HOLD_KINDS),
        "erasure": answers.pending_erasure(req.id),
    }


@bp.get("/")
@permission_required("rights.handle")
def index():
    """Requests in my scope, the nearest deadline first; the officer also sees the breach register link."""
    rows = [(req, _clocks(req)) for req in queries.visible_requests(current_user)]
    return render_template(
        "rights/index.html",
        rows=rows,
        kinds=dict(ref.REQUEST_KINDS),
        statuses=dict(ref.STATUSES),
        is_dpo="dpo" in current_user.role_names(),
    )


@bp.route("/cases/<uuid:case_id>/new", methods=["GET", "POST"])
@permission_required("rights.record")
def new(case_id):
    """Record a survivor's request about their data; the clocks start now."""
    case = load_case(case_id, "edit")
    form = RequestForm()
    if form.validate_on_submit():
        try:
            with attempt():
                req = services.record_request(case, form.data, actor=current_user)
        except ServiceError as exc:
            getattr(form, exc.field or "kind").errors.append(str(exc))
        else:
            flash(_l("Đã ghi nhận yêu cầu. Hạn xác nhận: %(when)s.", when=_local(req.ack_due_at)), "success")
            return redirect(url_for("rights.detail", rights_id=req.id), 303)
    return render_template("rights/new.html", case=case, form=form)


@bp.get("/<uuid:rights_id>")
@permission_required("rights.handle")
def detail(rights_id):
    """One request: its clocks, its steps, and (for the case's counsellors) what was asked."""
    req = ensure_authorized("read", queries.request_for(current_user, str(rights_id)))
    return render_detail(req)


def render_detail(req, forms: dict | None = None):
    """The request's page; `forms` carries a form sent back with its errors (and the input kept)."""
    forms = forms or {}
    details = authorize(current_user, "read_details", req)
    response = render_template(
        "rights/detail.html",
        req=req,
        clocks=_clocks(req),
        details=details,
        kinds=dict(ref.REQUEST_KINDS),
        statuses=dict(ref.STATUSES),
        refusals=dict(ref.REFUSAL_REASONS),
        identity=dict(ref.IDENTITY_CHECKS),
        channels=dict(ref.CHANNELS),
        max_extension=rules.max_extension(req.kind),
        forms={name: forms.get(name) or cls(formdata=None) for name, cls in {**STEP_FORMS, **ANSWER_FORMS}.items()},
        carried=_carried_out(req) if details else {},
    )
    if details:
        audit.record(current_user, "rights.read", req)
    return response


@bp.post("/<uuid:rights_id>/step")
@permission_required("rights.handle")
def step(rights_id):
    """Acknowledge, extend once, answer, refuse, or annotate an answered request."""
    req = ensure_authorized("read", queries.request_for(current_user, str(rights_id)))
    name = request.form.get("step", "")
    if name not in STEP_FORMS and name != "acknowledge":
        return redirect(url_for("rights.detail", rights_id=req.id), 303)
    ensure_authorized(name, req)
    form = STEP_FORMS[name]() if name in STEP_FORMS else None
    if form is not None and not form.validate():
        return render_detail(req, {name: form})
    try:
        with attempt():
            if form is None:  # "acknowledge", the one step without a form
                services.acknowledge(req, actor=current_user)
            elif name == "extend":
                services.extend(req, form.days.data, form.reason.data, actor=current_user)
            elif name == "answer":
                services.answer(req, form.text.data, actor=current_user)
            elif name == "refuse":
                services.refuse(req, form.code.data, form.explanation.data, actor=current_user)
            else:
                services.annotate(req, form.text.data, actor=current_user)
    except ServiceError as exc:
        if form is None:
            flash(str(exc), "error")
            return redirect(url_for("rights.detail", rights_id=req.id), 303)
        _show_error(form, exc)
        return render_detail(queries.request_for(current_user, str(rights_id)), {name: form})
    flash(_l("Đã lưu."), "success")
    return redirect(url_for("rights.detail", rights_id=req.id), 303)


def _show_error(form, exc: ServiceError) -> None:
    """Beside its field when the service named one the form has, else at the top of the page."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        flash(str(exc), "error")


@bp.get("/<uuid:rights_id>/acknowledgement")
@permission_required("rights.record")
def acknowledgement(rights_id):
    """The printable acknowledgement given to the person (plain words, large type)."""
    req = ensure_authorized("print", queries.request_for(current_user, str(rights_id)))
    return render_template(
        "rights/acknowledgement.html", req=req, lines=documents.acknowledgement_lines(req), today=clock.today()
    )


@bp.get("/<uuid:rights_id>/acknowledgement.<fmt>")
@permission_required("rights.record")
def acknowledgement_file(rights_id, fmt):
    """The acknowledgement as a PDF or DOCX file (the same words as the page), made in memory for this download."""
    req = ensure_authorized("print", queries.request_for(current_user, str(rights_id)))
    if fmt not in files.WRITERS:
        abort(404)
    audit.record(current_user, "rights.acknowledgement_file", req, detail={"format": fmt}, case_id=req.case_id)
    document = documents.acknowledgement_document(req, clock.today())
    return files.download(document, fmt, f"giay-xac-nhan-yeu-cau-{req.case.code}")


# --- the survivor's copy (Law 91/2025 Art. 15(2)(a): no third party, no reporter) ---------------------------

COPY_FILES = {
    "pdf": ("application/pdf", copy.to_pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", copy.to_docx),
}


def _copy_request(rights_id):
    req = ensure_authorized("print", queries.request_for(current_user, str(rights_id)))
    if req.kind != "view_copy" or req.case.is_erased:
        abort(404)
    return req


@bp.get("/<uuid:rights_id>/copy")
@permission_required("rights.record")
def survivor_copy(rights_id):
    """The survivor's copy as a printable page (the counsellor reads it before handing it over)."""
    req = _copy_request(rights_id)
    content = copy.build(req.case)
    services.record_copy(req, "html", actor=current_user)
    return render_template(
        "rights/copy.html", req=req, copy=content, heading=copy.heading_lines(), intro=copy.intro(content)
    )


@bp.get("/<uuid:rights_id>/copy.<fmt>")
@permission_required("rights.record")
def survivor_copy_file(rights_id, fmt):
    """The survivor's copy as a PDF or DOCX file: made in memory for this download, never stored."""
    req = _copy_request(rights_id)
    if fmt not in COPY_FILES:
        abort(404)
    mimetype, render = COPY_FILES[fmt]
    data = render(copy.build(req.case))
    services.record_copy(req, fmt, actor=current_user)
    filename = f"ban-sao-du-lieu-{req.case.code}.{fmt}"
    return (
        data,
        200,
        {
            "Content-Type": mimetype,
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


# --- the breach register -----------------------------------------------------------------------------------


def _aware(value):
    return value.replace(tzinfo=clock.VN).astimezone(UTC) if value else None


def _local(value) -> str:
    return clock.local(value).strftime("%H:%M %d/%m/%Y")


@bp.get("/breaches")
@permission_required("breach.manage")
def breaches():
    """The breach register of my units, with each 72-hour clock."""
    rows = [
        (b, standing(b.notify_due_at, done=b.notified_at is not None)) for b in queries.visible_breaches(current_user)
    ]
    return render_template("rights/breaches.html", rows=rows, kinds=dict(ref.BREACH_KINDS))


@bp.route("/breaches/new", methods=["GET", "POST"])
@permission_required("breach.manage")
def new_breach():
    """Record a breach as soon as it is detected: the 72-hour clock runs from detection."""
    form = BreachForm()
    if form.validate_on_submit():
        unit = _dpo_unit()
        data = dict(form.data, detected_at=_aware(form.detected_at.data))
        try:
            with attempt():
                breach = services.record_breach(unit, data, actor=current_user)
        except ServiceError as exc:
            getattr(form, exc.field or "kind").errors.append(str(exc))
        else:
            return redirect(url_for("rights.breach", breach_id=breach.id), 303)
    return render_template("rights/breach_new.html", form=form)


def _dpo_unit() -> Unit:
    return next(a.unit for a in current_user.roles if a.role == "dpo")


@bp.route("/breaches/<uuid:breach_id>", methods=["GET", "POST"])
@permission_required("breach.manage")
def breach(breach_id):
    """One breach: notify the authority (form 08 facts), record containment."""
    record = ensure_authorized("read", queries.breach_for(current_user, str(breach_id)))
    form = NotifyForm()
    containing = request.form.get("step") == "contain"
    # Notifying the authority is the officer's signed act: a fresh second factor, asked on the form itself
    # so that the typed lateness reason is never lost to a detour (app/auth/stepup.py check_form).
    if request.method == "POST" and (containing or (form.validate() and stepup.check_form(form))):
        try:
            with attempt():
                if containing:
                    services.contain(record, actor=current_user)
                else:
                    services.notify_authority(
                        record, _aware(form.notified_at.data), form.late_reason.data, actor=current_user
                    )
        except ServiceError as exc:
            record = queries.breach_for(current_user, str(breach_id)) or record  # read again after the rollback
            _show_error(form, exc)
        else:
            return redirect(url_for("rights.breach", breach_id=record.id), 303)
    audit.record(current_user, "breach.read", record)
    return render_template(
        "rights/breach.html",
        breach=record,
        form=form,
        kinds=dict(ref.BREACH_KINDS),
        clock=standing(record.notify_due_at, done=record.notified_at is not None),
    )


def _breach(breach_id):
    return ensure_authorized("read", queries.breach_for(current_user, str(breach_id)))


@bp.get("/breaches/<uuid:breach_id>/notice")
@permission_required("breach.manage")
def breach_notice(breach_id):
    """The notification to the authority (form 08, Decree 356/2025 Art. 28–29) as a printable page."""
    record = _breach(breach_id)
    audit.record(current_user, "breach.notice", record, detail={"format": "html"})
    return render_template("rights/breach_notice.html", breach=record, document=documents.breach_document(record))


@bp.get("/breaches/<uuid:breach_id>/notice.<fmt>")
@permission_required("breach.manage")
def breach_notice_file(breach_id, fmt):
    """Form 08 as a PDF or DOCX file for the authority, made in memory for this download."""
    record = _breach(breach_id)
    if fmt not in files.WRITERS:
        abort(404)
    audit.record(current_user, "breach.notice", record, detail={"format": fmt})
    detected = clock.local(record.detected_at).date().isoformat()
    return files.download(documents.breach_document(record), fmt, f"mau-08-thong-bao-vi-pham-{detected}")


from . import answer_views  # noqa: E402,F401  (its routes are on this blueprint)
