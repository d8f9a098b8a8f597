"""The object policy for cases. Counsellors work on the cases of their scope; district reviewers see
the summary tier, and the whole case read-only only through an active break-glass grant."""

from ..auth.permissions import policy
from .models import Case
from .queries import active_grant, scope_for

COUNSELLOR_ACTIONS = {"read_summary", "read_full", "edit", "conference"}
REVIEWER_ACTIONS = {"read_summary", "break_glass", "erase_confirm"}
# A supervisor reads its counsellors' cases (read-only, audited like any read) and signs off high-risk ones.
SUPERVISOR_ACTIONS = {"read_summary", "read_full", "sign_off", "conference"}


@policy(Case)
def case_policy(user, action: str, case: Case) -> bool:
    if action in COUNSELLOR_ACTIONS and case.unit_id in scope_for(user, "counsellor"):
        return action not in ("edit", "conference") or not case.is_erased
    if action in SUPERVISOR_ACTIONS and case.unit_id in scope_for(user, "supervisor"):
        return action == "read_summary" or not case.is_erased
    if case.unit_id in scope_for(user, "district_reviewer"):
        if action in REVIEWER_ACTIONS:
            return True
        if action == "read_full":
            return not case.is_erased and active_grant(user, case) is not None
    return False
