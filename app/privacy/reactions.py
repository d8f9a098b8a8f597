"""What the controller's area does when the consent ledger or a restriction changes (signals of app/events.py).

Withdrawing consent for the purpose "statistics" stops that processing (Law 91/2025; Decree 356/2025 Art. 6;
legal-2026.md §5): from the next computation on, the case leaves every derived figure. Figures already
submitted stay as they were: they are stored reports, not recomputed. A new statistics consent brings the case
back. A restriction of processing asked by the survivor keeps the case out too, until it is lifted. The flag is
the case's plaintext column `in_statistics`, the one predicate every figure filters on, computed here only.
"""

from sqlalchemy import select

from .. import events
from ..audit import services as audit
from ..cases.models import Case, Consent
from ..cases.services import valid_consents
from ..cases.tally import refresh as refresh_tally
from ..extensions import db
from ..rights.models import Restriction

STATISTICS = "statistics"


def counted(case: Case) -> bool:
    """Whether the case belongs in the figures: no withdrawn statistics consent left standing, no restriction."""
    withdrawn = db.session.scalar(
        select(Consent.id)
        .where(Consent.case_id == case.id, Consent.purpose == STATISTICS, Consent.withdrawn_on.is_not(None))
        .limit(1)
    )
    restricted = db.session.scalar(
        select(Restriction.id).where(Restriction.case_id == case.id, Restriction.lifted_at.is_(None)).limit(1)
    )
    return restricted is None and (withdrawn is None or bool(valid_consents(case, STATISTICS)))


def _set(case, value: bool, actor) -> None:
    if case.in_statistics == value:
        return
    case.in_statistics = value
    refresh_tally(case)  # its cells in the statistics' counts go (or come back) in this transaction
    audit.record(actor, "privacy.statistics_in" if value else "privacy.statistics_out", case)
    db.session.flush()


@events.consent_withdrawn.connect
def on_consent_withdrawn(consent: Consent, actor) -> None:
    """The survivor withdrew consent for statistics: the case leaves the figures unless another consent holds."""
    if consent.purpose == STATISTICS:
        _set(consent.case, counted(consent.case), actor)


@events.consent_recorded.connect
def on_consent_recorded(consent: Consent, actor) -> None:
    """A new consent for statistics: the case counts again from the next computation on."""
    if consent.purpose == STATISTICS:
        _set(consent.case, counted(consent.case), actor)


@events.restriction_changed.connect
def on_restriction_changed(case: Case, actor) -> None:
    """A restriction started or was lifted: the case leaves the figures, or comes back if nothing else holds."""
    _set(case, counted(case), actor)
