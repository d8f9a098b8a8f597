"""The object policies of protection casework.

Counsellors whose scope covers the case's unit read and record (the case policy's `edit`: never on an erased
case); the supervisor of that unit reads and co-signs exception contacts (Decree 76/2023 Art. 18). District
reviewers never reach these pages: they see the coded statistics only, never identity or narrative.
"""

from dataclasses import dataclass

from ..auth.permissions import authorize, policy
from ..cases.models import Case
from ..cases.queries import scope_for
from .models import CASE_PARTS


@dataclass(frozen=True)
class ProtectionFile:
    """A case seen as protection casework: what the policy decides on for the case-level pages."""

    case: Case


def _decide(user, action: str, case: Case) -> bool:
    if action == "read":  # an erased case has nothing left to read here: its key is gone
        return case.unit_id in scope_for(user, "counsellor", "supervisor") and not case.is_erased
    if action == "edit":
        return authorize(user, "edit", case) and not case.is_erased
    if action == "cosign":
        return case.unit_id in scope_for(user, "supervisor") and not case.is_erased
    return False


@policy(ProtectionFile)
def file_policy(user, action: str, file: ProtectionFile) -> bool:
    return _decide(user, action, file.case)


def part_policy(user, action: str, part) -> bool:
    return _decide(user, action, part.case)


for _model in CASE_PARTS:
    policy(_model)(part_policy)
