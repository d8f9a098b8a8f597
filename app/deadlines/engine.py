"""The one deadline engine: every legal or service clock in Tin Cậy is a Rule applied to a start time.

A Rule says how long (hours, calendar days, working days or months) and which article sets it; each area
declares its rules next to the law it encodes and asks this engine when a clock falls due and how it stands.
The work queue and every page read the same answer, so "còn 5 giờ" means the same everywhere.

Counting: hours run from the exact start; calendar and working days end at 23:59:59 Việt Nam time of the last
day (day 3 of a 3-day rule still counts until midnight in Điện Biên); months use dateutil's calendar months.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .. import clock
from .workdays import add_working_days

UNITS = ("hours", "days", "working_days", "months")
SOON = timedelta(days=1)  # "sắp đến hạn" from one day before (a no-contact order warns a day before it ends)


@dataclass(frozen=True)
class Rule:
    """A time limit of the law or of the service: `amount` `unit`s, set by `article`, valid in a period."""

    key: str
    amount: int
    unit: str
    article: str
    label: str = ""
    valid_from: date = date(2000, 1, 1)
    valid_to: date | None = None

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def due_at(rule: Rule, start: datetime) -> datetime:
    """When a clock started at `start` under `rule` runs out (aware UTC)."""
    if rule.unit == "hours":
        return clock.local(start).astimezone(start.tzinfo) + timedelta(hours=rule.amount)
    day = clock.local_date(start)
    if rule.unit == "days":
        last = day + timedelta(days=rule.amount)
    elif rule.unit == "working_days":
        last = add_working_days(day, rule.amount)
    else:
        last = day + relativedelta(months=rule.amount)
    return clock.end_of_day(last)


def ends_after(start: date, amount: int, unit: str) -> date:
    """The last day of a period of `amount` days or months starting on `start` (start counts as day 1)."""
    if unit == "days":
        return start + timedelta(days=amount - 1)
    if unit == "months":
        return start + relativedelta(months=amount) - timedelta(days=1)
    raise ValueError(unit)


@dataclass(frozen=True)
class Standing:
    """How a clock stands at a moment: state ("ok", "soon", "overdue", "done") and the words to show."""

    state: str
    text: str
    seconds_left: float


def standing(due: datetime, *, now: datetime | None = None, done: bool = False, soon: timedelta = SOON) -> Standing:
    """Where a clock due at `due` stands now: "còn 5 giờ", "còn 2 ngày", "quá hạn 2 ngày"."""
    now = now or clock.now()
    left = (due - now).total_seconds()
    if done:
        return Standing("done", str(_l("Đã xong")), left)
    state = "overdue" if left < 0 else ("soon" if left <= soon.total_seconds() else "ok")
    return Standing(state, remaining_text(left), left)


def remaining_text(seconds_left: float) -> str:
    """Words for a time left (or past): minutes under an hour, hours under two days, then days."""
    span = abs(seconds_left)
    if span < 3600:
        n, words = max(1, int(span // 60)), ("%(num)d phút", "%(num)d phút")
    elif span < 48 * 3600:
        n, words = int(span // 3600), ("%(num)d giờ", "%(num)d giờ")
    else:
        n, words = int(span // 86400), ("%(num)d ngày", "%(num)d ngày")
    amount = ngettext(words[0], words[1], n)  # flask_babel passes n as %(num)d itself
    if seconds_left < 0:
        return str(_l("quá hạn %(amount)s", amount=amount))
    return str(_l("còn %(amount)s", amount=amount))
