"""Faults: the disk fills up or the database goes away in the middle of a save.

The user gets the Vietnamese "try again" page with HTTP 503, nothing of the save is written (neither the case
nor its audit entry), the app recovers when the fault ends, and no person data reaches any error page or log
line: every logger is captured at DEBUG for the whole run (SQL statements and their parameters included, and
the real server's access log) and searched for the values typed into the forms.

Disk full is real on SQLite (PRAGMA max_page_count pins the file at its size: SQLite answers SQLITE_FULL,
"database or disk is full"); on PostgreSQL the server's own DiskFull error is raised when the audit entry is
inserted (a trigger raises SQLSTATE 53100), after the case row went in, so a partial write would show.
"""

import sqlite3
from contextlib import contextmanager

import pytest
from reliability.support import (
    PASSWORD,
    SECRETS,
    LiveServer,
    build_instance,
    capture_logs,
    make_user,
    on_postgres,
    query,
)
from sqlalchemy import event, func, select

from app import create_app
from app.extensions import db

TRY_AGAIN = "Vui lòng thử lại"
# Everything typed that must never leave the database encrypted (the password too).
FORBIDDEN = [*SECRETS.values(), PASSWORD, SECRETS["phone"].replace(" ", ""), "MAT-CODE-hoa-ban"]


@pytest.fixture
def instance(tmp_path, caplog):
    app = build_instance(tmp_path, "faults")
    capture_logs(caplog)  # after the migrations, which reset logging
    user_id, username, _ = make_user(app, "counsellor", "TA-02")
    return app, username


def intake(app) -> dict:
    from app.units.queries import by_code

    return {
        "kind": "dv",
        "unit_id": query(app, lambda: by_code("TA-02").id),
        "opened_on": "2026-03-01",
        "sex": "female",
        "age_band": "18_29",
        "ethnic_code": "03",
        "poverty_status": "poor",
        "risk_level": "high",
        "full_name": SECRETS["full_name"],
        "phone": SECRETS["phone"],
        "incident": SECRETS["narrative"],
        "safety_plan": SECRETS["safety_plan"],
        "contact_code_word": "MAT-CODE-hoa-ban",
    }


def stored(app) -> tuple[int, int]:
    from app.audit.models import AuditEntry
    from app.cases.models import Case

    def count():
        created = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.create")
        return db.session.scalar(select(func.count()).select_from(Case)), db.session.scalar(created)

    return query(app, count)


@contextmanager
def disk_full(app):
    """Make every write that needs space fail the way the database itself reports a full disk."""
    engine = query(app, lambda: db.engine)
    if engine.dialect.name == "sqlite":

        def pin_size(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
            cursor.close()

        engine.dispose()
        event.listen(engine, "connect", pin_size)
        try:
            yield
        finally:
            event.remove(engine, "connect", pin_size)
            engine.dispose()
        return
    # PostgreSQL: the server itself answers "disk full" (SQLSTATE 53100) when the audit entry is inserted.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' "
            "USING ERRCODE = 'disk_full'; END $$"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER disk_full BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION disk_full()"
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER disk_full ON audit_entry")
            conn.exec_driver_sql("DROP FUNCTION disk_full()")


def fill_database(app) -> None:
    """Drop the free pages, so that the next save needs the SQLite file to grow."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    query(app, lambda: db.engine.dispose())
    conn = sqlite3.connect(path)
    conn.execute("VACUUM")
    conn.close()


def assert_no_person_data(caplog, *pages: str) -> None:
    logged = caplog.text + "\n".join(str(r.args) + (r.exc_text or "") for r in caplog.records)
    assert len(caplog.records) > 20, "the log capture caught nothing: the proof would be empty"
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records), "SQL was not captured"
    for value in FORBIDDEN:
        assert value not in logged, f"person data in the logs: {value!r}"
        for page in pages:
            assert value not in page, f"person data on an error page: {value!r}"


def test_disk_full_during_a_case_save_gives_503_writes_nothing_and_logs_no_person_data(instance, caplog):
    app, username = instance
    client = app.test_client()
    client.post("/auth/login", data={"username": username, "password": PASSWORD})
    if not on_postgres():
        fill_database(app)
    # A long account of what happened (as counsellors write them): its ciphertext needs pages of its own.
    long_story = {**intake(app), "incident": SECRETS["narrative"] + ". " + "Chị kể lại từng lần bị đánh. " * 150}
    with disk_full(app):
        response = client.post("/cases/new", data=long_story)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert TRY_AGAIN in page and "Chưa có gì được lưu" in page
    assert stored(app) == (0, 0), "part of the failed save was written"

    # The fault is over: the same save goes through, then a search for the name (POSTed) finds it.
    with LiveServer(app, quiet=False) as server:
        browser = server.browser()
        browser.login(username)
        saved = browser.post("/cases/new", intake(app))
        assert saved.status == 303, saved.text[:500]
        found = browser.post("/cases/", {"q": SECRETS["full_name"]})
        assert found.status == 200 and SECRETS["full_name"] in found.text
        case_page = browser.get(saved.location)
        assert case_page.status == 200
    assert stored(app) == (1, 1)
    assert any(r.name == "werkzeug" for r in caplog.records), "the server's access log was not captured"
    assert_no_person_data(caplog, page)


def test_database_unreachable_gives_503_to_signed_in_and_anonymous_users_without_person_data(
    instance, tmp_path, caplog
):
    app, username = instance
    client = app.test_client()
    client.post("/auth/login", data={"username": username, "password": PASSWORD})
    cookie = client.get_cookie("tincay").value
    gone = (
        "postgresql://postgres@127.0.0.1:1/test" if on_postgres() else f"sqlite:///{tmp_path}/no-such-dir/tincay.sqlite"
    )
    down = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": gone,
            "KEY_FILE": app.config["KEY_FILE"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "WTF_CSRF_ENABLED": False,
        },
    )
    pages = []
    signed_in = down.test_client()
    signed_in.set_cookie("tincay", cookie)
    for method, path, data in (
        ("post", "/cases/new", intake(app)),
        ("get", "/cases/", None),
        ("post", "/cases/", {"q": SECRETS["full_name"]}),
    ):
        response = getattr(signed_in, method)(path, data=data)
        pages.append(response.get_data(as_text=True))
        assert response.status_code == 503, (path, pages[-1][:300])
        assert TRY_AGAIN in pages[-1]
    anonymous = down.test_client().post("/auth/login", data={"username": username, "password": PASSWORD})
    pages.append(anonymous.get_data(as_text=True))
    assert anonymous.status_code == 503 and TRY_AGAIN in pages[-1]
    assert down.test_client().get("/healthz").status_code == 200  # liveness needs no database
    assert stored(app) == (0, 0)
    assert_no_person_data(caplog, *pages)
