"""One-time links: the only way a case reader's password and second factor are set after an approval.

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
    from .services import revoke_all_sessions

    user.password_hash = passwords.hash_password(secrets.token_urlsafe(32))  # known to no one
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.totp_secret, user.totp_enabled = None, False
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    revoke_all_sessions(user, reason)
    audit.record(actor, "user.credentials_reset", user)
    db.session.flush()


def issue(user: User, *, actor) -> str:
    """A new link for `user` (any older unused one stops working); returns the token to show once."""
    db.session.execute(
        update(SetupLink)
        .where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(SetupLink(user_id=user.id, token_hash=_hash(token), expires_at=utcnow() + LIFETIME))
    db.session.flush()
    audit.record(actor, "auth.setup_link_issue", user)
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


def complete(link: SetupLink, password: str, secret: str | None, code: str) -> list[str]:
    """Set the owner's password and second factor and spend the link; returns recovery codes to show once."""
    user = link.user
    problem = passwords.policy_problem(password or "", user.username)
    ensure(problem is None, problem or "", "password")
    step = totp.matching_step(secret, code, 0) if secret else None
    ensure(
        secret is not None and step is not None,
        _l("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại rồi thử lại."),
        "code",
    )
    assert step is not None  # for the type checker: ensured above
    spent: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor result
        update(SetupLink)
        .where(SetupLink.id == link.id, SetupLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    ensure(spent.rowcount == 1, _l("Đường dẫn này đã được dùng hoặc đã hết hạn."), "password")
    from .services import revoke_all_sessions

    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, step
    revoke_all_sessions(user, "credential_setup")
    audit.record(user, "auth.setup_link_use", user)
    return recovery.issue(user, actor=user)
