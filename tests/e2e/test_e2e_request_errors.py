"""A failed htmx request says why (app.js j, #request-error in base.html): htmx swaps no 4xx/5xx answer and nothing
when the connection drops, so without this the tap on "Thêm ghi chú" seemed to do nothing, or the note seemed
saved. The message sits just above the form, takes focus, keeps what was typed, and leaves after a success."""

import re

import pytest
from e2e_support import check_page, open_section, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

OFFLINE = "Không kết nối được với máy chủ: việc này chưa được lưu."
NOT_FOUND = "Không có trang hoặc hồ sơ này, hoặc bạn không có quyền xem."  # errors.py, 404
FORBIDDEN = "Bạn không có quyền xem hoặc làm việc này."  # errors.py, 403
BUSY = "Hệ thống đang bận, việc này chưa được lưu. Vui lòng thử lại."  # base.html, any 5xx without our page
# htmx logs each failure to the console itself; any other console error still fails the test
HTMX_LOG = re.compile(r"^(htmx:(sendError|timeout|afterRequest), |Response Status Error Code \d+ from )")


_IN_VIEW = """() => {
  const box = document.getElementById('request-error'), r = box.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 20));
  return r.top >= 0 && r.top < innerHeight && !!hit && box.contains(hit);
}"""


@pytest.fixture
def watched(new_context):
    """A page whose console errors fail the test, except htmx's own log of the failures caused on purpose."""
    page = new_context().new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    real = [e for e in errors if not e.startswith("Failed to load resource") and not HTMX_LOG.match(e)]
    assert not real, f"browser console errors: {real}"


def _notes_form(page, demo):
    """The first case of the demo counsellor, its notes section open; returns the add-note form."""
    sign_in(page, demo, demo.cast["counsellor"])
    page.goto(demo.url + "/cases/")
    page.locator("#case-rows tbody a[href*='/cases/']").first.click()
    open_section(page, "case-notes")
    form = page.locator("#case-notes form").first
    expect(form.locator("textarea")).to_be_visible()
    return form


def _answer(status: int, body: str):
    return lambda route: route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")


def _failed_box(page):
    box = page.locator("#request-error")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("role", "alert")
    expect(box).to_be_focused()
    # just above the form that sent the request, where the user is looking
    assert page.evaluate("() => document.getElementById('request-error').nextElementSibling.matches('form')")
    # in view, and not under the sticky bars (at 360 px the form may sit far down a long case page)
    assert page.evaluate(_IN_VIEW), "the message is off screen or covered"
    return box


def test_lost_connection_says_nothing_was_saved_and_keeps_the_note(watched, demo, device, shot):
    page = watched
    form = _notes_form(page, demo)
    text = f"Gọi lại cho chị sau giờ làm ({device})"
    form.locator("textarea").fill(text)
    page.route("**/notes", lambda route: route.abort("internetdisconnected"))
    form.get_by_role("button", name="Thêm ghi chú").click()

    box = _failed_box(page)
    expect(box).to_contain_text(OFFLINE)
    expect(box).to_contain_text("vẫn còn trong biểu mẫu")
    expect(form.locator("textarea")).to_have_value(text)  # nothing swapped: the typed note is still there
    expect(form).not_to_have_attribute("data-busy", "1")  # the form takes the retry at once
    expect(page.locator("#case-notes").get_by_text(text)).to_have_count(0)
    check_page(page, device, "request failed offline")  # 360 px: no sideways scrolling; axe-clean
    # axe unfolds every <details>, and the lazy ones load: another part's success leaves the message
    expect(box).to_be_visible()
    shot(page, "offline")

    # the signal is back: the same tap saves it, and the message leaves
    page.unroute("**/notes")
    form.get_by_role("button", name="Thêm ghi chú").click()
    expect(page.locator("#case-notes li > p", has_text=text)).to_be_visible()
    expect(box).to_be_hidden()
    shot(page, "saved")

    # no answer at all (a hung mobile connection): htmx's timeout ends the wait with its own message
    page.evaluate("() => { htmx.config.timeout = 1500; }")  # base.html's 30 s, shortened for the test
    page.route("**/notes", lambda route: None)  # never answered
    later = f"Hẹn gặp lại vào thứ Hai ({device})"
    form.locator("textarea").fill(later)
    form.get_by_role("button", name="Thêm ghi chú").click()
    box = _failed_box(page)
    expect(box).to_contain_text("không trả lời sau 30 giây")
    expect(form.locator("textarea")).to_have_value(later)
    expect(form).not_to_have_attribute("data-busy", "1")
    shot(page, "timeout")


def test_error_answers_show_the_servers_own_message(watched, demo, device, shot):
    page = watched
    form = _notes_form(page, demo)
    # our real error pages, as this server renders them for this user
    pages = {
        404: (page.request.get(demo.url + "/no-such-page"), NOT_FOUND),
        403: (page.request.get(demo.url + "/admin/users"), FORBIDDEN),
    }
    text = f"Đã hẹn gặp tại nhà văn hoá ({device})"
    form.locator("textarea").fill(text)
    for status, (real, message) in pages.items():
        assert real.status == status
        body = real.text()
        assert message in body and "data-error-message" in body
        page.route("**/notes", _answer(status, body))
        form.get_by_role("button", name="Thêm ghi chú").click()
        box = _failed_box(page)
        expect(box).to_have_text(message)  # the message only, not the page around it
        expect(form.locator("textarea")).to_have_value(text)
        shot(page, f"answer-{status}")
        page.unroute("**/notes")

    # an answer that is not one of our pages (a proxy's 502 with internals): the status's own words, no markup
    proxy = "<html><body><h1>502 Bad Gateway</h1><pre>Traceback (most recent call last): upstream</pre></body></html>"
    page.route("**/notes", _answer(502, proxy))
    form.get_by_role("button", name="Thêm ghi chú").click()
    box = _failed_box(page)
    expect(box).to_have_text(BUSY)
    check_page(page, device, "request refused")
    shot(page, "answer-502")
