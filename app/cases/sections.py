"""Panels other areas add to the case page (livelihood plans, referrals…) without editing its templates.

    from app.cases.sections import register_section
    register_section("livelihood/_case_panel.html", order=50, context_fn=lambda case, user: {"plans": ...})

The case page renders every registered section, in order, after its own panels, and only to users who
may read the whole case. `context_fn(case, user)` returns a dict (or None to hide the section for this
case); the template sees `case`, `current_user` and `section.context` (e.g. `section.context.plans`).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    order: int
    context_fn: Callable | None = None


_SECTIONS: dict[str, Section] = {}


def register_section(template: str, order: int = 100, context_fn: Callable | None = None) -> Section:
    """Add (or replace) the panel rendered by `template` on the case page."""
    section = Section(template, order, context_fn)
    _SECTIONS[template] = section
    return section


def sections_for(case, user) -> list[dict]:
    """The sections to render for this case and user: [{"template", "context"}], in order."""
    rendered = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.template)):
        context = section.context_fn(case, user) if section.context_fn else {}
        if context is not None:
            rendered.append({"template": section.template, "context": context, "order": section.order})
    return rendered
