"""Who may do what in the registers.

* The commune reporter (Women's Union officer, `reporter`) enters and corrects the entries of the units of
  their scope, voids them with a reason, and — alone — sees the names on the payments: they pay the mothers
  and keep the vouchers, so they must read them to check a voucher against its entry.
* The reviewer above the commune (`district_reviewer`, at the province since 7/2025) reads the entries of
  their scope for the settlement and the report they confirm, without the person data (commune, package,
  amount, date, voucher number only).
* The monitor reads aggregates only (the overview), never an entry.
* Nobody else: the admin never, by any path.
"""

from ..auth.permissions import policy
from .models import CommunityEvent, SafeMotherhoodPayment
from .queries import scope_for

PERSON_READERS = ("reporter",)
ENTRY_READERS = ("reporter", "district_reviewer")
EDITORS = ("reporter",)


def _allowed(user, action: str, unit_id: str) -> bool:
    if action in ("read",):
        return unit_id in scope_for(user, *ENTRY_READERS)
    if action == "read_person":
        return unit_id in scope_for(user, *PERSON_READERS)
    if action in ("edit", "void", "erase"):
        return unit_id in scope_for(user, *EDITORS)
    return False


@policy(SafeMotherhoodPayment)
def payment_policy(user, action: str, payment: SafeMotherhoodPayment) -> bool:
    return _allowed(user, action, payment.unit_id)


@policy(CommunityEvent)
def event_policy(user, action: str, event: CommunityEvent) -> bool:
    return action != "read_person" and _allowed(user, action, event.unit_id)
