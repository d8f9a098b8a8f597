"""Consistent backups of the live database. The key file is never part of a backup.

SQLite: the online backup API copies a consistent snapshot while the app keeps serving.
PostgreSQL: pg_dump (custom format), restored with pg_restore into the configured database; both reach it
as the app does (TCP, or a Unix socket given by `?host=/run/postgresql`) through a libpq connection string.
"""

import os
import shutil
import sqlite3
import subprocess

from flask import current_app
from sqlalchemy.engine import make_url

from .extensions import db


class BackupError(RuntimeError):
    pass


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


# libpq's connection keywords that a database URL's query may carry (`?host=/run/postgresql&sslmode=…`);
# driver options of SQLAlchemy or psycopg that libpq does not know are left out (pg_dump would refuse them).
LIBPQ_KEYWORDS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "passfile",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "requiressl",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
    }
)


def _quote(value: str) -> str:
    """A libpq connection-string value: single-quoted, with backslash and quote escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def libpq_conninfo(url) -> str:
    """The database URL as a libpq connection string for `--dbname`: host (a socket directory too), port, user,
    database and the URL's libpq options, exactly as the app connects; never the password."""
    params: dict[str, str] = {}
    for key, value in url.query.items():
        if key in LIBPQ_KEYWORDS:
            params[key] = ",".join(value) if isinstance(value, tuple) else str(value)
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username), ("dbname", url.database)):
        if value:
            params[key] = str(value)
    return " ".join(f"{key}={_quote(value)}" for key, value in params.items())


def _pg_env_args(url) -> tuple[list[str], dict]:
    """`--dbname=<conninfo>` and an environment carrying the password (PGPASSWORD), never on the command line:
    another local user can read a process's arguments, not its environment."""
    env = dict(os.environ)
    password = url.password or url.query.get("password")
    if password:
        env["PGPASSWORD"] = str(password)
    return [f"--dbname={libpq_conninfo(url)}"], env


def _private_empty_file(path: str) -> None:
    """Create (or empty) the backup file as 0600 before anything is written into it, never world-readable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _run(tool: str, args: list[str], env: dict) -> None:
    try:
        subprocess.run([tool, *args], check=True, env=env)  # noqa: S603 - our tool, arguments from our config
    except FileNotFoundError as exc:
        raise BackupError(f"{tool} is not installed: install postgresql-client of the server's major version") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{tool} failed with exit code {exc.returncode} (see its message above)") from exc


def create_backup(path: str) -> None:
    url = _url()
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    key_file = os.path.abspath(current_app.config["KEY_FILE"])
    if os.path.abspath(path) == key_file:
        raise BackupError("refusing to write a backup over the key file")
    _private_empty_file(path)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args, env = _pg_env_args(url)
    _run("pg_dump", ["--format=custom", "--no-owner", "-f", path, *args], env)


def restore_backup(path: str) -> None:
    if not os.path.exists(path):
        raise BackupError(f"no backup at {path}")
    url = _url()
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        for suffix in ("-wal", "-shm"):
            if os.path.exists(url.database + suffix):
                os.unlink(url.database + suffix)
        tmp = url.database + ".restoring"
        _private_empty_file(tmp)  # the restored database is the service's alone, like the one it replaces
        with open(path, "rb") as src, open(tmp, "r+b") as dst:
            shutil.copyfileobj(src, dst)
        check = sqlite3.connect(tmp)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the backup file fails SQLite's integrity check")
        finally:
            check.close()
        os.replace(tmp, url.database)
        return
    args, env = _pg_env_args(url)
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", *args, path], env)
