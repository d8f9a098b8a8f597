"""A user's notification page: the choices, and what was sent or could not be sent yet."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..audit import services as audit
from ..auth.permissions import permission_required
from ..extensions import db
from .forms import NotificationPrefForm
from .models import Notification, NotificationPref

bp = Blueprint("notify", __name__, url_prefix="/work/notifications")


@bp.route("/", methods=("GET", "POST"))
@permission_required("work.queue")
def settings():
    """Choose e-mail or SMS, alerts and quiet hours; see the last messages and any not sent yet."""
    pref = db.session.get(NotificationPref, current_user.id)
    form = NotificationPrefForm(obj=pref)
    if form.validate_on_submit():
        pref = pref or NotificationPref(user_id=current_user.id)
        form.populate_obj(pref)
        pref.email, pref.phone = (pref.email or "").strip(), (pref.phone or "").strip()
        db.session.add(pref)
        db.session.flush()
        audit.record(
            current_user,
            "notify.settings",
            object_type="notify_pref",
            object_id=current_user.id,
            detail={"email": pref.email_on, "sms": pref.sms_on, "alerts": pref.alerts_on},
        )
        flash(_("Đã lưu cách nhận thông báo."), "success")
        return redirect(url_for("notify.settings"), 303)
    recent = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc())
        .limit(20)
    ).all()
    return render_template(
        "notify/settings.html",
        form=form,
        recent=recent,
        email_ready=bool(current_app.config.get("MAIL_SERVER")),
        sms_ready=bool(current_app.config.get("SMS_GATEWAY_URL")),
    )
