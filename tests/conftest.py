"""Test fixtures: one database per test worker (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
brought to head by the real migrations once, wiped of transactional rows before each test.

Factories: `make_user(role, unit_code)` and `login(client, user)`; `unit(code)`.
"""

import os
import re
import secrets

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.reference import REFERENCE_TABLES

PASSWORD = "mat-khau-kiem-thu-dai"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _postgres_url() -> str | None:
    """A per-worker schema in the PostgreSQL test database, created fresh."""
    if not TEST_DATABASE_URL:
        return None
    url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"tc_{_worker()}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def pytest_report_header(config):
    if TEST_DATABASE_URL:
        return "database: PostgreSQL (TEST_DATABASE_URL)"
    return "database: SQLite only — PostgreSQL tests SKIPPED (set TEST_DATABASE_URL to run them)"


def test_config(tmp_path_factory, **extra) -> dict:
    base = tmp_path_factory.mktemp("instance")
    uri = _postgres_url() or f"sqlite:///{base}/test.sqlite"
    config = {
        "SQLALCHEMY_DATABASE_URI": uri,
        "KEY_FILE": str(base / "keys.json"),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": (1, 1024, 1),  # cheap hashes in tests; production keeps RFC 9106 defaults
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(extra)
    return config


def build_app(config: dict):
    from app.crypto.keyring import load_or_create
    from app.reference import load_all
    from flask_migrate import upgrade

    app = create_app("testing", config)
    with app.app_context():
        app.extensions["tincay_keyring"] = load_or_create(config["KEY_FILE"], create=True)
        upgrade(revision="heads")
        load_all()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    return build_app(test_config(tmp_path_factory))


def wipe(app) -> None:
    """Delete every transactional row (the audit trail included), keep reference data."""
    from app.audit.models import GENESIS
    with app.app_context():
        engine = db.engine
        existing = set(sa.inspect(engine).get_table_names())
        tables = [t for t in reversed(db.metadata.sorted_tables)
                  if t.name not in REFERENCE_TABLES and t.name in existing]
        with engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                names = ", ".join(t.name for t in tables)
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                conn.exec_driver_sql(f"TRUNCATE {names}")
            else:
                conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
                for table in tables:
                    conn.execute(table.delete())
                conn.exec_driver_sql("CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
                                     "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;")
            conn.exec_driver_sql(f"INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, 0, '{GENESIS}')")
        from app.extensions import limiter
        limiter.reset()


@pytest.fixture(autouse=True)
def _clean(request):
    if "app" in request.fixturenames:
        wipe(request.getfixturevalue("app"))
    yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def unit(app):
    from app.units.queries import by_code

    def get(code: str):
        with app.app_context():
            found = by_code(code)
            assert found is not None, code
            db.session.expunge(found)
            return found
    return get


@pytest.fixture
def make_user(app):
    """Create a user with one role at a unit; returns a plain record (id, username, password)."""
    from app.auth import services
    from app.units.queries import by_code

    def make(role: str, unit_code: str, username: str | None = None, password: str = PASSWORD, totp: bool = False):
        username = username or f"{role[:5]}{secrets.token_hex(3)}"
        with app.app_context():
            user = services.create_user(username, password, role=role, unit=by_code(unit_code), actor="test")
            secret = None
            if totp:
                from app.auth.totp import new_secret
                secret = new_secret()
                user.totp_secret, user.totp_enabled = secret, True
            db.session.commit()
            record = UserRecord(user.id, username, password, role, unit_code, secret)
            db.session.remove()
            return record
    return make


class UserRecord:
    def __init__(self, id, username, password, role, unit_code, totp_secret):
        self.id, self.username, self.password, self.role = id, username, password, role
        self.unit_code, self.totp_secret = unit_code, totp_secret


@pytest.fixture
def login():
    def do(client, user, expect_ok: bool = True):
        response = client.post("/auth/login", data={"username": user.username, "password": user.password})
        if expect_ok:
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return do


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)
