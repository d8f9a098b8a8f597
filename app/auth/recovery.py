"""Recovery codes for a lost phone: ten, shown once, kept as SHA-256 hashes, each usable once, audited.

A code carries 50 random bits (ten base-32 characters), far beyond guessing within the TOTP throttle, so a
plain SHA-256 is enough; argon2 would only slow the sign-in page.
"""

import hashlib
import secrets

from sqlalchemy import CursorResult, delete, func, select, update

from ..audit import services as audit
from ..extensions import db, utcnow
from .models import RecoveryCode, User

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").casefold() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def looks_like_one(code: str) -> bool:
    text = _normalise(code)
    return len(text) == 10 and not text.isdigit()


def issue(user: User, *, actor) -> list[str]:
    """Replace the user's codes with ten new ones; returns them for showing once (they are not kept)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    db.session.flush()
    audit.record(actor, "auth.recovery_codes_issue", user)
    return codes


def use(user: User, code: str) -> bool:
    """Spend one code, atomically (of two requests racing with it, one wins); True when it was valid."""
    result: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor result
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    audit.record(user, "auth.recovery_code_use", user)
    return True


def remaining(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )
