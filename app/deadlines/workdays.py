"""Vietnamese working days: weekends, the public holidays of the `holidays` package (Tết included, with the
substitute days it knows) and the installation's own extra days off (the government announces swaps each year).

Labour Code 45/2019/QH14 Art. 112 sets the public holidays; the package computes the lunar ones.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

# Extra days off an administrator added (a callable returning a set of dates); installed by the app so that
# this module stays free of the database. Without it, only weekends and the package's holidays count.
_extra_days_provider = None


def set_extra_days_provider(provider) -> None:
    """Install the callable that returns the installation's own extra days off (a set of dates)."""
    global _extra_days_provider
    _extra_days_provider = provider


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def _extra_days() -> frozenset[date]:
    return frozenset(_extra_days_provider()) if _extra_days_provider else frozenset()


def is_working_day(day: date, extra: frozenset[date] | None = None) -> bool:
    """Monday to Friday, not a public holiday, not one of the installation's extra days off."""
    extra = _extra_days() if extra is None else extra
    return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in extra


def add_working_days(day: date, n: int) -> date:
    """The day `n` working days after `day` (n = 0: `day` itself, or the next working day if it is not one)."""
    extra = _extra_days()
    if n == 0:
        while not is_working_day(day, extra):
            day += timedelta(days=1)
        return day
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day, extra):
            n -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end` (negative if end is before start)."""
    if end < start:
        return -working_days_between(end, start)
    extra = _extra_days()
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=i), extra))
