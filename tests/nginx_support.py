"""The example nginx site of deploy/nginx/tincay.conf, rendered for a test and run for real.

Only the machine-specific parts are rewritten (ports, certificate and log paths, the upstream servers); every
other directive is the file as shipped. Used by tests/test_prod_nginx.py (one backend) and
tests/test_prod_cluster.py (two gunicorn instances in the upstream).
"""

import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HOST = "tincay.example.vn"
NOT_INSTALLED = (
    "nginx is not installed (apt-get install nginx-light libnginx-mod-http-brotli-filter) — the site file is untested"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
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


def modules() -> str:
    """The distribution's load_module lines (Debian: /etc/nginx/modules-enabled), with absolute paths."""
    lines = []
    for path in sorted(Path("/etc/nginx/modules-enabled").glob("*.conf")):
        for line in path.read_text().splitlines():
            if line.strip().startswith("load_module"):
                lines.append(line.replace(" modules/", " /usr/lib/nginx/modules/") + "\n")
    return "".join(lines)


def start_site(tmp_path: Path, backend_ports: list[int]) -> dict:
    """Render the shipped site with `backend_ports` as its upstream servers and start nginx in the foreground.

    Returns the ports, the paths of its logs, whether brotli is loaded, and the process (stop with `stop`)."""
    http_port, https_port = free_port(), free_port()
    cert, key = self_signed(tmp_path)
    conf = (ROOT / "deploy/nginx/tincay.conf").read_text()
    shipped_server = re.search(r"\n(\s*)server 127\.0\.0\.1:8000;", conf)
    assert shipped_server, "the shipped upstream names 127.0.0.1:8000"
    indent = shipped_server.group(1)
    servers = "".join(f"\n{indent}server 127.0.0.1:{port};" for port in backend_ports)
    conf = conf.replace(shipped_server.group(0), servers, 1)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    conf = re.sub(r"\n\s*listen \[::\]:[^\n]*", "", conf)
    conf = conf.replace(f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert))
    conf = conf.replace(f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key))
    conf = conf.replace("/var/log/nginx/", f"{tmp_path}/")
    conf = conf.replace("ssl_stapling on;", "ssl_stapling off;").replace("ssl_stapling_verify on;", "")
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    loaded = modules()
    if "brotli" not in loaded:  # the module is optional: without it the site serves gzip only
        conf = re.sub(r"\n\s*brotli[^;]*;", "", conf)
    (tmp_path / "tincay.conf").write_text(conf)
    user = "user root;\n" if os.geteuid() == 0 else ""  # the test's files are private to the test's user
    (tmp_path / "nginx.conf").write_text(
        f"{user}{loaded}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/main-error.log;\nevents {{}}\n"
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
    return {
        "http": http_port,
        "https": https_port,
        "log": tmp_path / "tincay.access.log",
        "brotli": "brotli" in loaded,
        "error_log": tmp_path / "tincay.error.log",
        "process": process,
    }


def stop(site: dict) -> None:
    process = site["process"]
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
