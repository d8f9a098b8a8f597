"""Flashed messages are shown once, in what the user is looking at.

A whole page shows them at its top (base.html). An htmx answer is only a fragment swapped into the page, so the
fragment shows them itself (templates/_macros/flashes.html): a refusal flashed by a view that answers htmx
would otherwise wait unseen for the next whole page, the click having seemed to do nothing. The same macro
inside a whole page shows nothing more: the page's top has taken them all (with every category, so that none
is dropped on the way).
"""

from typing import cast

from flask import g, get_flashed_messages


def take_flashed() -> list[tuple[str, str]]:
    """The messages flashed for this answer, with their categories, the first time they are asked for; none after."""
    if g.get("flashes_taken"):
        return []
    g.flashes_taken = True
    return cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))
