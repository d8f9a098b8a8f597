"""The protection page of a case and the steps recorded on it."""

from flask_babel import gettext as _
from flask_login import current_user

from ...auth.permissions import permission_required
from .. import services
from ..models import Entitlement, Identification, RiskAssessment
from ..services import at_vn
from . import bp
from .common import CASE_FORMS, attempt, confirm, done, load_case, load_part, render_case, with_choices


def _data(form) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _record(case_id, name: str, default_field: str, operation, message: str, then=None):
    """Validate the case page's `name` form, run the service, commit once; otherwise re-render with the errors.

    `then(made)` names the page to go to afterwards (endpoint, anchor, values); the case page by default."""
    from .. import queries

    case = load_case(case_id, "edit")
    form = with_choices(case, CASE_FORMS[name](prefix=name), queries.case_parts(case))
    made = []
    if attempt(form, default_field, lambda: made.append(operation(case, form))):
        endpoint, anchor, values = then(made[0]) if then else ("protection.case", name, {"case_id": case.id})
        return done(message, endpoint, anchor, **values)
    return render_case(load_case(case_id, "edit"), open_form=name, **{f"{name}_form": form})


@bp.get("/cases/<uuid:case_id>")
@permission_required("protection.read")
def case(case_id):
    """A case's legal steps: incidents, perpetrators, measures, orders, identification, regimes, risk."""
    return render_case(load_case(case_id, "read"))


@bp.post("/cases/<uuid:case_id>/perpetrators")
@permission_required("protection.edit")
def add_perpetrator(case_id):
    """Record a perpetrator (coded; identity sealed)."""
    return _record(
        case_id,
        "perpetrator",
        "relation",
        lambda case, form: services.add_perpetrator(case, _data(form), actor=current_user),
        _("Đã ghi người gây bạo lực."),
    )


@bp.post("/cases/<uuid:case_id>/incidents")
@permission_required("protection.edit")
def add_incident(case_id):
    """Record an incident."""
    return _record(
        case_id,
        "incident",
        "occurred_on",
        lambda case, form: services.add_incident(case, _data(form), actor=current_user),
        _("Đã ghi vụ việc."),
    )


@bp.post("/cases/<uuid:case_id>/measures")
@permission_required("protection.edit")
def add_measure(case_id):
    """Record a protective or support measure (Law 13/2022 Art. 22)."""
    return _record(
        case_id,
        "measure",
        "measure",
        lambda case, form: services.add_measure(case, _data(form), actor=current_user),
        _("Đã ghi biện pháp."),
    )


@bp.post("/cases/<uuid:case_id>/orders")
@permission_required("protection.edit")
def request_order(case_id):
    """Record a request for a no-contact order; its page opens with the decision clock."""

    def operation(case, form):
        data = _data(form)
        data["requested_at"] = at_vn(data["requested_on"], data["requested_time"])
        return services.request_order(case, data, actor=current_user)

    return _record(
        case_id,
        "order",
        "requested_by",
        operation,
        _("Đã ghi yêu cầu cấm tiếp xúc."),
        then=lambda order: ("protection.order", "order-state", {"order_id": order.id}),
    )


@bp.post("/cases/<uuid:case_id>/identification")
@permission_required("protection.edit")
def save_identification(case_id):
    """Record or update the trafficking identification (Law 53/2024 Art. 27)."""
    return _record(
        case_id,
        "identification",
        "received_by",
        lambda case, form: services.save_identification(case, _data(form), actor=current_user),
        _("Đã lưu bước xác định nạn nhân."),
    )


@bp.post("/cases/<uuid:case_id>/evidence")
@permission_required("protection.edit")
def add_evidence(case_id):
    """Add a document evidencing victim status (Art. 32–33)."""
    from ...services import ensure_found

    def operation(case, form):
        from sqlalchemy import select

        from ...extensions import db

        ident = ensure_found(
            db.session.scalar(select(Identification).where(Identification.case_id == case.id)),
            _("Ghi bước tiếp nhận trước khi thêm giấy tờ."),
            "kind",
        )
        return services.add_evidence(ident, _data(form), actor=current_user)

    return _record(case_id, "evidence", "kind", operation, _("Đã ghi giấy tờ."))


@bp.post("/cases/<uuid:case_id>/entitlements")
@permission_required("protection.edit")
def grant_entitlement(case_id):
    """Record a support regime (Decree 162/2025 Art. 17–25)."""
    return _record(
        case_id,
        "entitlement",
        "regime",
        lambda case, form: services.grant_entitlement(case, _data(form), actor=current_user),
        _("Đã ghi chế độ hỗ trợ."),
    )


@bp.post("/entitlements/<uuid:entitlement_id>")
@permission_required("protection.edit")
def update_entitlement(entitlement_id):
    """Record when an entitlement started or ended."""
    from ..forms import EntitlementUpdateForm

    ent = load_part(Entitlement, entitlement_id, "edit")
    case_id = ent.case_id
    form = EntitlementUpdateForm(prefix=f"ent-{ent.id}")
    if attempt(form, "ended_on", lambda: services.update_entitlement(ent, _data(form), actor=current_user)):
        return done(_("Đã cập nhật chế độ hỗ trợ."), "protection.case", "entitlements", case_id=case_id)
    return render_case(load_case(case_id, "edit"), open_form="entitlements", entitlement_forms={ent.id: form})


@bp.post("/cases/<uuid:case_id>/notices")
@permission_required("protection.edit")
def record_notice(case_id):
    """Record the trusted address's notification to the UBND xã (Law 13/2022 Art. 19)."""
    return _record(
        case_id,
        "notice",
        "notified_on",
        lambda case, form: services.record_notice(case, _data(form), actor=current_user),
        _("Đã ghi thông báo."),
    )


@bp.post("/cases/<uuid:case_id>/risk")
@permission_required("protection.edit")
def assess_risk(case_id):
    """Record a risk reassessment (the same coded questions each time)."""

    def operation(case, form):
        data = {
            "assessed_on": form.assessed_on.data,
            "followup_id": form.followup_id.data,
            "answers": form.answers(),
            "note": form.note.data,
        }
        return services.assess_risk(case, data, actor=current_user)

    return _record(case_id, "risk", "assessed_on", operation, _("Đã ghi đánh giá nguy cơ."))


@bp.post("/risk/<uuid:assessment_id>/reviewed")
@permission_required("protection.edit")
def mark_reviewed(assessment_id):
    """Record that the safety plan was reviewed after a rise to high risk."""
    from ..forms import ConfirmForm

    assessment = load_part(RiskAssessment, assessment_id, "edit")
    case_id = assessment.case_id
    return confirm(
        ConfirmForm(),
        lambda: services.mark_reviewed(assessment, actor=current_user),
        _("Đã ghi việc rà soát kế hoạch an toàn."),
        "protection.case",
        "risk",
        case_id=case_id,
    )
