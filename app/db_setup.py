"""Engine settings: SQLite in WAL with synchronous FULL, foreign keys on, and serialised writers.

Every SQLite transaction starts with BEGIN IMMEDIATE: a request that reads and then writes (an
audited read writes an audit entry) can then never fail half-way on a lock upgrade, and the audit
chain head is updated by one writer at a time. PostgreSQL serialises chain appends with a row lock
(see app/audit/services.py).
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

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
            conn.exec_driver_sql("BEGIN IMMEDIATE")
