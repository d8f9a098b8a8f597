"""The object policy for livelihood plans.

Counsellors whose scope covers the case's unit read and work on the plan (the case policy's `edit`: not on
an erased case). District reviewers whose scope covers the case's unit read and decide; a reviewer of
another district reaches nothing. "Nobody decides their own plan" is checked by the service, with a message.
"""

from ..auth.permissions import authorize, policy
from ..cases.queries import scope_for
from .models import LivelihoodPlan


@policy(LivelihoodPlan)
def plan_policy(user, action: str, plan: LivelihoodPlan) -> bool:
    unit_id = plan.case.unit_id
    if action == "read":
        return unit_id in scope_for(user, "counsellor", "district_reviewer")
    if action == "work":  # edit a draft, submit, disburse, visit, record outcomes, close
        return authorize(user, "edit", plan.case)
    if action == "decide":
        return unit_id in scope_for(user, "district_reviewer")
    return False
