"""Real-browser harness: the app served on 127.0.0.1 by a real HTTP server, driven by Debian's Chromium.

* `server` — a fresh instance (SQLite, new keys) served by werkzeug in a thread, CSRF ON, TOTP required
  (as in production), argon2 cheap. Users are created directly with `server.make_user(...)`.
* `page` — a fresh browser context per test, run once at desktop size (1280×800) and once at phone size
  (360×740, touch): every journey passes at both. Console errors (CSP violations included) fail the test.
* `shot("step")` — a screenshot under $TEST_ARTIFACTS/e2e/<test-name>/NN-step.png (kept as CI artifacts).

Never `playwright install`: the browser is /usr/bin/chromium from apt.
"""

import os
import re
from pathlib import Path

import pytest
from e2e_support import CHROMIUM, DEVICES, LiveServer

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


# --- the server -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e"))
    yield live
    live.stop()


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """A server with the demo cast (one user per role, TOTP enrolled: `demo.cast[role]`) and demo records."""
    live = LiveServer(tmp_path_factory.mktemp("e2e-demo"))
    live.cast = live.seed_demo(cases=12)
    yield live
    live.stop()


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(DEVICES))
def device(request):
    return request.param


@pytest.fixture
def new_context(browser, device):
    """Open browser contexts of the current device size; all closed after the test."""
    opened = []

    def make(**kwargs):
        context = browser.new_context(**{**DEVICES[device], "locale": "vi-VN", **kwargs})
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context, request):
    """A page in a fresh context; console errors and CSP violations fail the test."""
    context = new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    # A 401/404 on purpose (e.g. the back button after logout) logs "Failed to load resource": not a fault.
    real = [e for e in errors if not e.startswith("Failed to load resource")]
    assert not real, f"browser console errors: {real}"


@pytest.fixture
def shot(request):
    """shot(page, "step"): screenshot to $TEST_ARTIFACTS/e2e/<test-name>/NN-step.png."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    counter = {"n": 0}

    def take(page, step: str):
        counter["n"] += 1
        folder.mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret injects a style="" that the strict CSP would then report.
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{step}.png"), full_page=True, caret="initial")

    return take
