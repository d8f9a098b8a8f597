"""Security headers on every response, no-store on everything that is not a static file, and 413 for bodies
over MAX_CONTENT_LENGTH."""

from flask import abort, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


# The only pages a browser may keep (see app/offline): forms and reference lists, never person data.
SHELL_ENDPOINTS = frozenset({"offline.shell", "offline.service_worker"})


def refuse_oversize_body():
    """Answer 413 to a body over MAX_CONTENT_LENGTH before any view runs.

    Werkzeug only enforces the limit when the form is read, so a view that answers without reading it (the
    sign-in page of a signed-in user, a denial) would otherwise accept any size.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(413)


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if current_app.config["APP_CONFIG"] == "production":
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint == "assets.static_file":
        return response
    if request.endpoint in SHELL_ENDPOINTS:
        # The offline shell and its service worker hold no person data; the worker may keep them, the
        # browser asks again each time it is online.
        headers["Cache-Control"] = "no-cache"
    else:
        # Pages may carry person data: never store them (shared commune computers, back button).
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    # One Vary header: htmx fragments and full pages share URLs, and pages differ per signed-in user.
    response.vary.update(("HX-Request", "HX-Target", "Cookie"))
    return response
