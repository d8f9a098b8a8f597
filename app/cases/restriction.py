"""The one guard of a restricted case: while the survivor's restriction of processing is in force, no area
writes to the case.

Law 91/2025/QH15 (legal-2026.md §5): the person may ask that processing of their data be restricted; the case
is kept but not processed (no edit, note, consent, service, follow-up, closure, referral, onward referral,
protection or livelihood record) until the restriction is lifted. The rights desk answers the
`processing_restricted` signal; every service that writes to a case asks it here, and nowhere else.

A refusal is audited (result "refused", the action named): the entry is kept when the view rolls the refused
call back (`ServiceError.after_rollback`, replayed by `web.unit_of_work.attempt`).
"""

from typing import Any

from flask_babel import lazy_gettext as _l

from .. import events
from ..audit import services as audit
from ..services import ServiceError

MESSAGE = _l("Hồ sơ đang bị hạn chế xử lý theo yêu cầu của người có dữ liệu")


class ProcessingRestricted(ServiceError):
    """The case's processing is restricted on the survivor's request."""


def restricted(case_id: str) -> str | None:
    """The reason code while processing of the case is restricted ("restricted"), else None."""
    return events.answer(events.processing_restricted, case_id)


def ensure_processing_allowed(case_id: str, action: str, *, actor, field: str | None = None) -> None:
    """Refuse `action` on a case whose processing is restricted, with the message beside `field`; audited."""
    reason = restricted(case_id)
    if reason is None:
        return
    actor_id = getattr(actor, "id", None) if not isinstance(actor, str) else actor
    entry: dict[str, Any] = {
        "object_type": "case_record",
        "object_id": case_id,
        "case_id": case_id,
        "result": "refused",
        "detail": {"action": action, "reason": reason},
    }
    audit.record(actor_id, "case.restricted_refusal", **entry)
    error = ProcessingRestricted(MESSAGE, field)
    # The view's savepoint drops what the refused call queued: the refusal is written again after it.
    error.after_rollback.append(lambda: audit.record(actor_id, "case.restricted_refusal", **entry))
    raise error
