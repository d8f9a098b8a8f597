"""Livelihood pages: the counsellor's plans and the district's review queue, a plan with its versions,
decision, disbursements, visits and outcomes, the district overview and its Excel export."""

from flask import Blueprint

from ...web.labels import labels

bp = Blueprint("livelihood", __name__)


@labels("lv")
def code_labels() -> dict:
    """Labels of the stored codes, for every livelihood template (and the case panel)."""
    from .common import labels as livelihood_labels

    return livelihood_labels()


from . import plans, review, work  # noqa: E402,F401 - the routes register on bp
from .common import register_case_panel  # noqa: E402

register_case_panel()
