"""Referral pages: the inbox and outbox, sending from a case, the agency's answers, the slip, the agency map."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")


@bp.app_context_processor
def code_labels():
    """Vietnamese labels of the stored codes, for the referral templates (the case page's panel too)."""
    from .common import LABELS
    return {"ref_labels": LABELS}


from .. import work  # noqa: E402,F401 - registers the referral work-queue sources
from . import agency, listing, mapping, sender  # noqa: E402,F401 - the routes register on bp
from .common import register_case_panel  # noqa: E402

register_case_panel()
