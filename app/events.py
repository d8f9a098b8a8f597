"""What one area tells the others: named signals (blinker, as Flask uses), so that no area imports the areas
that react to it. The sender knows only this module; a reacting area connects its receiver at import, and
app/__init__.py imports every reacting module at start (REACTION_MODULES), whichever page or command runs.

Receivers run inside the sender's transaction (they add and flush, like any service), so a reaction is
committed or undone together with the change that caused it.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Consent (any purpose: services, share_with_agency, statistics); keyword: actor
consent_recorded = _signals.signal("consent-recorded")
consent_withdrawn = _signals.signal("consent-withdrawn")
# sender: the Case, already crypto-shredded; keyword: actor
case_erased = _signals.signal("case-erased")
# sender: the Case, already at its new unit; keywords: from_unit_id, actor. A transfer moves the case and so the
# unit whose officers answer for it (the privacy area moves the case's open retention reviews).
case_moved = _signals.signal("case-moved")
# sender: a case id (a string); the cases area answers with the id when that case exists and is not erased
# (form drafts tie themselves to a case this way without importing the cases area).
case_is_live = _signals.signal("case-is-live")
# sender: a case id (a string); a receiver answers a reason code (e.g. "restricted") while processing of that
# case is restricted on the survivor's request (Law 91/2025, legal-2026.md §5: the case is kept but not
# referred, edited or counted). The cases and referral areas ask; the rights desk answers (the figures follow
# restriction_changed below).
processing_restricted = _signals.signal("processing-restricted")
# sender: the kind of an approved change (e.g. "agency_map"); keywords: payload (dict), actor. The area that
# owns the change makes it (the referral area maps agencies): the approvals area imports none of them.
approved_change = _signals.signal("approved-change")
# sender: the Unit whose yearly livelihood budget is asked for; keyword: year. A receiver returns the amount
# of the budget lines planned for it, or None when the unit has none (the livelihood area then uses its
# configured ceiling).
livelihood_budget_asked = _signals.signal("livelihood-budget-asked")


def answer(signal, sender, **kwargs):
    """The first answer (not None) of the receivers of `signal`, or None when no receiver has one."""
    for _receiver, value in signal.send(sender, **kwargs):
        if value is not None:
            return value
    return None


# sender: a Consent not yet withdrawn; the referrals area answers how many referrals rely on it (their packets
# would be destroyed, open ones withdrawn): the withdrawal's confirmation step says so before it is done.
consent_dependents = _signals.signal("consent-dependents")
# sender: the Case whose processing was restricted or whose restriction was lifted; keyword: actor. The rights
# desk sends it; app/privacy recomputes the case's one statistics flag (a restricted case counts in no figure).
restriction_changed = _signals.signal("restriction-changed")
# sender: a date; the controller's area answers (notice id, label) of the sensitive-data notice in force that
# day, or None (the consent ledger records which version was read to the person, Decree 356/2025 Art. 6).
notice_in_force = _signals.signal("notice-in-force")
# sender: None; answered with [(notice id, label)], newest first (the consent form's choices, the case page).
notice_versions = _signals.signal("notice-versions")
# sender: a directory service's id; keyword: on (date or None for today). Answered with {"live": bool,
# "reference"} (a referral, or an agency's onward referral, to a service without a live transfer agreement
# warns and the audit entry says so, Decree 356/2025 Art. 7).
transfer_agreement_asked = _signals.signal("transfer-agreement-asked")
# sender: the id of the unit (a commune) a register entry belongs to; keyword: day. The indicator area answers
# with a short label of the commune's sent (submitted, confirmed or locked) report whose period covers the day
# and which counted it, or None: entries of a reported period are locked until the report is returned or
# reopened (the registers ask before an entry of that day is recorded, corrected or voided).
period_reported = _signals.signal("period-reported")
# sender: None; keyword: entries, the (commune id, day) pairs of the register entries a list shows. The indicator
# area answers with the set of those pairs that period_reported would lock, read in one go (the list marks them).
entries_locked = _signals.signal("entries-locked")
# sender: a case id (a string); keywords: review_id, actor. The retention schedule (app/privacy) proposes the
# erasure of a closed case past its retention period; the rights desk answers the erasure sign-off it opened
# for a supervisor of the case's unit (second person, step-up), or refuses (ServiceError) under a legal hold.
retention_erasure_proposed = _signals.signal("retention-erasure-proposed")
