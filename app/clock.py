"""Việt Nam's clock: the one source of every "now" and "today" in Tin Cậy.

Timestamps are stored as aware UTC; dates a person means ("today", "due on 06/12") are Việt Nam's
(Asia/Ho_Chi_Minh, UTC+7), whatever zone the server runs in. Between 17:00 and 24:00 UTC the UTC date is
already yesterday in Điện Biên, so the server's naive date would refuse a counsellor's intake at 06:00.
Tests freeze this clock with time-machine; nothing else in app/ may read the system time.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """Now, timezone-aware UTC (what is stored)."""
    return datetime.now(UTC)


def local_now() -> datetime:
    """Now in Việt Nam (what is shown and what "today" is)."""
    return datetime.now(VN)


def today() -> date:
    """Today's date in Việt Nam."""
    return local_now().date()


def local(value: datetime) -> datetime:
    """An aware timestamp in Việt Nam's time (naive values are taken to be UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN)


def local_date(value: datetime) -> date:
    """The Vietnamese calendar date of an aware timestamp."""
    return local(value).date()


def start_of_day(day: date) -> datetime:
    """00:00 of a Vietnamese day, as aware UTC."""
    return datetime.combine(day, time.min, tzinfo=VN).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """23:59:59.999999 of a Vietnamese day, as aware UTC: a deadline "on day N" lasts until then."""
    return datetime.combine(day, time.max, tzinfo=VN).astimezone(UTC)
