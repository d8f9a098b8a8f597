"""Livelihood pages: the counsellor's plans and the district's review queue, a plan with its versions,
decision, disbursements, visits and outcomes, the district overview and its Excel export."""

from functools import lru_cache

from flask import Blueprint

bp = Blueprint("livelihood", __name__)


@bp.app_context_processor
def livelihood_labels():
    """Vietnamese labels of the stored codes, for every livelihood template (and the case panel)."""
    from flask_babel import get_locale
    return {"lv": _labels_in(str(get_locale()))}


@lru_cache(maxsize=4)
def _labels_in(locale: str) -> dict:
    """The labels as plain text, once per language (every page of the app renders this processor)."""
    from .common import labels
    return {name: {code: str(text) for code, text in values.items()} if isinstance(values, dict) else values
            for name, values in labels().items()}


from . import plans, review, work  # noqa: E402,F401 - the routes register on bp
from .common import register_case_panel  # noqa: E402

register_case_panel()
