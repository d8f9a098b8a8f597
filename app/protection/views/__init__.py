"""Protection casework pages: a case's legal steps (incidents, perpetrators, measures, identification,
entitlements, notifications, risk), a no-contact order's own page, and the coded statistics."""

from functools import lru_cache

from flask import Blueprint

bp = Blueprint("protection", __name__, url_prefix="/protection")


@bp.app_context_processor
def protection_labels():
    """Labels of the stored codes in the reader's language (also for the panel on the case page)."""
    from flask_babel import get_locale

    return {"pl": _labels_in(str(get_locale()))}


@lru_cache(maxsize=4)
def _labels_in(locale: str) -> dict:
    from ..reference_data import labels

    return labels()


from .. import work  # noqa: E402,F401 - registers the work-queue sources
from . import casework, orders, statistics  # noqa: E402,F401 - the routes register on bp
from .common import register_case_panel  # noqa: E402

register_case_panel()
