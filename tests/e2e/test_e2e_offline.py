"""Offline capture in a real browser with the network switched off: the shell comes from the service worker,
what is typed is sealed on save (the device keeps only ciphertext), and it arrives exactly once when the
network comes back. The worker never keeps a page with person data."""

import json

import pytest
from e2e_support import LiveServer, sign_in
from playwright.sync_api import expect
from sqlalchemy import select as sql_select

from app import clock

pytestmark = pytest.mark.e2e

NAME = "Giàng Thị Ngoạituyến"
ACCOUNT = "Kể lại ở bản Phiêng Pẻn: bị chồng đe doạ"
NOTE = "Ghi chú kín khi mất sóng"

# Everything this site keeps in the browser, as text (IndexedDB values with their bytes in base64).
DUMP = """async () => {
  const b64 = v => { let s = ''; for (const x of new Uint8Array(v)) s += String.fromCharCode(x); return btoa(s); };
  const plain = v => v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? b64(v.buffer || v)
    : v instanceof CryptoKey ? `CryptoKey(${v.type}, extractable=${v.extractable})`
    : Array.isArray(v) ? v.map(plain) : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
  const out = {idb: {}, local: {...localStorage}, session: {...sessionStorage}, caches: {}};
  for (const info of await indexedDB.databases()) {
    const db = await new Promise(ok => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); });
    for (const store of db.objectStoreNames) {
      out.idb[info.name + '/' + store] = await new Promise(ok => {
        const t = db.transaction(store), all = t.objectStore(store).getAll(), keys = t.objectStore(store).getAllKeys();
        t.oncomplete = () => ok({keys: plain(keys.result), values: plain(all.result)});
      });
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const c = await caches.open(name);
    out.caches[name] = {};
    for (const req of await c.keys()) out.caches[name][req.url] = await (await c.match(req)).text();
  }
  out.page = document.documentElement.outerHTML +
    [...document.querySelectorAll('input, textarea, select')].map(e => e.value).join('|');
  return JSON.stringify(out);
}"""


@pytest.fixture(scope="module")
def offline_server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e-offline"))
    yield live
    live.stop()


def _cases_named(server, name):
    from app.cases.models import Case
    from app.extensions import db

    return server.query(lambda: sum(1 for c in db.session.scalars(sql_select(Case)) if c.full_name == name))


def _carried_case(server, user):
    """A case of the counsellor's, made through the services (what the phone may carry is its code)."""
    from app.auth.models import User
    from app.cases import services
    from app.extensions import db
    from app.units.queries import by_code

    def make():
        actor = db.session.get(User, user.id)
        case = services.create_case(
            {
                "kind": "dv",
                "unit_id": by_code("TA-02").id,
                "sex": "female",
                "age_band": "30_44",
                "ethnic_code": "03",
                "poverty_status": "poor",
                "risk_level": "high",
                "opened_on": clock.today(),
                "full_name": "Lò Thị Mang Theo",
                "disability": False,
            },
            actor=actor,
        )
        db.session.commit()
        return case.code

    return server.query(make)


def _signed_in_carrying_a_case(server, new_context):
    """A new counsellor signed in, with one of their cases chosen to carry offline (through the page)."""
    user = server.make_user("counsellor", "TA-02")
    code = _carried_case(server, user)
    context = new_context()
    page = context.new_page()
    sign_in(page, server, user)
    page.goto(server.url + "/offline/cases")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_role("button", name="Thêm").click()
    expect(page.locator("table")).to_contain_text(code)
    return context, page, code


def test_capture_offline_keeps_only_ciphertext_and_arrives_once(offline_server, new_context, shot, device):
    server = offline_server
    name = f"{NAME} {device}"  # one server for both sizes: each run counts its own case
    context, page, code = _signed_in_carrying_a_case(server, new_context)

    page.goto(server.url + "/offline/")
    page.get_by_label("Tên thiết bị").select_option("Điện thoại 1")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#new-intake")).to_be_visible()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.locator("#new-intake")).to_be_visible()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    # What the online page asks at its start (its state, a send) has been answered before the signal goes: a
    # request still on its way would land among what the offline page must not send.
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("body")).not_to_have_attribute("data-syncing", "1")

    # No signal: the shell comes from the worker; nothing reaches the server.
    context.set_offline(True)
    hits = len(server.hits)
    page.reload()
    expect(page.locator("#new-intake")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    assert "/offline/" not in server.hits[hits:], server.hits[hits:]
    form = page.locator("#new-intake form")
    for select in ("kind", "sex", "age_band", "ethnic_code", "poverty_status"):
        form.locator(f"#{select}").select_option(index=1)
    form.locator("#opened_on").fill("2026-12-01")
    form.locator("#full_name").fill(name)
    form.locator("#incident").fill(ACCOUNT)
    shot(page, "typed-offline")
    form.get_by_role("button", name="Lưu (khoá lại)").click()
    expect(page.locator("[data-queue-count]")).to_have_text("1 bản ghi chờ gửi")
    expect(form.locator("#full_name")).to_have_value("")
    page.locator("#note-case").select_option(label=f"{code} (dv)")
    page.locator("#note-body").fill(NOTE)
    page.locator("#new-note").get_by_role("button", name="Lưu (khoá lại)").click()
    expect(page.locator("[data-queue-count]")).to_have_text("2 bản ghi chờ gửi")
    shot(page, "queued")
    kept = page.evaluate(DUMP)
    for secret in (name, ACCOUNT, NOTE, "Ngoạituyến", "Phiêng Pẻn"):
        assert secret not in kept, f"{secret!r} is readable on the device"
    assert "extractable=false" in kept and "extractable=true" not in kept
    # Only the browser's own update check of the worker script may get through (Chromium's offline
    # emulation does not cover it); no item, no page.
    assert set(server.hits[hits:]) <= {"/offline/sw.js"}, server.hits[hits:]

    # Signal again: sent once, saved once; sending again changes nothing.
    context.set_offline(False)
    page.get_by_role("button", name="Gửi ngay").click()
    expect(page.locator("[data-queue-count]")).to_have_text("Không có bản ghi chờ gửi.")
    assert _cases_named(server, name) == 1
    body = page.locator("body")
    expect(body).not_to_have_attribute("data-syncing", "1")  # the send that emptied the queue has ended
    ended = int(body.get_attribute("data-syncs"))
    page.get_by_role("button", name="Gửi ngay").click()
    expect(body).to_have_attribute("data-syncs", str(ended + 1))  # a whole send ran after the click
    assert _cases_named(server, name) == 1
    shot(page, "sent")

    # The worker keeps the shell and its files only, even after a person-data page was opened.
    page.goto(server.url + "/cases/")
    page.goto(server.url + "/offline/")
    cached = page.evaluate("""async () => { const out = [];
      for (const n of await caches.keys()) for (const r of await (await caches.open(n)).keys()) out.push(r.url);
      return out; }""")
    paths = sorted(u.replace(server.url, "") for u in cached)
    assert paths[0] == "/offline/" and all(p.startswith("/static/") for p in paths[1:]), paths
    after = page.evaluate(DUMP)
    for secret in (name, ACCOUNT, NOTE, "Lò Thị Mang Theo"):
        assert secret not in after


def test_sign_out_asks_before_dropping_unsent_items_and_leaves_nothing_readable(offline_server, new_context, device):
    server = offline_server
    _context, page, code = _signed_in_carrying_a_case(server, new_context)
    page.goto(server.url + "/offline/")
    page.get_by_label("Tên thiết bị").select_option("Điện thoại 2")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#new-note")).to_be_visible()
    page.route("**/offline/sync", lambda route: route.abort())  # the item stays unsent
    secret = f"{NOTE} {device} lúc đăng xuất"
    page.locator("#note-case").select_option(label=f"{code} (dv)")
    page.locator("#note-body").fill(secret)
    page.locator("#new-note").get_by_role("button", name="Lưu (khoá lại)").click()
    expect(page.locator("[data-queue-count]")).to_have_text("1 bản ghi chờ gửi")

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.goto(server.url + "/cases/")
    page.locator("footer").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert asked and "1 bản ghi ngoại tuyến chưa gửi" in asked[0]
    kept = page.evaluate(DUMP)
    at = kept.find(secret)
    assert secret not in kept, kept[max(0, at - 300) : at + 100]
    assert json.loads(kept)["idb"]["tincay-offline/queue"] == {"keys": [], "values": []}


def test_clearing_the_queue_says_what_it_did_to_screen_readers_too(offline_server, new_context, device):
    server = offline_server
    _context, page, code = _signed_in_carrying_a_case(server, new_context)
    page.goto(server.url + "/offline/")
    body = page.locator("body")
    expect(body).to_have_attribute("data-ready", "1")
    page.get_by_label("Tên thiết bị").select_option("Điện thoại 3")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#new-note")).to_be_visible()
    page.route("**/offline/sync", lambda route: route.abort())  # the items stay unsent
    count = page.locator("[data-queue-count]")
    for i in range(2):
        sends = int(body.get_attribute("data-syncs") or 0)
        page.locator("#note-case").select_option(label=f"{code} (dv)")
        page.locator("#note-body").fill(f"{NOTE} {device} {i}")
        page.locator("#new-note").get_by_role("button", name="Lưu (khoá lại)").click()
        expect(count).to_have_text(f"{i + 1} bản ghi chờ gửi")
        # The send each save starts has failed and said so: its message cannot land on the answers below.
        expect(body).to_have_attribute("data-syncs", str(sends + 1))
    status = page.get_by_role("status")  # the one line a screen reader reads out when it changes
    clear = page.get_by_role("button", name="Xoá hàng chờ")

    page.once("dialog", lambda dialog: dialog.dismiss())  # the counsellor thinks again
    clear.click()
    expect(status).to_have_text("Chưa xoá: 2 bản ghi vẫn chờ gửi.")
    expect(count).to_have_text("2 bản ghi chờ gửi")

    page.once("dialog", lambda dialog: dialog.accept())
    clear.click()
    expect(status).to_have_text("Đã xoá 2 bản ghi khỏi hàng chờ.")
    expect(count).to_have_text("Không có bản ghi chờ gửi.")
    assert json.loads(page.evaluate(DUMP))["idb"]["tincay-offline/queue"]["keys"] == []

    clear.click()  # nothing waiting: no question, an answer
    expect(status).to_have_text("Hàng chờ đang trống: không có bản ghi nào để xoá.")
    # The same answer again is emptied first and set again, so that a screen reader reads it out again.
    page.evaluate("""() => { window.said = [];
      new MutationObserver(() => window.said.push(document.querySelector('[data-message]').textContent))
        .observe(document.querySelector('[data-message]'), {childList: true, characterData: true, subtree: true}); }""")
    clear.click()
    for _ in range(100):  # (wait_for_function evaluates a string: the page's CSP refuses it)
        if len(page.evaluate("window.said")) >= 2:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.said") == ["", "Hàng chờ đang trống: không có bản ghi nào để xoá."]
    expect(status).to_have_text("Hàng chờ đang trống: không có bản ghi nào để xoá.")
    expect(status).to_have_attribute("aria-live", "polite")  # said outright, for readers that ignore the role
