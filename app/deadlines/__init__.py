"""Deadlines: Vietnamese working days and the one engine that computes every clock (see engine.py)."""

from .engine import Rule, Standing, due_at, ends_after, remaining_text, standing
from .workdays import add_working_days, is_working_day, working_days_between

__all__ = [
    "Rule",
    "Standing",
    "add_working_days",
    "due_at",
    "ends_after",
    "is_working_day",
    "remaining_text",
    "standing",
    "working_days_between",
]
