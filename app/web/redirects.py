"""One rule for every `next` parameter: a path on this site, or the fallback. Never another host.

Browsers forgive a lot: `/\\evil.example`, `/<TAB>/evil.example` and `//evil.example` all leave the site, and
proxies or frameworks may decode `%2F%2F`, `%5C` or `%09` once more before the browser sees them. So the target
is decoded repeatedly and refused when any form of it carries a backslash, a control character, a doubled
slash, a scheme or a host.
"""

from urllib.parse import unquote, urlsplit

_MAX_DECODES = 4
_MAX_LENGTH = 2000


def _is_safe_form(text: str) -> bool:
    if not text.startswith("/") or "\\" in text or "//" in text:
        return False
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_next(target, fallback: str = "/") -> str:
    """`target` if it is a relative path on this site (in every decoded form), otherwise `fallback`."""
    if not isinstance(target, str) or not target or len(target) > _MAX_LENGTH:
        return fallback
    text = target
    for _ in range(_MAX_DECODES):
        if not _is_safe_form(text):
            return fallback
        decoded = unquote(text)
        if decoded == text:
            return target
        text = decoded
    return fallback  # still changing after several decodings: nobody needs that
