"""Who may do what with a survivor's request: the case's counsellors everything; the data-protection officer
of the unit follows and answers the request but does not read the person's words (`read_details`)."""

from ..auth.permissions import policy
from ..cases.queries import scope_for
from .models import Breach, ErasureSignOff, RightsRequest
from .queries import dpo_units

DPO_ACTIONS = {"read", "acknowledge", "extend", "answer", "refuse", "annotate"}


@policy(RightsRequest)
def request_policy(user, action: str, req: RightsRequest) -> bool:
    if req.case.unit_id in scope_for(user, "counsellor"):
        return action in DPO_ACTIONS | {"read_details", "print"}
    if action == "sign_erasure":  # the second person of an erasure: a supervisor of the case's unit
        return req.case.unit_id in scope_for(user, "supervisor")
    return req.case.unit_id in scope_for(user, "dpo") and action in DPO_ACTIONS


@policy(Breach)
def breach_policy(user, action: str, breach: Breach) -> bool:
    return breach.unit_id in dpo_units(user) and action in {"read", "edit"}


@policy(ErasureSignOff)
def erasure_policy(user, action: str, row: ErasureSignOff) -> bool:
    """The retention schedule's erasure proposal: signed off by a supervisor of the case's unit only."""
    return action == "sign_erasure" and row.case.unit_id in scope_for(user, "supervisor")
