"""The object policy for case transfers.

The sending side (counsellors whose scope holds the case where it is now) sees and cancels a pending transfer;
the receiving side (the named counsellor, or, when none is named, the counsellors of the receiving unit)
accepts or declines it. Nothing here opens the case itself: the receiver reads it only after accepting.
"""

from ..auth.permissions import policy
from ..cases.queries import scope_for
from ..extensions import db
from .models import CaseTransfer


def is_receiver(user, transfer: CaseTransfer) -> bool:
    if transfer.to_user_id:
        return transfer.to_user_id == user.id and transfer.to_unit_id in scope_for(user, "counsellor")
    return transfer.to_unit_id in scope_for(user, "counsellor")


def is_sender(user, transfer: CaseTransfer) -> bool:
    from ..cases.models import Case

    case = db.session.get(Case, transfer.case_id)
    return case is not None and case.unit_id in scope_for(user, "counsellor") and not is_receiver(user, transfer)


@policy(CaseTransfer)
def transfer_policy(user, action: str, transfer: CaseTransfer) -> bool:
    if action == "view":
        return is_receiver(user, transfer) or is_sender(user, transfer)
    if action in ("accept", "decline"):
        return is_receiver(user, transfer)
    if action == "cancel":
        return is_sender(user, transfer)
    return False
