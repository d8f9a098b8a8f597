"""The nginx site of deploy/nginx/tincay.conf, run for real in front of the app: TLS, http -> https, gzip and
brotli for text, the year-long immutable cache of versioned static files, the body limit, and an access log
without query strings or client addresses.

Only the machine-specific parts are rewritten for the test (ports, certificate and log paths, the upstream
port); every other directive is the file as shipped. Skipped where nginx is not installed.
"""

import datetime
import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HOST = "tincay.example.vn"

pytestmark = pytest.mark.skipif(
    NGINX is None,
    reason="nginx is not installed (apt-get install nginx-light "
    "libnginx-mod-http-brotli-filter) — the site file is untested",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def site(app, tmp_path):
    """The app on a werkzeug server, nginx with the shipped site in front of it."""
    from werkzeug.serving import make_server

    backend = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    http_port, https_port = _free_port(), _free_port()
    cert, key = _self_signed(tmp_path)
    conf = (ROOT / "deploy/nginx/tincay.conf").read_text()
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    conf = re.sub(r"\n\s*listen \[::\]:[^\n]*", "", conf)
    conf = conf.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{backend.server_port};")
    conf = conf.replace(f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert))
    conf = conf.replace(f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key))
    conf = conf.replace("/var/log/nginx/", f"{tmp_path}/")
    conf = conf.replace("ssl_stapling on;", "ssl_stapling off;").replace("ssl_stapling_verify on;", "")
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    modules = _modules()
    if "brotli" not in modules:  # the module is optional: without it the site serves gzip only
        conf = re.sub(r"\n\s*brotli[^;]*;", "", conf)
    (tmp_path / "tincay.conf").write_text(conf)
    user = "user root;\n" if os.geteuid() == 0 else ""  # the test's files are private to the test's user
    (tmp_path / "nginx.conf").write_text(
        f"{user}{modules}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/main-error.log;\nevents {{}}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\ndefault_type application/octet-stream;\n{temp}"
        f"include {tmp_path}/tincay.conf;\n}}\n"
    )
    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "nginx did not start"
            time.sleep(0.1)
    yield {
        "http": http_port,
        "https": https_port,
        "log": tmp_path / "tincay.access.log",
        "brotli": "brotli" in modules,
        "error_log": tmp_path / "tincay.error.log",
    }
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    backend.shutdown()


def _modules() -> str:
    """The distribution's load_module lines (Debian: /etc/nginx/modules-enabled), with absolute paths."""
    lines = []
    for path in sorted(Path("/etc/nginx/modules-enabled").glob("*.conf")):
        for line in path.read_text().splitlines():
            if line.strip().startswith("load_module"):
                lines.append(line.replace(" modules/", " /usr/lib/nginx/modules/") + "\n")
    return "".join(lines)


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
