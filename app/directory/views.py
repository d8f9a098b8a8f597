"""The province's directory pages: every service, live and closed, and the form to add or change one.

Permission `directory.manage` (admin): the directory is reference data, kept like the unit tree, and its
pages hold no person data. Counsellors meet the directory through the referral and consent pickers."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import permission_required
from ..extensions import db, htmx
from ..services import ServiceError
from ..units.models import Unit
from ..units.queries import unit_label
from ..web.forms import options
from ..web.i18n import translated
from ..web.unit_of_work import attempt
from . import queries, services
from .forms import ServiceForm
from .models import Service
from .reference_data import ACCEPTS, LANGUAGES, SERVICE_TYPES

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.app_context_processor
def directory_labels():
    return {
        "directory_labels": {
            "kind": dict(translated(SERVICE_TYPES)),
            "language": dict(translated(LANGUAGES)),
            "accepts": dict(translated(ACCEPTS)),
        }
    }


@bp.get("/")
@permission_required("directory.manage")
def index():
    """Every service, live first; search by name without diacritics (?q=), filter by type (?kind=)."""
    query, kind = request.args.get("q", "")[:100], request.args.get("kind", "")
    rows = [s for s in queries.all_services() if queries.matches(s, query) and (not kind or s.kind == kind)]
    rows.sort(key=lambda s: (not s.is_live(), s.kind, s.name))
    context = {"rows": rows, "query": query, "kind": kind, "service_types": SERVICE_TYPES}
    if htmx.target == "directory-rows":
        return render_template("directory/_rows.html", **context)
    return render_template("directory/index.html", **context)


def _form(service: Service | None) -> ServiceForm:
    form = ServiceForm(obj=service) if service else ServiceForm()
    if service is not None and not form.is_submitted():
        form.areas.data = [a.unit_id for a in service.areas]
    agencies = [
        u
        for u in db.session.scalars(select(Unit).where(Unit.kind == "agency").order_by(Unit.name))
        if u.is_current() or (service is not None and u.id == service.unit_id)
    ]
    # the agency of a service kept although it has stopped says so ("đã ngừng từ 01/07/2025")
    form.unit_id.choices = options([("", _l("— Chọn —"))], [(u.id, unit_label(u, code=False)) for u in agencies])
    places = [
        u
        for u in db.session.scalars(select(Unit).where(Unit.kind.in_(("province", "commune"))).order_by(Unit.path))
        if u.is_current()
    ]
    form.areas.choices = options([(u.id, u.name) for u in places])
    live = [s for s in queries.all_services() if s.is_live() and (service is None or s.id != service.id)]
    form.successor_id.choices = options([("", _l("— Không —"))], [(s.id, f"{s.name} — {s.unit.name}") for s in live])
    return form


def _save(service: Service | None):
    form = _form(service)
    if form.validate_on_submit():
        try:
            with attempt():
                saved = services.save_service(service, form.data, actor=current_user)
        except ServiceError as exc:
            field = exc.field if exc.field and hasattr(form, exc.field) else "name"
            getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        else:
            flash(_l("Đã lưu dịch vụ %(code)s.", code=saved.code), "success")
            return redirect(url_for("directory.index"), 303)
    return render_template("directory/form.html", form=form, service=service)


@bp.route("/new", methods=("GET", "POST"))
@permission_required("directory.manage")
def create():
    """Add a service to the directory."""
    return _save(None)


@bp.route("/<uuid:dir_service_id>", methods=("GET", "POST"))
@permission_required("directory.manage")
def edit(dir_service_id):
    """Change a service; closing it (a last day) needs a successor, and its open referrals move there."""
    return _save(db.get_or_404(Service, str(dir_service_id)))
