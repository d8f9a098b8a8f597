"""The object policy for referrals.

The sender side (counsellors whose scope covers the case's unit) follows, updates, withdraws and destroys.
The agency side (officers of the addressed agency, or of one an admin mapped it to) receives; it reads
the packet only while the referral is not withdrawn and the packet key exists. Nothing here ever leads
an agency officer to the case.
"""

from ..auth.permissions import policy
from ..cases.queries import scope_for
from .models import Referral
from .queries import agency_ids, case_of

SENDER_ACTIONS = {"follow", "read_packet_sender", "update", "withdraw", "destroy", "print_sender"}
AGENCY_ACTIONS = {"receive", "read_packet", "act", "print", "forward"}


@policy(Referral)
def referral_policy(user, action: str, referral: Referral) -> bool:
    if action in SENDER_ACTIONS:
        return case_of(referral).unit_id in scope_for(user, "counsellor")
    if action in AGENCY_ACTIONS and referral.addressed_to(agency_ids(user)):
        if action == "receive":
            return True
        if action == "forward":  # onward only once the agency has taken the referral on
            return referral.status in ("accepted", "services_recorded") and referral.packet_destroyed_at is None
        return referral.status != "withdrawn" and referral.packet_destroyed_at is None
    return False
