"""Failed-attempt throttling that counts before it checks.

Reading the counter, checking the password and then counting lets every request that arrives while the first
is still hashing through (40 at once → 39 reached the check). Here each attempt first takes its place in the
count, atomically, and only attempts within the limit go on to the check; a successful one gives its place
back. With Redis the limiter's storage does it (INCR); without it (memory://, which each worker process would
hold apart) one database row per key is counted by a single INSERT … ON CONFLICT DO UPDATE … RETURNING, which
PostgreSQL and SQLite both run atomically under the row's lock. The count commits at once, on its own: it
must survive whatever the request does next, and must not hold the row lock while a password is hashed.
"""

import math
import time

from flask import current_app
from limits import RateLimitItem, parse
from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db, limiter, transaction
from ..web import unit_of_work
from .models import ThrottleCounter


def _in_database() -> bool:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return uri.startswith("memory://")


def enabled() -> bool:
    return current_app.config.get("RATELIMIT_ENABLED", True)


def take(*limits: tuple[str, str]) -> bool:
    """Count one attempt under every (limit, key); True when each count is still within its limit."""
    return all(take_each(*limits))


def take_each(*limits: tuple[str, str]) -> list[bool]:
    """Count one attempt under every (limit, key); for each, whether its count is still within its limit."""
    within = []
    for limit, key in limits:
        item = parse(limit)
        within.append(_count(item, key, +1) <= item.amount)
    if _in_database():
        unit_of_work.commit_so_far()
    return within


def give_back(*limits: tuple[str, str]) -> None:
    """Return the place of an attempt that succeeded: only failures use up the allowance."""
    for limit, key in limits:
        _count(parse(limit), key, -1)
    if _in_database():
        unit_of_work.commit_so_far()


def wait_seconds(*limits: tuple[str, str]) -> int:
    """How long until every limit `take` found used up lets attempts through again: the end of the latest
    window whose count is over its limit, in seconds from now (0 when none is)."""
    now = time.time()
    ends: list[float] = []
    for limit, key in limits:
        item = parse(limit)
        if _in_database():
            expiry = item.get_expiry()
            row = db.session.get(ThrottleCounter, item.key_for(key), populate_existing=True)
            if row is not None and row.count > item.amount and row.window_start + expiry > now:
                ends.append(row.window_start + expiry)
        else:
            storage = limiter.limiter.storage
            if storage.get(item.key_for(key)) > item.amount:
                ends.append(storage.get_expiry(item.key_for(key)))
    if not ends:
        return 0
    # Read the clock again after the stores: Redis's expiry is its whole-second TTL added to the time it was
    # read, later than `now`, and counting from `now` said one second more than the window (421 s of 420).
    return max(0, math.ceil(max(ends) - time.time()))


def _count(item: RateLimitItem, key: str, amount: int) -> int:
    if not _in_database():
        return limiter.limiter.storage.incr(item.key_for(key), item.get_expiry(), amount=amount)
    expiry = item.get_expiry()
    window = int(time.time()) // expiry * expiry
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite  # both: ON CONFLICT
    table = ThrottleCounter.__table__
    stmt = dialect.insert(table).values(key=item.key_for(key), window_start=window, count=max(amount, 0))
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case(
                (table.c.window_start == stmt.excluded.window_start, table.c.count + amount), else_=max(amount, 0)
            ),
            "window_start": stmt.excluded.window_start,
        },
    ).returning(table.c.count)
    return db.session.execute(upsert).scalar_one()


def reset() -> None:
    """Forget every count (tests: 'the window has passed')."""
    limiter.reset()
    with transaction():
        db.session.execute(delete(ThrottleCounter))
