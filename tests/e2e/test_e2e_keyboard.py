"""Keyboard only: skip link, signing in with Tab and Enter, errors take the focus, quick exit from the keyboard."""

import pytest
from e2e_support import totp_code
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_keyboard_only_sign_in_and_error_focus(page, server, shot):
    user = server.make_user("counsellor", "TA-02")
    page.goto(server.url + "/auth/login")
    # Focus is given by the browser (autofocus) or app.js after parsing: expect() waits for it, a read does not.
    expect(page.locator("#username")).to_be_focused()  # the first field is ready to type into

    page.locator("#username").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(user.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type(totp_code(user))
    page.keyboard.press("Enter")
    expect(page.locator("nav.nav")).to_be_visible()

    # From the top of a page, the first Tab reaches the skip link, visible when focused; Enter goes to the content.
    page.goto(server.url + "/auth/account")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua đến nội dung chính")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["width"] > 50
    shot(page, "skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # A form sent back with errors puts the focus on the first field to fix.
    page.goto(server.url + "/auth/password")
    page.locator("#current").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#current-error")).to_be_visible()
    # app.js moves the focus once the page has run its scripts, which may be after the message shows.
    expect(page.locator("#current")).to_be_focused()
    expect(page.locator("#current")).to_have_attribute("aria-invalid", "true")
    shot(page, "error-focused")

    # Every control on the page is reachable with Tab, in order, with a visible focus ring.
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
          return {tag: e.tagName, id: e.id, text: e.textContent.trim().slice(0, 30),
                  ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }""")
        if info["tag"] == "BODY" or info in seen:
            break
        seen.append(info)
    assert any(i["text"] == "Đăng xuất" for i in seen) and any(i["id"] == "new" for i in seen), seen
    assert all(i["ring"] for i in seen), [i for i in seen if not i["ring"]]


def test_quick_exit_from_the_keyboard(page, server):
    user = server.make_user("counsellor", "TA-02")
    page.goto(server.url + "/auth/login")
    page.locator("#username").fill(user.username)
    page.locator("#password").fill(user.password)
    page.keyboard.press("Enter")
    page.get_by_label("Mã xác thực 6 số").fill(totp_code(user))
    page.keyboard.press("Enter")
    expect(page.locator("nav.nav")).to_be_visible()
    page.wait_for_load_state("load")  # the navigation shows first: tab through the whole page, app.js run
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # skip link, brand, then the quick-exit button
    expect(page.locator("button.quick-exit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_title("Mẹo nấu ăn hằng ngày")
