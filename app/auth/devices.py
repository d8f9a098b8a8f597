"""Device cookies (OWASP "device cookie", ASVS V2.2.1): the per-account sign-in throttle without the lockout.

The account's failure budget is shared by everyone who types its name, so an attacker who keeps it used up
would lock the owner out for as long as the attack lasts. A browser where the account completed a full sign-in
(password and, where required, the second factor) gets a random 256-bit token; the database keeps only its
SHA-256 with the account, when it was issued, last used and revoked. A later attempt on that account that
presents a valid token of that account counts its failures under its own key (account + device) instead of the
shared one; the per-address limit still applies. A device that uses up its own budget is revoked and falls back
to the shared path.

One cookie per browser (Path=/auth/, HttpOnly, SameSite=Strict, Secure in production) holds the tokens of at
most DEVICE_TOKENS_PER_BROWSER accounts, newest first, one per account: a commune's shared computer keeps working
for each of its few users, and the cookie names no account (one cookie per account would have to be named after
it). A token lives DEVICE_LIFETIME from its issue (its row is deleted at the account's next new device after
that) and is revoked with every session (services.revoke_access) whenever the account's access is withdrawn or
re-granted: a password set, changed or reset, disable, a role removed or given, a credential or second-factor
reset or setup; deleting the account deletes its rows.

A normal sign-out (and a quick exit) leaves the cookie in the browser and its row valid: that is the design
(OWASP "Slow down online guessing attacks with device cookies"): the cookie marks the browser where the owner
last completed a sign-in, and it is needed exactly when the owner comes back signed out while someone else
is using up the account's budget. It grants nothing by itself (no session, no step of the sign-in is skipped):
it only chooses which failure budget an attempt counts on.
"""

import hashlib
import re
import secrets

from flask import current_app, g, request
from sqlalchemy import CursorResult, delete, select, update

from ..audit import services as audit
from ..extensions import db, utcnow
from .models import KnownDevice, User

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32): 256 bits
_SEPARATOR = "."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cookie_tokens() -> list[str]:
    """The well-formed tokens the browser sent, at most the configured number (anything else is ignored)."""
    raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"], "")
    tokens = [t for t in raw.split(_SEPARATOR) if _TOKEN.fullmatch(t)]
    return list(dict.fromkeys(tokens))[: current_app.config["DEVICE_TOKENS_PER_BROWSER"]]


def _valid():
    """The condition of a device that still counts: not revoked, not older than its lifetime."""
    return (KnownDevice.revoked_at.is_(None), KnownDevice.created_at > utcnow() - current_app.config["DEVICE_LIFETIME"])


def device_for(username: str) -> KnownDevice | None:
    """The valid device of the account `username` this browser presents, if any (looked up once a request)."""
    memo = g.setdefault("known_devices", {})
    if username not in memo:
        tokens = _cookie_tokens()
        memo[username] = (
            db.session.scalar(
                select(KnownDevice)
                .join(User, User.id == KnownDevice.user_id)
                .where(User.username == username, KnownDevice.token_hash.in_([_hash(t) for t in tokens]), *_valid())
            )
            if tokens and username
            else None
        )
    return memo[username]


def remember(user: User, response) -> None:
    """After a full sign-in: keep this browser's token of `user` (touched) or issue one, and write the cookie
    with the valid tokens it held, newest first, bounded; a token pushed out of the cookie is revoked."""
    cfg = current_app.config
    lifetime = cfg["DEVICE_LIFETIME"]
    tokens = _cookie_tokens()
    hashes = {_hash(t): t for t in tokens}
    held = {
        d.token_hash: d
        for d in db.session.scalars(select(KnownDevice).where(KnownDevice.token_hash.in_(list(hashes)), *_valid()))
    }
    own = next((d for d in held.values() if d.user_id == user.id), None)
    if own is not None:
        own.last_used_at = utcnow()
        mine = hashes[own.token_hash]
    else:
        mine = secrets.token_urlsafe(32)
        # The account's devices past their lifetime are of no use any more, revoked or not: gone.
        db.session.execute(
            delete(KnownDevice).where(KnownDevice.user_id == user.id, KnownDevice.created_at <= utcnow() - lifetime)
        )
        device = KnownDevice(user_id=user.id, token_hash=_hash(mine))
        db.session.add(device)
        db.session.flush()
        audit.record(user, "auth.device_issue", user, detail={"device": device.id})
    others = [t for t in tokens if _hash(t) in held and held[_hash(t)].user_id != user.id]
    keep = cfg["DEVICE_TOKENS_PER_BROWSER"] - 1
    for dropped in others[keep:]:
        revoke(held[_hash(dropped)], "evicted")
    response.set_cookie(
        cfg["DEVICE_COOKIE_NAME"],
        _SEPARATOR.join([mine, *others[:keep]]),
        max_age=int(cfg["DEVICE_LIFETIME"].total_seconds()),
        path="/auth/",
        secure=cfg["DEVICE_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


def revoke(device: KnownDevice, reason: str) -> None:
    """Revoke one device (its own failure budget used up, or pushed out of a full cookie)."""
    if device.revoked_at is None:
        device.revoked_at, device.revoked_reason = utcnow(), reason
        owner = db.session.get(User, device.user_id)
        audit.record(None, "auth.device_revoke", owner, detail={"device": device.id, "reason": reason})


def revoke_all(user: User, reason: str) -> int:
    """Revoke every device of an account; returns how many. Called only by services.revoke_access, which ends the
    account's sessions with it and audits both counts in one entry."""
    result: CursorResult = db.session.execute(  # type: ignore[assignment]  # an UPDATE: a cursor result
        update(KnownDevice)
        .where(KnownDevice.user_id == user.id, KnownDevice.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    g.pop("known_devices", None)
    return result.rowcount or 0
