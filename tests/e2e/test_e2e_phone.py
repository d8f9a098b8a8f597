"""Phone-first (issue 20): at 360×740 every table is a set of cards with every field and action in view, the
navigation's items are all reachable through one menu with the work queue and search at the top, and the
long pages (case page, dashboard) fold into sections with a sticky index and a remembered open state."""

import re

import pytest
from e2e_support import check_cards, check_phone, open_section, settle, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SCREEN = 740

# role -> pages holding the tables a role works with (case list, follow-ups, inbox, reports, lists, audit…)
TABLE_PAGES = {
    "counsellor": ["/cases/", "/cases/followups", "/referrals/", "/livelihood/"],
    "agency_officer": ["/referrals/"],
    "district_reviewer": ["/cases/", "/livelihood/", "/indicators/reports", "/indicators/budget"],
    "reporter": [
        "/indicators/reports",
        "/indicators/registry",
        "/registers/",
        "/registers/payments",
        "/registers/events",
    ],
    "admin": ["/audit/", "/admin/users", "/units/"],
}

_LABELS = """() => [...document.querySelectorAll('table.data:not(.table-keep) tbody tr')].flatMap(tr =>
  [...tr.cells].filter(c => c.textContent.trim() && !c.dataset.label && c.closest('table').tHead)
    .map(c => c.outerHTML.slice(0, 80)))"""
_CARD_ROWS = """() => [...document.querySelectorAll('table.data:not(.table-keep) tbody tr')]
  .filter(tr => getComputedStyle(tr).display === 'block').length"""


def _phone_only(device):
    if device != "phone":
        pytest.skip("a phone layout check")


def _case_url(demo, page):
    page.goto(demo.url + "/cases/")
    return page.locator("#case-rows tbody a[href*='/cases/']").first.get_attribute("href")


@pytest.mark.parametrize("role", list(TABLE_PAGES))
def test_every_table_is_cards_with_every_field_and_action_visible(page, demo, device, role):
    _phone_only(device)
    sign_in(page, demo, demo.cast[role])
    tables = 0
    for path in TABLE_PAGES[role]:
        response = page.goto(demo.url + path)
        if response.status == 404:
            continue
        assert response.status < 400, f"{path}: {response.status}"
        check_phone(page, device)  # no horizontal scrolling, 44 px targets, every cell and action on screen
        rows = page.evaluate(_CARD_ROWS)
        tables += page.locator("table.data").count()
        if page.locator("table.data:not(.table-keep) tbody tr").count():
            assert rows, f"{path}: the table rows are not cards at 360 px"
        assert not page.evaluate(_LABELS), f"{path}: cells without their column's label"
    assert tables, f"{role}: no table on {TABLE_PAGES[role]}"


_BEFORE = """() => [...document.querySelectorAll('table.data:not(.table-keep) tbody tr')].slice(0, 3).flatMap(tr =>
  [...tr.cells].filter(c => c.dataset.label).map(c => [c.dataset.label,
    getComputedStyle(c, '::before').content.replace(/^"|"$/g, '')]))"""


@pytest.mark.parametrize("role", ["counsellor", "district_reviewer"])
def test_cards_carry_their_labels_without_javascript(new_context, demo, device, role):
    """The labels come from the server (app/web/table_labels.py): with scripts off the cards still read
    "label: value", every field and action in view at 360 px."""
    _phone_only(device)
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, demo, demo.cast[role])
    for path in TABLE_PAGES[role]:
        response = page.goto(demo.url + path)
        if response.status == 404:
            continue
        check_phone(page, device)
        if page.locator("table.data:not(.table-keep) tbody tr").count():
            assert page.evaluate(_CARD_ROWS), f"{path}: the table rows are not cards at 360 px without JS"
            shown = page.evaluate(_BEFORE)
            assert shown and all(label == before for label, before in shown), f"{path}: {shown[:4]}"
        assert not page.evaluate(_LABELS), f"{path}: cells without their column's label (no JS)"


def test_case_list_card_shows_every_column(page, demo, device):
    _phone_only(device)
    sign_in(page, demo, demo.cast["counsellor"])
    page.goto(demo.url + "/cases/")
    first = page.locator("#case-rows tbody tr").first
    for header in page.locator("#case-rows thead th").all_inner_texts():
        cell = first.locator(f"td[data-label='{header.strip()}']")
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{header}: {box}"


def test_navigation_menu_reaches_every_item_on_a_phone(page, demo, device):
    sign_in(page, demo, demo.cast["counsellor"])
    nav = page.locator("nav.nav")
    search = nav.get_by_role("link", name="Tìm hồ sơ")
    expect(search).to_be_visible()
    items = nav.locator("details.menu a")
    assert items.count() >= 4
    if device == "phone":
        expect(items.first).to_be_hidden()  # folded away: three things in one row
        box = search.bounding_box()
        assert box["y"] < 130, "search must be at the top"
        nav.locator("details.menu > summary").click()
    for i in range(items.count()):
        expect(items.nth(i)).to_be_visible()
        expect(items.nth(i)).to_be_in_viewport()
    check_phone(page, device)
    search.click()
    expect(page.locator("#q")).to_be_focused()  # the search box is ready to type in
    if device == "phone":
        expect(items.first).to_be_hidden()  # a new page starts with the menu closed


def test_case_page_folds_into_sections_remembered_with_a_sticky_index(page, demo, device):
    sign_in(page, demo, demo.cast["counsellor"])
    url = _case_url(demo, page)
    page.goto(demo.url + url)
    sections = page.locator("main section.card[id]")
    assert sections.count() >= 6
    toggles = page.locator("main .sec-toggle")
    assert toggles.count() == sections.count()
    expect(page.locator("#case-notes")).to_have_class("card stack is-collapsed")
    if device == "phone":
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 3 * SCREEN, f"case page with sections folded is {height} px tall"
        check_phone(page, device)
    index = page.locator("nav.section-index")
    expect(index.get_by_role("link")).to_have_count(sections.count())

    # the index opens the section it points to, and the open state survives a reload (kept by section id)
    index.get_by_role("link", name="Ghi chú").click()
    expect(page.locator("#case-notes")).not_to_have_class("card stack is-collapsed")
    expect(page.locator("#case-notes textarea").first).to_be_visible()
    # The wheel returns before the page has scrolled, and a loaded machine may take longer than any fixed pause:
    # measure once the browser says the scrolling has ended.
    page.evaluate("() => addEventListener('scrollend', () => { window.e2eScrollEnded = true; }, {once: true})")
    page.mouse.wheel(0, 1200)
    page.wait_for_function("() => window.e2eScrollEnded")
    top = index.bounding_box()["y"]
    assert 0 <= top <= 80, f"the section index scrolled away ({top})"
    page.reload()
    expect(page.locator("#case-notes .sec-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#case-identity .sec-toggle")).to_have_attribute("aria-expanded", "false")
    page.locator("#case-notes .sec-toggle").click()
    expect(page.locator("#case-notes .sec-toggle")).to_have_attribute("aria-expanded", "false")
    stored = page.evaluate("Object.keys(localStorage)")
    assert all(key.startswith("sec:") for key in stored), stored  # section ids only, never person data


def test_rotating_the_phone_keeps_the_input_and_the_fit(page, demo, device):
    """Turned to landscape and back while filling the intake form: what was typed stays, nothing scrolls sideways
    and every tap target stays 44 px, on the form, the case list and the case page."""
    _phone_only(device)
    sign_in(page, demo, demo.cast["counsellor"])
    page.goto(demo.url + "/cases/new")
    page.locator("#full_name").fill("Lò Thị Xoay")
    page.locator("#incident").fill("Kể lại khi đang xoay máy")
    for width, height in ((740, 360), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # laid out
        check_phone(page, device)
        expect(page.locator("#full_name")).to_have_value("Lò Thị Xoay")
        expect(page.locator("#incident")).to_have_value("Kể lại khi đang xoay máy")
    page.set_viewport_size({"width": 740, "height": 360})
    for url in ("/cases/", _case_url(demo, page)):
        page.goto(demo.url + url)
        check_phone(page, device)


def test_dashboard_folds_into_sections(page, demo, device):
    _phone_only(device)
    sign_in(page, demo, demo.cast["monitor"])
    page.goto(demo.url + "/indicators/")
    assert page.locator("main .sec-toggle").count() >= 8
    expect(page.locator("nav.section-index")).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 4 * SCREEN, f"dashboard with sections folded is {height} px tall"
    check_phone(page, device)
    check_cards(page)


def _note_count(server, case_url):
    from sqlalchemy import func, select

    from app.cases.models import CaseNote
    from app.extensions import db

    case_id = case_url.rstrip("/").rsplit("/", 1)[-1]
    return server.query(
        lambda: db.session.scalar(select(func.count()).select_from(CaseNote).where(CaseNote.case_id == case_id))
    )


def _held_notes(page) -> list:
    """Every request adding a note waits (weak data, no answer yet) until the test lets it through with
    `route.continue_()`; the list holds one route per request the browser sent."""
    held = []
    page.route("**/notes", lambda route: held.append(route))
    return held


def _tap_and_hold(page, button, held) -> None:
    """Tap, and return once the request is on its way and held (the route is in `held`)."""
    count = len(held)
    with page.expect_request("**/notes"):
        button.click()
    # Playwright hands the route over right after the request event, before the answer to any later call
    expect(button).to_be_visible()
    assert len(held) == count + 1, held


def test_slow_double_tap_saves_one_note_and_empties_the_box(page, demo, device):
    sign_in(page, demo, demo.cast["counsellor"])
    url = _case_url(demo, page)
    page.goto(demo.url + url)
    open_section(page, "case-notes")
    before = _note_count(demo, url)
    held = _held_notes(page)
    notes = page.locator("#case-notes")
    notes.locator("textarea[name=note-body]").fill("Đã gọi, chị ổn")
    button = notes.get_by_role("button", name="Thêm ghi chú")
    _tap_and_hold(page, button, held)
    button.click(force=True)  # the second, impatient tap, while the first has no answer yet
    held[0].continue_()
    expect(notes.locator("li > p", has_text="Đã gọi, chị ổn").first).to_be_visible()
    # A second request, had the tap gone through, would leave when the first ended (htmx queues it): once htmx
    # is idle it would have been sent, and held.
    settle(page)
    assert len(held) == 1, "the second tap sent a request"
    page.unroute_all(behavior="ignoreErrors")
    assert _note_count(demo, url) == before + 1
    expect(page.locator("#case-notes textarea[name=note-body]")).to_have_value("")


def test_a_form_waiting_past_10_s_takes_no_second_tap_until_its_answer(page, demo, device):
    """The lock on a sent form lasts as long as its request (htmx-config: 30 s), not 10 s: a hung mobile answer
    after 12 s still takes no second tap; the answer frees the form; with no end seen at all it frees itself
    just after htmx's timeout. The page's clock is driven by the test (the request itself is held, not timed)."""
    sign_in(page, demo, demo.cast["counsellor"])
    url = _case_url(demo, page)
    page.clock.install()
    page.goto(demo.url + url)
    open_section(page, "case-notes")
    before = _note_count(demo, url)
    held = _held_notes(page)
    notes = page.locator("#case-notes")
    form = notes.locator("form").first
    button = notes.get_by_role("button", name="Thêm ghi chú")
    first = f"Chị hẹn gọi lại lúc chiều ({device})"
    notes.locator("textarea[name=note-body]").fill(first)
    _tap_and_hold(page, button, held)
    page.clock.run_for(12_000)  # past the 10 s the lock used to last
    expect(form).to_have_attribute("data-busy", "1")
    button.click(force=True)
    held[0].continue_()
    expect(notes.locator("li > p", has_text=first)).to_be_visible()
    settle(page)
    assert len(held) == 1, "a tap after 10 s sent the note again"
    expect(form).not_to_have_attribute("data-busy", "1")  # the answer freed it

    second = f"Đã gặp trưởng bản ({device})"
    notes.locator("textarea[name=note-body]").fill(second)
    _tap_and_hold(page, button, held)
    page.clock.run_for(29_000)
    expect(form).to_have_attribute("data-busy", "1")  # htmx still waits (its timeout is 30 s)
    page.clock.run_for(3_500)
    expect(form).not_to_have_attribute("data-busy", "1")  # no end seen: free just after htmx's timeout
    held[1].continue_()
    expect(notes.locator("li > p", has_text=second)).to_be_visible()
    settle(page)
    page.unroute_all(behavior="ignoreErrors")
    assert len(held) == 2
    assert _note_count(demo, url) == before + 2


def test_an_error_opens_its_section_and_takes_the_focus(page, demo, device):
    sign_in(page, demo, demo.cast["counsellor"])
    url = _case_url(demo, page)
    page.goto(demo.url + url)
    open_section(page, "case-notes")
    page.locator("#case-notes").get_by_role("button", name="Thêm ghi chú").click()  # empty: required
    # no browser bubble (novalidate): the server's Vietnamese message, beside the field, with the focus on it
    expect(page.locator("#case-notes .field-error")).to_be_visible()
    expect(page.locator("#case-notes textarea[name=note-body]")).to_be_focused()
    assert page.evaluate("[...document.forms].every(f => f.noValidate)")


def test_quick_exit_offline_leaves_and_the_session_ends_at_the_next_contact(page, server, device):
    from sqlalchemy import select

    from app.auth.models import UserSession
    from app.extensions import db

    user = server.make_user("counsellor", "TA-02")
    sign_in(page, server, user)
    exit_button = page.get_by_role("button", name="Thoát nhanh")
    assert exit_button.locator("svg use").get_attribute("href").endswith("#i-exit")  # an icon, not only words
    page.context.set_offline(True)
    exit_button.click()
    # (the case list is the counsellor's start page; a fixed pause was too short on a loaded machine)
    expect(page).not_to_have_url(re.compile("/cases"))  # left, even with no network
    page.context.set_offline(False)
    page.goto(server.url + "/cases/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    reasons = server.query(
        lambda: list(db.session.scalars(select(UserSession.revoked_reason).where(UserSession.user_id == user.id)))
    )
    assert reasons == ["quick_exit"]


def test_quick_exit_online_replaces_the_page_in_history(page, server, device):
    user = server.make_user("counsellor", "TA-02")
    sign_in(page, server, user)
    page.goto(server.url + "/cases/")
    page.get_by_role("button", name="Thoát nhanh").click()
    expect(page).to_have_title("Mẹo nấu ăn hằng ngày")
    assert page.evaluate("history.length") >= 1
    page.go_back()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()  # not the case list
