"""Step-up: a fresh second factor (at most STEP_UP_MAX_AGE old, kept on the server-side session record) before
any privilege change, approval, break-glass, export or erasure.

`@step_up_required` goes under `@permission_required`. A form whose text must not be lost to a detour (the
data-protection officer's breach notification, dossier, agreements, retention decisions) carries its own code
field instead (`code_field()`, checked by `inline_check()`): asked only when the last step-up is older than
STEP_UP_MAX_AGE, and a missing or wrong code shows the form again with everything typed and a message beside
the field. A user whose session gave a TOTP code within the last
five minutes passes; one with TOTP but no fresh code is sent to the step-up page and back (through
safe_next); one who must have TOTP and has none is sent to enrol. Accounts that need no second factor (in
development, or a reporter's) have nothing to step up with and pass: production requires TOTP of every
privileged and case-reading role, so there every such account has one.
"""

from datetime import timedelta
from functools import wraps

from flask import current_app, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
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


def inline_check(user, code: str | None) -> str | None:
    """For a form with its own code field: None when the step may go on (the second factor is fresh, or the
    code given now is right, which makes it fresh); otherwise the message to show beside the field. A wrong
    code counts and is audited like one on the step-up page (auth.services.verify_second_factor)."""
    if not needed(user):
        return None
    if not user.totp_enabled:
        return str(
            _l("Tài khoản chưa bật xác thực hai bước: hãy bật ở trang Tài khoản, rồi gửi lại (nội dung được giữ).")
        )
    code = (code or "").strip()
    if not code:
        minutes = int(max_age().total_seconds() // 60)
        return str(
            _l(
                "Lần xác thực gần nhất đã quá %(n)d phút: vui lòng nhập mã xác thực 6 số để thực hiện việc này.",
                n=minutes,
            )
        )
    from .services import ServiceError, verify_second_factor

    try:
        verify_second_factor(user, code, action="auth.step_up")
    except ServiceError as exc:
        return str(exc)
    return None


def check_form(form, user=None) -> bool:
    """Run `inline_check` on a form's `stepup_code` field; on refusal put the message beside the field."""
    message = inline_check(user or current_user, form.stepup_code.data)
    if message is not None:
        form.stepup_code.errors = [*form.stepup_code.errors, message]
        return False
    return True
