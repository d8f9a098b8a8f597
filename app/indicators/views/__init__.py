"""Indicator pages: the dashboard and its Excel report, targets, registry of models, reports and their
review, the activity plan and the budget."""

from flask import Blueprint

from ...web.labels import labels

bp = Blueprint("indicators", __name__, url_prefix="/indicators")


@labels("ind_labels")
def code_labels():
    """Labels of the stored codes, for every indicator template."""
    from .. import forms, plan_forms
    from ..rules import DISAGGREGATION_LABELS, DISAGGREGATION_OPTIONS
    from .common import STATUS_LABELS

    return {
        "model_kind": forms.MODEL_KIND_LABELS,
        "model_status": forms.MODEL_STATUS_LABELS,
        "round": forms.ROUND_LABELS,
        "activity_status": forms.ACTIVITY_STATUS_LABELS,
        "source": forms.SOURCE_LABELS,
        "status": STATUS_LABELS,
        "dimension": DISAGGREGATION_LABELS,
        "options": {k: dict(v) for k, v in DISAGGREGATION_OPTIONS.items()},
        "plan_status": plan_forms.STATUS_LABELS,
        "frequency": plan_forms.FREQUENCY_LABELS,
        "cycle_round": plan_forms.CYCLE_ROUND_LABELS,
        "level": plan_forms.LEVEL_LABELS,
        "kind": plan_forms.KIND_LABELS,
    }


from .. import permissions  # noqa: E402,F401 - registers the object policies
from . import dashboard, plan_editor, plan_lines, planning, registry, reports  # noqa: E402,F401 - the routes register on bp
