"""One word per everyday action across the lists and filters: "Xem" opens an item or shows what a filter asks
for, "Chọn" only puts a value into a form. The word lives in templates/_macros/actions.html; a template that
writes it (or "Mở", the word some lists used) itself would let the lists drift apart again."""

import re
from pathlib import Path

from flask import get_template_attribute

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# A bare action word as a whole message: _("Xem"), _('Mở'), _("Chọn"), "Xem và quyết định" (the approvals list).
_BARE = re.compile(r"""_\(\s*["'](Xem|Mở|Chọn|Xem và quyết định)["']\s*\)""")


def test_no_template_writes_an_action_word_of_its_own():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        if path.name != "actions.html"
        for match in _BARE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, found


def test_the_open_link_says_xem_and_names_its_item_for_a_screen_reader(app):
    with app.test_request_context():
        link = str(get_template_attribute("_macros/actions.html", "open_link")("/x", "Xã Quài Tở"))
        button = str(get_template_attribute("_macros/actions.html", "show_button")())
    assert link == '<a href="/x" aria-label="Xem Xã Quài Tở">Xem</a>'
    assert button == '<button type="submit" class="btn">Xem</button>'


def test_the_statistics_hub_shows_a_year_with_xem_like_the_other_filters(app, make_user, login):
    client = app.test_client()
    login(client, make_user("counsellor", "TA-02"))
    html = client.get("/statistics/").get_data(as_text=True)
    assert '<button type="submit" class="btn">Xem</button>' in html
    assert ">Chọn<" not in html
