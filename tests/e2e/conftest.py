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
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from e2e_support import CHROMIUM, DEVICES

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "e2e"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "mat-khau-kiem-thu-dai"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


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
        self._http = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._http.shutdown()

    def make_user(self, role: str, unit_code: str, *, totp: bool = True, username: str | None = None,
                  display_name: str = "", must_change: bool = False) -> E2EUser:
        """Create an account directly in the database (a TOTP secret already enrolled unless totp=False)."""
        from app.auth import services
        from app.auth.totp import new_secret
        from app.extensions import db
        from app.units.queries import by_code

        username = username or f"{role[:5]}{secrets.token_hex(3)}"
        with self.app.app_context():
            user = services.create_user(username, PASSWORD, role=role, unit=by_code(unit_code), actor="test",
                                        display_name=display_name, must_change=must_change)
            secret = new_secret() if totp else None
            if secret:
                user.totp_secret, user.totp_enabled = secret, True
            db.session.commit()
            record = E2EUser(user.id, username, PASSWORD, role, unit_code, secret, display_name)
            db.session.remove()
        return record

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
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e"))
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
