"""Instances of the app with their own database and keys, served over real HTTP, and a tiny HTTP client.

The reliability proofs must not disturb the per-worker database of the ordinary tests, so each builds
its own instance: a SQLite file under tmp_path, or (with TEST_DATABASE_URL) its own PostgreSQL schema.
"""

import http.client
import logging
import os
import secrets
import signal
import subprocess
import threading
import urllib.parse
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db

PASSWORD = "mat-khau-kiem-thu-dai"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PYTHON = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "python")
ROOT = str(Path(__file__).resolve().parents[2])

# Known person data written during the proofs: no log line, error page or audit detail may ever hold them.
SECRETS = {
    "full_name": "Lò Thị Mẩy Kiểmthử",
    "phone": "0912 345 678",
    "narrative": "Chồng đánh ở nương ngô Pú Nhung, bí mật tuyệt đối",
    "safety_plan": "Trốn sang nhà bà ngoại ở bản Hua Sa khi say rượu",
}


WRITER = os.path.join(ROOT, "tests", "reliability", "writer.py")


def worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def on_postgres() -> bool:
    return bool(TEST_DATABASE_URL)


def pg_base_url() -> str:
    return TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)


def database_url(base: Path, name: str) -> str:
    """A fresh, empty database for one instance: a SQLite file, or a PostgreSQL schema of its own."""
    if not on_postgres():
        return f"sqlite:///{base}/{name}.sqlite"
    schema = f"rel_{worker()}_{name}".lower()
    engine = sa.create_engine(pg_base_url())
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    sep = "&" if "?" in pg_base_url() else "?"
    return f"{pg_base_url()}{sep}options=-csearch_path%3D{schema}"


def fresh_database(base: Path, name: str) -> str:
    """A new, empty database of its own (a whole PostgreSQL database, as pg_dump and pg_restore expect)."""
    if not on_postgres():
        return f"sqlite:///{base}/{name}.sqlite"
    dbname = f"rel_{worker()}_{name}".lower()
    engine = sa.create_engine(pg_base_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {dbname}")
    engine.dispose()
    return sa.engine.make_url(TEST_DATABASE_URL).set(database=dbname).render_as_string(hide_password=False)


def flask_cli(*args: str, db_url: str, key_file: str, env: dict | None = None, stdin: str | None = None):
    """Run `flask --app wsgi ARGS` as an operator would, against one database and key file."""
    full_env = {
        **os.environ,
        "APP_CONFIG": "development",
        "PYTHONPATH": ROOT,
        "DATABASE_URL": db_url,
        "TINCAY_KEY_FILE": key_file,
        "SECRET_KEY": "cli-" + "k" * 40,
        **(env or {}),
    }
    return subprocess.run(
        [os.path.join(ROOT, ".venv", "bin", "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def instance_config(base: Path, name: str, **extra) -> dict:
    config = {
        "SQLALCHEMY_DATABASE_URI": extra.get("SQLALCHEMY_DATABASE_URI") or database_url(base, name),
        "KEY_FILE": str(base / "keys.json"),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": (1, 1024, 1),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(extra)
    return config


def build_instance(base: Path, name: str, **extra):
    """A new app with its own database at head, reference data loaded, keys in base/keys.json."""
    from helpers import build_app

    base.mkdir(parents=True, exist_ok=True)
    app = build_app(instance_config(base, name, **extra))
    with app.app_context():
        db.session.remove()
    return app


def capture_logs(caplog, level=logging.DEBUG) -> None:
    """Capture every logger at `level` (restored after the test).

    The migrations' logging.config.fileConfig replaces the root's handlers and sets some loggers (sqlalchemy,
    alembic) to WARN: pytest's handler goes back on the root, and every known logger is opened up, so that
    SQL statements with their parameters and result rows are captured too.
    """
    root = logging.getLogger()
    if caplog.handler not in root.handlers:
        root.addHandler(caplog.handler)
    caplog.set_level(level)
    for name in (
        "sqlalchemy",
        "sqlalchemy.engine",
        "werkzeug",
        "tincay",
        "flask_limiter",
        "alembic",
        *list(logging.root.manager.loggerDict),
    ):
        caplog.set_level(level, logger=name)


def query(app, fn):
    """Run fn() in an app context and return its result (plain values only)."""
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def make_user(app, role: str, unit_code: str, *, totp: bool = False, username: str | None = None):
    """Create an account straight in the database; returns (id, username, totp_secret)."""
    from app.auth import services
    from app.auth.totp import new_secret
    from app.units.queries import by_code

    username = username or f"{role[:5]}{secrets.token_hex(3)}"

    def create():
        user = services.create_user(username, PASSWORD, role=role, unit=by_code(unit_code), actor="test")
        secret = new_secret() if totp else None
        if secret:
            user.totp_secret, user.totp_enabled = secret, True
        db.session.commit()
        return user.id, username, secret

    return query(app, create)


def new_case(actor, unit_code: str = "TA-02", **fields):
    """Open a case through the intake service (summary fields and encrypted identity and narrative), no commit.

    `actor` is a counsellor (User) of the unit. Used where the proof is about storage (crash safety, backups).
    """
    from app.cases.services import create_case
    from app.units.queries import by_code

    data = {
        "kind": "dv",
        "unit_id": by_code(unit_code).id,
        "sex": "female",
        "age_band": "18_29",
        "ethnic_code": "03",
        "poverty_status": "poor",
        "risk_level": "high",
        "opened_on": date(2026, 3, 1),
        "full_name": SECRETS["full_name"],
        "phone": SECRETS["phone"],
        "safety_plan": SECRETS["safety_plan"],
        "domestic_violence": {"acts": ["physical_beating"], "story": SECRETS["narrative"]},
    }
    data.update(fields)
    return create_case(data, actor=actor)


def user(user_id: str):
    """The User row of an id, in the current session."""
    from app.auth.models import User

    return db.session.get(User, user_id)


def route_exists(app, endpoint: str) -> bool:
    return endpoint in app.view_functions


class LiveServer:
    """The app served by werkzeug's threaded server on a free port (one thread per request)."""

    def __init__(self, app, quiet: bool = True):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Handler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):
                if not quiet:
                    super().log_request(*args, **kwargs)

        self.app = app
        self._http = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Handler)
        self._http.daemon_threads = True
        self.port = self._http.server_port
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._http.shutdown()
        self._http.server_close()

    def browser(self) -> "Browser":
        return Browser(self.port)


class Response:
    def __init__(self, status: int, headers: dict, text: str):
        self.status, self.headers, self.text = status, headers, text

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Browser:
    """One user's cookie jar over plain HTTP; redirects are returned, not followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data=None, headers: dict | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        body = None
        send = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            send["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=send)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for header in raw.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, text)
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, data=None, **kw) -> Response:
        return self.request("POST", path, data=data if data is not None else {}, **kw)

    def login(self, username: str, password: str = PASSWORD) -> Response:
        response = self.post("/auth/login", {"username": username, "password": password})
        assert response.status in (302, 303), response.text[:300]
        return response


class Writer:
    """One run of the writer process, its output collected by a reader thread."""

    def __init__(self, url: str, keys: str, actor: str, total: int, pause: float = 0.0):
        env = {**os.environ, "PYTHONPATH": ROOT}
        self.proc = subprocess.Popen(
            [
                PYTHON,
                WRITER,
                "--db",
                url,
                "--keys",
                keys,
                "--actor",
                actor,
                "--total",
                str(total),
                "--pause",
                str(pause),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.lines: list[str] = []
        self.started = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if line.startswith(("committed", "finished")):
                self.started.set()
        self.started.set()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self._reader.join(10)

    def finish(self, timeout: float = 240) -> None:
        self.proc.wait(timeout)
        self._reader.join(10)
        assert self.proc.returncode == 0, self.proc.stderr.read()[-2000:]
