"""Offline capture pages: the shell (kept by the service worker), the sync endpoint, devices and tasks.

The shell and the service worker are the only pages the browser may keep: they hold forms and reference
lists, never person data. Everything else here is no-store like every page, and the service worker never
caches a response that says no-store.
"""

import base64
import hashlib
from types import SimpleNamespace

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..auth.permissions import ensure_authorized, has_permission, permission_required, public
from ..extensions import db
from ..services import ServiceError
from ..web import drafts
from ..web.assets import asset_url
from ..web.forms import BaseForm
from ..web.unit_of_work import attempt
from . import keys, queries, services
from .forms import DeviceForm, FollowUpOutcomeForm, NoteForm, OfflineCaseForm, offline_intake_form
from .models import OfflineCase, OfflineItem

bp = Blueprint("offline", __name__, url_prefix="/offline")

SHELL_ASSETS = ("css/app.css", "js/offline.js", "img/icons.svg")


def shell_files() -> list[str]:
    """What the service worker keeps: the shell page and its versioned static files."""
    return [url_for("offline.shell")] + [asset_url(name) for name in SHELL_ASSETS]


@bp.get("/")
@permission_required("offline.capture")
def shell():
    """The offline capture page: forms that seal what is typed for the server, and the queue."""
    return render_template(
        "offline/shell.html",
        intake=offline_intake_form(),
        device_form=DeviceForm(),
        max_bytes=services.max_item_bytes(),
    )


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker: it keeps the shell for offline use, nothing else."""
    files = shell_files()
    version = hashlib.sha256("\n".join(files).encode()).hexdigest()[:12]
    body = render_template("offline/sw.js", files=files, version=version)
    response = make_response(body)
    response.mimetype = "text/javascript"
    return response


@bp.get("/state")
@permission_required("offline.capture")
def state():
    """For a registered device: a fresh CSRF token, the server's public key and the offline cases' codes."""
    from flask_wtf.csrf import generate_csrf

    device_id = request.args.get("device", "")
    body = {"csrf": generate_csrf(), "registered": False, "revoked": False}
    device = queries.own_device(current_user, device_id) if device_id else None
    if device is not None:
        body.update(registered=True, revoked=not device.active)
        if device.active:
            version, point = keys.public_key()
            body["server"] = {"version": version, "key": base64.b64encode(point).decode("ascii")}
            body["cases"] = [services.device_label_of(r) for r in services.offline_cases(current_user)]
    return jsonify(body)


@bp.post("/devices")
@permission_required("offline.capture")
def register():
    """Register this phone's public signing key."""
    data = request.get_json(silent=True) or {}
    try:
        with attempt():
            public_key = base64.b64decode(str(data.get("public_key", "")), validate=True)
            device = services.register_device(current_user, public_key, str(data.get("label", "")))
    except (ValueError, ServiceError) as exc:
        message = str(exc) if isinstance(exc, ServiceError) else str(_l("Khoá thiết bị không hợp lệ."))
        return jsonify({"error": message}), 400
    return jsonify({"device": device.id, "label": device.label}), 201


@bp.post("/sync")
@permission_required("offline.capture")
def sync():
    """Receive one sealed item; answer what became of it (a repeat answers as the first time)."""
    if (request.content_length or 0) > services.max_item_bytes():
        return jsonify({"code": "too_large", "error": str(_l("Bản ghi quá lớn để gửi."))}), 413
    try:
        item = services.receive(current_user, request.get_json(silent=True))
    except services.Refused as exc:  # its audit entry went through audit.record_independently
        return jsonify({"code": exc.code, "error": str(exc)}), exc.status
    return jsonify(
        {
            "status": item.status,
            "id": item.id,
            "message": str(services.REASONS.get(item.reason, "")) if item.reason else "",
        }
    )


@bp.get("/devices")
@permission_required("offline.devices")
def devices():
    """Registered devices: my own, and for a supervisor those of the counsellors in scope."""
    return render_template(
        "offline/devices.html",
        devices=queries.visible_devices(current_user),
        form=BaseForm(),
        can_capture=has_permission(current_user, "offline.capture"),
    )


@bp.post("/devices/<uuid:device_id>/revoke")
@permission_required("offline.devices")
def revoke(device_id):
    """Revoke a lost or replaced device."""
    device = ensure_authorized("revoke", queries.visible_device(current_user, str(device_id)))
    form = BaseForm()
    if form.validate_on_submit():
        try:
            with attempt():
                services.revoke_device(device, actor=current_user)
        except ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(_l("Đã thu hồi thiết bị. Các bản ghi chưa gửi từ thiết bị đó sẽ bị từ chối."), "success")
    return redirect(url_for("offline.devices"), 303)


@bp.route("/cases", methods=["GET", "POST"])
@permission_required("offline.capture")
def cases():
    """Choose the cases to carry offline (only their codes go to the phone)."""
    form = OfflineCaseForm()
    if form.validate_on_submit():
        case = queries.counsellor_case_by_code(current_user, form.case_code.data)
        if case is None:
            form.case_code.errors.append(_l("Không tìm thấy hồ sơ này trong phạm vi của bạn."))
        else:
            try:
                with attempt():
                    services.add_offline_case(current_user, case)
            except ServiceError as exc:
                form.case_code.errors.append(str(exc))
            else:
                flash(_l("Đã thêm %(code)s vào danh sách mang theo.", code=case.code), "success")
                return redirect(url_for("offline.cases"), 303)
    return render_template(
        "offline/cases.html", form=form, rows=services.offline_cases(current_user), remove_form=BaseForm()
    )


@bp.post("/cases/<uuid:row_id>/remove")
@permission_required("offline.capture")
def remove_case(row_id):
    """Stop carrying a case offline."""
    row = db.session.scalar(
        select(OfflineCase).where(OfflineCase.id == str(row_id), OfflineCase.user_id == current_user.id)
    )
    row = ensure_authorized("edit", row)
    if BaseForm().validate_on_submit():
        services.remove_offline_case(current_user, row)
    return redirect(url_for("offline.cases"), 303)


@bp.get("/items/<uuid:item_id>")
@permission_required("offline.capture")
def item(item_id):
    """A captured item that could not be saved: what was typed, what is wrong, how to finish it."""
    row = ensure_authorized("read", queries.own_item(current_user, str(item_id)))
    if row.status != "rejected":
        abort(404)
    response = render_template(
        "offline/item.html",
        item=row,
        reason=services.REASONS.get(row.reason or "", ""),
        rows=_described(row),
        form=BaseForm(),
    )
    services.record_item_read(row, actor=current_user)
    return response


@bp.post("/items/<uuid:item_id>/finish")
@permission_required("offline.capture")
def finish(item_id):
    """Carry a rejected intake into the online intake form (as a draft), or mark the task done."""
    row = ensure_authorized("read", queries.own_item(current_user, str(item_id)))
    if not BaseForm().validate_on_submit() or row.status != "rejected":
        return redirect(url_for("offline.item", item_id=row.id), 303)
    target = url_for("offline.cases")
    if row.kind == "intake" and request.form.get("action") == "open_form":
        drafts.save_draft(current_user, "case-intake", _multidict(row.values or {}))
        target = url_for("cases.create")
    elif row.case_id and row.reason != "no_access" and request.form.get("action") == "open_case":
        target = url_for("cases.detail", case_id=row.case_id)
    services.resolve(row, actor=current_user)
    return redirect(target, 303)


def _multidict(values: dict) -> MultiDict:
    return MultiDict([(k, v) for k, vs in values.items() for v in vs])


def _described(item: OfflineItem) -> list[tuple[str, str, list[str]]]:
    """(label, value as shown, errors) for each field typed or in error, in the form's own order and words."""
    form = {"intake": offline_intake_form, "note": NoteForm, "followup": FollowUpOutcomeForm}[item.kind]()
    values, errors = item.values or {}, item.errors or {}
    rows = []
    for field in form:
        if field.name not in values and field.name not in errors:
            continue
        typed = values.get(field.name, [])
        labels = {str(choice.value): str(choice.label) for choice in _choices(field)}
        rows.append((str(field.label.text), ", ".join(labels.get(v, v) for v in typed), errors.get(field.name, [])))
    return rows


def _choices(field):
    if not hasattr(field, "iter_choices"):
        return []
    return [SimpleNamespace(value=value, label=label) for value, label, *_ in field.iter_choices()]
