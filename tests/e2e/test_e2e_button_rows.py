"""Rows of buttons (`.actions`) at 360 px: the buttons of one line share one top and one height, a row that does
not fit wraps whole buttons onto the next line, nothing runs off the side, the main (primary) action comes first
on a phone, and a filter's button stands on the line of its select, not halfway up its label."""

import re

import pytest
from e2e_support import settle, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Each visible button of each row of buttons in the main part of the page, with its box; and the page's widths.
_ROWS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {text: el.textContent.trim().slice(0, 30), top: r.top, bottom: r.bottom, left: r.left, right: r.right,
            primary: el.classList.contains('btn-primary')}; };
  const rows = [...document.querySelectorAll('main .actions')].map(row => ({
    buttons: [...row.querySelectorAll(':scope > :is(button, .btn), :scope > form > :is(button, .btn)')]
      .filter(b => b.offsetParent).map(box),
    selects: [...row.querySelectorAll(':scope > .field select')].filter(s => s.offsetParent).map(box)}));
  return {rows: rows.filter(r => r.buttons.length + r.selects.length > 1),
          scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth};
}"""


def _check_rows(page, where: str) -> int:
    found = page.evaluate(_ROWS)
    assert found["scroll"] <= found["width"], f"{where}: the page scrolls sideways ({found})"
    for row in found["rows"]:
        buttons = row["buttons"]
        for b in buttons:
            assert b["left"] >= -0.5 and b["right"] <= found["width"] + 0.5, f"{where}: {b['text']!r} runs off"
        for a in buttons:
            for b in buttons:
                same_line = a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1
                if same_line:  # side by side: one top, one height; otherwise wrapped cleanly below
                    assert abs(a["top"] - b["top"]) <= 1 and abs(a["bottom"] - b["bottom"]) <= 1, (where, a, b)
        if any(b["primary"] for b in buttons):
            first = min(buttons, key=lambda b: (round(b["top"]), b["left"]))
            assert first["primary"], f"{where}: the main action is not first on a phone: {buttons}"
        for b in buttons:  # a filter's button after its selects: on the line of a select, bottoms aligned
            line = [s for s in row["selects"] if s["top"] < b["bottom"] - 1 and b["top"] < s["bottom"] - 1]
            if line:
                assert abs(line[-1]["bottom"] - b["bottom"]) <= 1, f"{where}: {b} beside {line[-1]}"
    return len(found["rows"])


YEAR = 2022  # a round of the 2021–2025 plan no other journey opens (they use 2023 and 2024)


@pytest.fixture
def open_round(server):
    """A preliminary round of YEAR under the 2022 plan, made active for the test and archived again after it
    (as `setup` leaves it; see test_e2e_journey_indicators.py)."""
    from app.extensions import db
    from app.indicators import plans, services

    def set_status(status: str) -> None:
        with server.app.app_context():
            plans.reference().status = status
            db.session.commit()

    set_status("active")
    with server.app.test_request_context():
        services.open_cycle(YEAR, "preliminary", actor="test")  # or the one opened already
        db.session.commit()
    yield
    set_status("archived")


def test_button_rows_align_and_wrap_at_360_px(page, server, device, shot, open_round):
    if device != "phone":
        pytest.skip("a phone layout check")
    rows = 0
    # 1. The intake form (save, cancel), the case filters (filter, clear), the referrals' status filter.
    sign_in(page, server, server.make_user("counsellor", "03268"))
    for path in ("/cases/new", "/cases/", "/referrals/"):
        page.goto(server.url + path)
        rows += _check_rows(page, path)
    page.context.clear_cookies()
    # 2. The indicator figures' filters (selects and "Xem") and a commune's report: save a draft, send it up.
    sign_in(page, server, server.make_user("reporter", "03268"))
    for path in ("/indicators/", "/indicators/activities"):
        page.goto(server.url + path)
        rows += _check_rows(page, path)
    page.goto(server.url + "/indicators/reports")
    page.locator("#f-cycle").select_option(label=f"{YEAR} · Báo cáo sơ bộ (ước cả năm)")
    settle(page)
    queue = page.locator("#commune-reports")
    start = queue.get_by_role("button", name="Lập báo cáo")
    if start.count():  # a new report opens on its form; one begun already is opened from its row
        start.first.click()
    else:
        queue.get_by_role("link", name=re.compile(r"^Xem ")).first.click()
    expect(page.get_by_role("button", name="Lưu nháp")).to_be_visible()
    shot(page, "report")
    rows += _check_rows(page, "report form")
    assert rows >= 6, "fewer rows of buttons than the pages have: did a page change?"
