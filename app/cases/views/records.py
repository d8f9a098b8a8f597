"""Intake, the case page, edit with optimistic locking, close and reopen, break-glass."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectFieldBase

from ...audit import services as audit
from ...auth.permissions import has_permission, permission_required
from ...auth.stepup import step_up_required
from ...extensions import db, htmx
from ...services import ServiceError
from ...units.models import Unit
from ...web import drafts
from ...web.filters import date_vn
from ...web.unit_of_work import attempt
from .. import queries, services
from ..forms import BreakGlassForm, CaseForm, CloseForm, ReopenForm
from . import bp
from .common import load_case, render_case


def _unit_choices(user):
    """Units a counsellor may file a case under: their scope, without villages (chosen separately).

    The villages offered are those of the communes served: beneath a unit in scope, or beneath the commune a
    trusted address in scope belongs to (a trusted address has no villages of its own)."""
    scope = queries.scope_for(user, "counsellor")
    units = db.session.scalars(select(Unit).where(Unit.id.in_(scope)).order_by(Unit.path)).all()
    served = {u.id for u in units} | {u.parent_id for u in units if u.kind == "trusted_address" and u.parent_id}
    villages = db.session.scalars(
        select(Unit).where(Unit.kind == "village", Unit.parent_id.in_(served)).order_by(Unit.name)
    ).all()
    return (
        [(u.id, f"{u.name} ({u.code})") for u in units if u.kind != "village" and u.is_current()],
        [(v.id, v.name) for v in villages if v.is_current()],
    )


def case_form(formdata=None, **values) -> CaseForm:
    units, villages = _unit_choices(current_user)
    form = CaseForm(formdata=formdata, unit_choices=units, village_choices=villages, data=values or None)
    if len(units) == 1 and not form.unit_id.data:
        form.unit_id.data = units[0][0]
    return form


def _duplicates(form: CaseForm, exclude_id=None) -> list:
    birth_year = form.birth_date.data.year if form.birth_date.data else form.birth_year.data
    return queries.find_duplicates(
        current_user,
        full_name=form.full_name.data or "",
        birth_year=birth_year,
        phone=form.phone.data or "",
        id_number=form.id_number.data or "",
        exclude_id=exclude_id,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("case.create")
def create():
    """Take in a new case: kind, summary, identity, narrative, assessment."""
    form = case_form(request.form if request.method == "POST" else None)
    if request.method == "GET":
        drafts.prefill(form, "case-intake")
    duplicates = []
    if request.method == "POST" and form.validate():
        duplicates = _duplicates(form)
        if duplicates:
            audit.record(current_user, "case.duplicate_check", detail={"matches": len(duplicates)})
        if not duplicates or form.confirm_duplicate.data:
            try:
                with attempt():
                    case = services.create_case(form.to_data(), actor=current_user)
            except ServiceError as exc:
                getattr(form, exc.field or "kind").errors.append(str(exc))
            else:
                flash(_l("Đã tạo hồ sơ %(code)s.", code=case.code), "success")
                return redirect(url_for("cases.detail", case_id=case.id), 303)
    return render_template("cases/form.html", form=form, case=None, duplicates=duplicates)


@bp.post("/new/duplicates")
@permission_required("case.create")
def check_duplicates():
    """While typing: show the codes of possible duplicates in my scope (never their content)."""
    form = case_form(request.form)
    duplicates = _duplicates(form)
    if duplicates:
        audit.record(current_user, "case.duplicate_check", detail={"matches": len(duplicates)})
    elsewhere = None
    if request.form.get("across") == "1" and has_permission(current_user, "case.duplicate_across"):
        elsewhere = _duplicates_elsewhere(form)
    return render_template(
        "cases/_duplicates.html",
        duplicates=duplicates,
        checked=True,
        elsewhere=elsewhere,
        may_check_across=has_permission(current_user, "case.duplicate_across"),
    )


def _duplicates_elsewhere(form: CaseForm) -> list[str]:
    """Names of the other communes where the person seems to be a case already (asked on purpose; audited)."""
    birth_year = form.birth_date.data.year if form.birth_date.data else form.birth_year.data
    scopes, asked = queries.duplicates_elsewhere(
        current_user,
        full_name=form.full_name.data or "",
        birth_year=birth_year,
        phone=form.phone.data or "",
        id_number=form.id_number.data or "",
    )
    audit.record(current_user, "case.duplicate_check_across", detail={"scopes": asked, "found": len(scopes)})
    return [u.name for u in db.session.scalars(select(Unit).where(Unit.id.in_(scopes)).order_by(Unit.name))]


@bp.get("/<uuid:case_id>")
@permission_required("case.read")
def detail(case_id):
    """Show a case: the summary to everyone allowed, the whole case to its counsellors (audited)."""
    case = load_case(case_id, "read_summary")
    # ?form=consent opens that panel's "add" form without JavaScript (a code, never person data).
    response = render_case(case, open_form=request.args.get("form"))
    return response


@bp.route("/<uuid:case_id>/edit", methods=["GET", "POST"])
@permission_required("case.edit")
def edit(case_id):
    """Edit a case; a save over someone else's newer change shows both versions instead."""
    case = load_case(case_id, "edit")
    if request.method == "GET":
        form = case_form(**CaseForm.values_of(case))
        drafts.prefill(form, f"case-edit-{case.id}")
        services.record_read(case, actor=current_user)
        return render_template("cases/form.html", form=form, case=case, duplicates=[])
    form = case_form(request.form)
    duplicates: list = []
    if form.validate():
        try:
            with attempt():
                version = int(form.version.data or 0)
                services.update_case(case, form.to_data(), actor=current_user, version=version)
        except services.EditConflict:
            return _conflict(case_id, form)
        except ServiceError as exc:
            getattr(form, exc.field or "kind").errors.append(str(exc))
        else:
            flash(_l("Đã lưu hồ sơ."), "success")
            return redirect(url_for("cases.detail", case_id=case.id), 303)
    return render_template("cases/form.html", form=form, case=case, duplicates=duplicates)


def _conflict(case_id, form: CaseForm):
    """Show the user's input beside the values saved meanwhile; their form now carries the new version."""
    case = load_case(case_id, "edit")
    current = case_form(**CaseForm.values_of(case))
    services.record_read(case, actor=current_user)
    audit.record(current_user, "case.edit", case, result="conflict")
    form.version.data = str(case.version)
    rows = [
        (field.label.text, _shown(field), _shown(current[field.name]))
        for field in form
        if field.name not in ("version", "confirm_duplicate", "csrf_token")
        and _shown(field) != _shown(current[field.name])
    ]
    # 409: the save was refused; the page still carries everything typed, ready to save again.
    return render_template("cases/conflict.html", form=form, case=case, rows=rows, duplicates=[]), 409


def _shown(field) -> str:
    """A field's value as the person sees it (choice labels, dd/mm/yyyy dates)."""
    data = field.data
    if data in (None, "", [], False):
        return ""
    choices = {c.value: c.label for c in field.iter_choices()} if isinstance(field, SelectFieldBase) else {}
    if isinstance(data, list):
        return ", ".join(str(choices.get(v, v)) for v in data)
    if hasattr(data, "strftime"):
        return date_vn(data)
    if data is True:
        return str(_l("Có"))
    return str(choices.get(data, data))


@bp.post("/<uuid:case_id>/close")
@permission_required("case.edit")
def close(case_id):
    """Close a case with a reason (an explanation too while follow-ups are open)."""
    case = load_case(case_id, "edit")
    form = CloseForm(prefix="close")
    if form.validate():
        try:
            with attempt():
                services.close_case(case, form.reason.data, actor=current_user, note=form.note.data)
        except ServiceError as exc:
            getattr(form, exc.field or "reason").errors.append(str(exc))
        else:
            flash(_l("Đã đóng hồ sơ."), "success")
            return redirect(url_for("cases.detail", case_id=case.id), 303)
    return _panel_error(case, "case-status", close_form=form)


@bp.post("/<uuid:case_id>/reopen")
@permission_required("case.edit")
def reopen(case_id):
    """Reopen a closed case with a reason."""
    case = load_case(case_id, "edit")
    form = ReopenForm(prefix="reopen")
    if form.validate():
        try:
            with attempt():
                services.reopen_case(case, form.reason.data, actor=current_user)
        except ServiceError as exc:
            getattr(form, exc.field or "reason").errors.append(str(exc))
        else:
            flash(_l("Đã mở lại hồ sơ."), "success")
            return redirect(url_for("cases.detail", case_id=case.id), 303)
    return _panel_error(case, "case-status", reopen_form=form)


def _panel_error(case, panel: str, **forms):
    response = render_case(case, panel, **forms)
    return response


@bp.route("/<uuid:case_id>/break-glass", methods=["GET", "POST"])
@permission_required("case.break_glass")
@step_up_required
def break_glass(case_id):
    """A district reviewer opens the whole case for 60 minutes, read-only, giving a reason."""
    case = load_case(case_id, "break_glass")
    form = BreakGlassForm()
    if request.method == "POST" and form.validate():
        try:
            with attempt():
                services.grant_break_glass(case, form.reason.data, actor=current_user)
        except ServiceError as exc:
            form.reason.errors.append(str(exc))
        else:
            return redirect(url_for("cases.detail", case_id=case.id), 303)
    if htmx.target == "break-glass":
        return render_template("cases/_break_glass.html", case=case, form=form)
    return render_template("cases/break_glass.html", case=case, form=form)
