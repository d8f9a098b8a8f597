"""The nginx site of deploy/nginx/tincay.conf, run for real in front of the app: TLS, http -> https, gzip and
brotli for text, the year-long immutable cache of versioned static files, the body limit, and an access log
without query strings or client addresses.

Only the machine-specific parts are rewritten for the test (tests/nginx_support.py: ports, certificate and log
paths, the upstream port); every other directive is the file as shipped. Skipped where nginx is not installed.
"""

import gzip
import http.client
import re
import socket
import ssl
import threading
import time

import pytest
from nginx_support import HOST, NGINX, NOT_INSTALLED, start_site, stop

pytestmark = pytest.mark.skipif(NGINX is None, reason=NOT_INSTALLED)


@pytest.fixture
def site(app, tmp_path):
    """The app on a werkzeug server, nginx with the shipped site in front of it."""
    from werkzeug.serving import make_server

    backend = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    running = start_site(tmp_path, [backend.server_port])
    yield running
    stop(running)
    backend.shutdown()


def _get(port, path, *, tls=True, method="GET", body=None, **headers):
    if tls:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers={"Host": HOST, **headers})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def test_nginx_site_compresses_caches_limits_and_logs_nothing_personal(site):
    redirect, _ = _get(site["http"], "/auth/login?expired=1", tls=False)
    assert redirect.status == 301 and redirect.getheader("Location").startswith(f"https://{HOST}")

    page, body = _get(site["https"], "/auth/login?expired=1", **{"Accept-Encoding": "gzip"})
    assert page.status == 200 and page.getheader("Content-Encoding") == "gzip"
    assert page.getheader("Cache-Control") == "no-store"
    html = gzip.decompress(body).decode()
    assets = re.findall(r'(?:href|src)="(/static/[0-9a-f]{12}/[^"]+)"', html)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)

    for asset in assets:
        _, plain = _get(site["https"], asset)
        for encoding in ("br", "gzip") if site["brotli"] else ("gzip",):
            response, _ = _get(site["https"], asset, **{"Accept-Encoding": encoding})
            assert response.status == 200, asset
            # Below gzip_min_length / brotli_min_length (256 bytes, e.g. the favicon) compression would not pay.
            expected = encoding if len(plain) >= 256 else None
            assert response.getheader("Content-Encoding") == expected, (asset, encoding)
            assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable", asset

    too_big, _ = _get(
        site["https"],
        "/auth/login",
        method="POST",
        body=b"x" * (2 * 1024 * 1024),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert too_big.status == 413

    time.sleep(0.2)
    log = site["log"].read_text()
    assert log.count("\n") >= 5
    assert "?" not in log and "expired" not in log and "127.0.0.1" not in log and "/auth" not in log


def test_nginx_error_log_names_no_client_and_no_query(site):
    # Each of these makes nginx write a request-level error line ("client: …, request: "POST /…?…"") at the
    # default levels: a body over the limit, a malformed request, a path outside the upstream's reach.
    too_big, _ = _get(
        site["https"],
        "/auth/login?ten=Lo-Thi-Mai",
        method="POST",
        body=b"x" * (2 * 1024 * 1024),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert too_big.status == 413
    with socket.create_connection(("127.0.0.1", site["http"]), timeout=5) as raw:
        raw.sendall(b"GET /cases/?q=Lo-Thi-Mai HTTP/1.1\r\nHost: \r\nHost: x\r\n\r\n")
        raw.recv(1024)
    time.sleep(0.2)
    error_log = site["error_log"].read_text() if site["error_log"].exists() else ""
    for leak in ("127.0.0.1", "client:", "Lo-Thi-Mai", "?"):
        assert leak not in error_log, error_log
