"""Engine settings: SQLite in WAL with synchronous FULL, foreign keys on, and serialised writers.

SQLite has one writer at a time. A request that changes something (any method but GET and HEAD) and
every command starts its transaction with BEGIN IMMEDIATE, so it holds the write lock from the start
and never fails half-way on a lock upgrade; the audit chain head is then updated by one writer at a
time. Reading pages start a plain (deferred) transaction, so readers run side by side.

A POST that only reads (a search: its terms must not travel in the URL) says so with `@reads_only` and
runs like a reading page.

A reading page may still write its own bookkeeping: the audit entry of an audited read, the session's
last-seen time. In WAL mode a deferred transaction cannot become a writer once another writer has
committed since it began reading (SQLite refuses at once, however long busy_timeout is). Such writes
never depend on what the page read, so just before the first one (or before the audit chain reads its
head, a SELECT ... FOR UPDATE elsewhere) the read-only transaction is ended and a BEGIN IMMEDIATE one
takes its place (`_sqlite_take_write_lock`): the page waits its turn for the write lock for the few
milliseconds of the append instead of failing after all its work. If that wait times out, the request
is run again from the start as a writer (`RetryLockedReads`), since GET and HEAD change nothing the user
asked for. PostgreSQL serialises chain appends with a row lock (see app/audit/services.py).
"""

import random
import sqlite3
import time

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = ("GET", "HEAD")
LOCKED_FLAG = "tincay.sqlite_locked"
RETRY_FLAG = "tincay.sqlite_retry"
WRITER = "tincay_sqlite_writer"  # in the connection's info: this transaction holds the write lock
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")

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
        # Deleted and overwritten content is zeroed in the file, not left in free space: an erased case's old
        # ciphertext and wrapped key do not linger in the database file (see app/crypto/casekeys.py).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(Engine, "begin")
    def _sqlite_begin(conn):
        if conn.dialect.name == "sqlite":
            reading = (has_request_context() and (request.method in READ_METHODS or _reads_only_view())
                       and not request.environ.get(RETRY_FLAG))
            conn.info[WRITER] = not reading
            conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    @event.listens_for(Engine, "before_cursor_execute")
    def _sqlite_take_write_lock(conn, cursor, statement, _parameters, context, _executemany):
        if conn.dialect.name != "sqlite" or conn.info.get(WRITER, True) or not _intends_to_write(statement, context):
            return
        # Still a reader that has written nothing: end its snapshot, then wait for the write lock.
        conn.info[WRITER] = True
        cursor.connection.execute("COMMIT")
        cursor.connection.execute("BEGIN IMMEDIATE")

    @event.listens_for(Engine, "handle_error")
    def _note_sqlite_lock(context):
        if (context.engine is not None and context.engine.dialect.name == "sqlite" and has_request_context()
                and "locked" in str(context.original_exception)):
            request.environ[LOCKED_FLAG] = True


def reads_only(view):
    """Mark a POST view that changes nothing but its own audit entry (e.g. a search), so that on SQLite
    it reads side by side with other readers instead of holding the write lock from its first query."""
    view.reads_only = True
    return view


def _reads_only_view() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "reads_only", False)


def _intends_to_write(statement: str, context) -> bool:
    if statement.lstrip()[:9].upper().startswith(WRITE_VERBS):
        return True
    # SQLite drops FOR UPDATE from the SQL, but the statement still says it reads in order to write.
    compiled_statement = getattr(getattr(context, "compiled", None), "statement", None)
    return getattr(compiled_statement, "_for_update_arg", None) is not None


class RetryLockedReads:
    """WSGI middleware: run a GET or HEAD again when SQLite refused its commit as locked (see above)."""

    ATTEMPTS = 4
    retries = 0  # runs repeated since the process started (tests read it; nothing else does)

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
            RetryLockedReads.retries += 1
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
        return body
