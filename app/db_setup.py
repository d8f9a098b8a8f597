"""Engine settings for SQLite: WAL with synchronous FULL, foreign keys on, and one writer at a time.

SQLite has one writer. Every transaction starts with BEGIN IMMEDIATE, so it holds the write lock from its
first statement (waiting up to busy_timeout for its turn) and never fails half-way on a lock upgrade: a page
that reads and then appends its audit entry, or a change that read a row before writing it, cannot be
refused because another writer committed meanwhile, and the audit chain head is moved by one writer at a
time. Nothing here looks at the statements or runs a request again. The price is that SQLite serves one
request at a time; an installation with many users at once runs on PostgreSQL, where the audit chain head
is serialised by a row lock (see app/audit/services.py) and reads run side by side.

A connection opened with the execution option READ_ONLY (`audit verify`'s short page reads) begins deferred
instead: it takes no write lock, so it neither waits for the writer nor holds the other requests back, and in
WAL mode it reads the last committed state beside a writer.
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False
READ_ONLY = "tincay_read_only"  # execution option: a connection that only reads (see above)


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
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")
