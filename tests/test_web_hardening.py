"""Web hardening sweep: every page each role profile reaches, the error pages and the cookies.

For each profile the sweep starts from every GET the access matrix allows it (pages and htmx fragments, with
the objects of tests/matrix_world.py) and follows the links the pages show. On every answer:

* the headers of DESIGN.md §5: the exact CSP directives, nosniff, Referrer-Policy no-referrer, frame-ancestors
  none; `Cache-Control: no-store` on everything that is not a versioned static file; `Vary` names HX-Request;
* every id unique on the page or fragment (a repeated id is invalid HTML, and assistive technology and
  getElementById find only the first);
* nothing the CSP would block: no inline <script>, no <style> element, no style= / on*= / hx-on attributes;
* full pages carry the htmx config (no eval, no indicator styles, no history cache) and, signed in,
  hx-history="false";
* no person data of the world (names, phones, ID numbers, narrative, code words, note bodies) and no human case
  code in any URL a page links to or redirects to.
"""

import json
import os
import re
import shutil
import stat
from pathlib import Path
from urllib.parse import unquote

import pytest
from matrix_world import PASSWORD, PROFILES, Page, login, make_world, same_site_path
from test_access_matrix import ENDS_SESSION, OK, _split, _url, expectations, static_params

REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
PAGE_LIMIT = 120  # per profile: enough for every page and a few rows of each list
SKIP_PREFIXES = ("/static/", "/auth/quick-exit", "/auth/logout")
SHELL_PATHS = ("/offline/", "/offline/sw.js")


def header_problems(response) -> list[str]:
    problems = []
    headers = response.headers
    csp = dict(
        part.strip().split(" ", 1) for part in headers.get("Content-Security-Policy", "").split(";") if part.strip()
    )
    for directive, value in REQUIRED_CSP.items():
        if csp.get(directive) != value:
            problems.append(f"CSP {directive} is {csp.get(directive)!r}, not {value!r}")
    if any("unsafe" in value or "*" in value.split() for value in csp.values()):
        problems.append("CSP allows unsafe sources")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") != "no-referrer":
        problems.append("no Referrer-Policy: no-referrer")
    if response.request.path in SHELL_PATHS:
        # The offline shell and its worker (app/offline): the service worker may keep them; no person data.
        if headers.get("Cache-Control") != "no-cache":
            problems.append(f"Cache-Control is {headers.get('Cache-Control')!r}, not no-cache")
    elif "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {headers.get('Cache-Control')!r}, not no-store")
    vary = {v.strip().lower() for v in headers.get_all("Vary") for v in v.split(",")}
    if "hx-request" not in vary:
        problems.append("Vary does not name HX-Request")
    return problems


def html_problems(page: Page, response, *, signed_in: bool) -> list[str]:
    problems = []
    if page.inline_scripts:
        problems.append(f"{page.inline_scripts} inline <script>")
    if page.style_elements:
        problems.append(f"{page.style_elements} <style> element(s)")
    if page.inline_attrs:
        problems.append("inline attributes the CSP blocks: " + ", ".join(sorted(set(page.inline_attrs))))
    if page.duplicate_ids():
        problems.append("duplicate ids: " + ", ".join(page.duplicate_ids()))
    if any(u.strip().lower().startswith("javascript:") for u in page.urls):
        problems.append("javascript: URL")
    if any("htmx" in src for src in page.script_srcs):
        try:
            config = json.loads(page.meta.get("htmx-config", "{}"))
        except ValueError:
            config = {}
        expected = {"allowEval": False, "includeIndicatorStyles": False, "historyCacheSize": 0}
        if {k: config.get(k) for k in expected} != expected:
            problems.append(f"htmx-config is {page.meta.get('htmx-config')!r}")
        if signed_in and page.body_attrs.get("hx-history") != "false":
            problems.append('signed-in page without hx-history="false" on <body>')
    return problems


def leak_problems(urls, secrets_: list[str]) -> list[str]:
    problems = []
    for url in urls:
        plain = unquote(url).casefold()
        for value in secrets_:
            if value.casefold() in plain:
                problems.append(f"person data or case code in a URL: {url[:120]}")
    return problems


def _secrets(world) -> list[str]:
    return world.person_values() + list(world.extra["case_codes"].values())


def _seeds(app, world, profile) -> list[tuple[str, str | None]]:
    """(path, htmx target) of every GET the matrix allows this profile."""
    statics = static_params(app)
    seeds = []
    for endpoint, key, variant, expected in expectations(profile):
        method, target = _split(key)
        if method != "GET" or expected != OK or endpoint not in app.view_functions or endpoint in ENDS_SESSION:
            continue
        params = dict(world.params.get(variant, {}), **statics.get(variant, {}))
        seeds.append((_url(app, endpoint, params), target))
    return seeds


def sweep(app, world, profile, client=None):
    """Visit the profile's pages and what they link to; yield (path, target, response, page)."""
    client = client or login(app.test_client(), world, profile)
    queue, seen = _seeds(app, world, profile), set()
    while queue and len(seen) < PAGE_LIMIT:
        path, target = queue.pop(0)
        if (path, target) in seen:
            continue
        seen.add((path, target))
        headers = {"HX-Request": "true", "HX-Target": target} if target else {}
        response = client.get(path, headers=headers)
        page = None
        if response.mimetype == "text/html":
            page = Page(response.get_data(as_text=True), url=path)
            for link in page.links:
                found = same_site_path(link)
                if found and not found.startswith(SKIP_PREFIXES) and (found, None) not in seen:
                    queue.append((found, None))
        yield path, target, response, page


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_page_a_profile_reaches_is_hardened(app, profile, monkeypatch):
    world = make_world(app)
    secrets_ = _secrets(world)
    client = login(app.test_client(), world, profile)
    # The pages drawn as in production, each form with its CSRF token (the tests' app leaves CSRF off): a token
    # input with an id, drawn once per form, would repeat that id.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    problems, visited = [], 0
    for path, target, response, page in sweep(app, world, profile, client):
        visited += 1
        where = f"{path}" + (f" [hx {target}]" if target else "")
        if path.startswith("/static/"):
            continue  # versioned static files: checked in test_static_files_are_cached_but_still_hardened
        found = header_problems(response) + leak_problems([response.headers.get("Location", "")], secrets_)
        if response.status_code >= 500:
            found.append(f"status {response.status_code}")
        if page is not None and response.status_code == 200:
            found += html_problems(page, response, signed_in=profile != "anon") + leak_problems(page.urls, secrets_)
        problems += [f"{where}: {p}" for p in found]
    assert visited >= 3
    assert not problems, f"{profile}: {len(problems)} problems on {visited} answers:\n" + "\n".join(problems)


ERROR_REQUESTS = [
    ("GET", "/no-such-page", 404),
    ("GET", "/auth/logout", 405),
    ("GET", "/admin/", 403),
    ("GET", "/cases/00000000-0000-4000-8000-000000000000", 404),
]


@pytest.mark.parametrize("method,path,status", ERROR_REQUESTS)
def test_error_pages_are_hardened_and_say_nothing_internal(app, make_user, login, method, path, status):
    client = app.test_client()
    login(client, make_user("counsellor", "TA-02"))
    response = client.open(path, method=method)
    assert response.status_code == status
    page = Page(response.get_data(as_text=True), url=path)
    assert header_problems(response) == []
    assert html_problems(page, response, signed_in=True) == []
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "sqlalchemy" not in text.lower() and "werkzeug" not in text.lower()


def test_oversize_body_gets_413_on_a_hardened_page(app):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "x", "password": "y" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert header_problems(response) == []
    assert html_problems(Page(response.get_data(as_text=True)), response, signed_in=False) == []


def test_static_files_are_cached_but_still_hardened(app):
    client = app.test_client()
    version = static_params(app)["own"]["version"]
    response = client.get(f"/static/{version}/css/app.css")
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def _cookie(response, name: str) -> str:
    found = [c for c in response.headers.get_all("Set-Cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie set: {response.headers.get_all('Set-Cookie')}"
    return found[-1]


def test_session_and_language_cookies_are_httponly_and_samesite_lax(app, make_user):
    user = make_user("counsellor", "TA-02")
    client = app.test_client()
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    cookie = _cookie(response, app.config["SESSION_COOKIE_NAME"])
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    language = _cookie(client.post("/lang", data={"lang": "en", "next": "/"}), "lang")
    assert "HttpOnly" in language and "SameSite=Lax" in language


def test_production_cookies_are_secure_host_only_and_pages_send_hsts(app, make_user, tmp_path):
    """A production-config app on the same database: the sign-in cookie is __Host-, Secure, HttpOnly, Lax."""
    from app import create_app

    user = make_user("counsellor", "TA-02")
    key_file = tmp_path / "keys.json"
    shutil.copy(app.config["KEY_FILE"], key_file)
    os.chmod(key_file, stat.S_IRUSR)
    shutil.copy(app.config["AUDIT_SIGNING_KEY"], tmp_path / "audit-signing.key")
    shutil.copytree(app.extensions["tincay_keyring"].case_keys.directory, tmp_path / "case-keys")
    prod = create_app(
        "production",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "KEY_FILE": str(key_file),
            "SECRET_KEY": "p" * 40,
            "RATELIMIT_STORAGE_URI": "redis://:redis-password@127.0.0.1:6379/15",
            "RATELIMIT_ENABLED": False,
            "ARGON2_PARAMS": app.config.get("ARGON2_PARAMS"),
            "AUDIT_HEAD_SINK": str(tmp_path / "audit-heads.log"),
        },
    )
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["SESSION_COOKIE_HTTPONLY"]
    client = prod.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert header_problems(page) == []
    response = client.post(
        "/auth/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": _csrf(page.get_data(as_text=True))},
    )
    assert response.status_code in (302, 303), response.status_code
    cookie = _cookie(response, "__Host-tincay")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "path"} <= attributes and "domain" not in attributes
    assert "SameSite=Lax" in cookie and "Path=/" in cookie
    with prod.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def _csrf(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else ""


def test_templates_draw_the_csrf_token_through_the_macro_only():
    """A form's own `form.csrf_token` (or `hidden_tag()`) draws <input id="csrf_token">, so a page of several forms
    repeated that id; the csrf() macro of templates/_macros/forms.html draws the token without one. The sweep
    above sees the pages the world reaches; this sees every template."""
    root = Path(__file__).resolve().parent.parent / "templates"
    drawn_by_form = re.compile(r"\.csrf_token\b(?!\()|hidden_tag\s*\(|id=[\"']csrf_token[\"']")
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()[:100]}"
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if drawn_by_form.search(line)
    ]
    assert found == [], "CSRF token drawn with an id; use {{ csrf() }}:\n" + "\n".join(found)
