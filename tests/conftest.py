"""Test fixtures: one database per test worker (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
brought to head by the real migrations once, wiped of transactional rows before each test.

Factories: `make_user(role, unit_code)` and `login(client, user)`; `unit(code)`; a signed-in `counsellor`
of TA-02 and a `case_id` of theirs.
"""

import secrets

import pytest
from helpers import PASSWORD, TEST_DATABASE_URL, UserRecord, app_config, build_app, wipe  # noqa: F401
from redis_support import locked_redis  # noqa: F401 (a fixture: a private Redis with a password)

from app.extensions import db


def pytest_report_header(config):
    if TEST_DATABASE_URL:
        return "database: PostgreSQL (TEST_DATABASE_URL)"
    return "database: SQLite only — PostgreSQL tests SKIPPED (set TEST_DATABASE_URL to run them)"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    return build_app(app_config(tmp_path_factory))


@pytest.fixture(autouse=True)
def _clean(request):
    if "app" in request.fixturenames:
        wipe(request.getfixturevalue("app"))
    yield


@pytest.fixture
def fresh_files(app):
    """For a test that reads the database's files: on PostgreSQL the tables start in new, empty files (the
    per-test wipe deletes rows, which stay in the files until vacuumed)."""
    wipe(app, truncate=True)


@pytest.fixture
def plan_2022_in_force(app):
    """The test is set in 2021–2025, while the 2022 plan was in force (active): its reports, targets and budget are
    written as they were then. `setup` leaves the plan archived (read-only); the next test's wipe does too."""
    from app.indicators import plans

    with app.app_context():
        plans.reference().status = "active"
        db.session.commit()
    yield


@pytest.fixture
def reform_trusted_addresses(app):
    """The trusted addresses as the reference data has them (TA-nn ended on 30/06/2025 under the old communes,
    2025-TA-nn in force under the new ones), for this test; the other tests keep the old world (see
    helpers.pre_reform_trusted_addresses)."""
    from helpers import pre_reform_trusted_addresses, reference_trusted_addresses

    with app.app_context():
        reference_trusted_addresses()
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            pre_reform_trusted_addresses()
            db.session.commit()


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


@pytest.fixture
def login():
    def do(client, user, expect_ok: bool = True):
        response = client.post("/auth/login", data={"username": user.username, "password": user.password})
        if expect_ok:
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture
def counsellor(client, make_user, login):
    """A counsellor of trusted address TA-02, signed in on `client`."""
    user = make_user("counsellor", "TA-02")
    login(client, user)
    return user


@pytest.fixture
def case_id(client, counsellor, unit):
    """A fresh case at TA-02, recorded by `counsellor` through the intake form."""
    from test_cases_support import new_case

    return new_case(client, unit("TA-02").id)
