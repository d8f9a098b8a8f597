"""What the controller's area does when the consent ledger changes (signals of app/events.py).

Withdrawing consent for the purpose "statistics" stops that processing (Law 91/2025; Decree 356/2025 Art. 6;
legal-2026.md §5): from the next computation on, the case leaves every derived figure. Figures already
submitted stay as they were: they are stored reports, not recomputed. A new statistics consent brings the case
back. The flag is the case's plaintext column `in_statistics`, the one predicate every figure filters on.
"""

from .. import events
from ..audit import services as audit
from ..cases.models import Consent
from ..cases.services import valid_consents
from ..extensions import db

STATISTICS = "statistics"


def _set(case, counted: bool, actor) -> None:
    if case.in_statistics == counted:
        return
    case.in_statistics = counted
    audit.record(actor, "privacy.statistics_in" if counted else "privacy.statistics_out", case)
    db.session.flush()


@events.consent_withdrawn.connect
def on_consent_withdrawn(consent: Consent, actor) -> None:
    """The survivor withdrew consent for statistics: the case leaves the figures unless another consent holds."""
    if consent.purpose == STATISTICS:
        _set(consent.case, bool(valid_consents(consent.case, STATISTICS)), actor)


@events.consent_recorded.connect
def on_consent_recorded(consent: Consent, actor) -> None:
    """A new consent for statistics: the case counts again from the next computation on."""
    if consent.purpose == STATISTICS and consent.is_valid(consent.given_on):
        _set(consent.case, True, actor)
