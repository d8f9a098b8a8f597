"""The gunicorn access log of gunicorn.conf.py: a path pattern, never a query string, a name or an address."""

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))


@pytest.mark.parametrize(
    "path, pattern",
    [
        ("/", "/"),
        ("/cases/", "/cases/"),
        ("/cases/0b2c4a1e-1111-4222-8333-444455556666/edit", "/cases/:id/edit"),
        ("/static/abc123def456/css/app.css", "/static/abc123def456/css/app.css"),
        ("/cases/Lò Thị Mai", "/cases/:?"),
        ("/search/0912345678", "/search/:id"),
        ("/a/b c/<script>", "/a/:?/:?"),
        ("/auth/setup/Xq3v9KfTz0_aB-cD1eF2gH3iJ4kL5mN6oP7qR8sT9uV", "/auth/setup/:?"),  # a one-time link's token
    ],
)
def test_paths_become_patterns(path, pattern):
    assert CONF["path_pattern"](path) == pattern


def test_access_log_line_has_no_query_string_or_client_detail():
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", CONF["access_log_format"])
    logger = CONF["PrivacyLogger"](cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/cases/0b2c4a1e-1111-4222-8333-444455556666",
        "QUERY_STRING": "q=L%C3%B2+Th%E1%BB%8B+Mai",
        "RAW_URI": "/cases/x?q=Lo+Thi+Mai",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": "https://x/?q=Mai",
        "HTTP_USER_AGENT": "Mozilla",
    }
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "ab12cd34ef56ab78\nforged"), ("COOKIE", "tincay=secret")])
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=42))
    line = CONF["access_log_format"] % atoms
    assert line == 'method=GET path="/cases/:id" status=200 ms=42 bytes=1234 rid=ab12cd34ef56ab78forged'
    for name in ("q", "r", "f", "a", "h", "{cookie}i"):
        assert atoms[name] == "-"


def test_sized_for_a_small_server():
    assert CONF["worker_class"] == "gthread" and 2 <= CONF["workers"] <= 4 and CONF["threads"] >= 2
    assert CONF["bind"].startswith("127.0.0.1:")  # only nginx on the same machine talks to gunicorn
    assert CONF["timeout"] <= 120
