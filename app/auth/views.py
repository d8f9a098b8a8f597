"""Sign in and out, the second factor, one's own password, quick exit, keep-alive."""

from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from ..audit import services as audit
from ..extensions import csrf, limiter
from ..web.redirects import safe_next
from ..web.unit_of_work import attempt
from . import devices, recovery, services, setup_links
from . import totp as otp  # not `totp`: the view below of that name would shadow the module
from .forms import LoginForm, PasswordChangeForm, SecondFactorSetupForm, SetupForm, TotpForm
from .permissions import before_password_change, permission_required, public
from .stepup import step_up_required

bp = Blueprint("auth", __name__, url_prefix="/auth")

# What the browser drops at sign-out and quick exit: its HTTP cache. Not "storage": the only thing kept there is
# the offline-capture queue (app/offline), sealed for the server and unreadable on the phone, which must not be
# lost without the counsellor being asked (app.js asks at sign-out; quick exit never waits for anything).
SIGN_OUT_CLEARS = '"cache"'

SECOND_FACTOR = "second_factor"
AFTER_LOGIN = "after_login"  # the page asked for before signing in (already checked by safe_next)


def second_factor_stage(view):
    """For the TOTP pages: open to a user who gave the right password but not yet the code."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user if current_user.is_authenticated else g.get("pending_user")
        if user is None:
            return redirect(url_for("auth.login"))
        return view(user, *args, **kwargs)

    wrapped._permission = SECOND_FACTOR  # type: ignore[attr-defined]  # read by the URL-map test
    return wrapped


def _login_ip_limit():
    return current_app.config["LOGIN_ATTEMPTS_PER_IP"]


def _audit_refused_attempt(_limit):
    """Record a sign-in refused by the per-address limit (answered 429): every attempt is in the trail."""
    audit.record_independently(None, "auth.login", result="rate_limited", object_type="user_account")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_ip_limit, methods=["POST"], on_breach=_audit_refused_attempt)
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            result = services.authenticate(form.username.data, form.password.data)
        except services.ServiceError as exc:
            error = str(exc)  # the failure's count and audit entry are kept: the page is answered 200
        else:
            session[AFTER_LOGIN] = safe_next(request.values.get("next"), "")
            if result.next_step == "totp":
                return redirect(url_for("auth.totp"))
            if result.next_step == "enrol":
                return redirect(url_for("auth.totp_setup"))
            return _signed_in(result.user)
    expired = request.args.get("expired") == "1"
    return render_template(
        "auth/login.html", form=form, error=error, expired=expired, next=safe_next(request.values.get("next"), "")
    )


def _signed_in(user):
    """A full sign-in (password and, where required, the second factor): this browser keeps its device cookie."""
    response = redirect(_after_sign_in(user))
    devices.remember(user, response)
    return response


def _after_sign_in(user) -> str:
    """Where a fully signed-in user goes: the password change first if it is due, else the page asked for."""
    if user.must_change_password:
        flash(_l("Hãy đổi mật khẩu ban đầu trước khi làm việc."), "warning")
        return url_for("auth.password")
    return safe_next(session.pop(AFTER_LOGIN, None), url_for("web.home"))


@bp.route("/totp", methods=["GET", "POST"])
@second_factor_stage
def totp(user):
    """Give the 6-digit code of the authenticator app."""
    if not user.totp_enabled:
        return redirect(url_for("auth.totp_setup"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            services.verify_second_factor(user, form.code.data, recovery_allowed=True)
        except services.ServiceError as exc:
            form.code.errors.append(str(exc))  # the failure's count and audit entry are kept
        else:
            return _signed_in(user)
    return render_template("auth/totp.html", form=form)


@bp.route("/step-up", methods=["GET", "POST"])
@permission_required("account.self")
def step_up():
    """Give a fresh code before a privileged step, then go back to it (`next`, a path on this site only)."""
    user = current_user._get_current_object()
    back = safe_next(request.values.get("next"), url_for("auth.account"))
    if not user.totp_enabled:
        return redirect(url_for("auth.totp_setup"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            services.verify_second_factor(user, form.code.data, action="auth.step_up")
        except services.ServiceError as exc:
            form.code.errors.append(str(exc))  # the failure's count and audit entry are kept
        else:
            return redirect(back, 303)
    return render_template("auth/step_up.html", form=form, next=back)


@bp.post("/recovery-codes")
@permission_required("account.self")
@step_up_required
def recovery_codes():
    """Replace one's recovery codes with ten new ones, shown on this page once."""
    user = current_user._get_current_object()
    if not user.totp_enabled:
        return redirect(url_for("auth.totp_setup"))
    codes = recovery.issue(user, actor=user)
    return render_template("auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.account"))


@bp.route("/totp/setup", methods=["GET", "POST"])
@second_factor_stage
def totp_setup(user):
    """Enrol an authenticator app: scan the QR code rendered here, then confirm one code."""
    if user.totp_enabled:
        flash(_l("Xác thực hai bước đã được bật."), "info")
        return redirect(url_for("auth.account") if current_user.is_authenticated else url_for("auth.totp"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            with attempt():
                codes = services.finish_totp_enrolment(user, form.code.data)
        except services.ServiceError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_l("Đã bật xác thực hai bước."), "success")
            response = make_response(
                render_template("auth/recovery_codes.html", codes=codes, continue_url=_after_sign_in(user))
            )
            devices.remember(user, response)  # a full sign-in: the second factor was just given
            return response
    # Keep the secret already shown while the user retries a code; a fresh page gets a fresh secret.
    secret = session.get("totp_pending_secret") if request.method == "POST" else None
    secret = secret or services.begin_totp_enrolment(user)
    uri = otp.provisioning_uri(secret, user.username, current_app.config["TOTP_ISSUER"])
    return render_template("auth/totp_setup.html", form=form, qr=otp.qr_svg(uri), secret=secret)


@bp.post("/logout")
@permission_required("account.self")
@before_password_change
def logout():
    """End this session on the server and forget the cookie."""
    # The device cookie (devices.py) stays, on purpose: OWASP's device-cookie design keeps it across sign-outs,
    # since the owner needs it exactly when coming back signed out during an attack on the account's budget. It
    # opens nothing by itself; it is revoked when the account's access is withdrawn (services.revoke_access).
    services.end_session(current_user._get_current_object(), "logout")
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = SIGN_OUT_CLEARS
    return response


@bp.route("/quick-exit", methods=["GET", "POST"])
@public
@csrf.exempt  # leaving must never fail, even with a stale page; ending one's own session harms no one
def quick_exit():
    """Leave at once: end the session and go to a neutral page that replaces this one in history."""
    user = current_user._get_current_object() if current_user.is_authenticated else g.get("pending_user")
    services.end_session(user, "quick_exit")
    target = current_app.config.get("QUICK_EXIT_URL")
    response: WerkzeugResponse
    if target:
        # Another site: a refresh, not a redirect, because the CSP's form-action 'self' also governs where
        # a form's redirect may lead (this is the exit without JavaScript; app.js leaves before posting).
        response = make_response(render_template("web/leave.html", target=target))
    else:
        response = redirect(url_for("web.neutral"))
    response.headers["Clear-Site-Data"] = SIGN_OUT_CLEARS
    return response


@bp.route("/password", methods=["GET", "POST"])
@permission_required("account.self")
@before_password_change
def password():
    """Change one's own password; every other session of this account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with attempt():
                services.change_password(current_user._get_current_object(), form.current.data, form.new.data)
        except services.ServiceError as exc:
            getattr(form, exc.field or "new").errors.append(str(exc))
        else:
            flash(_l("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)


@bp.get("/account")
@permission_required("account.self")
def account():
    """One's own account: roles, second factor, password."""
    return render_template(
        "auth/account.html", user=current_user, recovery_left=recovery.remaining(current_user._get_current_object())
    )


@bp.post("/ping")
@permission_required("account.self")
def ping():
    """Keep an active user's session alive (sent by app.js while the user types)."""
    return "", 204


SETUP_PENDING = "setup_pending"


@bp.route("/setup/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_ip_limit, methods=["POST"])
def setup(token):
    """The one-time link: the owner sets their own password and enrols their own authenticator app."""
    link = setup_links.find(token)  # counts the lookup and records a refusal on its own (the 404 undoes the rest)
    if link is None:
        return render_template("auth/setup_invalid.html"), 404
    pending = session.get(SETUP_PENDING) or {}
    secret = pending.get("secret") if pending.get("link") == link.id else None
    if link.purpose == "totp":
        return _setup_second_factor(link, token, secret)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            with attempt():
                codes = setup_links.complete(link, form.password.data, secret, form.code.data)
        except services.ServiceError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            session.pop(SETUP_PENDING, None)
            flash(_l("Đã đặt mật khẩu và bật xác thực hai bước. Hãy đăng nhập."), "success")
            return render_template("auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.login"))
    return _enrolment_page(link, token, secret, form)


def _enrolment_page(link, token: str, secret: str | None, form, **extra):
    """The setup page with the authenticator's QR code; the secret waits in the session until the code is right."""
    if secret is None:
        secret = otp.new_secret()
        session[SETUP_PENDING] = {"link": link.id, "secret": secret}
    uri = otp.provisioning_uri(secret, link.user.username, current_app.config["TOTP_ISSUER"])
    return render_template(
        "auth/setup.html",
        form=form,
        qr=otp.qr_svg(uri),
        secret=secret,
        token=token,
        username=link.user.username,
        **extra,
    )


def _setup_second_factor(link, token: str, secret: str | None):
    """After a second-factor reset: the owner gives their current password and enrols a new authenticator."""
    form = SecondFactorSetupForm()
    if form.validate_on_submit():
        try:  # no savepoint: every check comes first, and a refusal's audit entry is kept with this page
            codes = setup_links.complete_second_factor(link, form.password.data, secret, form.code.data)
        except services.ServiceError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            session.pop(SETUP_PENDING, None)
            flash(_l("Đã đăng ký ứng dụng xác thực mới. Hãy đăng nhập."), "success")
            return render_template("auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.login"))
    return _enrolment_page(link, token, secret, form, second_factor_only=True)
