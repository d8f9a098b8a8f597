"""Object policies of the indicator module.

Reporters act for the units of their own scope (a reporter at a commune fills the commune's report, the
reporter at the district, the district Women's Union officer, fills the district's); district reviewers
plan for their scope (with the old communes merged into the units they cover) and confirm the reports of
the units strictly below theirs, never their own unit's; administrators reopen reports. Everyone else is
refused, and the view answers 404 (the denial is audited by `ensure_authorized`).
"""

from dataclasses import dataclass

from ..auth.permissions import policy
from ..units.models import Unit
from .models import IndicatorPlan, RegistryEntry, Submission
from .queries import reviews, scope_for


@dataclass
class UnitTask:
    """Something to do for a unit (report for it, set its targets, record an activity, enter its budget)."""

    unit: Unit | None


# action -> the roles whose scope must cover the unit
UNIT_ACTIONS = {
    "report": ("reporter",),
    "plan": ("district_reviewer",),
    "review": ("district_reviewer",),
    "activity": ("reporter", "district_reviewer"),
    "view": ("reporter", "district_reviewer", "monitor", "counsellor", "admin"),
}
SUBMISSION_ACTIONS = {
    "read": ("reporter", "district_reviewer", "admin"),
    "edit": ("reporter",),
    "review": ("district_reviewer",),  # strictly below the reviewer's unit: see submission_policy
    "reopen": ("admin",),
}
REGISTRY_ACTIONS = {"read": ("reporter", "district_reviewer"), "edit": ("reporter",)}


@dataclass
class PlanTask:
    """Something to do with a plan (see it, edit it); a new plan is edited for the unit it will belong to."""

    plan: IndicatorPlan | None
    unit: Unit | None = None


@policy(PlanTask)
def plan_policy(user, action: str, task: PlanTask) -> bool:
    """Anyone who sees indicators sees the plans; a reviewer edits the plans of units in their scope."""
    if action == "view":
        return task.plan is not None and bool(scope_for(user, *UNIT_ACTIONS["view"]))
    if action == "edit":
        owner = task.plan.owner_unit_id if task.plan is not None else (task.unit.id if task.unit else None)
        return bool(owner and owner in scope_for(user, "district_reviewer"))
    return False


@policy(UnitTask)
def unit_task_policy(user, action: str, task: UnitTask) -> bool:
    roles = UNIT_ACTIONS.get(action)
    return bool(roles and task.unit is not None and task.unit.id in scope_for(user, *roles))


@policy(Submission)
def submission_policy(user, action: str, sub: Submission) -> bool:
    if action == "review":
        return reviews(user, sub)
    roles = SUBMISSION_ACTIONS.get(action)
    return bool(roles and sub.unit_id in scope_for(user, *roles))


@policy(RegistryEntry)
def registry_policy(user, action: str, entry: RegistryEntry) -> bool:
    roles = REGISTRY_ACTIONS.get(action)
    return bool(roles and entry.unit_id in scope_for(user, *roles))
