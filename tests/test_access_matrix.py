"""The access matrix, generated: every route of the URL map × every role profile × objects of several scopes.

The expected outcome of each (endpoint, method, object variant, profile) is declared once, in MATRIX below.
The test fails on any difference, on any route or method of the URL map missing from MATRIX, and on any
entry of MATRIX that no longer names a route. Outcome classes:

* ``ok`` — allowed: a 2xx/3xx that is not a bounce to the sign-in page (for POSTs, sent with an empty or
  minimal body: anything below 500 that is neither a denial nor the sign-in bounce);
* ``login`` — bounced to the sign-in page (a redirect, or 204 + HX-Redirect for an htmx request);
* ``deny`` — 403 or 404.

Profiles and object variants are those of tests/matrix_world.py. A method key "GET hx=case-rows" sends the
htmx request the page makes (HX-Request: true, HX-Target: case-rows); an allowed one must answer a fragment.
"""

import uuid
from urllib.parse import urlsplit

import pytest
from flask import url_for
from matrix_world import PROFILES, SIGNED_IN, VARIANTS, login, make_world

OK, LOGIN, DENY = "ok", "login", "deny"


def allow(*profiles: str) -> dict:
    """The listed profiles are allowed, anonymous visitors are sent to sign in, everyone else is denied."""
    unknown = set(profiles) - set(PROFILES)
    assert not unknown, unknown
    return {p: OK if p in profiles else (LOGIN if p == "anon" else DENY) for p in PROFILES}


def public() -> dict:
    """Anyone, signed in or not."""
    return dict.fromkeys(PROFILES, OK)


def nobody() -> dict:
    return allow()


SIGNED = allow(*SIGNED_IN)
COUNSELLORS = allow("counsellor", "counsellor_other")
CASE_READERS = ("counsellor", "counsellor_other", "reviewer", "reviewer_other", "reviewer_province")
# The province's reviewer reviews whatever a district reviewer may, in every district of the province.
PROVINCE = "reviewer_province"
ADMIN = allow("admin")
# The data-protection officer (Law 91/2025 Art. 33): the controller's pages, never a case's content.
DPO = "dpo"
OFFICER = allow(DPO)
OFFICER_OBJECT = {"own": OFFICER, "unknown": nobody()}
NOTICE_READERS = allow("counsellor", "counsellor_other", "supervisor", DPO)

# A case page: its counsellors and the district reviewer (summary tier); nobody for an unknown id.
CASE_READ = {
    "own": allow("counsellor", "reviewer", PROVINCE),
    "other": allow("counsellor_other", "reviewer", PROVINCE),
    "far": allow("reviewer_other", PROVINCE),
    "unknown": nobody(),
}
# The case page also opens to the supervisor of its counsellors (the livelihood pages, derived below, do not).
CASE_PAGE = dict(CASE_READ, own=allow("counsellor", "reviewer", PROVINCE, "supervisor"))
SUPERVISED_READERS = allow(*CASE_READERS, "supervisor")
CONFERENCE = {
    "own": allow("counsellor", "supervisor"),
    "other": allow("counsellor_other"),
    "far": nobody(),
    "unknown": nobody(),
}
CONFERENCE_ACTION = {"own": allow("counsellor"), "unknown": nobody()}  # its owner only
SUPERVISED = {"own": allow("supervisor"), "other": nobody(), "far": nobody(), "unknown": nobody()}
# A change to a case or one of its rows: the counsellors of its unit only; never a row of another case.
CASE_EDIT = {"own": allow("counsellor"), "other": allow("counsellor_other"), "far": nobody(), "unknown": nobody()}
CASE_ROW_EDIT = dict(CASE_EDIT, mixed=nobody())
# Break-glass and erase confirmation: the district reviewer whose district holds the case.
CASE_REVIEW = {
    "own": allow("reviewer", PROVINCE),
    "other": allow("reviewer", PROVINCE),
    "far": allow("reviewer_other", PROVINCE),
    "unknown": nobody(),
}
# A referral: its sender's counsellors follow it, the addressed agency receives it ("far" goes to agency_other).
REFERRAL_READ = {
    "own": allow("counsellor", "agency"),
    "other": allow("counsellor_other", "agency"),
    "far": allow("agency_other"),
    "unknown": nobody(),
}
REFERRAL_SEND = {"own": allow("counsellor"), "other": allow("counsellor_other"), "far": nobody(), "unknown": nobody()}
# Onward referral: the agency that took the referral on (only the own one is accepted in the world).
REFERRAL_FORWARD = {"own": allow("agency"), "other": nobody(), "far": nobody(), "unknown": nobody()}
REFERRAL_ANSWER = {"own": allow("agency"), "other": allow("agency"), "far": allow("agency_other"), "unknown": nobody()}
# A case transfer: the sender's counsellors cancel it, the receiving unit's counsellors accept or decline it.
TRANSFER_VIEW = {"own": COUNSELLORS, "other": COUNSELLORS, "unknown": nobody()}
TRANSFER_RECEIVE = {"own": allow("counsellor_other"), "other": allow("counsellor"), "unknown": nobody()}
TRANSFER_CANCEL = {"own": allow("counsellor"), "other": allow("counsellor_other"), "unknown": nobody()}
# A livelihood plan: read by the case's counsellors and district reviewers, worked on by the counsellors,
# decided by the district reviewer whose district holds the case.
PLAN_READ = CASE_READ
PLAN_WORK = CASE_EDIT
PLAN_DECIDE = CASE_REVIEW
PLAN_LISTERS = allow(*CASE_READERS)
REVIEWERS = allow("reviewer", "reviewer_other", PROVINCE)
# Indicators: figures for every role that reports, reviews, monitors or counsels (not the admin, not agencies).
INDICATOR_VIEWERS = allow(
    "counsellor", "counsellor_other", "reviewer", "reviewer_other", PROVINCE, "reporter", "monitor"
)
PLAN_VIEW = {"own": INDICATOR_VIEWERS, "unknown": nobody()}
PLAN_EDIT = {"own": allow(PROVINCE), "unknown": nobody()}
EXPORTERS = allow("reviewer", "reviewer_other", PROVINCE, "reporter", "monitor")
# A commune's report: its reporter (only 03295 has one) and the district reviewer; "far" is the other district's.
# The district's own report (2024, before the reform) is read by its reviewer and confirmed by the province's
# only: a reviewer never confirms a report of their own unit. Its reporter (at 099) is not a profile here.
REPORT_READ = {
    "own": allow("reporter", "reviewer", PROVINCE),
    "other": allow("reviewer", PROVINCE),
    "far": allow("reviewer_other", PROVINCE),
    "district": allow("reviewer", PROVINCE),
    "unknown": nobody(),
}
REGISTRY_EDIT = {"own": allow("reporter"), "other": nobody(), "far": nobody(), "unknown": nobody()}
REPORT_EDIT = dict(REGISTRY_EDIT, district=nobody())
# The registers: the commune reporter enters; every reviewer reads the entries of their scope (payments without
# the person data); the monitor reads the overview's aggregates only.
REGISTER_OVERVIEW = allow("reporter", "reviewer", "reviewer_other", PROVINCE, "monitor")
REGISTER_READERS = allow("reporter", "reviewer", "reviewer_other", PROVINCE)
REGISTER_EDIT = {"own": allow("reporter"), "other": nobody(), "far": nobody(), "unknown": nobody()}
REPORT_REVIEW = {
    "own": allow("reviewer", PROVINCE),
    "other": allow("reviewer", PROVINCE),
    "far": allow("reviewer_other", PROVINCE),
    "district": allow(PROVINCE),
    "unknown": nobody(),
}
REPORT_REOPEN = {"own": ADMIN, "other": ADMIN, "far": ADMIN, "district": ADMIN, "unknown": nobody()}
BUDGET_LINE = {"own": allow("reviewer", PROVINCE), "far": allow("reviewer_other", PROVINCE), "unknown": nobody()}
# A counsellor's own things (a phone, an item it sent): its owner only, never another counsellor's.
OWN_THINGS = {"own": allow("counsellor"), "other": allow("counsellor_other"), "far": nobody(), "unknown": nobody()}
APPROVAL = {"own": allow(PROVINCE), "unknown": nobody()}
# A survivor's request: the case's counsellors, and the data-protection officer of the province (every scope).
RIGHTS_FOLLOW = {
    "own": allow("counsellor", DPO),
    "other": allow("counsellor_other", DPO),
    "far": allow(DPO),
    "unknown": nobody(),
}
# Protection casework: the case's counsellors record; the supervisor of the commune (own case only) reads and
# co-signs exception contacts; reviewers never reach it (coded statistics only).
PROTECTION_READ = {
    "own": allow("counsellor", "supervisor"),
    "other": allow("counsellor_other"),
    "far": nobody(),
    "unknown": nobody(),
}
PROTECTION_EDIT = CASE_EDIT
PROTECTION_COSIGN = {"own": allow("supervisor"), "other": nobody(), "far": nobody(), "unknown": nobody()}
PROTECTION_STATS = allow(
    "counsellor", "counsellor_other", "supervisor", "reviewer", "reviewer_other", PROVINCE, "monitor"
)
# The statistics files (Circular 07/2017, GBVIMS): the supervisor, reviewers and the monitor; never a counsellor.
STATISTICS_FILES = allow("supervisor", "reviewer", "reviewer_other", PROVINCE, "monitor")
# Admin pages about one account or unit: any that exists.
ADMIN_OBJECT = {"own": ADMIN, "unknown": nobody()}

MATRIX: dict[str, dict[str, dict]] = {
    # --- foundation: shell, assets, sign-in -------------------------------------------------------------
    "assets.static_file": {"GET": {"own": public(), "unknown": dict.fromkeys(PROFILES, DENY)}},
    "web.home": {"GET": SIGNED},
    "workqueue.index": {"GET": allow(*(p for p in SIGNED_IN if p != "monitor"))},
    "notify.settings": {
        "GET": allow(*(p for p in SIGNED_IN if p != "monitor")),
        "POST": allow(*(p for p in SIGNED_IN if p != "monitor")),
    },
    "web.healthz": {"GET": public()},
    "web.favicon": {"GET": public()},
    "web.neutral": {"GET": public()},
    "web.set_language": {"POST": public()},
    "auth.login": {"GET": public(), "POST": public()},
    "auth.logout": {"POST": SIGNED},
    "auth.quick_exit": {"GET": public(), "POST": public()},
    "auth.password": {"GET": SIGNED, "POST": SIGNED},
    "auth.account": {"GET": SIGNED},
    "auth.ping": {"POST": SIGNED},
    "auth.totp": {"GET": SIGNED, "POST": SIGNED},
    "auth.totp_setup": {"GET": SIGNED, "POST": SIGNED},
    # Without a second factor (the world's users) both send on to enrolling one.
    "auth.step_up": {"GET": SIGNED, "POST": SIGNED},
    "auth.recovery_codes": {"POST": SIGNED},
    # The one-time link: open to whoever holds a valid token (its owner is not signed in); any other is 404.
    "auth.setup": {m: {"own": public(), "unknown": dict.fromkeys(PROFILES, DENY)} for m in ("GET", "POST")},
    "drafts.save": {"POST": {"own": SIGNED, "unknown": allow()}},
    # --- offline capture: a counsellor's own phone, carried cases and items --------------------------------
    "offline.shell": {"GET": COUNSELLORS},
    "offline.service_worker": {"GET": public()},
    "offline.state": {"GET": COUNSELLORS},
    "offline.register": {"POST": COUNSELLORS},
    "offline.sync": {"POST": COUNSELLORS},
    # The supervisor of commune 03295 sees and revokes the phones of its counsellors (TA-02: the "own" owner).
    "offline.devices": {"GET": allow("counsellor", "counsellor_other", "supervisor")},
    "offline.cases": {"GET": COUNSELLORS, "POST": COUNSELLORS},
    "offline.revoke": {"POST": dict(OWN_THINGS, own=allow("counsellor", "supervisor"))},
    "offline.remove_case": {"POST": OWN_THINGS},
    "offline.item": {"GET": OWN_THINGS},
    "offline.finish": {"POST": OWN_THINGS},
    # --- rights desk: the case's counsellors record and carry out; the data-protection officer of the province
    # follows and answers every request of its units (acknowledge, extend, answer, refuse, annotate) but never
    # reads the case: no copy, no acknowledgement print (it names the person), no correction, no hold. -------
    "rights.index": {"GET": allow("counsellor", "counsellor_other", DPO)},
    "rights.new": {"GET": CASE_EDIT, "POST": CASE_EDIT},
    "rights.detail": {"GET": RIGHTS_FOLLOW},
    "rights.step": {"POST": RIGHTS_FOLLOW},
    "rights.acknowledgement": {"GET": OWN_THINGS},
    "rights.acknowledgement_file": {"GET": OWN_THINGS},
    "rights.survivor_copy": {"GET": OWN_THINGS},
    "rights.survivor_copy_file": {"GET": OWN_THINGS},
    "rights.correct": {"POST": OWN_THINGS},
    "rights.restrict": {"POST": OWN_THINGS},
    "rights.lift": {"POST": OWN_THINGS},
    "rights.propose_erasure": {"POST": OWN_THINGS},
    "rights.holds": {"GET": CASE_EDIT, "POST": CASE_EDIT},
    "rights.release_hold": {"POST": OWN_THINGS},
    # The erasure asked by the survivor: signed off by a supervisor of the case's commune (second person).
    "rights.erasure": {"GET": SUPERVISED, "POST": SUPERVISED},
    # The erasure the retention schedule proposed: the same second person.
    "rights.retention_erasure": {"GET": SUPERVISED, "POST": SUPERVISED},
    # The breach register of the province: its data-protection officer only (the world's breach is the "own").
    "rights.breaches": {"GET": OFFICER},
    "rights.new_breach": {"GET": OFFICER, "POST": OFFICER},
    "rights.breach": {"GET": OFFICER_OBJECT, "POST": OFFICER_OBJECT},
    "rights.breach_notice": {"GET": OFFICER_OBJECT},
    "rights.breach_notice_file": {"GET": OFFICER_OBJECT},
    # --- the controller's duties (app/privacy): the data-protection officer only; the admin, who runs the
    # system, gets 403 on every one of them. The notice is read aloud to the survivor by whoever records
    # consent: counsellors and supervisors read it, and the officer who publishes it. ---
    "privacy.index": {"GET": OFFICER},
    "privacy.notices": {"GET": OFFICER, "POST": OFFICER},
    "privacy.notice_today": {"GET": NOTICE_READERS},
    "privacy.notice": {"GET": {"own": NOTICE_READERS, "unknown": nobody()}},
    "privacy.dossier": {"GET": OFFICER, "POST": OFFICER},
    "privacy.reorganisation": {"POST": OFFICER},
    "privacy.dossier_sent": {"POST": OFFICER},
    "privacy.dossier_version": {"GET": OFFICER_OBJECT},
    "privacy.dossier_file": {"GET": OFFICER_OBJECT},
    "privacy.agreements": {"GET": OFFICER, "POST": OFFICER},
    "privacy.end_agreement": {"POST": OFFICER},
    "privacy.retention_schedule": {"GET": OFFICER, "POST": OFFICER},
    "privacy.reviews": {"GET": OFFICER, "POST": OFFICER},
    "privacy.register": {"GET": OFFICER},
    "privacy.register_file": {"GET": OFFICER_OBJECT},
    # --- administration ---------------------------------------------------------------------------------
    "admin.index": {"GET": ADMIN},
    "admin.users": {"GET": ADMIN},
    "admin.create_user": {"GET": ADMIN, "POST": ADMIN},
    "admin.user_detail": {"GET": ADMIN_OBJECT},
    "admin.add_role": {"POST": ADMIN_OBJECT},
    "admin.set_active": {"POST": ADMIN_OBJECT},
    "admin.reset_password": {"POST": ADMIN_OBJECT},
    "admin.reset_second_factor": {"POST": ADMIN_OBJECT},
    "admin.remove_role": {"POST": {"own": ADMIN, "mixed": nobody(), "unknown": nobody()}},
    "admin.approval_requests": {"GET": ADMIN},
    "admin.withdraw_approval": {"POST": ADMIN_OBJECT},
    # --- approvals: the second person. The world's request is a role at TA-05, a trusted address of the
    # province whose supervisors (none in the world) or province reviewer approve; never the admin. ---------
    "approvals.index": {"GET": allow("reviewer", "reviewer_other", PROVINCE, "supervisor")},  # approval.decide
    "approvals.review": {"GET": APPROVAL},
    "approvals.decide": {"POST": APPROVAL},
    "units.index": {"GET": ADMIN},
    "units.create": {"GET": ADMIN, "POST": ADMIN},
    "units.edit": {"GET": ADMIN_OBJECT, "POST": ADMIN_OBJECT},
    "units.add_lineage": {"POST": ADMIN_OBJECT},
    "workcalendar.index": {"GET": ADMIN, "POST": ADMIN},
    "workcalendar.remove": {"POST": ADMIN},
    "audit.index": {"GET": ADMIN, "GET hx=audit-more": ADMIN},
    "audit.verify": {"POST": ADMIN, "POST hx=audit-verdict": ADMIN},
    # --- cases ------------------------------------------------------------------------------------------
    "cases.index": {
        "GET": SUPERVISED_READERS,
        "GET hx=case-rows": SUPERVISED_READERS,
        "POST": SUPERVISED_READERS,
        "POST hx=case-rows": SUPERVISED_READERS,
    },
    "cases.my_followups": {"GET": COUNSELLORS},
    "cases.create": {"GET": COUNSELLORS, "POST": COUNSELLORS},
    "cases.check_duplicates": {"POST hx=duplicate-check": COUNSELLORS},
    "cases.detail": {"GET": CASE_PAGE},
    "cases.edit": {"GET": CASE_EDIT, "POST": CASE_EDIT},
    "cases.close": {"POST": CASE_EDIT, "POST hx=case-status": CASE_EDIT},
    "cases.reopen": {"POST": CASE_EDIT, "POST hx=case-status": CASE_EDIT},
    "cases.add_consent": {"POST": CASE_EDIT, "POST hx=case-consents": CASE_EDIT},
    "cases.new_consent": {"GET": CASE_EDIT},
    "cases.new_service": {"GET": CASE_EDIT},
    "cases.new_followup": {"GET": CASE_EDIT},
    "cases.withdraw_consent": {"POST": CASE_ROW_EDIT, "POST hx=case-consents": CASE_ROW_EDIT},
    "cases.add_service": {"POST": CASE_EDIT, "POST hx=case-services": CASE_EDIT},
    "cases.update_service": {"POST": CASE_ROW_EDIT, "POST hx=case-services": CASE_ROW_EDIT},
    "cases.schedule_followup": {"POST": CASE_EDIT, "POST hx=case-followups": CASE_EDIT},
    "cases.complete_followup": {"POST": CASE_ROW_EDIT, "POST hx=case-followups": CASE_ROW_EDIT},
    "cases.add_note": {"POST": CASE_EDIT, "POST hx=case-notes": CASE_EDIT},
    "cases.correct_note": {"POST": CASE_ROW_EDIT, "POST hx=case-notes": CASE_ROW_EDIT},
    "cases.withdraw_note": {"POST": CASE_ROW_EDIT, "POST hx=case-notes": CASE_ROW_EDIT},
    "cases.break_glass": {"GET": CASE_REVIEW, "GET hx=break-glass": CASE_REVIEW, "POST": CASE_REVIEW},
    "cases.erase_requests": {"GET": ADMIN, "POST": ADMIN},
    "cases.erase_review": {"GET": REVIEWERS},
    "cases.erase_decide": {"POST": CASE_REVIEW},
    # --- referrals --------------------------------------------------------------------------------------
    "referrals.index": {
        "GET": allow("counsellor", "counsellor_other", "agency", "agency_other"),
        "GET hx=referral-lists": allow("counsellor", "counsellor_other", "agency", "agency_other"),
    },
    "referrals.create": {"GET": CASE_EDIT, "GET hx=service-picker": CASE_EDIT, "POST": CASE_EDIT},
    "referrals.detail": {"GET": REFERRAL_READ},
    "referrals.print_slip": {"POST": REFERRAL_READ},
    "referrals.update": {"GET": REFERRAL_SEND, "POST": REFERRAL_SEND},
    "referrals.my_contact": {"GET": COUNSELLORS, "POST": COUNSELLORS},
    "referrals.forward": {"GET": REFERRAL_FORWARD, "POST": REFERRAL_FORWARD},
    "referrals.withdraw": {"POST": REFERRAL_SEND, "POST hx=referral-status": REFERRAL_SEND},
    "referrals.destroy": {"POST": REFERRAL_SEND, "POST hx=referral-status": REFERRAL_SEND},
    "referrals.acknowledge": {"POST": REFERRAL_ANSWER, "POST hx=referral-status": REFERRAL_ANSWER},
    "referrals.accept": {"POST": REFERRAL_ANSWER, "POST hx=referral-status": REFERRAL_ANSWER},
    "referrals.decline": {"POST": REFERRAL_ANSWER, "POST hx=referral-status": REFERRAL_ANSWER},
    "referrals.record_service": {"POST": REFERRAL_ANSWER, "POST hx=referral-status": REFERRAL_ANSWER},
    "referrals.complete": {"POST": REFERRAL_ANSWER, "POST hx=referral-status": REFERRAL_ANSWER},
    "referrals.agency_map": {"GET": ADMIN, "POST": ADMIN},
    "transfers.create": {"GET": CASE_EDIT, "POST": CASE_EDIT},
    "supervision.index": {"GET": allow("supervisor")},
    "supervision.sign_off": {"POST": SUPERVISED},
    "conferences.create": {"GET": CONFERENCE, "POST": CONFERENCE},
    "conferences.joint": {"GET": CONFERENCE, "POST": CONFERENCE},
    "conferences.done": {"POST": CONFERENCE_ACTION},
    "transfers.detail": {"GET": TRANSFER_VIEW},
    "transfers.accept": {"POST": TRANSFER_RECEIVE},
    "transfers.decline": {"POST": TRANSFER_RECEIVE},
    "transfers.cancel": {"POST": TRANSFER_CANCEL},
    "directory.index": {"GET": ADMIN, "GET hx=directory-rows": ADMIN},
    "directory.create": {"GET": ADMIN, "POST": ADMIN},
    "directory.edit": {"GET": ADMIN_OBJECT, "POST": ADMIN_OBJECT},
    # Removing a mapping that is not there is a no-op: the admin is sent back to the list.
    "referrals.agency_unmap": {"POST": {"own": ADMIN, "unknown": ADMIN}},
    # --- livelihood -------------------------------------------------------------------------------------
    "livelihood.index": {"GET": PLAN_LISTERS, "GET hx=plan-lists": PLAN_LISTERS},
    "livelihood.create": {"GET": CASE_EDIT, "POST": CASE_EDIT},
    "livelihood.detail": {"GET": PLAN_READ},
    "livelihood.version": {"GET": PLAN_READ},
    "livelihood.edit": {"GET": PLAN_WORK, "POST": PLAN_WORK},
    "livelihood.submit": {"POST": PLAN_WORK, "POST hx=plan-body": PLAN_WORK},
    "livelihood.disburse": {"POST": PLAN_WORK, "POST hx=plan-body": PLAN_WORK},
    "livelihood.visit": {"POST": PLAN_WORK, "POST hx=plan-body": PLAN_WORK},
    "livelihood.outcome": {"POST": PLAN_WORK, "POST hx=plan-body": PLAN_WORK},
    "livelihood.close": {"POST": PLAN_WORK, "POST hx=plan-body": PLAN_WORK},
    "livelihood.decide": {"POST": PLAN_DECIDE, "POST hx=plan-body": PLAN_DECIDE},
    "livelihood.district_overview": {"GET": REVIEWERS, "GET hx=overview-table": REVIEWERS},
    "livelihood.export": {"POST": REVIEWERS},
    # --- indicators -------------------------------------------------------------------------------------
    "indicators.index": {"GET": INDICATOR_VIEWERS, "GET hx=indicator-figures": INDICATOR_VIEWERS},
    "indicators.export": {"GET": EXPORTERS},
    "indicators.targets": {"GET": INDICATOR_VIEWERS, "GET hx=target-grid": INDICATOR_VIEWERS},
    "indicators.save_targets": {"POST": REVIEWERS},
    "indicators.activities": {"GET": INDICATOR_VIEWERS},
    # Sent with the unit of commune 03295 (see BODIES): its reporter and its district's reviewer.
    "indicators.activity_status": {"POST": {"own": allow("reporter", "reviewer", PROVINCE), "unknown": nobody()}},
    "indicators.budget": {"GET": INDICATOR_VIEWERS},
    "indicators.add_budget_line": {"POST": REVIEWERS},
    "indicators.edit_budget_line": {"GET": BUDGET_LINE, "POST": BUDGET_LINE},
    "indicators.registry": {"GET": INDICATOR_VIEWERS, "GET hx=registry-rows": INDICATOR_VIEWERS},
    "indicators.registry_new": {"GET": allow("reporter"), "POST": allow("reporter")},
    "indicators.registry_edit": {"GET": REGISTRY_EDIT, "POST": REGISTRY_EDIT},
    "indicators.registry_meeting": {"POST": REGISTRY_EDIT},
    "indicators.registry_meeting_void": {"POST": REGISTRY_EDIT},
    # --- registers ----------------------------------------------------------------------------------------
    "registers.index": {"GET": REGISTER_OVERVIEW},
    "registers.payments": {"GET": REGISTER_READERS, "GET hx=payment-rows": REGISTER_READERS},
    "registers.payment_new": {"GET": allow("reporter"), "POST": allow("reporter")},
    "registers.payment_edit": {"GET": REGISTER_EDIT, "POST": REGISTER_EDIT},
    "registers.payment_void": {"POST": REGISTER_EDIT},
    "registers.payment_erase": {"POST": REGISTER_EDIT},
    "registers.events": {"GET": REGISTER_READERS, "GET hx=event-rows": REGISTER_READERS},
    "registers.event_new": {"GET": allow("reporter"), "POST": allow("reporter")},
    "registers.event_edit": {"GET": REGISTER_EDIT, "POST": REGISTER_EDIT},
    "registers.event_void": {"POST": REGISTER_EDIT},
    "indicators.reports": {"GET": INDICATOR_VIEWERS, "GET hx=report-queue": INDICATOR_VIEWERS},
    "indicators.open_cycle": {"POST": REVIEWERS},
    "indicators.start": {"POST": allow("reporter")},  # for commune 03295 in the world's round (see BODIES)
    "indicators.submission": {"GET": REPORT_READ},
    "indicators.save": {"POST": REPORT_EDIT, "POST hx=report-form": REPORT_EDIT},
    # Only a district's report is prefilled; on the world's commune draft its reporter is told so (303).
    "indicators.prefill": {"POST": REPORT_EDIT},
    "indicators.return_report": {"POST": REPORT_REVIEW},
    "indicators.confirm": {"POST": REPORT_REVIEW},
    "indicators.lock": {"POST": REPORT_REVIEW},
    "indicators.reopen": {"POST": REPORT_REOPEN},
    "indicators.reopen_list": {"GET": ADMIN},
    # Plans: everyone who sees indicators reads them; the province's reviewer edits the province's plan.
    "indicators.plan_list": {"GET": INDICATOR_VIEWERS},
    "indicators.plan_create": {"POST": allow(PROVINCE)},
    "indicators.plan_view": {"GET": PLAN_VIEW},
    "indicators.plan_closing": {"GET": PLAN_VIEW},
    "indicators.plan_closing_export": {"GET": {"own": EXPORTERS, "unknown": nobody()}},
    "indicators.plan_update": {"POST": PLAN_EDIT},
    "indicators.plan_indicator_new": {"GET": PLAN_EDIT, "POST": PLAN_EDIT},
    "indicators.plan_indicator_edit": {"GET": PLAN_EDIT, "POST": PLAN_EDIT},
    "indicators.plan_target": {"POST": PLAN_EDIT},
    "indicators.plan_cycle_rule": {"POST": PLAN_EDIT},
    "indicators.plan_activity": {"POST": PLAN_EDIT},
    "indicators.plan_budget": {"POST": PLAN_EDIT},
    "indicators.plan_activity_edit": {"GET": PLAN_EDIT, "POST": PLAN_EDIT},
    "indicators.plan_budget_edit": {"GET": PLAN_EDIT, "POST": PLAN_EDIT},
    "indicators.plan_activate": {"POST": PLAN_EDIT},
    "indicators.plan_new_version": {"POST": PLAN_EDIT},
    "indicators.plan_archive": {"POST": PLAN_EDIT},
    "indicators.plan_indicator_delete": {"POST": PLAN_EDIT},  # last: the objects above are gone after these
    "indicators.plan_cycle_rule_delete": {"POST": PLAN_EDIT},
    "indicators.plan_activity_delete": {"POST": PLAN_EDIT},
    "indicators.plan_budget_delete": {"POST": PLAN_EDIT},
    # --- protection casework ----------------------------------------------------------------------------
    "protection.case": {"GET": PROTECTION_READ},
    "protection.add_perpetrator": {"POST": PROTECTION_EDIT},
    "protection.add_incident": {"POST": PROTECTION_EDIT},
    "protection.add_measure": {"POST": PROTECTION_EDIT},
    "protection.request_order": {"POST": PROTECTION_EDIT},
    "protection.save_identification": {"POST": PROTECTION_EDIT},
    "protection.add_evidence": {"POST": PROTECTION_EDIT},
    "protection.grant_entitlement": {"POST": PROTECTION_EDIT},
    "protection.update_entitlement": {"POST": PROTECTION_EDIT},
    "protection.record_notice": {"POST": PROTECTION_EDIT},
    "protection.assess_risk": {"POST": PROTECTION_EDIT},
    "protection.mark_reviewed": {"POST": PROTECTION_EDIT},
    "protection.order": {"GET": PROTECTION_READ},
    "protection.decide_order": {"POST": PROTECTION_EDIT},
    "protection.change_order": {"POST": PROTECTION_EDIT},
    "protection.add_copy": {"POST": PROTECTION_EDIT},
    "protection.add_breach": {"POST": PROTECTION_EDIT},
    "protection.request_exception": {"POST": PROTECTION_EDIT},
    "protection.cosign_exception": {"POST": PROTECTION_COSIGN},
    "protection.statistics": {"GET": PROTECTION_STATS},
    # --- official statistics outputs: aggregates, suppressed; the files for those who report upward ---------
    "statistics.index": {"GET": PROTECTION_STATS},
    "statistics.circular07_export": {"GET": STATISTICS_FILES},
    "statistics.monthly": {"GET": PROTECTION_STATS},
    "statistics.monthly_export": {"GET": STATISTICS_FILES},
    # Record-level (de-identified) records for the national database: a reviewer scoped to the province only.
    "statistics.national_db": {"GET": allow(PROVINCE)},
    "statistics.national_db_export": {"GET": allow(PROVINCE)},
}
# POSTs whose allowed answer needs more than an empty body (which the view would refuse as "not yours").
BODIES = {
    "indicators.activity_status": lambda world: {
        "unit_id": world.extra["report_unit_id"],
        "year": "2026",
        "status": "done",
    },
    "indicators.start": lambda world: {"unit_id": world.extra["report_unit_id"], "cycle_id": world.extra["cycle_id"]},
    # The officer's forms that name their row in a hidden field: the world's dossier, agreement and review.
    "privacy.dossier_sent": lambda world: {"dossier_id": world.params["own"]["dossier_id"]},
    "privacy.end_agreement": lambda world: {"agreement_id": world.extra["agreement_id"]},
    "privacy.reviews": lambda world: {"review_id": world.extra["review_id"]},
}
# Routes where an unknown id is answered as a success, not a 404 (idempotent removals).
UNKNOWN_ID_ACCEPTED = {"referrals.agency_unmap"}

# After these the session is over: sign in again before the next request.
ENDS_SESSION = {"auth.logout", "auth.quick_exit"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _split(method_key: str) -> tuple[str, str | None]:
    method, _, hx = method_key.partition(" hx=")
    return method, hx or None


def _by_variant(cell: dict) -> dict:
    """A cell is {profile: outcome} for a route without parameters, or {variant: {profile: outcome}}."""
    if set(cell) <= set(VARIANTS):
        return cell
    return {"-": cell}


def expectations(profile: str):
    """(endpoint, method key, variant, expected) for one profile: GETs first, so that POSTs change nothing read."""
    rows = [
        (endpoint, key, variant, outcomes[profile])
        for endpoint, methods in MATRIX.items()
        for key, cell in methods.items()
        for variant, outcomes in _by_variant(cell).items()
    ]
    return sorted(rows, key=lambda r: (_split(r[1])[0] != "GET", r[0] in ENDS_SESSION))


def classify(response) -> str:
    status = response.status_code
    location = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    if status in (301, 302, 303, 204) and urlsplit(location).path == "/auth/login":
        # Signing out also lands on the sign-in page; it says so by clearing the browser's storage.
        return OK if "Clear-Site-Data" in response.headers else LOGIN
    if status in (403, 404):
        return DENY
    if status >= 500 or status == 405:
        return f"status {status}"
    return OK


def static_params(app) -> dict:
    """The stylesheet under its current version, and under a version that does not exist."""
    with app.test_request_context():
        from app.web.assets import asset_url

        version = asset_url("css/app.css").split("/")[2]
    return {
        "own": {"version": version, "filename": "css/app.css"},
        "unknown": {"version": "0" * 12, "filename": "css/app.css"},
    }


def _url(app, endpoint: str, params: dict) -> str:
    rule = next(iter(app.url_map.iter_rules(endpoint)))
    missing = rule.arguments - set(params)
    assert not missing, f"{endpoint}: matrix_world has no object for URL parameter(s) {sorted(missing)}"
    with app.test_request_context():
        return url_for(endpoint, **{name: params[name] for name in rule.arguments})


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_route_answers_each_profile_as_the_matrix_declares(app, profile):
    world = make_world(app)
    statics = static_params(app)
    client = login(app.test_client(), world, profile)
    differences, checked = [], 0
    for endpoint, key, variant, expected in expectations(profile):
        if endpoint not in app.view_functions:
            continue  # reported by the completeness test
        method, target = _split(key)
        params = dict(world.params.get(variant, {}), **statics.get(variant, {}))
        path = _url(app, endpoint, params)
        headers = {"HX-Request": "true", "HX-Target": target} if target else {}
        body = BODIES[endpoint](world) if endpoint in BODIES else {}
        response = client.open(path, method=method, headers=headers, data=body if method == "POST" else None)
        got = classify(response)
        checked += 1
        if got != expected:
            differences.append(
                f"{key} {endpoint} [{variant}]: expected {expected}, got {got} "
                f"({response.status_code} {response.headers.get('Location', '')})"
            )
        elif target and got == OK and response.status_code == 200:
            body = response.get_data(as_text=True).lstrip().lower()
            if body.startswith("<!doctype") or "<html" in body[:200]:
                differences.append(f"{key} {endpoint} [{variant}]: htmx request answered with a whole page")
        if endpoint in ENDS_SESSION and profile != "anon":
            client = login(app.test_client(), world, profile)
    assert checked > 0
    assert not differences, f"{profile}: {len(differences)} of {checked} differ:\n" + "\n".join(differences)


def test_every_route_and_method_of_the_url_map_is_in_the_matrix(app):
    declared = {(endpoint, _split(key)[0]) for endpoint, methods in MATRIX.items() for key in methods}
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - IGNORED_METHODS}
    missing = sorted(routes - declared)
    stale = sorted(declared - routes)
    assert not missing, "routes without a row in MATRIX (declare who may reach them): " + repr(missing)
    assert not stale, "MATRIX rows for routes that no longer exist: " + repr(stale)


def test_every_cell_of_the_matrix_names_every_profile_and_a_known_outcome():
    for endpoint, methods in MATRIX.items():
        for key, cell in methods.items():
            for variant, outcomes in _by_variant(cell).items():
                assert variant == "-" or variant in VARIANTS, (endpoint, key, variant)
                assert set(outcomes) == set(PROFILES), (endpoint, key, variant)
                assert set(outcomes.values()) <= {OK, LOGIN, DENY}, (endpoint, key, variant)


# Areas whose every route shows or changes a case (or a person in a register), and the rights desk's routes that
# show the case itself: the data-protection officer is denied all of them ("no case content beyond what a
# request needs", DESIGN.md §1). Public files (the service worker, anonymous too) are not content.
CASE_CONTENT_AREAS = ("cases.", "protection.", "referrals.", "livelihood.", "conferences.", "transfers.", "offline.")
CASE_CONTENT_RIGHTS = {
    "rights.new",
    "rights.acknowledgement",
    "rights.acknowledgement_file",
    "rights.survivor_copy",
    "rights.survivor_copy_file",
    "rights.correct",
    "rights.restrict",
    "rights.lift",
    "rights.propose_erasure",
    "rights.holds",
    "rights.release_hold",
    "rights.erasure",
    "rights.retention_erasure",
}


def test_the_data_protection_officer_reaches_the_controller_pages_and_no_case_content():
    """As declared (and so as proven by the run above): every /privacy/ route opens to the officer and is 403
    or 404 for the admin; every case-content route is 403 or 404 for the officer."""
    privacy = {e: m for e, m in MATRIX.items() if e.startswith("privacy.")}
    content = {e: m for e, m in MATRIX.items() if e.startswith(CASE_CONTENT_AREAS) or e in CASE_CONTENT_RIGHTS}
    assert len(privacy) >= 15 and len(content) > 100
    for endpoint, methods in privacy.items():
        for key, cell in methods.items():
            variants = _by_variant(cell)
            for variant, outcomes in variants.items():
                assert outcomes["admin"] == DENY, (endpoint, key, variant)
            known = [o for v, o in variants.items() if v != "unknown"]
            assert all(o[DPO] == OK for o in known), (endpoint, key)
    for endpoint, methods in content.items():
        for key, cell in methods.items():
            for variant, outcomes in _by_variant(cell).items():
                if outcomes["anon"] != OK:
                    assert outcomes[DPO] == DENY, (endpoint, key, variant)


def test_parametrised_routes_are_tried_with_an_unknown_id():
    """Every route that takes an object id is also asked for one that does not exist."""
    for endpoint, methods in MATRIX.items():
        for key, cell in methods.items():
            variants = _by_variant(cell)
            if "-" not in variants:
                assert "unknown" in variants, (endpoint, key)
                if endpoint not in UNKNOWN_ID_ACCEPTED:
                    assert all(v != OK for v in variants["unknown"].values()), (endpoint, key)


def test_random_ids_are_uuids_not_counters(app):
    """Object ids in URLs are random UUIDs (never the human case code, never sequential)."""
    world = make_world(app)
    for variant in ("own", "other", "far"):
        for name, value in world.params[variant].items():
            if name.endswith("_id"):
                assert uuid.UUID(value).version == 4, (variant, name)
    for code in world.extra["case_codes"].values():
        with app.test_request_context():
            assert code not in url_for("cases.detail", case_id=world.params["own"]["case_id"])
