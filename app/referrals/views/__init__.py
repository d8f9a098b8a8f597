"""Referral pages: the inbox and outbox, sending from a case, the agency's answers, the slip, the agency map."""

from flask import Blueprint

from ...web.labels import labels

bp = Blueprint("referrals", __name__, url_prefix="/referrals")


@labels("ref_labels")
def code_labels():
    """Labels of the stored codes, for the referral templates (the case page's panel too)."""
    from .common import LABELS

    return LABELS


from .. import work  # noqa: E402,F401 - registers the referral work-queue sources
from . import agency, listing, mapping, sender  # noqa: E402,F401 - the routes register on bp
from .common import register_case_panel  # noqa: E402

register_case_panel()
