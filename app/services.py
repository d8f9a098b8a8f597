"""What every area's service layer shares: refusing an operation with a message for the user."""

from typing import TypeVar

T = TypeVar("T")


class ServiceError(ValueError):
    """A refused operation, with a message for the user and, where it belongs to one, the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.field = field
        # What must be written even though the refused call is rolled back (its audit entry): run by
        # web.unit_of_work.attempt after the savepoint's rollback.
        self.after_rollback: list = []


def ensure(condition, message, field: str | None = None) -> None:
    """Refuse the operation with `message` unless `condition` holds."""
    if not condition:
        raise ServiceError(message, field)


def ensure_found(obj: T | None, message, field: str | None = None) -> T:
    """Refuse the operation with `message` when `obj` is missing; otherwise give it back, known not to be None."""
    if obj is None:
        raise ServiceError(message, field)
    return obj
