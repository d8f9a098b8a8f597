"""Helpers shared by the tests (import them from here, never from conftest: pytest has one conftest
module name per rootdir, and tests/e2e has its own)."""

import atexit
import os
import re
import secrets
from datetime import date

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.reference import REFERENCE_TABLES

PASSWORD = "mat-khau-kiem-thu-dai"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


_SCHEMAS: list[str] = []


def _drop_schemas(url: str) -> None:
    try:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            for schema in _SCHEMAS:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()
    except Exception:  # best effort: a leftover schema is harmless
        pass


def _postgres_url() -> str | None:
    """A per-worker schema in the PostgreSQL test database, created fresh."""
    if not TEST_DATABASE_URL:
        return None
    url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    # Unique per process and per app: two test runs on one server (or a second app in one run) must never
    # drop each other's schema.
    _SCHEMAS.append(f"tc_{_worker()}_{os.getpid()}_{len(_SCHEMAS)}")
    schema = _SCHEMAS[-1]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    if len(_SCHEMAS) == 1:
        atexit.register(_drop_schemas, url)
    sep = "&" if "?" in url else "?"
    # The worker's name on its connections: pg_stat_activity tells them from the other worker's (same database).
    return f"{url}{sep}options=-csearch_path%3D{schema}&application_name=tincay_tests_{_worker()}"


def app_config(tmp_path_factory, **extra) -> dict:
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
    from flask_migrate import upgrade

    from app.crypto.keyring import load_or_create
    from app.reference import load_all

    app = create_app("testing", config)
    with app.app_context():
        app.extensions["tincay_keyring"] = load_or_create(config["KEY_FILE"], create=True)
        from app.audit import anchor

        if not os.path.exists(app.config["AUDIT_SIGNING_KEY"]):
            anchor.create_signing_key(app.config["AUDIT_SIGNING_KEY"])
        anchor.init_app(app)
        upgrade(revision="heads")
        load_all()
        pre_reform_trusted_addresses()
        db.session.commit()
    return app


def _trusted_address_codes() -> tuple[list[str], list[str]]:
    from app.units.reference_data import LINEAGE, TRUSTED_ADDRESS, UNITS

    kinds = {u["code"]: u["kind"] for u in UNITS}
    links = [link for link in LINEAGE if kinds[link["old"]] == TRUSTED_ADDRESS]
    return [link["old"] for link in links], [link["new"] for link in links]


def _pre_reform_addresses(conn) -> None:
    from app.units.models import Unit

    old, new = _trusted_address_codes()
    conn.execute(sa.update(Unit).where(Unit.code.in_(old)).values(valid_to=None))
    conn.execute(sa.update(Unit).where(Unit.code.in_(new)).values(disabled=True))


def pre_reform_trusted_addresses() -> None:
    """The world most tests were written in: the trusted addresses TA-01..TA-07 still open under their old
    communes after 1/7/2025, their successors (2025-TA-nn) loaded but disabled (never offered, never counted as
    operating). The reference data ends TA-nn on 30/06/2025 (they followed their communes' merger); about 90 test
    files open 2026 cases at TA-02, TA-03 and TA-05 and reach them through 099 and the old communes, and have not
    been moved to the successors yet. Tests of the reform itself use the `reform_trusted_addresses` fixture, which
    puts the reference data's dates back for the test."""
    from app.units.models import Unit

    old, new = _trusted_address_codes()
    db.session.execute(sa.update(Unit).where(Unit.code.in_(old)).values(valid_to=None))
    db.session.execute(sa.update(Unit).where(Unit.code.in_(new)).values(disabled=True))
    db.session.flush()


def reference_trusted_addresses() -> None:
    """The trusted addresses as the reference data has them: TA-nn ended on 30/06/2025, 2025-TA-nn in force."""
    from app.units.models import Unit
    from app.units.reference_data import LAST_DAY_BEFORE_REFORM

    old, new = _trusted_address_codes()
    last_day = date.fromisoformat(LAST_DAY_BEFORE_REFORM)
    db.session.execute(sa.update(Unit).where(Unit.code.in_(old)).values(valid_to=last_day))
    db.session.execute(sa.update(Unit).where(Unit.code.in_(new)).values(disabled=False))
    db.session.flush()


def wipe(app, truncate: bool = False) -> None:
    """Delete every transactional row (the audit trail included), keep reference data.

    On PostgreSQL the deleted rows stay in the tables' files until vacuumed; `truncate=True` gives the tables
    new, empty files (for a test that reads the files themselves)."""
    from app.audit.models import GENESIS

    with app.app_context():
        engine = db.engine
        existing = set(sa.inspect(engine).get_table_names())
        tables = [
            t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES and t.name in existing
        ]
        with engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no triggers, no FK checks
                if truncate:
                    conn.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in tables)}")
                else:
                    # TRUNCATE gives every table (rows or not) new files, about 0.3 s of the server's time for
                    # the eighty tables before every test; DELETE of the few tables a test wrote takes
                    # milliseconds. One query finds them (EXISTS stops at the first row).
                    probe = " UNION ALL ".join(
                        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {t.name})" for t in tables
                    )
                    for name in conn.exec_driver_sql(probe).scalars():
                        conn.exec_driver_sql(f"DELETE FROM {name}")
            else:
                conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
                for table in tables:
                    conn.execute(table.delete())
                conn.exec_driver_sql(
                    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
                    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;"
                )
            conn.exec_driver_sql(f"INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, 0, '{GENESIS}')")
            _wipe_plans(conn)
            _pre_reform_addresses(conn)  # a test may have run the units loader again (load_changed, setup)
            # the units are reference data, kept; the work contact on them is the admin's, set by a test
            conn.exec_driver_sql(
                "UPDATE unit SET work_phone = NULL, work_note = NULL"
                " WHERE work_phone IS NOT NULL OR work_note IS NOT NULL"
            )
        from app.extensions import limiter

        limiter.reset()  # the sign-in counters themselves are rows of throttle_counter, deleted above
    # The signed checkpoints describe the trail just deleted: start them afresh with it.
    from app.audit import anchor

    for path in (app.config["AUDIT_CHECKPOINT_FILE"], app.config.get("AUDIT_HEAD_SINK")):
        if path and os.path.exists(path):
            os.unlink(path)
    anchor.forget(app)


def _wipe_plans(conn) -> None:
    """Delete the plans a test made (their indicators, activities and cycle rules), keep the 2022 plan."""
    from app.reference import PLAN_TABLES, REFERENCE_PLAN

    others = f"SELECT id FROM indicator_plan WHERE code <> '{REFERENCE_PLAN}'"
    for table in PLAN_TABLES:
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE plan_id IN ({others})")
    conn.exec_driver_sql(f"UPDATE indicator_plan SET previous_id = NULL WHERE code <> '{REFERENCE_PLAN}'")
    conn.exec_driver_sql(f"DELETE FROM indicator_plan WHERE code <> '{REFERENCE_PLAN}'")
    # as `setup` leaves it: the phase ended, the plan is read-only (a test may have put it back in force)
    conn.exec_driver_sql(f"UPDATE indicator_plan SET status = 'archived' WHERE code = '{REFERENCE_PLAN}'")


class UserRecord:
    def __init__(self, id, username, password, role, unit_code, totp_secret):
        self.id, self.username, self.password, self.role = id, username, password, role
        self.unit_code, self.totp_secret = unit_code, totp_secret


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def sqlite_file_bytes(path: str) -> bytes:
    """What SQLite wrote for the database at `path`: the file, its WAL and its rollback journal, as a thief of
    the disk would read them."""
    raw = b""
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(path + suffix):
            with open(path + suffix, "rb") as fh:
                raw += fh.read()
    return raw


def postgres_heap_bytes(tables) -> bytes | None:
    """The heap files of `tables` as PostgreSQL wrote them (after a checkpoint); None when the test role may
    not read server files (not a superuser)."""
    if not db.session.scalar(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        return None
    db.session.execute(sa.text("CHECKPOINT"))
    raw = b""
    for table in tables:
        path = db.session.scalar(sa.text("SELECT pg_relation_filepath(:t)"), {"t": table})
        raw += bytes(db.session.scalar(sa.text("SELECT pg_read_binary_file(:p)"), {"p": path}))
    return raw


def not_hidden(dirpath) -> bool:
    """The directories `pybabel extract` reads (its --ignore-dirs default skips only dot directories):
    extract_from_dir's own default also skips `_`-directories, and so missed templates/_macros."""
    return not os.path.basename(dirpath).startswith(".")
