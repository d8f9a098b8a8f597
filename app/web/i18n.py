"""Code-list labels (pure data, marked with N_) shown in the reader's language."""

from flask_babel import lazy_gettext


def translated(items) -> list[tuple]:
    """The (code, label) pairs with each plain label looked up in the catalogue when it is shown."""
    return [(code, lazy_gettext(label) if isinstance(label, str) else label) for code, label in items]


def label(text):
    """A stored label (e.g. "%" or "tổ") in the reader's language; unlike Jinja's _(), never %-formatted."""
    from flask_babel import gettext

    return gettext(text) if text else text
