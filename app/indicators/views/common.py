"""What the indicator views share: the viewer's unit and year, loading objects through the user's scope."""

import uuid

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import clock
from ...auth.permissions import deny, ensure_authorized
from ...extensions import db
from ...units.models import Unit
from ...web.forms import whole_number
from .. import queries
from ..permissions import UnitTask

STATUS_LABELS = {
    "not_started": _l("Chưa lập"),
    "draft": _l("Đang soạn"),
    "submitted": _l("Đã gửi"),
    "returned": _l("Bị trả lại"),
    "confirmed": _l("Đã xác nhận"),
    "locked": _l("Đã khóa"),
}
FIRST_YEAR, LAST_YEAR = 2021, 2035


def selected_year(name: str = "year", default: int | None = None) -> int:
    """A year from the query string, kept within the programme's years."""
    year = whole_number(request.args.get(name), 1, 9999) or default or clock.today().year
    return min(max(year, FIRST_YEAR), LAST_YEAR)


def viewer_root() -> Unit:
    """The unit the user sees first; a user with no indicator role's unit is refused."""
    root = queries.root_unit(current_user)
    if root is None:
        deny("indicator.view", status=404)
    return root


def uuid_or_none(value) -> str | None:
    """An id typed into a form or a URL, only if it is a UUID: anything else (a NUL byte, which PostgreSQL refuses
    in a query and would turn into a 503) finds nothing."""
    try:
        return str(uuid.UUID(str(value)[:36])) if value else None
    except ValueError:
        return None


def unit_in_scope(unit_id: str | None, action: str) -> Unit:
    """A unit the user may `action` for (404, audited, otherwise)."""
    key = uuid_or_none(unit_id)
    unit = db.session.get(Unit, key) if key else None
    if unit is None:
        deny(action, UnitTask(unit), status=404)
    ensure_authorized(action, UnitTask(unit))
    return unit


def focus_unit(root: Unit) -> Unit:
    """The commune chosen with ?unit= (within the user's view scope), else the root."""
    unit_id = request.args.get("commune") or request.args.get("unit")
    if not unit_id or unit_id == root.id:
        return root
    return unit_in_scope(unit_id[:36], "view")


def year_choices() -> list[int]:
    return list(range(FIRST_YEAR, max(clock.today().year, 2025) + 1))
