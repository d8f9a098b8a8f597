"""Security headers on every response, and no-store on everything that is not a static file."""

from flask import request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    from flask import current_app
    if current_app.config["APP_CONFIG"] == "production":
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "assets.static_file":
        # Pages may carry person data: never store them (shared commune computers, back button).
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
        headers.add("Vary", "HX-Request")
        headers.add("Vary", "HX-Target")
        headers.add("Vary", "Cookie")
    return response
