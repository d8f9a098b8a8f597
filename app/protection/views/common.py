"""What the protection views share: loading through the scope and the policy, the page context, the case panel."""

from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...auth.models import User
from ...auth.permissions import authorize, ensure_authorized
from ...cases.models import FollowUp
from ...extensions import db
from ...services import ServiceError
from ...web import unit_of_work
from ...web.filters import date_vn
from ...web.forms import options
from .. import clocks, forms, queries
from ..permissions import ProtectionFile

TIMELINE_WORDS = {
    "protection.perpetrator": _l("Ghi người gây bạo lực"),
    "protection.incident": _l("Ghi vụ việc bạo lực"),
    "protection.measure": _l("Ghi biện pháp bảo vệ, hỗ trợ"),
    "protection.order_request": _l("Ghi yêu cầu cấm tiếp xúc"),
    "protection.order_granted": _l("Ghi quyết định cấm tiếp xúc"),
    "protection.order_refused": _l("Ghi việc không ra quyết định cấm tiếp xúc"),
    "protection.order_change": _l("Sửa quyết định cấm tiếp xúc"),
    "protection.order_renewal": _l("Gia hạn cấm tiếp xúc (quyết định mới)"),
    "protection.order_copy": _l("Ghi gửi bản sao quyết định"),
    "protection.order_breach": _l("Ghi vi phạm lệnh"),
    "protection.exception_request": _l("Đề nghị tiếp xúc (Mẫu số 09)"),
    "protection.exception_cosign": _l("Ký duyệt đề nghị tiếp xúc"),
    "protection.identification": _l("Ghi xác định nạn nhân"),
    "protection.identification_edit": _l("Cập nhật xác định nạn nhân"),
    "protection.evidence": _l("Ghi giấy tờ xác nhận nạn nhân"),
    "protection.entitlement": _l("Ghi chế độ hỗ trợ"),
    "protection.entitlement_edit": _l("Cập nhật chế độ hỗ trợ"),
    "protection.notice": _l("Ghi thông báo UBND xã"),
    "protection.risk": _l("Đánh giá lại nguy cơ"),
    "protection.risk_reviewed": _l("Rà soát kế hoạch an toàn"),
}

# The "add" forms of the case page, each with its prefix (several have a "note" field).
CASE_FORMS = {
    "perpetrator": forms.PerpetratorForm,
    "incident": forms.IncidentEntryForm,
    "measure": forms.MeasureForm,
    "order": forms.OrderRequestForm,
    "identification": forms.IdentificationForm,
    "evidence": forms.EvidenceForm,
    "entitlement": forms.EntitlementForm,
    "notice": forms.NoticeForm,
    "risk": forms.RiskForm,
}


def load_case(case_id, action: str = "read"):
    """The case, only through the scope and the protection policy (404 and an audited denial otherwise)."""
    case = queries.case_for(current_user, str(case_id))
    ensure_authorized(action, ProtectionFile(case) if case is not None else None)
    return case


def load_part(model, part_id, action: str = "read"):
    """A row of a case (order, entitlement…), only through the scope of its case and the policy."""
    return ensure_authorized(action, queries.part_for(current_user, model, str(part_id)))


def can(action: str, case) -> bool:
    return authorize(current_user, action, ProtectionFile(case))


def refuse(form, exc: ServiceError, default: str) -> None:
    """Show a refused operation's message beside its field (or beside `default`)."""
    name = exc.field if exc.field and hasattr(form, exc.field) else default
    getattr(form, name).errors = list(getattr(form, name).errors) + [str(exc)]


def attempt(form, default_field: str, operation) -> bool:
    """Validate and run; a refusal goes beside its field and what the operation wrote is undone."""
    if not form.validate():
        return False
    try:
        with unit_of_work.attempt():
            operation()
    except ServiceError as exc:
        refuse(form, exc, default_field)
        return False
    return True


def done(message: str, endpoint: str, anchor: str, **values):
    """After a change: say so and go back to the page (303); the request commits (unit of work)."""
    flash(message, "success")
    return redirect(url_for(endpoint, _anchor=anchor, **values), 303)


def confirm(form, operation, message: str, endpoint: str, anchor: str, **values):
    """A one-button change (co-sign, reviewed): done, or its refusal said at the top of the page."""
    if not form.validate():
        flash(_l("Phiên làm việc đã hết hạn, vui lòng thử lại."), "error")
        return redirect(url_for(endpoint, _anchor=anchor, **values), 303)
    try:
        with unit_of_work.attempt():
            operation()
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for(endpoint, _anchor=anchor, **values), 303)
    return done(message, endpoint, anchor, **values)


def names(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids)))
    return {row.id: row.display_name or row.username for row in rows}


def with_choices(case, form, parts: dict):
    """Fill the choice lists that depend on the case (its perpetrators, its follow-ups)."""
    people = [(p.id, person_label(p)) for p in parts["perpetrators"]]
    if isinstance(form, forms.IncidentEntryForm):
        form.perpetrator_ids.choices = options(people)
    elif isinstance(form, forms.OrderRequestForm):
        form.perpetrator_id.choices = options(forms.blank(), people)
    elif isinstance(form, forms.RiskForm):
        followups = db.session.scalars(
            select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.due_on.desc())
        ).all()
        form.followup_id.choices = options(forms.blank(), [(f.id, date_vn(f.due_on)) for f in followups])
    return form


def person_label(perpetrator) -> str:
    """How a perpetrator is named in lists: their name for those who may read it, else the coded fields."""
    from flask_babel import get_locale

    from ..views import _labels_in

    labels = _labels_in(str(get_locale()))
    coded = (
        f"{labels['relation'].get(perpetrator.relation, perpetrator.relation)}, "
        f"{labels['age'].get(perpetrator.age_band, perpetrator.age_band)}"
    )
    return f"{perpetrator.full_name} ({coded})" if perpetrator.full_name else coded


def recurrence(incidents) -> dict:
    """How often violence came back: the count, the first and latest, and how many in the last 12 months."""
    if not incidents:
        return {"count": 0}
    days = sorted(i.sort_day for i in incidents)
    year_ago = clock.today().replace(year=clock.today().year - 1)
    return {"count": len(days), "first": days[0], "last": days[-1], "last_year": sum(1 for d in days if d > year_ago)}


def trend(assessments) -> list[dict]:
    """The risk levels in order, each with whether it rose, fell or stayed."""
    ranks = {"low": 0, "medium": 1, "high": 2}
    rows, previous = [], None
    for a in assessments:
        move = (
            "same"
            if previous is None or ranks[a.level] == ranks[previous]
            else ("up" if ranks[a.level] > ranks[previous] else "down")
        )
        rows.append({"assessment": a, "move": move})
        previous = a.level
    return rows


def case_page_context(case, **given) -> dict:
    parts = queries.case_parts(case)
    can_edit = can("edit", case)
    context = {
        "case": case,
        "parts": parts,
        "can_edit": can_edit,
        "running": clocks.running(parts),
        "recurrence": recurrence(parts["incidents"]),
        "trend": trend(parts["assessments"]),
        "trafficking": case.kind in ("trafficking", "both"),
        "today": clock.today(),
        "names": names({a.created_by_id for a in parts["assessments"]}),
        "confirm_form": forms.ConfirmForm(),
        "entitlement_forms": {},
    }
    if can_edit:
        for name, cls in CASE_FORMS.items():
            form = given.get(f"{name}_form") or cls(formdata=None, prefix=name, **_defaults(name, parts))
            context[f"{name}_form"] = with_choices(case, form, parts)
        context["entitlement_forms"] = {
            e.id: given.get("entitlement_forms", {}).get(e.id)
            or forms.EntitlementUpdateForm(formdata=None, prefix=f"ent-{e.id}", obj=e)
            for e in parts["entitlements"]
        }
    context["open_form"] = given.get("open_form")
    return context


def _defaults(name: str, parts: dict) -> dict:
    today = clock.today()
    if name == "identification" and parts["identification"] is not None:
        return {"obj": parts["identification"]}
    if name == "measure":
        return {"decided_on": today, "outcome": "ongoing"}
    if name == "risk":
        return {"assessed_on": today}
    if name == "order":
        return {"requested_on": today, "requested_time": clock.local_now().time().replace(second=0, microsecond=0)}
    if name == "notice":
        return {"notified_on": today}
    if name == "entitlement":
        return {"granted_on": today}
    return {}


def render_case(case, **given):
    context = case_page_context(case, **given)
    return render_template("protection/case.html", **context)


def register_case_panel() -> None:
    """Add the legal-steps panel to the case page (next to the follow-ups), and the words to its timeline and
    to the audit page."""
    from ...audit import labels as audit_labels
    from ...cases import timeline
    from ...cases.sections import register_section

    timeline.ACTIONS.update({k: v for k, v in TIMELINE_WORDS.items() if k not in timeline.ACTIONS})
    audit_labels.register(TIMELINE_WORDS)  # the audit page reads the same words
    register_section("protection/_case_panel.html", order=20, context_fn=case_panel_context)


def case_panel_context(case, user) -> dict | None:
    """What runs now for this case: open clocks, recurrence, the latest risk level (None hides the panel)."""
    if case.is_erased or not authorize(user, "read", ProtectionFile(case)):
        return None
    parts = queries.case_parts(case)
    return {
        "running": clocks.running(parts),
        "recurrence": recurrence(parts["incidents"]),
        "latest_risk": parts["assessments"][-1] if parts["assessments"] else None,
        "orders": [o for o in parts["orders"] if o.status in ("requested", "granted") and not o.has_ended()],
        "identification": parts["identification"],
    }
