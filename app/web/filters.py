"""Template filters: Vietnamese dates (dd/mm/yyyy, Asia/Ho_Chi_Minh) and numbers (12.380.000 đ), by Babel.

Numbers and dates are always written the Vietnamese way (the English pages too: the figures are Vietnamese
records, and a date read as mm/dd would be a different day).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import g
from flask_babel import get_translations

from ..clock import VN, local

LOCALE = "vi"


def date_vn(value) -> str:
    """A date, or the Vietnamese day of a timestamp: 06/03/2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, "dd/MM/yyyy", locale=LOCALE) if isinstance(value, date) else str(value)


def datetime_vn(value, pattern: str = "dd/MM/yyyy HH:mm") -> str:
    """A timestamp in Việt Nam's time: 06/03/2026 07:05."""
    if value is None:
        return ""
    return format_datetime(local(value), pattern, tzinfo=VN, locale=LOCALE)


def group_thousands(value: int) -> str:
    """12380000 -> '12.380.000'."""
    return format_decimal(int(value), format="#,##0", locale=LOCALE)


def money(value) -> str:
    """12380000 -> '12.380.000 đ' (store integer đồng; show the unit)."""
    if value is None or value == "":
        return ""
    return f"{group_thousands(value)} đ"


def number(value) -> str:
    """Whole numbers grouped (1.234), others with one decimal, rounded half up (1.234,5)."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and not value.is_integer():
        rounded = Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return format_decimal(rounded, format="#,##0.0", locale=LOCALE)
    return group_thousands(int(value))


def register(app) -> None:
    from ..units.queries import unit_label
    from .i18n import label
    from .table_labels import label_tables

    app.jinja_env.filters.update(
        date_vn=date_vn,
        datetime_vn=datetime_vn,
        money=money,
        number=number,
        label=label,
        label_tables=label_tables,
        unit_label=unit_label,
    )
    _install_request_gettext(app)


def _install_request_gettext(app) -> None:
    """Templates' _() and ngettext() read the request's catalogue from `g`, found once per request.

    Flask-Babel's own callables look the catalogue up again on every call (about ten context-local lookups
    each); a list page calls _() some eighty times. The locale is fixed for a request (the `lang` cookie),
    so one lookup serves them all.
    """

    def translations():
        found = g.get("_request_translations")
        if found is None:
            found = g._request_translations = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
