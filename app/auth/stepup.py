"""Step-up: a fresh second factor (at most STEP_UP_MAX_AGE old, kept on the server-side session record) before
any privilege change, approval, break-glass, export or erasure.

`@step_up_required` goes under `@permission_required`. A user whose session gave a TOTP code within the last
five minutes passes; one with TOTP but no fresh code is sent to the step-up page and back (through
safe_next); one who must have TOTP and has none is sent to enrol. Accounts that need no second factor (in
development, or a reporter's) have nothing to step up with and pass: production requires TOTP of every
privileged and case-reading role, so there every such account has one.
"""

from datetime import timedelta
from functools import wraps

from flask import current_app, g, redirect, request, url_for
from flask_login import current_user

from ..extensions import utcnow

DEFAULT_MAX_AGE = timedelta(minutes=5)


def max_age() -> timedelta:
    return current_app.config.get("STEP_UP_MAX_AGE") or DEFAULT_MAX_AGE


def is_fresh() -> bool:
    record = g.get("user_session")
    stamp = record.stepped_up_at if record is not None else None
    return stamp is not None and utcnow() - stamp <= max_age()


def mark_fresh() -> None:
    record = g.get("user_session")
    if record is not None:
        record.stepped_up_at = utcnow()


def needed(user) -> bool:
    """True when `user` must give a fresh code before a privileged step."""
    if user.totp_enabled:
        return not is_fresh()
    return user.needs_totp(current_app.config["TOTP_REQUIRED"])


def _return_to() -> str:
    """Where to come back to: this page for a GET; for a form sent, the page that showed it (same path)."""
    if request.method == "GET" and request.headers.get("HX-Request") != "true":
        return request.full_path.rstrip("?")
    back = request.form.get("back") or ""
    return back if back.startswith("/") else "/"


def step_up_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user
        if user.is_authenticated and needed(user):
            endpoint = "auth.step_up" if user.totp_enabled else "auth.totp_setup"
            target = url_for(endpoint, next=_return_to())
            if request.headers.get("HX-Request") == "true":
                return "", 204, {"HX-Redirect": target}
            return redirect(target, 303)
        return view(*args, **kwargs)

    wrapped._step_up = True  # type: ignore[attr-defined]  # read by the URL-map test
    return wrapped
