"""Engine settings: SQLite in WAL with synchronous FULL, foreign keys on, and serialised writers.

SQLite has one writer at a time. A request that changes something (any method but GET and HEAD) and
every command starts its transaction with BEGIN IMMEDIATE, so it holds the write lock from the start
and never fails half-way on a lock upgrade; the audit chain head is then updated by one writer at a
time. Reading pages start a plain (deferred) transaction, so readers run side by side. A reading page
that also writes (an audited read) can meet a writer that committed since it began reading: SQLite
then refuses its commit as "locked". Because GET and HEAD change nothing the user asked for, such a
request is simply run again (`RetryLockedReads`), then as a writer (BEGIN IMMEDIATE), so that under many
concurrent readers it waits its turn instead of being refused again until the retries run out (503).
PostgreSQL serialises chain appends with a row lock (see app/audit/services.py).
"""

import random
import sqlite3
import time

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = ("GET", "HEAD")
LOCKED_FLAG = "tincay.sqlite_locked"
RETRY_FLAG = "tincay.sqlite_retry"

_installed = False


def install_engine_hooks() -> None:
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _sqlite_on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(Engine, "begin")
    def _sqlite_begin(conn):
        if conn.dialect.name == "sqlite":
            reading = (has_request_context() and request.method in READ_METHODS
                       and not request.environ.get(RETRY_FLAG))
            conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    @event.listens_for(Engine, "handle_error")
    def _note_sqlite_lock(context):
        if (context.engine is not None and context.engine.dialect.name == "sqlite" and has_request_context()
                and "locked" in str(context.original_exception)):
            request.environ[LOCKED_FLAG] = True


class RetryLockedReads:
    """WSGI middleware: run a GET or HEAD again when SQLite refused its commit as locked (see above)."""

    ATTEMPTS = 4

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in READ_METHODS:
            return self.wsgi_app(environ, start_response)
        for attempt in range(self.ATTEMPTS):
            captured = {}

            def capture(status, headers, exc_info=None, _captured=captured):
                _captured.update(status=status, headers=headers, exc_info=exc_info)
                return lambda data: None  # our app never uses the write() callable

            environ.pop(LOCKED_FLAG, None)
            body = self.wsgi_app(environ, capture)
            locked = environ.get(LOCKED_FLAG) and captured.get("status", "").startswith("503")
            if not locked or attempt == self.ATTEMPTS - 1:
                start_response(captured["status"], captured["headers"], captured.get("exc_info"))
                return body
            if hasattr(body, "close"):
                body.close()
            # Run again as a writer (BEGIN IMMEDIATE): it waits its turn and cannot be refused a second time.
            environ[RETRY_FLAG] = True
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
        return body
