"""Helpers for the browser journeys: signing in with TOTP, the phone checks, axe-core, weights."""

import gzip
import json
import os
import time
from pathlib import Path

import pyotp
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True,
              "device_scale_factor": 2},
}
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "e2e"
TAP_MIN_PX = 44


# --- signing in -------------------------------------------------------------------------------

def totp_code(user) -> str:
    """A valid code the server has not seen yet (it refuses a replayed time step)."""
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time() // totp.interval)
    last = max(user.used_steps, default=0)
    step = next((s for s in (now, now + 1) if s > last), None)
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


def sign_out(page):
    page.locator("footer").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


# --- phones -----------------------------------------------------------------------------------

_LAYOUT = """minPx => {
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


def check_phone(page, device: str):
    """At phone size: no horizontal scrolling, and every tap target at least 44 px high."""
    if device != "phone":
        return
    layout = page.evaluate(_LAYOUT, TAP_MIN_PX)
    assert layout["scrollWidth"] <= layout["innerWidth"], f"horizontal scrolling on {page.url}: {layout}"
    assert not layout["small"], f"tap targets under {TAP_MIN_PX} px on {page.url}: {layout['small']}"


# --- accessibility ----------------------------------------------------------------------------

def check_axe(page, label: str = "") -> list[dict]:
    """Run axe-core on the page as it is now; fail on any serious or critical violation.

    The vendored file is evaluated through the DevTools protocol, which the page's CSP does not govern;
    the app's own CSP stays on for everything else.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
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
