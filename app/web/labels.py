"""The one registry of code labels for templates.

Each area registers, by the name its templates use, a function returning its code lists (`{"sex": {"female":
_l("Nữ")}, …}`); one context processor hands every registered name to every template, worked out once per
language as plain text (a list of 25 rows would otherwise look each label up in the catalogue again, and
every page renders it).
"""

from collections.abc import Callable
from functools import lru_cache

from flask_babel import get_locale
from flask_babel.speaklater import LazyString

_BUILDERS: dict[str, Callable[[], object]] = {}


def labels(name: str):
    """Register the builder of the template global `name` (an area's code lists)."""

    def decorator(builder):
        if name in _BUILDERS and _BUILDERS[name] is not builder:
            raise ValueError(f"label list {name!r} is registered twice")
        _BUILDERS[name] = builder
        _resolved.cache_clear()
        return builder

    return decorator


def _plain(value):
    """Lazy labels made plain text, through dicts, lists and pairs."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return str(value) if isinstance(value, LazyString) else value


@lru_cache(maxsize=8)
def _resolved(locale: str) -> dict:
    """Every registered list in one language (`locale` is the cache key; the lookups use the request's
    language, which is the same)."""
    return {name: _plain(builder()) for name, builder in _BUILDERS.items()}


def context() -> dict:
    return _resolved(str(get_locale()))


def install(app) -> None:
    app.context_processor(context)
