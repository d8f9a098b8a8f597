"""Vietnamese working days: weekends, the public holidays of the `holidays` package (Tết included, with the
substitute days and the compensating working Saturdays it knows) and the installation's own calendar (an
administrator adds the days off and working days the government announces each year).

Labour Code 45/2019/QH14 Art. 112 sets the public holidays; the package computes the lunar ones. Every legal
clock counts working days through `add_working_days` / `is_working_day` here (via the deadline engine).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays


@dataclass(frozen=True)
class ExtraDays:
    """The installation's own calendar: extra days off, and days that are worked although the package (or the
    weekend) says otherwise. A day in both is a working day (the later announcement is the swap itself)."""

    off: frozenset[date] = field(default_factory=frozenset)
    work: frozenset[date] = field(default_factory=frozenset)


NONE = ExtraDays()

# The callable returning the installation's ExtraDays, installed by the app so that this module stays free of
# the database and of every domain area. Without it, only weekends and the package's calendar count.
_extra_days_provider = None


def set_extra_days_provider(provider) -> None:
    """Install the callable that returns the installation's ExtraDays (None to remove it)."""
    global _extra_days_provider
    _extra_days_provider = provider


@lru_cache(maxsize=64)
def _package_calendar(year: int) -> tuple[frozenset[date], frozenset[date]] | None:
    """(public holidays, compensating working weekend days) of the package for a year; None when the package
    has no calendar for that year (then weekends and the installation's days are all that count)."""
    try:
        calendar = holidays.country_holidays("VN", years=year)
        if not calendar.start_year <= year <= calendar.end_year:
            return None
        days_off = frozenset(calendar.keys())
        worked = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    except (NotImplementedError, KeyError, ValueError, AttributeError):
        return None
    return (days_off, worked) if days_off else None


def calendar_status(year: int) -> str:
    """How much the package knows of a year: "full" (holidays and the announced swaps), "no_swaps" (fixed and
    lunar holidays, but no swap announced for that year yet) or "missing" (nothing: weekends only)."""
    if _package_calendar(year) is None:
        return "missing"
    announced = getattr(holidays.country_holidays("VN", years=year), "special_public_holidays", {})
    return "full" if year <= max(announced, default=0) else "no_swaps"


def package_holidays(year: int, language: str = "vi") -> dict[date, str]:
    """The package's public holidays of a year with their names (for the admin's calendar page)."""
    if _package_calendar(year) is None:
        return {}
    return dict(sorted(holidays.country_holidays("VN", years=year, language=language).items()))


def extra_days() -> ExtraDays:
    return (_extra_days_provider() or NONE) if _extra_days_provider else NONE


def is_working_day(day: date, extra: ExtraDays | None = None) -> bool:
    """Monday to Friday, not a public holiday, not one of the installation's extra days off; a compensating
    working Saturday (the package's or the installation's) is a working day."""
    extra = extra_days() if extra is None else extra
    if day in extra.work:
        return True
    if day in extra.off:
        return False
    package = _package_calendar(day.year)
    if package is not None and day in package[1]:
        return True
    return day.weekday() < 5 and (package is None or day not in package[0])


def add_working_days(day: date, n: int) -> date:
    """The day `n` working days after `day` (n = 0: `day` itself, or the next working day if it is not one)."""
    extra = extra_days()
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
    extra = extra_days()
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=i), extra))
