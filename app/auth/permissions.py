"""Every access decision lives here: route permissions and object policies. Deny by default.

Each view declares `@permission_required("area.action")` (or `@public` for the short list of
pages anyone may open). Object-level checks go through `authorize(user, action, obj)`, which
dispatches to the policy that the object's area registered with `@policy(Model)`. A test walks the
URL map and fails on any endpoint that declares neither.
"""

from collections.abc import Callable
from functools import wraps
from typing import NoReturn, TypeVar

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

T = TypeVar("T")

PUBLIC = "public"

# permission -> roles that hold it. Nothing is allowed that is not listed here.
PERMISSIONS: dict[str, frozenset[str]] = {
    "account.self": frozenset(
        {"counsellor", "supervisor", "district_reviewer", "agency_officer", "dpo", "reporter", "monitor", "admin"}
    ),
    "admin.users": frozenset({"admin"}),
    "admin.units": frozenset({"admin"}),
    "admin.calendar": frozenset({"admin"}),
    # The second person of a change that could open case content (app/approvals): never the administrator.
    "approval.decide": frozenset({"supervisor", "district_reviewer"}),
    "audit.read": frozenset({"admin"}),
    "case.list": frozenset({"counsellor", "supervisor", "district_reviewer"}),
    "case.create": frozenset({"counsellor"}),
    "case.read": frozenset({"counsellor", "supervisor", "district_reviewer"}),
    "case.edit": frozenset({"counsellor"}),
    # Asking whether the person being taken in is already a case in ANOTHER commune (a trafficking survivor
    # often is): the answer names communes only, never a case, and every such check is audited.
    "case.duplicate_across": frozenset({"counsellor"}),
    # Handing a case to another counsellor or commune, and the receiving side's acceptance (counsellors only).
    "case.transfer": frozenset({"counsellor"}),
    # The supervisor's casework (pathway): its counsellors' caseload, sign-offs of high-risk safety plans and
    # closures. Access-grant approvals and the erasure sign-off are added beside these, not renamed.
    "supervision.view": frozenset({"supervisor"}),
    "supervision.sign_off": frozenset({"supervisor"}),
    "case.conference": frozenset({"counsellor", "supervisor"}),  # hold a case conference, close its actions
    "case.erase_request": frozenset({"admin"}),
    "case.erase_confirm": frozenset({"district_reviewer"}),
    "case.break_glass": frozenset({"district_reviewer"}),
    "followup.mine": frozenset({"counsellor"}),
    "livelihood.list": frozenset({"counsellor", "district_reviewer"}),
    "livelihood.propose": frozenset({"counsellor"}),
    "livelihood.review": frozenset({"district_reviewer"}),
    # The work queue ("Việc cần làm"): every role that can owe work; the monitor only reads aggregates.
    "work.queue": frozenset(
        {"counsellor", "supervisor", "district_reviewer", "agency_officer", "dpo", "reporter", "admin"}
    ),
    # The service directory is reference data, kept by the admin like the unit tree (no person data in it).
    "directory.manage": frozenset({"admin"}),
    "referral.list": frozenset({"counsellor", "agency_officer"}),
    "referral.send": frozenset({"counsellor"}),
    "referral.receive": frozenset({"agency_officer"}),
    "referral.forward": frozenset({"agency_officer"}),  # onward referral, within the survivor's consent
    "referral.map_agencies": frozenset({"admin"}),
    "indicator.view": frozenset({"district_reviewer", "reporter", "monitor", "counsellor"}),
    "indicator.report": frozenset({"reporter"}),
    "indicator.review": frozenset({"district_reviewer"}),
    "indicator.plan": frozenset({"district_reviewer"}),
    "indicator.reopen": frozenset({"admin"}),
    "indicator.export": frozenset({"district_reviewer", "reporter", "monitor"}),
    # Registers the reports count (app/registers): the commune reporter enters them; the reviewer above the
    # commune reads the entries (never the payments' person data); the monitor reads the aggregates only.
    "register.overview": frozenset({"reporter", "district_reviewer", "monitor"}),
    "register.read": frozenset({"reporter", "district_reviewer"}),
    "register.enter": frozenset({"reporter"}),
    "offline.capture": frozenset({"counsellor"}),
    "rights.record": frozenset({"counsellor"}),
    "rights.handle": frozenset({"counsellor", "dpo"}),
    "breach.manage": frozenset({"dpo"}),
    # The controller's duties (app/privacy), held by the data-protection officer (Law 91/2025 Art. 33): notice
    # versions, impact dossier, transfer agreements, retention schedule and decisions, processing register.
    # Organisation texts and record ids only, no case content.
    "privacy.manage": frozenset({"dpo"}),
    # The sensitive-data notice is read aloud to the survivor before consent: whoever records consent reads it.
    "privacy.notice_read": frozenset({"counsellor", "supervisor", "dpo"}),
    # Erasure asked by the survivor: a supervisor of the case's unit signs it off as the second person (step-up).
    "rights.erase_sign": frozenset({"supervisor"}),
    "offline.devices": frozenset({"counsellor", "supervisor"}),
    # Protection casework (app/protection): the case's counsellors record; the supervisor reads and co-signs
    # exception contacts (Decree 76/2023 Art. 18); reviewers and monitors see the coded statistics only.
    "protection.read": frozenset({"counsellor", "supervisor"}),
    "protection.edit": frozenset({"counsellor"}),
    "protection.cosign": frozenset({"supervisor"}),
    "protection.stats": frozenset({"counsellor", "supervisor", "district_reviewer", "monitor"}),
    # The official statistics outputs (app/statistics): aggregates, small cells suppressed. The pages for whoever
    # sees the protection statistics; the files (Circular 07/2017, GBVIMS tables) for those who send reports up,
    # not for counsellors; the record-level export for the national database (Decree 110/2025) for a reviewer
    # scoped to a province only (the view checks the level), after step-up, audited.
    "statistics.view": frozenset({"counsellor", "supervisor", "district_reviewer", "monitor"}),
    "statistics.export": frozenset({"supervisor", "district_reviewer", "monitor"}),
    "statistics.national_export": frozenset({"district_reviewer"}),
}

_POLICIES: dict[type, Callable[..., bool]] = {}


def public(view):
    """Mark a view as open to anyone (login, health check, quick exit). Keep this list short."""
    view._permission = PUBLIC
    return view


def permission_required(permission: str):
    """Allow the view only to a signed-in user holding `permission`; record every denial."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not has_permission(current_user, permission):
                deny(permission)
            if current_user.must_change_password and not getattr(view, "_before_password_change", False):
                return _to_password_change()
            return view(*args, **kwargs)

        wrapped._permission = permission  # type: ignore[attr-defined]  # read by the URL-map test
        return wrapped

    return decorator


def before_password_change(view):
    """Mark a view a user who must change their password may still open (the change page, sign-out)."""
    view._before_password_change = True
    return view


def _to_password_change():
    """A user with a temporary password reaches nothing else until they have chosen their own."""
    target = url_for("auth.password")
    if request.headers.get("HX-Request") == "true":
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


def has_permission(user, permission: str) -> bool:
    return bool(user.is_authenticated and user.role_names() & PERMISSIONS[permission])


def policy(model):
    """Register the object policy for a model: fn(user, action, obj) -> bool."""

    def decorator(fn):
        _POLICIES[model] = fn
        return fn

    return decorator


def authorize(user, action: str, obj) -> bool:
    """May `user` do `action` on `obj`? False for anything no policy allows."""
    if obj is None or not user.is_authenticated:
        return False
    fn = _POLICIES.get(type(obj))
    return bool(fn and fn(user, action, obj))


def ensure_authorized(action: str, obj: T | None, *, status: int = 404) -> T:
    """Abort unless the current user may do `action` on `obj`. 404 by default: do not confirm existence."""
    if obj is None or not authorize(current_user, action, obj):
        deny(action, obj, status=status)
    return obj


def deny(permission: str, obj=None, *, status: int = 403) -> NoReturn:
    """Record the denial through the independent audit path (it outlives the request's undone work), then abort."""
    from ..audit import services as audit

    audit.record_independently(
        current_user if current_user.is_authenticated else None,
        "access.denied",
        obj,
        result="denied",
        detail={"permission": permission, "endpoint": request.endpoint or ""},
    )
    abort(status)


def _to_login():
    state = g.get("auth_state")
    if state == "totp_pending":
        target = url_for("auth.totp")
    elif state == "enrol_required":
        target = url_for("auth.totp_setup")
    else:
        target = url_for("auth.login")
        if g.get("expired_user_id"):
            from ..web.drafts import keep_late_form

            kept = keep_late_form(g.expired_user_id)
            if kept == "draft-endpoint":  # the idle lock's own save: done, it moves on to the login page
                return "", 204
            if kept:
                target = url_for("auth.login", expired=1, next=kept)
    if request.headers.get("HX-Request") == "true":
        # htmx follows HX-Redirect with a full page load; a 401 would not be swapped.
        return "", 204, {"HX-Redirect": target}
    return redirect(target)
