"""One-time links: the only way a case reader's password and second factor are set after an approval (or, after
an approved second-factor reset, the only way a new authenticator is enrolled: the password stays).

The token (256 random bits) is shown once, to the approver who hands it over in person; only its SHA-256 is
kept. It expires after LIFETIME, works once (an atomic conditional UPDATE marks it used), and every lookup is
throttled per address, counted before the check like sign-in attempts.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete, select, update

from ..audit import services as audit
from ..extensions import db, utcnow
from ..services import ensure
from . import passwords, recovery, throttle, totp
from .models import RecoveryCode, SetupLink, User

LIFETIME = timedelta(hours=48)
ATTEMPTS_PER_IP = "20 per 15 minutes"


def _hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def reset_credentials(user: User, *, actor, reason: str) -> None:
    """Make the account's password and second factor unusable until its owner sets new ones by link."""
    from .services import revoke_access

    user.password_hash = passwords.hash_password(secrets.token_urlsafe(32))  # known to no one
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.totp_secret, user.totp_enabled = None, False
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    revoke_access(user, reason, actor=actor)
    audit.record(actor, "user.credentials_reset", user)
    db.session.flush()


def reset_second_factor(user: User, *, actor) -> None:
    """Make the account's second factor (authenticator and recovery codes) unusable; the password stays, but the
    account signs in only after its owner enrols a new authenticator through a one-time link (totp_by_link)."""
    from .services import revoke_access

    user.totp_secret, user.totp_enabled = None, False
    user.totp_by_link = True
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    revoke_access(user, "second_factor_reset", actor=actor)
    audit.record(actor, "user.second_factor_reset", user)
    db.session.flush()


def issue(user: User, *, actor, purpose: str = "full") -> str:
    """A new link for `user` (any older unused one stops working); returns the token to show once.

    `purpose` "full": the owner sets password and second factor; "totp": the second factor only."""
    db.session.execute(
        update(SetupLink)
        .where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(SetupLink(user_id=user.id, token_hash=_hash(token), expires_at=utcnow() + LIFETIME, purpose=purpose))
    db.session.flush()
    audit.record(actor, "auth.setup_link_issue", user, detail={"purpose": purpose})
    return token


def _limit():
    return (
        (
            current_app.config.get("SETUP_LINK_ATTEMPTS_PER_IP") or ATTEMPTS_PER_IP,
            "setup-link:ip:" + (request.remote_addr or "?"),
        ),
    )


def find(token: str) -> SetupLink | None:
    """The usable link for `token`, or None (unknown, used, expired, or this address throttled)."""
    if throttle.enabled() and not throttle.take(*_limit()):
        audit.record_independently(None, "auth.setup_link", result="throttled", object_type="setup_link")
        return None
    link = db.session.scalar(select(SetupLink).where(SetupLink.token_hash == _hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        audit.record_independently(None, "auth.setup_link", result="failed", object_type="setup_link")
        return None
    if throttle.enabled():
        throttle.give_back(*_limit())
    return link


def _first_step(secret: str | None, code: str) -> int:
    step = totp.matching_step(secret, code, 0) if secret else None
    ensure(
        secret is not None and step is not None,
        _l("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại rồi thử lại."),
        "code",
    )
    assert step is not None  # for the type checker: ensured above
    return step


def _spend(link: SetupLink, field: str) -> None:
    """Mark the link used, atomically: of two requests racing with it, one wins."""
    spent: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor result
        update(SetupLink)
        .where(SetupLink.id == link.id, SetupLink.used_at.is_(None), SetupLink.expires_at > utcnow())
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    ensure(spent.rowcount == 1, _l("Đường dẫn này đã được dùng hoặc đã hết hạn."), field)


def complete(link: SetupLink, password: str, secret: str | None, code: str) -> list[str]:
    """Set the owner's password and second factor and spend the link; returns recovery codes to show once."""
    ensure(link.purpose == "full", _l("Đường dẫn này chỉ dùng để đăng ký xác thực hai bước."), "password")
    user = link.user
    problem = passwords.policy_problem(password or "", user.username)
    ensure(problem is None, problem or "", "password")
    step = _first_step(secret, code)
    _spend(link, "password")
    from .services import revoke_access

    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, step
    user.totp_by_link = False
    revoke_access(user, "credential_setup", actor=user)
    audit.record(user, "auth.setup_link_use", user, detail={"purpose": "full"})
    return recovery.issue(user, actor=user)


def complete_second_factor(link: SetupLink, password: str, secret: str | None, code: str) -> list[str]:
    """Enrol the owner's new authenticator and spend the link; the password is unchanged but asked for, so that
    the link alone (the approver has seen it) enrols nothing. Password guesses here count like sign-in ones.
    Every check comes before the first change, so the view calls it without a savepoint and a refusal's audit
    entry is committed with the page that shows it."""
    from .services import attempt_succeeded, revoke_access, take_attempt, wait_minutes

    ensure(link.purpose == "totp", _l("Đường dẫn này không dùng để đăng ký xác thực hai bước."), "password")
    user = link.user
    if not take_attempt(user.username):
        audit.record(user, "auth.setup_link_use", user, result="throttled", detail={"purpose": "totp"})
        ensure(
            False,
            _l("Nhập sai quá nhiều lần. Vui lòng đợi %(n)d phút rồi thử lại.", n=wait_minutes(user.username)),
            "password",
        )
    if not passwords.verify_password(user.password_hash, password or ""):
        audit.record(user, "auth.setup_link_use", user, result="failed", detail={"purpose": "totp"})
        ensure(False, _l("Mật khẩu không đúng."), "password")
    attempt_succeeded(user.username)
    step = _first_step(secret, code)
    _spend(link, "code")
    user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, step
    user.totp_by_link = False
    revoke_access(user, "second_factor_setup", actor=user)
    audit.record(user, "auth.setup_link_use", user, detail={"purpose": "totp"})
    return recovery.issue(user, actor=user)
