"""Helpers for the browser journeys: signing in with TOTP, the phone checks, axe-core, weights."""

import gzip
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pyotp
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 2,
    },
}
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "e2e"
TAP_MIN_PX = 44
ROLES = ("counsellor", "district_reviewer", "agency_officer", "reporter", "monitor", "admin")
PASSWORD = "mat-khau-kiem-thu-dai"


# --- the server -------------------------------------------------------------------------------


@dataclass
class E2EUser:
    id: str
    username: str
    password: str
    role: str
    unit_code: str
    totp_secret: str | None
    display_name: str = ""
    used_steps: set = field(default_factory=set)


class LiveServer:
    """One app instance with its own database and keys, served over real HTTP on a free port."""

    def __init__(self, base: Path, **overrides):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # the dev server would log query strings
                pass

        self.app = build_app(base, **overrides)
        self.hits: list[str] = []  # every path the server was asked for (to prove what came from the cache)

        def recording(environ, start_response):
            self.hits.append(environ.get("PATH_INFO", ""))
            return self.app(environ, start_response)

        self._http = make_server("127.0.0.1", 0, recording, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._http.shutdown()

    def make_user(
        self,
        role: str,
        unit_code: str,
        *,
        totp: bool = True,
        username: str | None = None,
        display_name: str = "",
        must_change: bool = False,
    ) -> E2EUser:
        """Create an account directly in the database (a TOTP secret already enrolled unless totp=False)."""
        from app.auth import services
        from app.auth.totp import new_secret
        from app.extensions import db
        from app.units.queries import by_code

        username = username or f"{role[:5]}{secrets.token_hex(3)}"
        with self.app.app_context():
            user = services.create_user(
                username,
                PASSWORD,
                role=role,
                unit=by_code(unit_code),
                actor="test",
                display_name=display_name,
                must_change=must_change,
            )
            secret = new_secret() if totp else None
            if secret:
                user.totp_secret, user.totp_enabled = secret, True
            db.session.commit()
            record = E2EUser(user.id, username, PASSWORD, role, unit_code, secret, display_name)
            db.session.remove()
        return record

    def seed_demo(self, cases: int = 12) -> dict[str, "E2EUser"]:
        """The demo cast and each built area's demo records; returns one user per role, TOTP enrolled."""
        from helpers import reference_trusted_addresses
        from sqlalchemy import select

        from app.auth.models import User
        from app.auth.totp import new_secret
        from app.demo import seed
        from app.extensions import db

        users = {}
        with self.app.app_context():
            reference_trusted_addresses()  # the demo runs on the reference data: its users at the current units
            db.session.commit()
            for username, role, password in seed(cases) or []:
                user = db.session.scalar(select(User).where(User.username == username))
                user.totp_secret, user.totp_enabled = new_secret(), True
                unit_code = user.roles[0].unit.code
                users.setdefault(role, E2EUser(user.id, username, password, role, unit_code, user.totp_secret))
            db.session.commit()
            db.session.remove()
        return users

    def query(self, fn):
        """Run fn() inside an app context (to look at the database from a test)."""
        from app.extensions import db

        with self.app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()


def build_app(base: Path, **overrides):
    """A fresh instance: new keys, all migrations applied, reference data loaded. Always SQLite."""
    from flask_migrate import upgrade

    from app import create_app
    from app.crypto.keyring import load_or_create
    from app.extensions import db
    from app.reference import load_all

    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base}/e2e.sqlite",
        "KEY_FILE": str(base / "keys.json"),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "WTF_CSRF_ENABLED": True,  # a real browser sends real tokens
        "TOTP_REQUIRED": True,  # as in production
        "ARGON2_PARAMS": (1, 1024, 1),
        "RATELIMIT_STORAGE_URI": "memory://",
        # Every browser of the suite comes from 127.0.0.1: per-address limits would throttle the suite itself.
        "LOGIN_ATTEMPTS_PER_IP": "10000 per minute",
        "LOGIN_FAILURES_PER_IP": "10000 per 15 minutes",
    }
    config.update(overrides)
    setup_hook = config.pop("E2E_SETUP", None)
    app = create_app("testing", config)
    if setup_hook:
        setup_hook(app)
    with app.app_context():
        app.extensions["tincay_keyring"] = load_or_create(config["KEY_FILE"], create=True)
        upgrade(revision="heads")
        load_all()
        from helpers import pre_reform_trusted_addresses

        pre_reform_trusted_addresses()  # the world the journeys were written in (see there); the demo's is real
        db.session.commit()
        db.session.remove()
    return app


# --- signing in -------------------------------------------------------------------------------


def totp_code(user) -> str:
    """A valid code the server has not seen yet (it refuses a replayed time step)."""
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time() // totp.interval)
    last = max(user.used_steps, default=0)
    # The server accepts one step of drift either way; the previous step only early in the current one, so
    # that it is still inside the window when the server checks it.
    early = time.time() % totp.interval < totp.interval - 5
    step = next((s for s in ((now - 1,) if early else ()) + (now, now + 1) if s > last), None)
    if step is None:  # both steps used: wait for the next one
        time.sleep((now + 1) * totp.interval - time.time() + 0.2)
        return totp_code(user)
    user.used_steps.add(step)
    return totp.generate_otp(step)


def sign_in(page, server, user, password: str | None = None, shot=None):
    """Log in through the form, then give the TOTP code; ends on the role's start page."""
    page.goto(server.url + "/auth/login")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.locator("#password").fill(password or user.password)
    if shot:
        shot(page, "login")
    page.get_by_role("button", name="Đăng nhập").click()
    if user.totp_secret:
        expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
        page.get_by_label("Mã xác thực 6 số").fill(totp_code(user))
        if shot:
            shot(page, "totp")
        page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("nav.nav")).to_be_visible()
    # The navigation shows while the start page is still loading: what follows (reading the menu, tabbing,
    # counting) needs the whole page and app.js run.
    page.wait_for_load_state("load")


# --- waiting for the page -----------------------------------------------------------------------

_HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def settle(page):
    """Wait until htmx is idle: no request on its way, no swap or settle under way.

    An action that makes htmx ask the server (a select with hx-trigger="change", a form with hx-post) returns
    at once; the part of the page it swaps is replaced later. A read taken meanwhile sees the old part, a click
    lands on an element about to be replaced (and does nothing), and a text check may already match before the
    swap. Call it after such an action, before reading or clicking inside the swapped part.
    """
    page.wait_for_function(_HTMX_IDLE)


def go_nav(page, name: str):
    """Follow a link of the main navigation; on a phone the link sits in the "Danh mục" menu, opened first.

    Returns once the page the link opens has loaded: the click returns before the next page is there, and a
    check that follows would read (or pass on) the page being left. Waiting for the address is not enough: the
    link may lead to the page already shown (a role's start page: the case list for a counsellor, the users for
    an admin), whose address is right before the new page exists.
    """
    page.wait_for_load_state("load")  # app.js opens the menu on wide screens: look at it after app.js has run
    nav = page.locator("nav.nav")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        nav.locator("details.menu > summary").click()
    target = urljoin(page.url, link.get_attribute("href"))
    with page.expect_navigation(url=target, wait_until="load"):
        link.click()


def open_section(page, section_id: str):
    """Unfold a section of a long page (case page, dashboard): they start folded (app.js), state remembered."""
    toggle = page.locator(f"#{section_id} > .sec-toggle-wrap > .sec-toggle")
    toggle.wait_for()
    if toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def sign_out(page):
    page.locator("footer").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


# --- phones -----------------------------------------------------------------------------------

_LAYOUT = """minPx => {
  if (!document.documentElement || document.readyState === 'loading') return null;  // mid-navigation
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const small = [];
  const targets = 'button, a.btn, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),'
    + ' label:has(> input[type=checkbox]), label:has(> input[type=radio]), .nav a, summary';
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el) || el.closest('.sr-only, [hidden]')) continue;
    const h = el.getBoundingClientRect().height;
    if (h < minPx) small.push(`${el.outerHTML.slice(0, 90)} (${h.toFixed(1)} px)`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, small};
}"""


_CARDS = """() => {
  if (!document.documentElement || document.readyState === 'loading') return null;
  const W = window.innerWidth, out = [];
  const hidden = el => el.closest('.is-collapsed, details:not([open]), [hidden], .sr-only');
  const parts = ':is(tbody, tfoot) :is(td, th, a, button, input:not([type=hidden]), select)',
    controls = 'a, button, input:not([type=hidden]), select';
  for (const t of document.querySelectorAll('table.data:not(.table-keep)')) {
    if (hidden(t)) continue;
    for (const el of t.querySelectorAll(parts)) {
      const blank = !el.textContent.trim() && !el.matches(controls) && !el.querySelector(controls);
      if (hidden(el) || blank) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1 || r.left < -0.5 || r.right > W + 0.5)
        out.push(`${el.outerHTML.slice(0, 80)} at ${r.left.toFixed(0)}..${r.right.toFixed(0)} of ${W}`);
    }
  }
  return {out};
}"""


def check_cards(page):
    """At phone size every cell, link, button and input of every open table is on screen (card layout)."""
    result = settled_evaluate(page, _CARDS)
    assert not result["out"], f"table parts off screen on {page.url}: {result['out'][:5]}"


def settled_evaluate(page, script: str, arg=None, attempts: int = 5):
    """Evaluate once the page has loaded and htmx is idle, again if a navigation (a redirect after a POST)
    replaced it.

    A click that submits a form returns before the next document exists; evaluating then reads a
    document that is being torn down (`document.documentElement` is null, or the context is destroyed).
    The script returns null when the document is not ready. A part htmx is still swapping would be
    measured half-replaced: `settle` first.
    """
    for _ in range(attempts):
        page.wait_for_load_state("load")
        try:
            settle(page)
            result = page.evaluate(script, arg)
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc) and "properties of null" not in str(exc):
                raise
            continue
        if result is not None:
            return result
    raise AssertionError(f"the page never settled: {page.url}")


def check_phone(page, device: str):
    """At phone size: no horizontal scrolling, and every tap target at least 44 px high."""
    if device != "phone":
        return
    layout = settled_evaluate(page, _LAYOUT, TAP_MIN_PX)
    assert layout["scrollWidth"] <= layout["innerWidth"], f"horizontal scrolling on {page.url}: {layout}"
    assert not layout["small"], f"tap targets under {TAP_MIN_PX} px on {page.url}: {layout['small']}"
    check_cards(page)


# --- accessibility ----------------------------------------------------------------------------


def check_axe(page, label: str = "") -> list[dict]:
    """Run axe-core on the page as it is now, folded sections opened; fail on any serious or critical violation.

    The vendored file is evaluated through the DevTools protocol, which the page's CSP does not govern;
    the app's own CSP stays on for everything else.
    """
    has_axe = "() => document.readyState === 'loading' ? null : typeof window.axe !== 'undefined'"
    if not settled_evaluate(page, has_axe):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    # What is folded (a closed <details>, a collapsed section) is not rendered, so axe would skip it: unfold
    # everything for the run, then fold it back as the user left it.
    violations = page.evaluate("""async () => {
      const closed = [...document.querySelectorAll('details:not([open])')],
            folded = [...document.querySelectorAll('.is-collapsed')];
      closed.forEach(d => { d.open = true; });
      folded.forEach(s => s.classList.remove('is-collapsed'));
      try {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
      } finally {
        closed.forEach(d => { d.open = false; });
        folded.forEach(s => s.classList.add('is-collapsed'));
      }
    }""")
    # Opening the <details> fetched the forms they load on first opening (templates/_macros/lazy.html): let htmx
    # swap them in now, not under the test's next click.
    settle(page)
    _record_axe(page.url, label, violations)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe: serious/critical violations on {page.url}: {json.dumps(bad, ensure_ascii=False)}"
    return violations


def _record_axe(url: str, label: str, violations: list[dict]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    line = {"url": url.split("?")[0], "label": label, "violations": violations}
    with open(ARTIFACTS / f"axe-{os.getpid()}.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")


def check_page(page, device: str, label: str = ""):
    """The checks every journey step runs: phone layout and accessibility."""
    check_phone(page, device)
    check_axe(page, label)


# --- weights ----------------------------------------------------------------------------------


def gzip_size(body: bytes) -> int:
    """Bytes on the wire as nginx sends text with `gzip_comp_level 5` (deploy/nginx/tincay.conf)."""
    return len(gzip.compress(body, compresslevel=5))


# --- crawling every page a role can reach -----------------------------------------------------

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Not pages: leaving, signing out, downloads, the language switch, static files.
_SKIP = re.compile(r"^/(static/|auth/(logout|quick-exit)|n$|lang$|favicon)|\.(xlsx|csv|pdf|zip)$")
_LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


def page_shape(path: str) -> str:
    """/cases/<uuid>/edit -> /cases/:id/edit: two pages of the same shape test the same template."""
    return _UUID.sub(":id", path)


def crawl(page, server, *, per_shape: int = 2, limit: int = 40):
    """Visit every page reachable by links from the start page; yields (path, response) on each."""
    from urllib.parse import urlsplit

    queue, seen, shapes = ["/"], set(), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        shape = page_shape(path)
        if path in seen or shapes.get(shape, 0) >= per_shape:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = page.goto(server.url + path)
        yield urlsplit(page.url).path, response
        for href in page.evaluate(_LINKS):
            parts = urlsplit(href)
            if parts.netloc == urlsplit(server.url).netloc and not _SKIP.search(parts.path):
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in seen:
                    queue.append(target)


_ASSETS = """() => [...new Set([
  ...[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href),
  ...[...document.querySelectorAll('script[src]')].map(s => s.src),
  ...[...document.querySelectorAll('img[src]')].map(i => i.src),
  ...[...document.querySelectorAll('use[href]')].map(u => new URL(u.getAttribute('href'), location.href).href
                                                            .split('#')[0]),
])]"""
_asset_sizes: dict[str, tuple[int, int]] = {}


def page_weight(page, response) -> dict:
    """What the page costs a phone with an empty cache: HTML plus every CSS, JS and image it uses, gzipped."""
    html = response.body()
    weight = {"html": len(html), "html_gz": gzip_size(html), "assets": {}}
    for url in page.evaluate(_ASSETS):
        if url not in _asset_sizes:
            body = page.request.get(url).body()
            _asset_sizes[url] = (len(body), gzip_size(body))
        name = url.rsplit("/", 1)[-1]
        weight["assets"][name] = _asset_sizes[url]
    weight["total_gz"] = weight["html_gz"] + sum(gz for _, gz in weight["assets"].values())
    weight["total"] = weight["html"] + sum(raw for raw, _ in weight["assets"].values())
    return weight
