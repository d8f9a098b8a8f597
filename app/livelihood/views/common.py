"""What the livelihood views share: loading a plan through the policy, labels, the detail page's context,
and the panel on the case page."""

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.models import User
from ...auth.permissions import authorize, ensure_authorized, has_permission
from ...extensions import db, htmx
from ...services import ServiceError
from ...units.queries import nearest_of_kind
from .. import forms, services
from ..models import LivelihoodPlan
from ..queries import plans_of_case

TIMELINE_WORDS = {
    "livelihood.create": _l("Lập kế hoạch sinh kế"),
    "livelihood.edit": _l("Sửa kế hoạch sinh kế"),
    "livelihood.submit": _l("Gửi kế hoạch sinh kế lên huyện"),
    "livelihood.approved": _l("Huyện duyệt kế hoạch sinh kế"),
    "livelihood.returned": _l("Huyện trả lại kế hoạch sinh kế để sửa"),
    "livelihood.rejected": _l("Huyện không duyệt kế hoạch sinh kế"),
    "livelihood.disburse": _l("Giải ngân hỗ trợ sinh kế"),
    "livelihood.visit": _l("Thăm giám sát sinh kế"),
    "livelihood.outcome": _l("Ghi kết quả sinh kế"),
    "livelihood.completed": _l("Kế hoạch sinh kế hoàn thành"),
    "livelihood.discontinued": _l("Dừng kế hoạch sinh kế"),
    "livelihood.read": _l("Xem kế hoạch sinh kế"),
    "livelihood.export": _l("Tải bảng tổng hợp sinh kế"),
}


def labels() -> dict:
    from ...cases import forms as case_forms
    from ...cases import reference_data as ref
    from ...web.i18n import translated

    found = dict(forms.LABELS)
    found.update(
        kind=dict(case_forms.KIND_CHOICES),
        sex=dict(case_forms.SEX_CHOICES),
        age_band=dict(translated(ref.AGE_BANDS)),
        ethnic=dict(translated(ref.ETHNIC_GROUPS)),
        risk=dict(translated(ref.RISK_LEVELS)),
    )
    return found


def register_case_panel() -> None:
    """Add the livelihood panel to the case page, and the livelihood words to its timeline."""
    from ...cases import timeline
    from ...cases.sections import register_section

    timeline.ACTIONS.update({k: v for k, v in TIMELINE_WORDS.items() if k not in timeline.ACTIONS})
    register_section("livelihood/_case_panel.html", order=50, context_fn=case_panel_context)


def case_panel_context(case, user) -> dict:
    """The plans of a case, and whether the user may draft one (the case page already checked read_full)."""
    return {
        "plans": plans_of_case(case.id),
        "can_propose": has_permission(user, "livelihood.propose")
        and authorize(user, "edit", case)
        and case.is_open
        and not case.is_erased,
    }


def load(plan_id, action: str = "read") -> LivelihoodPlan:
    """The plan, if the policy allows `action` (404 and an audited denial otherwise)."""
    return ensure_authorized(action, db.session.get(LivelihoodPlan, str(plan_id)))


def commune_of(case) -> str:
    commune = nearest_of_kind(case.unit, ("commune",))
    return commune.name if commune else case.unit.name


def names(ids) -> dict:
    ids = {i for i in ids if i}
    users = list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    return {u.id: u.display_name or u.username for u in users}


def refuse(form, exc: ServiceError, default: str) -> None:
    """Show a refused operation's message beside its field (or beside `default`)."""
    name = exc.field if exc.field and hasattr(form, exc.field) else default
    getattr(form, name).errors = list(getattr(form, name).errors) + [str(exc)]


def detail_context(plan: LivelihoodPlan, **given) -> dict:
    """Everything the plan page shows; forms given (with their errors) replace the blank ones."""
    from .. import budget

    can_work = has_permission(current_user, "livelihood.propose") and authorize(current_user, "work", plan)
    can_decide = has_permission(current_user, "livelihood.review") and authorize(current_user, "decide", plan)
    people = {plan.proposed_by_id, plan.decided_by_id, plan.closed_by_id}
    people |= {v.submitted_by_id for v in plan.versions} | {d.decided_by_id for d in plan.decisions}
    context = {
        "plan": plan,
        "case": plan.case,
        "commune": commune_of(plan.case),
        "readable": not plan.case.is_erased,
        "can_work": can_work,
        "can_decide": can_decide,
        "names": names(people),
        "decision_form": given.get("decision_form") or forms.DecisionForm(formdata=None),
        "disbursement_form": given.get("disbursement_form") or forms.DisbursementForm(formdata=None),
        "visit_form": given.get("visit_form") or forms.VisitForm(formdata=None),
        "outcome_form": given.get("outcome_form") or forms.OutcomeForm(formdata=None),
        "close_form": given.get("close_form") or forms.CloseForm(formdata=None),
        "funds": None,
    }
    if can_decide and plan.status == "submitted":
        context["funds"] = budget.budget_for(clock.today().year, budget.pool_of(plan.case.unit))
    return context


def render_detail(plan: LivelihoodPlan, **given):
    """The plan page, or only its body when htmx asked for it: either shows the plan's text, so either is an
    audited read (a fragment is no way around the audit)."""
    context = detail_context(plan, **given)
    if context["readable"]:
        services.record_read(plan, actor=current_user)
    if htmx.target == "plan-body":
        return render_template("livelihood/_plan_body.html", **context)
    return render_template("livelihood/detail.html", **context)
