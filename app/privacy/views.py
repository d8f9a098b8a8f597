"""The data-protection officer's pages: notice versions, impact dossier, transfer agreements, retention schedule
and reviews, processing register. Organisation texts, dates and record codes only: no case content."""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..auth import stepup
from ..auth.permissions import deny, permission_required
from ..deadlines import standing
from ..directory import queries as directory_queries
from ..extensions import db
from ..services import ServiceError
from ..web import documents as files
from ..web.forms import options
from ..web.unit_of_work import attempt
from . import documents, retention, services
from . import facts as system_facts
from . import reference_data as ref
from .forms import (
    AgreementEndForm,
    AgreementForm,
    DossierSentForm,
    NoticeForm,
    ReorganisationForm,
    RetentionForm,
    ReviewForm,
    dossier_form,
)
from .models import DossierVersion, PrivacyNotice, RetentionReview, TransferAgreement

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def _row(model, raw: str | None):
    """The row a hidden field names, or 404: only a well-formed id reaches the database (PostgreSQL refuses a
    NUL byte in a parameter)."""
    try:
        key = str(uuid.UUID(raw or ""))
    except ValueError:
        abort(404)
    found = db.session.get(model, key)
    if found is None:
        abort(404)
    return found


def _review(raw: str | None) -> RetentionReview:
    """The review a hidden field names, through the officer's scope: another unit's id (replayed or guessed) is
    refused as not found, and the refusal recorded."""
    try:
        key = str(uuid.UUID(raw or ""))
    except ValueError:
        abort(404)
    found = retention.review_for(current_user, key)
    if found is None:
        deny("privacy.manage", None, status=404)
    return found


def _try(form, call) -> bool:
    """Run a service call that may refuse; put its message beside the field it names (or the form's top)."""
    try:
        with attempt():
            call()
    except ServiceError as exc:
        field = getattr(form, exc.field, None) if exc.field else None
        if field is not None:
            field.errors = [*field.errors, str(exc)]
        else:
            flash(str(exc), "error")
        return False
    return True


@bp.get("/")
@permission_required("privacy.manage")
def index():
    """The controller's duties at a glance, with the dossier's clocks."""
    clocks = [(what, due, standing(due)) for what, due in services.dossier_clocks(services.processing_start())]
    return render_template(
        "privacy/index.html",
        clocks=clocks,
        notice=services.notice_on(clock.today()),
        dossier=services.latest_dossier(),
        reviews=len(retention.open_reviews(current_user)),
        missing=system_facts.services_without_agreement(),
    )


# --- the sensitive-data notice ----------------------------------------------------------------------------


@bp.route("/notices", methods=["GET", "POST"])
@permission_required("privacy.manage")
def notices():
    """Every version of the notice; publish a new one (versions already read to people never change)."""
    form = NoticeForm()
    if request.method == "GET":
        current = services.notice_on(clock.today())
        if current is not None:
            form.text_vi.data, form.text_plain.data = current.text_vi, current.text_plain
    elif form.validate() and _try(form, lambda: services.publish_notice(form.data, actor=current_user)):
        flash(_l("Đã ban hành phiên bản mới của thông báo."), "success")
        return redirect(url_for("privacy.notices"), 303)
    return render_template("privacy/notices.html", form=form, notices=services.notices(), today=clock.today())


@bp.get("/notice")
@permission_required("privacy.notice_read")
def notice_today():
    """The notice in force today, to read aloud to the survivor before asking for consent."""
    current = services.notice_on(clock.today())
    if current is None:
        abort(404)
    return render_template("privacy/notice.html", notice=current)


@bp.get("/notices/<uuid:notice_id>")
@permission_required("privacy.notice_read")
def notice(notice_id):
    """One version of the notice (the consent ledger names it), printable in large type."""
    found = db.session.get(PrivacyNotice, str(notice_id))
    if found is None:
        abort(404)
    return render_template("privacy/notice.html", notice=found)


# --- the impact-assessment dossier ------------------------------------------------------------------------


@bp.route("/dossier", methods=["GET", "POST"])
@permission_required("privacy.manage")
def dossier():
    """The dossier's versions and clocks; save a new version (sections prefilled from the last one)."""
    latest = services.latest_dossier()
    if request.method == "POST":
        form = dossier_form(request.form)
        if (
            form.validate()
            and stepup.check_form(form)
            and _try(form, lambda: services.save_dossier(form.data, system_facts.snapshot(), actor=current_user))
        ):
            flash(_l("Đã lưu phiên bản mới của hồ sơ đánh giá tác động."), "success")
            return redirect(url_for("privacy.dossier"), 303)
    else:
        values = dict(latest.sections) if latest else {}
        form = dossier_form(
            processing_started_on=services.processing_start(), reason="periodic" if latest else "initial", **values
        )
    return _dossier_page(form)


def _dossier_page(form=None, reorganisation_form=None, sent_form=None):
    clocks = [(what, due, standing(due)) for what, due in services.dossier_clocks(services.processing_start())]
    return render_template(
        "privacy/dossier.html",
        form=form or dossier_form(),
        clocks=clocks,
        versions=services.dossiers(),
        reorganisations=services.open_reorganisations(),
        facts=system_facts.snapshot(),
        reorganisation_form=reorganisation_form or ReorganisationForm(formdata=None, occurred_on=clock.today()),
        sent_form=sent_form or DossierSentForm(formdata=None, sent_on=clock.today()),
        sections=ref.DOSSIER_SECTIONS,
        reasons=dict(ref.DOSSIER_REASONS),
    )


@bp.post("/dossier/reorganisations")
@permission_required("privacy.manage")
def reorganisation():
    """Record a reorganisation: its 10-day clock for updating the dossier starts (form 03a)."""
    form = ReorganisationForm()
    if form.validate() and _try(form, lambda: services.record_reorganisation(form.data, actor=current_user)):
        return redirect(url_for("privacy.dossier"), 303)
    return _dossier_page(reorganisation_form=form)


@bp.post("/dossier/sent")
@permission_required("privacy.manage")
def dossier_sent():
    """Record the day a dossier version was sent to the authority."""
    form = DossierSentForm()
    found = _row(DossierVersion, form.dossier_id.data)
    if (
        form.validate()
        and stepup.check_form(form)
        and _try(form, lambda: services.mark_sent(found, form.sent_on.data, actor=current_user))
    ):
        return redirect(url_for("privacy.dossier"), 303)
    return _dossier_page(sent_form=form)


@bp.get("/dossier/<uuid:dossier_id>")
@permission_required("privacy.manage")
def dossier_version(dossier_id):
    """One version of the dossier, printable in the layout of form 10 with annex 02a."""
    found = db.session.get(DossierVersion, str(dossier_id))
    if found is None:
        abort(404)
    return render_template(
        "privacy/dossier_print.html", dossier=found, sections=ref.DOSSIER_SECTIONS, reasons=dict(ref.DOSSIER_REASONS)
    )


@bp.get("/dossier/<uuid:dossier_id>.<fmt>")
@permission_required("privacy.manage")
def dossier_file(dossier_id, fmt):
    """One version of the dossier as a PDF or DOCX file for the authority, made in memory for this download."""
    found = db.session.get(DossierVersion, str(dossier_id))
    if found is None or fmt not in files.WRITERS:
        abort(404)
    return files.download(documents.dossier_document(found), fmt, f"ho-so-dtd-v{found.version}")


# --- transfer agreements ----------------------------------------------------------------------------------


def _service_choices():
    """The live services of the directory, by agency: an agreement covers one receiving service."""
    live = sorted((s for s in directory_queries.all_services() if s.is_live()), key=lambda s: (s.unit.name, s.name))
    return [("", _l("— Chọn —"))] + [(s.id, f"{s.name} — {s.unit.name}") for s in live]


@bp.route("/agreements", methods=["GET", "POST"])
@permission_required("privacy.manage")
def agreements():
    """The transfer agreement with each receiving service, and the live services that have none in force."""
    form = AgreementForm()
    form.service_id.choices = options(_service_choices())
    if (
        request.method == "POST"
        and form.validate()
        and stepup.check_form(form)
        and _try(form, lambda: services.record_agreement(form.data, actor=current_user))
    ):
        flash(_l("Đã ghi nhận thoả thuận chuyển giao."), "success")
        return redirect(url_for("privacy.agreements"), 303)
    return _agreements_page(form)


def _agreements_page(form, end_form=None):
    today = clock.today()
    return render_template(
        "privacy/agreements.html",
        form=form,
        rows=services.agreements(),
        today=today,
        missing=system_facts.services_without_agreement(),
        end_form=end_form or AgreementEndForm(formdata=None, ended_on=today),
    )


@bp.post("/agreements/end")
@permission_required("privacy.manage")
def end_agreement():
    """End an agreement early."""
    form = AgreementEndForm()
    row = _row(TransferAgreement, form.agreement_id.data)
    if (
        form.validate()
        and stepup.check_form(form)
        and _try(form, lambda: services.end_agreement(row, form.ended_on.data, actor=current_user))
    ):
        return redirect(url_for("privacy.agreements"), 303)
    add = AgreementForm(formdata=None)
    add.service_id.choices = options(_service_choices())
    return _agreements_page(add, end_form=form)


# --- retention --------------------------------------------------------------------------------------------


@bp.route("/retention", methods=["GET", "POST"])
@permission_required("privacy.manage")
def retention_schedule():
    """The retention schedule, one line per record type, each editable (and audited)."""
    rules = services.retention_rules()
    forms = {
        code: RetentionForm(formdata=None, prefix=code, months=rules[code].months, basis=rules[code].basis)
        if code in rules
        else RetentionForm(formdata=None, prefix=code)
        for code, *_ in ref.RECORD_TYPES
    }
    code = request.form.get("record_type", "")
    if request.method == "POST" and code in forms:
        form = forms[code] = RetentionForm(prefix=code)
        if (
            form.validate()
            and stepup.check_form(form)
            and _try(form, lambda: services.set_retention(code, form.months.data, form.basis.data, actor=current_user))
        ):
            flash(_l("Đã lưu thời hạn lưu trữ."), "success")
            return redirect(url_for("privacy.retention_schedule"), 303)
    return render_template("privacy/retention.html", forms=forms, rules=rules, types=ref.RECORD_TYPES)


@bp.route("/retention/reviews", methods=["GET", "POST"])
@permission_required("privacy.manage")
def reviews():
    """Records past retention found by the monthly job, each waiting for a decision (never deleted silently)."""
    given = {}
    if request.method == "POST":
        form = ReviewForm()
        review = _review(form.review_id.data)
        if (
            form.validate()
            and stepup.check_form(form)
            and _try(
                form,
                lambda: retention.decide(
                    review, form.decision.data, form.reason.data, form.keep_until.data, actor=current_user
                ),
            )
        ):
            flash(_l("Đã ghi nhận quyết định."), "success")
            return redirect(url_for("privacy.reviews"), 303)
        given[review.id] = form
    rows = retention.open_reviews(current_user)
    forms = {r.id: given.get(r.id) or ReviewForm(formdata=None, review_id=r.id) for r in rows}
    return render_template(
        "privacy/reviews.html", rows=rows, forms=forms, types={code: label for code, label, *_ in ref.RECORD_TYPES}
    )


# --- the processing register ------------------------------------------------------------------------------


@bp.get("/register")
@permission_required("privacy.manage")
def register():
    """The processing register, generated from the records above; printable."""
    return render_template("privacy/register.html", facts=system_facts.snapshot(), today=clock.today())


@bp.get("/register.<fmt>")
@permission_required("privacy.manage")
def register_file(fmt):
    """The processing register as a PDF or DOCX file, made in memory for this download."""
    if fmt not in files.WRITERS:
        abort(404)
    today = clock.today()
    document = documents.register_document(system_facts.snapshot(), today)
    return files.download(document, fmt, f"so-xu-ly-du-lieu-{today.isoformat()}")
