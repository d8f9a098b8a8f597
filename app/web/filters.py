"""Template filters: Vietnamese dates (dd/mm/yyyy, Asia/Ho_Chi_Minh) and money (12.380.000 đ)."""

from datetime import date, datetime

from flask import g
from flask_babel import get_translations

from ..clock import local


def date_vn(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def datetime_vn(value) -> str:
    if value is None:
        return ""
    return local(value).strftime("%d/%m/%Y %H:%M")


def group_thousands(value: int) -> str:
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def money(value) -> str:
    """12380000 -> '12.380.000 đ' (store integer đồng; show the unit)."""
    if value is None or value == "":
        return ""
    return f"{group_thousands(value)} đ"


def number(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return group_thousands(int(value))


def register(app) -> None:
    from .i18n import label
    app.jinja_env.filters.update(date_vn=date_vn, datetime_vn=datetime_vn, money=money, number=number, label=label)
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
