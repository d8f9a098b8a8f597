"""Value sources: where an indicator's figure comes from when it is counted, not typed.

An indicator's definition (a row of a plan) may name a source, e.g. `source = "register:events.participants"`.
The area that keeps those records registers the source at start, the way work-queue sources register:

    from app import valuesources

    @valuesources.value_source("register:events.participants", label=_l("Người tham dự sự kiện cộng đồng"))
    def _participants(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
        ...  # count the rows of `units` (unit ids, old merged communes included) dated start..end (inclusive)
        return valuesources.SourceValue(total, breakdown={"sex": {"female": f, "male": m}})

The indicator module asks `compute(name, units, start, end)` for the figure of a unit over a reporting period
(a quarter, a year, a phase), and freezes it into the report when the report is sent. The plan editor offers
`choices()` and refuses a name nobody registered. A source returns counts only, never person data.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SourceValue:
    """A figure over a period: the count (or numerator), its denominator for a rate, marginal breakdowns."""

    value: int | None
    denominator: int | None = None
    breakdown: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ValueSource:
    name: str  # "<area>:<what>", e.g. "register:events.participants"
    label: object  # a lazy Vietnamese label, shown in the plan editor
    fn: Callable[[frozenset[str], date, date], "SourceValue | int | None"]
    kind: str = "count"  # "count" (events, people in the period), "stock" (standing at the period end), "percent"


class UnknownSource(LookupError):
    """No area registered a source of that name."""


_SOURCES: dict[str, ValueSource] = {}


def value_source(name: str, *, label, kind: str = "count"):
    """Register `fn(units, start, end)` as the value source `name` (one per figure an area can count)."""
    if ":" not in name or not name.split(":", 1)[1]:
        raise ValueError(f"a value source is named '<area>:<what>', not {name!r}")

    def register(fn):
        _SOURCES[name] = ValueSource(name, label, fn, kind)
        return fn

    return register


def get(name: str | None) -> ValueSource | None:
    return _SOURCES.get(name or "")


def names() -> tuple[str, ...]:
    return tuple(sorted(_SOURCES))


def choices() -> list[tuple[str, object]]:
    """(name, label) of every registered source, for a select."""
    return [(name, _SOURCES[name].label) for name in names()]


def compute(name: str, units, start: date, end: date) -> SourceValue:
    """The figure of source `name` over `units` for start..end (both inclusive)."""
    source = _SOURCES.get(name)
    if source is None:
        raise UnknownSource(name)
    result = source.fn(frozenset(units), start, end)
    if isinstance(result, SourceValue):
        return result
    return SourceValue(None if result is None else int(result))
