"""Pages that belong to no area: the home page, the health check, language, the neutral exit page."""

from flask import Blueprint, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user

from ..auth.permissions import has_permission, public
from ..extensions import csrf
from .redirects import safe_next

bp = Blueprint("web", __name__)

# Where each role starts its day, first match wins.
HOMES = (
    ("case.list", "cases.index"),
    ("referral.receive", "referrals.index"),
    ("indicator.report", "indicators.index"),
    ("indicator.view", "indicators.index"),
    ("admin.users", "admin.users"),
)


@bp.get("/")
@public
def home():
    """Send a signed-in user to the start page of their role; anyone else to the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    from flask import current_app

    for permission, endpoint in HOMES:
        if has_permission(current_user, permission) and endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return redirect(url_for("auth.account"))


@bp.get("/healthz")
@public
def healthz():
    """Liveness for the load balancer: no detail, no database round trip."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/favicon.ico")
@public
def favicon():
    """The small icon browsers ask for on every page (pages also link it under its versioned name)."""
    from .assets import ONE_YEAR, static_root

    response = send_from_directory(static_root(), "img/favicon.svg", mimetype="image/svg+xml", max_age=ONE_YEAR // 52)
    return response


@bp.post("/lang")
@public
@csrf.exempt  # only sets a display preference cookie
def set_language():
    """Switch the interface language (Vietnamese or English)."""
    lang = request.form.get("lang")
    response = redirect(safe_next(request.form.get("next")), 303)
    if lang in ("vi", "en"):
        response.set_cookie(
            "lang", lang, max_age=365 * 24 * 3600, httponly=True, samesite="Lax", secure=request.is_secure
        )
    return response


@bp.get("/n")
@public
def neutral():
    """The quick-exit destination: an ordinary page that says nothing about this service."""
    return render_template("web/neutral.html")
