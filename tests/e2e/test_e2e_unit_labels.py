"""A unit picker at 360 px shows the whole label of the unit chosen: a closed <select> shows one line and cut
"Xã Quài Tở — đã ngừng từ 01/07/20…". The labels are short enough (app/units/queries.py validity_note) and the
selects as wide as the phone allows (app.css).

What is checked is what Chromium itself needs: a copy of the select sized to its chosen option (field-sizing:
content, the arrow and padding included) is no wider than the select as the page draws it."""

import pytest
from e2e_support import settle, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# The width the select would need to show its chosen option whole, and the width it has.
_FIT = """(select) => {
  const copy = select.cloneNode(true);
  copy.removeAttribute('id');
  copy.selectedIndex = select.selectedIndex;
  Object.assign(copy.style, {fieldSizing: 'content', width: 'auto', minWidth: '0', maxWidth: 'none',
                             position: 'absolute', visibility: 'hidden', left: '0', top: '0'});
  select.parentElement.appendChild(copy);
  const needed = copy.getBoundingClientRect().width;
  copy.remove();
  const shown = select.getBoundingClientRect();
  return {text: select.options[select.selectedIndex].text, needed, width: shown.width,
          right: shown.right, viewport: document.documentElement.clientWidth};
}"""

# role, unit, page, select: pickers that offer a commune that stopped on 1/7/2025 (the 2025 merger)
PICKERS = (
    ("reporter", "2025-03295", "/registers/payments", "#f-commune"),
    ("reporter", "2025-03295", "/registers/events", "#f-commune"),
    ("reporter", "2025-03295", "/registers/payments/new", "#unit_id"),
    # (/indicators/registry/new offers only the communes in force: a model is added to the successor, never to a
    # commune that ended; test_units_reform)
    # the old commune asked for in 2026 (a year changed while it was shown): chosen and marked
    ("district_reviewer", "099", "/indicators/?year=2026&unit={03295}", "#f-unit"),
)


def _unit_id(server, code: str) -> str:
    from app.units.queries import by_code

    with server.app.app_context():
        return by_code(code).id


@pytest.mark.parametrize(("role", "unit", "path", "selector"), PICKERS, ids=[p[2].split("&")[0] for p in PICKERS])
def test_a_closed_unit_picker_shows_the_whole_label_at_360_px(page, server, device, role, unit, path, selector):
    if device != "phone":
        pytest.skip("a phone layout check")
    sign_in(page, server, server.make_user(role, unit))
    page.goto(server.url + path.replace("{03295}", _unit_id(server, "03295")))
    select = page.locator(selector)
    expect(select).to_be_visible()
    labels = select.locator("option").all_inner_texts()
    marked = [label for label in labels if "ngừng" in label or "hiệu lực" in label]
    assert marked, f"{path}: no unit marked as stopped or not yet in force among {labels}"
    for label in sorted(marked, key=len, reverse=True)[:3]:  # the longest labels
        select.select_option(label=label)
        # A change sends the filter form (htmx); on the dashboard the swap replaces the select itself: measure
        # the one that stays, not the one being replaced.
        settle(page)
        expect(select.locator("option:checked")).to_have_text(label)
        fit = select.evaluate(_FIT)
        assert fit["needed"] <= fit["width"] + 0.5, f"{path}: the label is cut at 360 px: {fit}"
        assert fit["right"] <= fit["viewport"] + 0.5, f"{path}: the select runs off the screen: {fit}"
