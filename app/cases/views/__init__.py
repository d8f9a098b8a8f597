"""Case pages: the list and search, intake and edit, the case page and its panels, my follow-ups, erasure."""

from flask import Blueprint

from ...web.labels import labels

bp = Blueprint("cases", __name__, url_prefix="/cases")


from .. import work  # noqa: E402,F401 - registers the follow-up work-queue source
from . import erase, listing, panels, records  # noqa: E402,F401 - the routes register on bp


@labels("labels")
def code_labels() -> dict:
    """Labels of the stored codes, for every case template."""
    from ...web.i18n import translated
    from .. import forms
    from .. import reference_data as ref

    lists = {
        "kind": forms.KIND_CHOICES,
        "sex": forms.SEX_CHOICES,
        "age_band": ref.AGE_BANDS,
        "ethnic": ref.ETHNIC_GROUPS,
        "poverty": ref.POVERTY_STATUSES,
        "risk": ref.RISK_LEVELS,
        "purpose": ref.CONSENT_PURPOSES,
        "method": ref.CONSENT_METHODS,
        "given_by": forms.GIVEN_BY,
        "service": ref.SERVICE_KINDS,
        "service_status": forms.SERVICE_STATUSES,
        "closure": ref.CLOSURE_REASONS,
        "language": ref.LANGUAGES,
        "dv_act": forms.DV_ACT_CODES,
        "dv_group": ref.DV_ACT_GROUPS,
        "tr_status": ref.TRAFFICKING_STATUSES,
        "exploitation": ref.EXPLOITATION_FORMS,
        "channel": ref.IDENTIFICATION_CHANNELS,
        "contact": forms.CONTACT_CHANNELS,
        "order_issuer": forms.ORDER_ISSUERS,
        "consent_language": ref.CONSENT_LANGUAGES,
    }
    return {name: dict(translated(items)) for name, items in lists.items()}


@labels("dv_acts_by_group")
def dv_acts_by_group() -> dict:
    from ...web.i18n import translated
    from .. import reference_data as ref

    return {group: translated(acts) for group, acts in ref.DV_ACTS.items()}


@bp.app_template_filter("case_day")
def case_day(value) -> str:
    """dd/mm/yyyy for a date kept as ISO text inside a sealed JSON field."""
    from datetime import date

    from ...web.filters import date_vn

    try:
        return date_vn(date.fromisoformat(value)) if isinstance(value, str) else date_vn(value)
    except ValueError:
        return ""
