"""The files that hold secrets are the service's alone: created 0600 (directories 0700), and a group- or
world-readable one stops production from starting (development warns)."""

import logging
import os
import stat

import pytest
from helpers import app_config, build_app
from reliability.support import flask_cli, make_user, new_case, query
from reliability.support import user as load_user

from app import create_app
from app.config import ConfigError, check_production, exposed_files
from app.extensions import db


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_keys_ledger_and_case_keys_are_created_private(tmp_path_factory, tmp_path):
    old = os.umask(0o022)  # the usual umask: without care, every new file would be 0644
    try:
        config = app_config(
            tmp_path_factory,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/private.sqlite",
            KEY_FILE=str(tmp_path / "keys.json"),
        )
        app = build_app(config)
        actor = make_user(app, "counsellor", "TA-02")[0]
        case_id = query(app, lambda: (new_case(load_user(actor)).id, db.session.commit())[0])

        def erase():
            from app.cases.models import Case
            from app.cases.services import erase_case

            other = new_case(load_user(actor))
            db.session.commit()
            erase_case(db.session.get(Case, other.id), load_user(actor))
            db.session.commit()

        query(app, erase)
        ring = app.extensions["tincay_keyring"]
        database = str(tmp_path / "private.sqlite")
        for path in (database, database + "-wal", database + "-shm", ring.path, ring.ledger_path):
            assert os.path.exists(path), path
            assert mode(path) == 0o600, (path, oct(mode(path)))
        store = ring.case_keys.directory
        assert mode(store) == 0o700
        key = os.path.join(store, case_id[:2], case_id, "case.key")
        assert mode(key) == 0o600 and mode(os.path.dirname(key)) == 0o700
        assert exposed_files(app.config) == []

        backup = str(tmp_path / "db.backup")
        assert (
            flask_cli(
                "backup", "create", backup, db_url=config["SQLALCHEMY_DATABASE_URI"], key_file=ring.path
            ).returncode
            == 0
        )
        restored = tmp_path / "restored.sqlite"
        done = flask_cli("backup", "restore", backup, "--yes", db_url=f"sqlite:///{restored}", key_file=ring.path)
        assert done.returncode == 0, done.stderr
        assert mode(backup) == 0o600 and mode(restored) == 0o600
    finally:
        os.umask(old)


def _production_config(tmp_path) -> dict:
    from app.crypto.keyring import load_or_create

    key_file = tmp_path / "keys.json"
    load_or_create(str(key_file), create=True)
    os.chmod(key_file, 0o400)
    signing = tmp_path / "audit-signing.key"
    signing.write_bytes(b"x")
    os.chmod(signing, 0o400)
    database = tmp_path / "prod.sqlite"
    os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    return {
        "SECRET_KEY": "p" * 40,
        "RATELIMIT_STORAGE_URI": "redis://:redis-password@127.0.0.1:6379/15",
        "KEY_FILE": str(key_file),
        "AUDIT_SIGNING_KEY": str(signing),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "AUDIT_HEAD_SYSLOG": True,  # the head sink (syslog here; app/audit/sink.py)
    }


@pytest.mark.parametrize(
    "target, exposed",
    [
        ("prod.sqlite", 0o644),
        ("prod.sqlite-wal", 0o640),
        ("prod.sqlite-shm", 0o604),
        ("erased.json", 0o644),
        ("case-keys", 0o755),
        ("keys.json", 0o440),
    ],
)
def test_production_refuses_a_private_file_that_others_can_read(tmp_path, target, exposed):
    cfg = _production_config(tmp_path)
    check_production(cfg)  # all private: starts
    path = tmp_path / target
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, exposed)
    with pytest.raises(ConfigError) as refused:
        check_production(cfg)
    assert str(path) in str(refused.value) and "readable by group or others" in str(refused.value)


def test_development_warns_about_a_readable_database(tmp_path, caplog):
    database = tmp_path / "dev.sqlite"
    os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o644))
    os.chmod(database, 0o644)
    with caplog.at_level(logging.WARNING, logger="tincay"):
        create_app(
            "development",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                "KEY_FILE": str(tmp_path / "keys.json"),
                "SECRET_KEY": "d" * 40,
            },
        )
    assert any(str(database) in r.getMessage() and "chmod 0600" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("flag", ["SESSION_COOKIE_SECURE", "DEVICE_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"])
def test_production_refuses_a_cookie_flag_turned_off(tmp_path, flag):
    """An instance config that sends the session or the device cookie over plain HTTP (or to scripts) is
    refused at start, whatever the cookie's name prefix would make a browser do with it."""
    cfg = {**_production_config(tmp_path), "SESSION_COOKIE_SECURE": True, "DEVICE_COOKIE_SECURE": True}
    check_production(cfg)  # all set: starts
    with pytest.raises(ConfigError) as refused:
        check_production({**cfg, flag: False})
    assert f"{flag} must be True" in str(refused.value)
