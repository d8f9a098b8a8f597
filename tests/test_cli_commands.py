"""The operator's commands: setup (twice, SQLite and PostgreSQL), users create, units list, audit verify,
keys rotate (interrupted, resumed), backup create/restore."""

import os
import secrets
import stat

import pytest
import sqlalchemy as sa
from helpers import PASSWORD, TEST_DATABASE_URL, _postgres_url

from app import create_app
from app.extensions import db


def _fresh_app(tmp_path, uri=None):
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(
        "development",
        {
            "SQLALCHEMY_DATABASE_URI": uri or f"sqlite:///{instance}/tincay.sqlite",
            "KEY_FILE": str(instance / "keys.json"),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ARGON2_PARAMS": (1, 1024, 1),
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
        },
    )
    app.instance_path = str(instance)
    return app


def _run(app, *args, input=None, catch_exceptions=False):
    """As `flask --app wsgi ARGS` runs it: inside an app context (FlaskGroup pushes one)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args), input=input, catch_exceptions=catch_exceptions)
        db.session.remove()
    return result


def _setup_twice(app):
    first, second = _run(app, "setup"), _run(app, "setup")
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    # The reference data is loaded by version: the second run finds it up to date and does no work.
    from app.reference import LOADERS

    every = ", ".join(loader.name for loader in LOADERS)  # audit_head, units, directory, indicators, privacy
    assert f"reference data loaded ({every})" in first.output, first.output
    assert "privacy" in every
    assert "reference data already up to date" in second.output, second.output
    with app.app_context():
        from app.units.models import Unit

        count = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
        codes = db.session.scalars(sa.select(Unit.code)).all()
        assert len(codes) == len(set(codes)), "setup run twice duplicated units"
        assert count > 40
        key_file = app.config["KEY_FILE"]
        assert stat.S_IMODE(os.stat(key_file).st_mode) & 0o077 == 0
        db.session.remove()
        db.engine.dispose()
    return count


def test_setup_is_idempotent_on_sqlite(tmp_path):
    app = _fresh_app(tmp_path)
    _setup_twice(app)
    assert (tmp_path / "instance" / "config.py").exists()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL not configured: set TEST_DATABASE_URL to run this")
def test_setup_is_idempotent_on_postgresql(tmp_path):
    _setup_twice(_fresh_app(tmp_path, _postgres_url()))


def test_setup_loads_again_only_the_reference_data_that_changed(tmp_path):
    from app.reference import ReferenceVersion

    app = _fresh_app(tmp_path)
    assert _run(app, "setup").exit_code == 0
    with app.app_context():
        db.session.get(ReferenceVersion, "units").version = "an older unit list"
        db.session.commit()
    again = _run(app, "setup")
    assert again.exit_code == 0 and "reference data loaded (units)." in again.output, again.output


def test_commands_before_setup_say_to_run_setup(tmp_path):
    app = _fresh_app(tmp_path)
    for args in (("units", "list"), ("audit", "verify"), ("users", "create", "x", "--role", "admin", "--unit", "11")):
        result = _run(app, *args, catch_exceptions=True)
        assert result.exit_code != 0 and "flask --app wsgi setup" in result.output, (args, result.output)
        assert "Traceback" not in result.output


@pytest.fixture
def ready(tmp_path):
    app = _fresh_app(tmp_path)
    assert _run(app, "setup").exit_code == 0
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_users_create_with_password_stdin(ready):
    result = _run(
        ready,
        "users",
        "create",
        "canbo01",
        "--role",
        "counsellor",
        "--unit",
        "03253",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    client = ready.test_client()
    r = client.post("/auth/login", data={"username": "canbo01", "password": PASSWORD})
    assert r.status_code == 302
    short = _run(
        ready,
        "users",
        "create",
        "canbo02",
        "--role",
        "counsellor",
        "--unit",
        "03253",
        "--password-stdin",
        input="short\n",
    )
    assert short.exit_code != 0
    unknown = _run(
        ready,
        "users",
        "create",
        "canbo03",
        "--role",
        "counsellor",
        "--unit",
        "NOPE",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert unknown.exit_code != 0


def test_units_list_format(ready):
    result = _run(ready, "units", "list")
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert all(len(r) == 4 for r in rows), [r for r in rows if len(r) != 4][:3]
    by_code = {r[0]: r for r in rows}
    assert by_code["11"][1:] == ["province", by_code["11"][2], ""]
    assert by_code["099"][1] == "district" and by_code["099"][3] == "11" and "Tuần Giáo" in by_code["099"][2]
    assert by_code["03253"][1:] == ["commune", "Thị trấn Tuần Giáo", "099"]
    old = [r for r in rows if r[1] == "commune" and not r[0].startswith("2025-")]
    new = [r for r in rows if r[1] == "commune" and r[0].startswith("2025-")]
    assert len(old) == 19, len(old)
    assert new and "2025-03260" in by_code and "Pú Nhung" in by_code["2025-03260"][2]
    assert any(r[1] == "agency" for r in rows)


def _tamper(app):
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
        conn.exec_driver_sql("UPDATE audit_entry SET result = 'failed' WHERE seq = 1")


def test_audit_verify_exit_codes(ready):
    _run(
        ready,
        "users",
        "create",
        "canbo01",
        "--role",
        "counsellor",
        "--unit",
        "03253",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    ok = _run(ready, "audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output
    _tamper(ready)
    bad = _run(ready, "audit", "verify", catch_exceptions=True)
    assert bad.exit_code == 1
    assert "entry 1" in bad.output


def test_keys_rotate_interrupted_then_resumed(ready, monkeypatch):
    from app.auth.models import User
    from app.crypto.keyring import KeyRing
    from app.crypto.records import EncryptedRecord

    with ready.app_context():
        from app.auth import services
        from app.units.queries import by_code

        for i in range(4):
            user = services.create_user(f"canbo{i}", PASSWORD, role="counsellor", unit=by_code("03253"), actor="t")
            user.totp_secret = f"SECRETVALUE{i}"
        db.session.commit()
        db.session.remove()
    real = EncryptedRecord.rewrap
    calls = {"n": 0}

    def flaky(self, ring):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed mid-rotation")
        return real(self, ring)

    monkeypatch.setattr(EncryptedRecord, "rewrap", flaky)
    interrupted = _run(ready, "keys", "rotate", "--batch", "1", catch_exceptions=True)
    assert interrupted.exit_code != 0
    monkeypatch.setattr(EncryptedRecord, "rewrap", real)
    ring = KeyRing.load(ready.config["KEY_FILE"])
    with ready.app_context():
        versions = db.session.scalars(sa.select(User.kek_version).where(User.wrapped_dek.is_not(None))).all()
        assert ring.primary in versions and any(v != ring.primary for v in versions), versions
        db.session.remove()
    resumed = _run(ready, "keys", "rotate", "--batch", "1")
    assert resumed.exit_code == 0, resumed.output
    assert KeyRing.load(ready.config["KEY_FILE"]).primary == ring.primary, "resuming must not add another key"
    with ready.app_context():
        ready.extensions["tincay_keyring"] = KeyRing.load(ready.config["KEY_FILE"])
        users = db.session.scalars(sa.select(User).where(User.wrapped_dek.is_not(None))).all()
        assert len(users) == 4
        for user in users:
            assert user.kek_version == ring.primary
            assert user.totp_secret.startswith("SECRETVALUE")
        db.session.remove()
    assert _run(ready, "audit", "verify").exit_code == 0


def test_backup_create_and_restore_round_trip(ready, tmp_path):
    from app.auth.models import User

    _run(
        ready,
        "users",
        "create",
        "before",
        "--role",
        "counsellor",
        "--unit",
        "03253",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    path = tmp_path / "b.sqlite"
    made = _run(ready, "backup", "create", str(path))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
    _run(
        ready,
        "users",
        "create",
        "after",
        "--role",
        "counsellor",
        "--unit",
        "03253",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    restored = _run(ready, "backup", "restore", str(path), "--yes")
    assert restored.exit_code == 0, restored.output
    with ready.app_context():
        db.session.remove()
        db.engine.dispose()
        names = set(db.session.scalars(sa.select(User.username)).all())
        assert "before" in names and "after" not in names
        db.session.remove()
    assert _run(ready, "audit", "verify").exit_code == 0
