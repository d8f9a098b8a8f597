"""Livelihood pages: the counsellor's plans and the district's review queue, a plan with its versions,
decision, disbursements, visits and outcomes, the district overview and its Excel export."""

from flask import Blueprint

bp = Blueprint("livelihood", __name__)


@bp.after_request
def no_store(response):
    """Plan pages tell personal circumstances: never cached, and fragments vary by htmx target."""
    response.headers["Cache-Control"] = "no-store"
    response.vary.update(("HX-Request", "HX-Target"))
    return response


@bp.app_context_processor
def livelihood_labels():
    """Vietnamese labels of the stored codes, for every livelihood template (and the case panel)."""
    from .common import labels
    return {"lv": labels()}


from . import plans, review, work  # noqa: E402,F401 - the routes register on bp
from .common import register_case_panel  # noqa: E402

register_case_panel()
