"""CSRF, security headers, static files, error pages, oversize bodies, malformed ids, quick exit, config refusals."""

import os
import re

import pytest
from helpers import PASSWORD, build_app, csrf_token_from
from helpers import app_config as make_config

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory):
    return build_app(make_config(tmp_path_factory, WTF_CSRF_ENABLED=True))


def _login_csrf(client, user):
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    r = client.post("/auth/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    return token


def test_post_without_csrf_token_is_refused_in_vietnamese(csrf_app):
    from helpers import wipe

    wipe(csrf_app)
    client = csrf_app.test_client()
    r = client.post("/auth/login", data={"username": "x", "password": "y"})
    assert r.status_code == 400
    assert "Phiên làm việc của biểu mẫu đã hết hạn" in r.get_data(as_text=True)


def test_csrf_token_from_the_page_or_the_htmx_header_passes(csrf_app):
    from helpers import UserRecord, wipe

    from app.auth import services
    from app.extensions import db
    from app.units.queries import by_code

    wipe(csrf_app)
    with csrf_app.app_context():
        services.create_user("csrfuser1", PASSWORD, role="counsellor", unit=by_code("03253"), actor="test")
        db.session.commit()
        db.session.remove()
    user = UserRecord(None, "csrfuser1", PASSWORD, "counsellor", "03253", None)
    client = csrf_app.test_client()
    _login_csrf(client, user)
    assert client.post("/auth/ping").status_code == 400
    page = client.get("/auth/account").get_data(as_text=True)
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page)
    token = header_token.group(1) if header_token else csrf_token_from(page)
    assert client.post("/auth/ping", headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code == 204
    assert client.post("/auth/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302


def test_pages_carry_the_security_headers(client, make_user, login):
    for r in (client.get("/auth/login"),):
        assert r.headers["Content-Security-Policy"] == CSP
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in r.headers  # testing config: HSTS only in production
    login(client, make_user("counsellor", "03253"))
    r = client.get("/auth/account")
    assert r.status_code == 200
    assert r.headers["Content-Security-Policy"] == CSP
    assert "no-store" in r.headers["Cache-Control"]


def test_static_files_are_versioned_and_immutable(client):
    page = client.get("/auth/login").get_data(as_text=True)
    url = re.search(r'href="(/static/[^"]+/css/app\.css)"', page).group(1)
    r = client.get(url)
    assert r.status_code == 200
    assert "max-age=31536000" in r.headers["Cache-Control"] and "immutable" in r.headers["Cache-Control"]
    wrong = re.sub(r"/static/[^/]+/", "/static/0000000000/", url)
    assert client.get(wrong).status_code == 404


@pytest.mark.parametrize(
    "path,status,word",
    [
        ("/no-such-page", 404, "Không tìm thấy"),
        ("/admin/users/not-a-uuid", 404, "Không tìm thấy"),
    ],
)
def test_error_pages_in_vietnamese(client, make_user, login, path, status, word):
    login(client, make_user("admin", "099"))
    r = client.get(path)
    assert r.status_code == status
    text = r.get_data(as_text=True)
    assert word in text and "Traceback" not in text and 'lang="vi"' in text


def test_403_page_in_vietnamese(client, make_user, login):
    login(client, make_user("counsellor", "03253"))
    r = client.get("/admin/users")
    assert r.status_code == 403 and "Không có quyền" in r.get_data(as_text=True)


def _error_message(html: str) -> str | None:
    """The text app.js shows when htmx gets this page as a failed answer (its data-error-message element)."""
    found = re.search(r"<(\w+)[^>]* data-error-message[^>]*>(.*?)</\1>", html, re.S)
    return " ".join(found.group(2).split()) if found else None


def test_error_pages_hand_htmx_their_message(client, app, make_user, login):
    """A failed htmx request shows the error page's own message (app.js j): each page marks it, as plain text."""
    login(client, make_user("counsellor", "03253"))
    htmx = {"HX-Request": "true"}
    r = client.get("/no-such-page", headers=htmx)
    assert r.status_code == 404
    assert _error_message(r.get_data(as_text=True)) == "Không có trang hoặc hồ sơ này, hoặc bạn không có quyền xem."
    r = client.get("/admin/users", headers=htmx)
    assert r.status_code == 403
    assert _error_message(r.get_data(as_text=True)) == "Bạn không có quyền xem hoặc làm việc này."
    from app.web.errors import MESSAGES, render_error

    for status, (_title, message) in MESSAGES.items():
        with app.test_request_context("/"):
            body, code = render_error(status)
        assert code == status and _error_message(body) == str(message), status


def test_every_page_carries_the_request_error_box(client):
    """base.html: the box app.js fills when an htmx request fails, its texts, and htmx's 30 s timeout."""
    import json

    page = client.get("/auth/login").get_data(as_text=True)
    box = re.search(r'<div id="request-error"([^>]*)></div>', page)
    assert box, "no empty #request-error in <main>"
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', box.group(1)))
    assert attrs["role"] == "alert" and attrs["tabindex"] == "-1" and " hidden" in box.group(1)
    assert "chưa được lưu" in attrs["data-offline"] and "vẫn còn trong biểu mẫu" in attrs["data-offline"]
    assert "30 giây" in attrs["data-timeout"] and "Không tải được" in attrs["data-offline-read"]
    for key in ("data-e403", "data-e404", "data-e409", "data-e413", "data-e429", "data-e5xx", "data-eother"):
        assert attrs[key].strip(), key
    assert page.index('id="request-error"') > page.index('<main id="main"')
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page).group(1))
    assert config["timeout"] == 30000


def test_oversize_request_is_413(client, app):
    r = client.post("/auth/login", data={"username": "x", "password": "y" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert r.status_code == 413 and "Dữ liệu quá lớn" in r.get_data(as_text=True)


def test_500_page_says_nothing_internal(app):
    from app.web.errors import render_error

    with app.test_request_context("/"):
        body, status = render_error(500)
    assert status == 500 and "Hệ thống gặp lỗi" in body and "Traceback" not in body
    with app.test_request_context("/"):
        body, status = render_error(400)
    assert status == 400 and "Yêu cầu không hợp lệ" in body


def test_quick_exit_ends_the_session_and_goes_to_the_neutral_page(client, make_user, login):
    login(client, make_user("counsellor", "03253"))
    assert client.get("/auth/account").status_code == 200
    r = client.post("/auth/quick-exit")
    assert r.status_code == 302 and r.location.endswith("/n")
    assert client.get("/auth/account").status_code == 302
    assert client.get("/n").status_code == 200


def test_language_switch_refuses_open_redirects(client):
    for target in ("//evil.example", "https://evil.example", "/\\evil.example"):
        r = client.post("/lang", data={"lang": "en", "next": target})
        location = r.location.removeprefix("http://localhost")
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location, target


# --- production configuration ----------------------------------------------------------------


def _prod(tmp_path, **changes):
    from app import create_app
    from app.crypto.keyring import KeyRing

    key_file = tmp_path / "keys.json"
    KeyRing.generate().save(str(key_file))
    os.chmod(key_file, 0o400)
    from app.audit.anchor import create_signing_key

    create_signing_key(str(tmp_path / "audit-signing.key"))
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite",
        "KEY_FILE": str(key_file),
        "SECRET_KEY": "s" * 40,
        "RATELIMIT_STORAGE_URI": "redis://:redis-password@127.0.0.1:6379/15",
        "AUDIT_HEAD_SINK": str(tmp_path / "log" / "audit-heads.log"),
    }
    (tmp_path / "log").mkdir(exist_ok=True)
    for key, value in changes.items():
        if key == "key_mode":
            os.chmod(key_file, value)
        elif key == "signing_key_mode":
            os.chmod(tmp_path / "audit-signing.key", value)
        else:
            config[key] = value
    return create_app("production", config)


def test_production_starts_with_its_secrets_and_requires_totp(tmp_path):
    app = _prod(tmp_path)
    assert app.config["TOTP_REQUIRED"] and app.config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize(
    "changes",
    [
        {"SECRET_KEY": ""},
        {"SECRET_KEY": None},
        {"key_mode": 0o440},
        {"key_mode": 0o404},
        {"key_mode": 0o644},
        {"DEBUG": True},
        {"RATELIMIT_STORAGE_URI": "memory://"},
        {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"},
        {"RATELIMIT_STORAGE_URI": "rediss://user@redis.example:6380/0"},
        {"KEY_FILE": "/nonexistent/keys.json"},
        {"AUDIT_SIGNING_KEY": "/nonexistent/audit-signing.key"},
        {"signing_key_mode": 0o640},
    ],
)
def test_production_refuses_to_start(tmp_path, changes):
    from app.config import ConfigError

    with pytest.raises(ConfigError):
        _prod(tmp_path, **changes)


def test_production_takes_a_redis_behind_a_password_or_a_socket(tmp_path):
    for i, url in enumerate(("redis://:a-long-password@127.0.0.1:6379/0", "redis+unix:///run/redis/redis.sock")):
        (tmp_path / str(i)).mkdir()
        assert _prod(tmp_path / str(i), RATELIMIT_STORAGE_URI=url).config["RATELIMIT_STORAGE_URI"] == url


def test_production_pages_send_hsts(tmp_path):
    app = _prod(tmp_path)
    r = app.test_client().get("/healthz", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
