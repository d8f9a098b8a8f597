"""Backups on any PostgreSQL URL: pg_dump and pg_restore get the database as a libpq connection string through
`--dbname` (socket directory, port, user, options as the app connects), and the password only through PGPASSWORD.

The socket proof reaches the local server only through a Unix socket: a private directory holds a link to the
server's socket under another port number (15432), on which nothing listens over TCP, and PGHOST/PGPORT point
nowhere; a backup that fell back to TCP or to the defaults would fail.
"""

import os
import secrets
import subprocess

import pytest
import sqlalchemy as sa
from reliability.support import SECRETS, build_instance, flask_cli, make_user, new_case, query
from reliability.support import user as load_user
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

SERVER_SOCKET = "/var/run/postgresql/.s.PGSQL.5432"


def test_the_connection_string_keeps_socket_port_user_and_options_and_never_the_password():
    from app.backup import _pg_env_args, libpq_conninfo

    url = make_url(
        "postgresql+psycopg://tin%20cay:s3cr%27t@/tincay?host=/run/postgresql&port=5433"
        "&sslmode=disable&options=-csearch_path%3Dx&connect_args_unknown=1"
    )
    conninfo = libpq_conninfo(url)
    assert conninfo == (
        "host='/run/postgresql' port='5433' sslmode='disable' options='-csearch_path=x' user='tin cay' dbname='tincay'"
    )
    args, env = _pg_env_args(url)
    assert args == [f"--dbname={conninfo}"]
    assert env["PGPASSWORD"] == "s3cr't" and not any("s3cr" in a for a in args)
    tcp = libpq_conninfo(make_url("postgresql://u@db.example:6543/x"))
    assert tcp == "host='db.example' port='6543' user='u' dbname='x'"
    assert libpq_conninfo(make_url("postgresql:///x?host=/tmp/o'k")) == r"host='/tmp/o\'k' dbname='x'"


def test_pg_dump_is_called_without_the_password_on_its_command_line(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw["env"])))
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:pw-XYZ@/d?host=/sock",
            "KEY_FILE": str(tmp_path / "keys.json"),
            "SECRET_KEY": "s" * 40,
        },
    )
    from app.backup import create_backup

    with app.app_context():
        create_backup(str(tmp_path / "b.dump"))
    ((cmd, env),) = calls
    assert cmd[0] == "pg_dump" and "--dbname=host='/sock' user='u' dbname='d'" in cmd
    assert "pw-XYZ" not in " ".join(cmd) and env["PGPASSWORD"] == "pw-XYZ"


@pytest.fixture
def socket_only(tmp_path):
    """A socket directory of our own (port 15432, reached only through it) and a way to make databases."""
    if not os.path.exists(SERVER_SOCKET):
        pytest.skip(f"no local PostgreSQL socket at {SERVER_SOCKET}: the socket-only backup proof needs one")
    folder = tmp_path / "sock"
    folder.mkdir()
    os.symlink(SERVER_SOCKET, folder / ".s.PGSQL.15432")
    base = f"postgresql+psycopg://postgres@:15432/{{}}?host={folder}"
    names = [f"sock_{secrets.token_hex(4)}_{n}" for n in ("src", "dst")]
    admin = sa.create_engine(base.format("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL refuses a socket connection as postgres: {exc.orig}")
    yield [base.format(name) for name in names]
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


@pytest.mark.postgres
def test_backup_and_restore_through_a_unix_socket_only(tmp_path, socket_only):
    src_url, dst_url = socket_only
    app = build_instance(tmp_path / "src", "src", SQLALCHEMY_DATABASE_URI=src_url)
    keys = app.config["KEY_FILE"]
    actor = make_user(app, "counsellor", "TA-02")[0]

    def create():
        case = new_case(load_user(actor))
        db.session.commit()
        return case.id

    case_id = query(app, create)
    nowhere = {"PGHOST": str(tmp_path / "nowhere"), "PGPORT": "1"}
    backup = str(tmp_path / "b" / "tincay.backup")
    made = flask_cli("backup", "create", backup, db_url=src_url, key_file=keys, env=nowhere)
    assert made.returncode == 0, made.stderr
    assert os.path.getsize(backup) > 0
    restored = flask_cli("backup", "restore", backup, "--yes", db_url=dst_url, key_file=keys, env=nowhere)
    assert restored.returncode == 0, restored.stderr

    from app.cases.models import Case

    copy = create_app("testing", {"SQLALCHEMY_DATABASE_URI": dst_url, "KEY_FILE": keys, "SECRET_KEY": "r" * 40})

    def read():
        case = db.session.scalar(select(Case).where(Case.id == case_id))
        return case.full_name, case.phone

    assert query(copy, read) == (SECRETS["full_name"], SECRETS["phone"])
    with copy.app_context():
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()
