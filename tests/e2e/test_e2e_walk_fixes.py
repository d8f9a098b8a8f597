"""Layout defects found by walking the demo as its users on a 360 px phone."""

import pytest
from e2e_support import sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Each tab of a strip of tabs: its label and whether it is drawn whole inside the page's width.
_TABS = """(strip) => [...strip.querySelectorAll('a')].map(a => {
  const r = a.getBoundingClientRect();
  return {label: a.textContent.trim(), current: a.getAttribute('aria-current') === 'page',
          whole: r.left >= -0.5 && r.right <= document.documentElement.clientWidth + 0.5};
})"""


@pytest.mark.parametrize("path", ["/indicators/reports", "/indicators/plans"])
def test_the_indicator_tabs_are_all_on_screen_at_360_px(page, server, device, shot, path):
    # The strip scrolled sideways: on the reports page the reporter saw "Báo c" cut at the edge, the tab they
    # are on, and nothing said that "Kế hoạch hoạt động", "Ngân sách" and "Kế hoạch" were further right.
    if device != "phone":
        pytest.skip("a phone layout check")
    sign_in(page, server, server.make_user("reporter", "2025-03295"))
    page.goto(server.url + path)
    strip = page.locator("main ul.tabs")
    expect(strip.locator("a[aria-current=page]")).to_be_visible()
    shot(page, "tabs")
    tabs = strip.evaluate(_TABS)
    assert any(t["current"] for t in tabs), tabs
    cut = [t["label"] for t in tabs if not t["whole"]]
    assert not cut, f"{path}: tabs cut or off screen at 360 px: {cut}"
