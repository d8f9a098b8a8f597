"""One work queue per user ("Việc cần làm"): every area contributes the items it owes a person.

An area registers a source, a function `(user) -> iterable of WorkItem`, with `@source("name")`; the queue
page, the count in the navigation bar and the notifications all call `items_for(user)`, so they never
disagree. Items carry no person data beyond a case code shown to those already allowed to see it: titles are
about the work ("Lệnh cấm tiếp xúc sắp hết hạn"), never about the person.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

_SOURCES: dict[str, Callable] = {}

URGENCY = {"overdue": 0, "soon": 1, "ok": 2, "none": 3}


@dataclass(frozen=True)
class WorkItem:
    """One thing a user has to do: what, where to do it, by when, and how urgent."""

    kind: str  # the source's name, e.g. "followup", "no_contact", "referral_ack"
    title: str  # about the work, never about the person
    url: str
    due_at: datetime | None = None
    state: str = "none"  # deadlines.Standing.state, or "none" without a deadline
    detail: str = ""  # e.g. the case code or "còn 5 giờ"
    high_risk: bool = False  # immediate alerts (notifications) and top of the list
    key: str = field(default="", compare=False)  # stable id for de-duplicating notifications

    def sort_key(self):
        return (
            0 if self.high_risk else 1,
            URGENCY.get(self.state, 3),
            self.due_at.timestamp() if self.due_at else float("inf"),
            self.title,
        )


def source(name: str):
    """Register a work-queue source under `name` (one per area concern)."""

    def register(fn: Callable[[object], Iterable[WorkItem]]):
        _SOURCES[name] = fn
        return fn

    return register


def items_for(user) -> list[WorkItem]:
    """Every item the user owes, most urgent first."""
    items: list[WorkItem] = []
    for fn in _SOURCES.values():
        items.extend(fn(user))
    return sorted(items, key=WorkItem.sort_key)


def sources() -> tuple[str, ...]:
    return tuple(_SOURCES)


_CACHE = "_workqueue_items"


def cached_items(user) -> list[WorkItem]:
    """`items_for(user)` once per request: the navigation count and the page share one computation."""
    from flask import g, has_request_context

    if not has_request_context():
        return items_for(user)
    cache = g.setdefault(_CACHE, {})
    if user.id not in cache:
        cache[user.id] = items_for(user)
    return cache[user.id]
