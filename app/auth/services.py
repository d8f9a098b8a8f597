"""Account operations: sign-in with throttling, server-side sessions, TOTP, password changes, user admin.

Services change state, write the audit entry and flush; the request commits once (app/web/unit_of_work.py).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..audit import services as audit
from ..extensions import db, utcnow
from ..services import ServiceError, ensure  # noqa: F401 - re-exported for the views
from ..web import unit_of_work
from . import devices, passwords, recovery, stepup, throttle, totp
from .models import ROLES, RoleAssignment, User, UserSession

SESSION_KEY = "sid"
# Write last_seen at most this often (or every twentieth of the idle timeout, if shorter). app.js locks an idle
# page 30 s before the server would, counting from its last request: the server must not lag further behind.
TOUCH_EVERY_SECONDS = 10


# --- throttling ------------------------------------------------------------------------------


def _account_key(username: str) -> str:
    return "login-fail:acct:" + hashlib.sha256(username.casefold().encode()).hexdigest()[:24]


def _ip_key() -> str:
    return "login-fail:ip:" + (request.remote_addr or "?")


def _device_key(device) -> str:
    return "login-fail:dev:" + device.id


def _limits(username: str) -> tuple[tuple[str, str], ...]:
    """The account's budget (shared by everyone who types its name, or this browser's own when it presents a
    valid device cookie of the account, devices.py) and the address's."""
    cfg = current_app.config
    device = devices.device_for(username)
    if device is not None:
        account = (cfg["LOGIN_FAILURES_PER_DEVICE"], _device_key(device))
    else:
        account = (cfg["LOGIN_FAILURES_PER_ACCOUNT"], _account_key(username))
    return (account, (cfg["LOGIN_FAILURES_PER_IP"], _ip_key()))


def take_attempt(username: str) -> bool:
    """Count this attempt first (see throttle.py); False when the account (or this device) or the address has
    used up its failed attempts for the window, and the attempt must not reach the check. A device that used up
    its own budget is revoked: the next attempt from it counts on the account's shared budget."""
    if not throttle.enabled():
        return True
    account, address = throttle.take_each(*_limits(username))
    device = devices.device_for(username)
    if not account and device is not None:
        devices.revoke(device, "throttled")
        unit_of_work.commit_so_far()  # kept whatever the request does next, like the count
    return account and address


def attempt_succeeded(username: str) -> None:
    if throttle.enabled():
        throttle.give_back(*_limits(username))


def wait_minutes(username: str) -> int:
    """The minutes the message tells a throttled user to wait (at least one): what is left of the window that
    is used up, not the whole window (a user who failed ten times in its last minute waits one minute)."""
    left = throttle.wait_seconds(*_limits(username))
    if not left:  # the window ended since the attempt was counted: the next one gets through
        return 1
    return max(1, -(-left // 60))


# --- sign-in ---------------------------------------------------------------------------------


@dataclass
class SignIn:
    user: User
    next_step: str  # "done", "totp" or "enrol"


def authenticate(username: str, password: str) -> SignIn:
    """Check a username and password; on success open a new server-side session."""
    username = (username or "").strip()
    if not take_attempt(username):
        audit.record(None, "auth.login", result="throttled", object_type="user_account")
        raise ServiceError(
            _l("Đăng nhập sai quá nhiều lần. Vui lòng đợi %(n)d phút rồi thử lại.", n=wait_minutes(username))
        )
    user = db.session.scalar(select(User).where(User.username == username))
    ok = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password or "")
    if not ok or user is None or not user.active:
        audit.record(
            None, "auth.login", user, result="failed", object_type="user_account", object_id=user.id if user else None
        )
        raise ServiceError(_l("Tên đăng nhập hoặc mật khẩu không đúng."))
    attempt_succeeded(username)
    if user.totp_by_link and not user.totp_enabled:
        # A second-factor reset: the password alone must not enrol a new authenticator (whoever knows it could),
        # only the one-time link handed to the owner by the approver can.
        audit.record(user, "auth.login", user, result="enrol_by_link")
        raise ServiceError(
            _l(
                "Xác thực hai bước của tài khoản này đã được đặt lại. Hãy mở đường dẫn dùng một lần mà người "
                "phê duyệt trao cho bạn để đăng ký ứng dụng xác thực mới."
            )
        )
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.totp_enabled:
        step = "totp"
    elif user.needs_totp(current_app.config["TOTP_REQUIRED"]):
        step = "enrol"
    else:
        step = "done"
    start_session(user, totp_ok=(step == "done"))
    audit.record(user, "auth.login", user, result="ok" if step == "done" else "password_ok")
    return SignIn(user, step)


def verify_second_factor(user: User, code: str, *, recovery_allowed: bool = False, action: str = "auth.totp") -> None:
    """Accept a TOTP code once (or, at sign-in, an unused recovery code); a replayed or wrong code is refused
    and throttled like a password. The session's second factor is then fresh (step-up) for a few minutes."""
    if not take_attempt(user.username):
        audit.record(user, action, user, result="throttled")
        raise ServiceError(
            _l("Nhập sai mã quá nhiều lần. Vui lòng đợi %(n)d phút rồi thử lại.", n=wait_minutes(user.username))
        )
    if recovery_allowed and recovery.looks_like_one(code):
        ok = recovery.use(user, code)
    else:
        step = totp.matching_step(user.totp_secret, code, user.totp_last_step)
        ok = step is not None and _claim_step(user, step)
    if not ok:
        audit.record(user, action, user, result="failed")
        raise ServiceError(_l("Mã xác thực không đúng hoặc đã được dùng. Hãy đợi mã mới."))
    attempt_succeeded(user.username)
    g.user_session.totp_ok = True
    stepup.mark_fresh()
    audit.record(user, action, user)


def _claim_step(user: User, step: int) -> bool:
    """Mark `step` used, atomically: of two requests racing with one code, exactly one moves the counter.

    A conditional UPDATE takes the row lock; the loser waits for the winner's commit, re-reads the row
    (PostgreSQL READ COMMITTED) and no longer matches `totp_last_step < step`. SQLite serialises writers."""
    result: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor result
        update(User)
        .where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def begin_totp_enrolment(user: User) -> str:
    """A new secret kept in the signed session until the user proves they scanned it."""
    secret = totp.new_secret()
    session["totp_pending_secret"] = secret
    return secret


def finish_totp_enrolment(user: User, code: str) -> list[str]:
    """Turn TOTP on once a code from the new secret is given; returns the recovery codes to show once."""
    secret = session.get("totp_pending_secret")
    if not secret:
        raise ServiceError(_l("Phiên đăng ký đã hết hạn. Hãy quét lại mã QR."))
    step = totp.matching_step(secret, code, 0)
    if step is None:
        raise ServiceError(_l("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại rồi thử lại."))
    user.totp_secret = secret
    user.totp_enabled = True
    user.totp_last_step = step
    session.pop("totp_pending_secret", None)
    if g.get("user_session") is not None:
        g.user_session.totp_ok = True
        stepup.mark_fresh()
    audit.record(user, "auth.totp_enrol", user)
    return recovery.issue(user, actor=user)


# --- server-side sessions --------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, totp_ok: bool) -> UserSession:
    """A fresh session id at every sign-in; anything from before sign-in is dropped."""
    session.clear()
    token = secrets.token_urlsafe(32)
    record = UserSession(id=_hash_token(token), user_id=user.id, totp_ok=totp_ok)
    db.session.add(record)
    session[SESSION_KEY] = token
    g.user_session = record
    return record


# Every signed-in request loads its session with the user and the user's roles. Built once: an option object
# made anew per call costs SQLAlchemy as much again as the load itself.
_SESSION_LOAD = (joinedload(UserSession.user).selectinload(User.roles),)


# Quick exit leaves at once (app.js): it sets this cookie, sends a beacon and navigates away. If the beacon was
# lost (offline), the next request that carries the session is refused here and the session revoked.
QUICK_EXIT_COOKIE = "tincay_qx"


def _quick_exit_flagged(record: UserSession | None, now) -> tuple[None, str]:
    if record is not None and record.revoked_at is None:
        record.revoked_at, record.revoked_reason = now, "quick_exit"
        audit.record(record.user, "auth.quick_exit", record.user)  # committed with the request
    session.clear()
    return None, "expired"


# A session that ran out of time (not one ended on purpose) still names its user for a short while, for one
# thing only: a form sent just too late is kept as that user's encrypted draft (web/drafts.py) and comes back
# after the next sign-in. The session itself stays ended.
DRAFT_AFTER_EXPIRY = ("idle", "absolute")


def _after_expiry(record: UserSession | None, now) -> None:
    grace = current_app.config["SESSION_IDLE"]
    if record is not None and record.revoked_reason in DRAFT_AFTER_EXPIRY and now - record.revoked_at <= grace:
        g.expired_user_id = record.user_id
        return
    session.pop(SESSION_KEY, None)


def load_session() -> tuple[User | None, str]:
    """The signed-in user for this request and the state of the login ("ok", "totp_pending", ...)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None, "anonymous"
    record = db.session.get(UserSession, _hash_token(token), options=_SESSION_LOAD)
    now = utcnow()
    if request.cookies.get(QUICK_EXIT_COOKIE):
        return _quick_exit_flagged(record, now)
    if record is None or record.revoked_at is not None:
        _after_expiry(record, now)
        return None, "expired"
    cfg = current_app.config
    reason = None
    if now - record.created_at > cfg["SESSION_ABSOLUTE"]:
        reason = "absolute"
    elif now - record.last_seen_at > cfg["SESSION_IDLE"]:
        reason = "idle"
    elif not record.user.active:
        reason = "disabled"
    if reason:
        record.revoked_at, record.revoked_reason = now, reason  # committed with the request (unit of work)
        _after_expiry(record, now)
        return None, "expired"
    g.user_session = record
    if (now - record.last_seen_at).total_seconds() > min(TOUCH_EVERY_SECONDS, cfg["SESSION_IDLE"].total_seconds() / 20):
        record.last_seen_at = now  # committed with the request (unit of work)
    if record.totp_ok:
        return record.user, "ok"
    if record.user.totp_enabled:
        return record.user, "totp_pending"
    return record.user, "enrol_required"


def end_session(user: User | None, reason: str = "logout") -> None:
    record = g.get("user_session")
    if record is not None and record.revoked_at is None:
        record.revoked_at, record.revoked_reason = utcnow(), reason
    if user is not None:
        audit.record(user, "auth." + reason, user)
    session.clear()


def revoke_access(user: User, reason: str, *, actor) -> tuple[int, int]:
    """End every session of the account and revoke every browser it signed in from (device cookies,
    devices.py), at once: at each change that withdraws or re-grants access (a password set, changed or reset,
    disable, a role removed or given, a credential or second-factor reset or setup). One place, so that none
    of them ends the sessions and forgets the devices: a remembered browser of an account whose access was
    withdrawn must not keep its own sign-in budget past an attack. One audit entry with the two counts only
    (no session or device id, no token); none when there was nothing to revoke. Returns (sessions, devices)."""
    result: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor result
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    sessions, remembered = result.rowcount or 0, devices.revoke_all(user, reason)
    if sessions or remembered:
        audit.record(
            actor, "auth.access_revoke", user, detail={"reason": reason, "sessions": sessions, "devices": remembered}
        )
    return sessions, remembered


# --- passwords and user administration -------------------------------------------------------


def change_password(user: User, current: str, new: str) -> None:
    ensure(passwords.verify_password(user.password_hash, current), _l("Mật khẩu hiện tại không đúng."), "current")
    set_password(user, new, actor=user, field="new")
    # Other devices are signed out; this one continues with a new session id.
    start_session(user, totp_ok=True)


def set_password(user: User, new: str, *, actor, must_change: bool = False, field: str = "password") -> None:
    # A case reader's password is set by its owner only: by someone else it is a reset that needs approval.
    _ensure_not_by_another_person(user, actor)
    problem = passwords.policy_problem(new, user.username)
    ensure(problem is None, problem or "", field)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    revoke_access(user, "password_change", actor=actor)
    audit.record(actor, "user.password_set", user)
    db.session.flush()


def create_user(
    username: str, password: str, *, role: str, unit, actor, display_name: str = "", must_change: bool = False
) -> User:
    username = _valid_new_username(username)
    problem = passwords.policy_problem(password, username)
    ensure(problem is None, problem or "", "password")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=passwords.hash_password(password),
        must_change_password=must_change,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user)
    assign_role(user, role, unit, actor=actor)
    return user


def _by_a_person(actor) -> bool:
    """Acting through the web as a signed-in user (not the installation's own commands, seeding or tests)."""
    return isinstance(actor, User)


def _ensure_not_by_another_person(user: User, actor) -> None:
    from ..approvals.services import NEEDS_SECOND_PERSON, holds_case_role

    if _by_a_person(actor) and actor.id != user.id and holds_case_role(user):
        raise ServiceError(NEEDS_SECOND_PERSON, "password")


def create_account(username: str, *, actor, display_name: str = "") -> User:
    """An account with no role and a password nobody knows: a case reader's, until an approval gives the
    role and the owner sets their own credentials through the one-time link."""
    username = _valid_new_username(username)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=passwords.hash_password(secrets.token_urlsafe(32)),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user)
    return user


def _valid_new_username(username: str) -> str:
    username = (username or "").strip()
    ensure(
        username and len(username) <= 80 and username.replace(".", "").replace("_", "").replace("-", "").isalnum(),
        _l("Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch dưới hoặc gạch ngang."),
        "username",
    )
    ensure(
        db.session.scalar(select(User.id).where(User.username == username)) is None,
        _l("Tên đăng nhập này đã có người dùng."),
        "username",
    )
    return username


def assign_role(user: User, role: str, unit, *, actor, approved: bool = False) -> RoleAssignment:
    """Give a role at once. A case-reading role given by a person needs an approval first (approvals area)."""
    from ..approvals.services import CASE_ROLES, NEEDS_SECOND_PERSON, check_disjoint

    ensure(role in ROLES, _l("Vai trò không hợp lệ."), "role")
    ensure(unit is not None, _l("Hãy chọn đơn vị."), "unit")
    if role in CASE_ROLES and _by_a_person(actor) and not approved:
        raise ServiceError(NEEDS_SECOND_PERSON, "role")
    check_disjoint(user, role)
    existing = next((r for r in user.roles if r.role == role and r.unit_id == unit.id), None)
    if existing:
        return existing
    assignment = RoleAssignment(user=user, role=role, unit_id=unit.id)
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "user.role_add", user, detail={"role": role, "unit": unit.code})
    return assignment


def remove_role(assignment: RoleAssignment, *, actor) -> None:
    user = assignment.user
    audit.record(actor, "user.role_remove", user, detail={"role": assignment.role, "unit": assignment.unit.code})
    user.roles.remove(assignment)
    revoke_access(user, "role_change", actor=actor)
    db.session.flush()


def set_active(user: User, active: bool, *, actor) -> None:
    ensure(
        not (actor is not None and user.id == getattr(actor, "id", None) and not active),
        _l("Bạn không thể tự khóa tài khoản của mình."),
    )
    user.active = active
    if not active:
        revoke_access(user, "disabled", actor=actor)
    audit.record(actor, "user.enable" if active else "user.disable", user)
    db.session.flush()


def last_login(user: User) -> datetime | None:
    return db.session.scalar(
        select(UserSession.created_at)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at.desc())
        .limit(1)
    )
