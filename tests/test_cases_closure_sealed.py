"""A case's closure reason is sealed with the case (issue 14 item 9): "deceased", "not_eligible" or
"client_withdrew" beside a commune's few cases says what happened to a person, and no query reads it in SQL.
The bytes on disk hold none of them (the SQLite file and its WAL, PostgreSQL's heap files after a checkpoint:
the case row and the audit entry of the closure), every reason seals to one length, the case page still shows
it, reopening and erasure clear it, and migration 2950 carries existing reasons across and back."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from helpers import postgres_heap_bytes, sqlite_file_bytes
from protection_support import World, case, make_world, user, vn

from app.extensions import db

MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "2950_case_closure_sealed.py"
REASONS = ("deceased", "not_eligible", "client_withdrew", "other")


def _raw() -> bytes | None:
    if db.engine.dialect.name == "sqlite":
        return sqlite_file_bytes(db.engine.url.database)
    return postgres_heap_bytes(("case_record", "audit_entry"))


def _close(world, reason: str) -> None:
    from app.cases import services

    services.close_case(case(world.case_id), reason, actor=user(world.counsellor_id), note="Kết thúc hỗ trợ")
    db.session.commit()


def _sealed(case_id: str):
    return db.session.scalar(sa.text("SELECT closure_enc FROM case_record WHERE id = :id"), {"id": case_id})


@time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False)
def test_closure_reasons_are_not_on_disk_and_seal_to_one_length(app, make_user, fresh_files):
    worlds = [make_world(app, make_user) for _reason in REASONS]
    with app.test_request_context():
        before = _raw()
        if before is None:
            pytest.skip("the PostgreSQL test role is not a superuser: its heap files cannot be read")
        for world, reason in zip(worlds, REASONS, strict=True):
            _close(world, reason)
        columns = {c["name"] for c in sa.inspect(db.session.connection()).get_columns("case_record")}
        assert "closure_reason" not in columns and "closure_enc" in columns
        lengths = {len(bytes(_sealed(w.case_id))) for w in worlds}
        assert len(lengths) == 1, "the length of a sealed reason must not tell which it is"
        after = _raw()
        db.session.remove()
        assert [case(w.case_id).closure_reason for w in worlds] == list(REASONS)  # the model opens them
        db.session.remove()
    for secret in (b"deceased", b"not_eligible", b"client_withdrew"):
        assert after.count(secret) == before.count(secret), f"{secret!r} on disk in clear"


def test_the_case_page_shows_the_reason_and_reopening_and_erasure_clear_it(app, make_user, client, counsellor, case_id):
    from app.cases import services

    world = World(case_id, counsellor.id, "")
    erased = make_world(app, make_user)
    with app.test_request_context():
        _close(world, "deceased")
        _close(erased, "not_eligible")
        entry = db.session.scalar(
            sa.text("SELECT detail FROM audit_entry WHERE action = 'case.close' AND case_id = :c"), {"c": case_id}
        )
        assert "deceased" not in entry  # the audit trail outlives erasure in clear: it says only "closed"
        services.erase_case(case(erased.case_id), user(erased.counsellor_id))
        db.session.commit()
        assert _sealed(erased.case_id) is None and case(erased.case_id).closure_reason is None
        db.session.remove()
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Đã qua đời" in page
    with app.test_request_context():
        services.reopen_case(case(case_id), "Liên lạc lại được", actor=user(counsellor.id))
        db.session.commit()
        assert _sealed(case_id) is None and case(case_id).closure_reason is None
        db.session.remove()


def _before() -> str:
    return re.search(r"^down_revision = '([^']+)'", MIGRATION.read_text(), re.M).group(1)


@time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False)
def test_the_migration_seals_existing_reasons_and_goes_back(app, make_user):
    from app.cases import services

    closed, still_open, erased = make_world(app, make_user), make_world(app, make_user), make_world(app, make_user)
    with app.test_request_context():
        _close(closed, "client_withdrew")
        _close(erased, "deceased")
        services.erase_case(case(erased.case_id), user(erased.counsellor_id))
        db.session.commit()
        db.session.remove()
    ids = {"a": closed.case_id, "b": still_open.case_id, "c": erased.case_id}
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", _before()])
    try:
        assert result.exit_code == 0, result.output + repr(result.exception)
        with app.app_context():
            found = dict(
                db.session.execute(
                    sa.text("SELECT id, closure_reason FROM case_record WHERE id IN (:a, :b, :c)"), ids
                ).all()
            )
            assert found == {closed.case_id: "client_withdrew", still_open.case_id: None, erased.case_id: None}
            columns = {c["name"] for c in sa.inspect(db.session.connection()).get_columns("case_record")}
            assert "closure_enc" not in columns
            db.session.remove()
    finally:
        result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.test_request_context():
        assert case(closed.case_id).closure_reason == "client_withdrew"
        assert case(still_open.case_id).closure_reason is None
        assert _sealed(still_open.case_id) is None and _sealed(erased.case_id) is None
        db.session.remove()


def test_the_migration_imports_no_model():
    """A model describes the schema at head: importing one would break the upgrade of an old database."""
    import ast

    imported = {
        node.module
        for node in ast.walk(ast.parse(MIGRATION.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"alembic", "flask", "app.crypto"}, imported


ERASED_CREATION = Path(__file__).parent.parent / "migrations" / "versions" / "2951_erased_creation_cleared.py"


def test_a_case_erased_before_migration_2951_loses_its_creator_and_creation_time(app, make_user):
    """Erasure clears them now (services.clear_summary_tier); the migration clears the rows erased before."""
    from app.cases import services

    erased, live = make_world(app, make_user), make_world(app, make_user)
    with app.test_request_context():
        services.erase_case(case(erased.case_id), user(erased.counsellor_id))
        db.session.commit()
        created = db.session.execute(
            sa.text("SELECT created_by_id, created_at FROM case_record WHERE id = :id"), {"id": live.case_id}
        ).one()
        # as an erasure before the change left it: the creator and the moment of intake
        db.session.execute(
            sa.text("UPDATE case_record SET created_by_id = :u, created_at = :t WHERE id = :id"),
            {"u": erased.counsellor_id, "t": created[1], "id": erased.case_id},
        )
        db.session.commit()
        db.session.remove()
    before = re.search(r"^down_revision = '([^']+)'", ERASED_CREATION.read_text(), re.M).group(1)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", before])
    assert result.exit_code == 0, result.output + repr(result.exception)
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.app_context():
        found = {
            row[0]: tuple(row[1:])
            for row in db.session.execute(
                sa.text("SELECT id, created_by_id, created_at, erased_at FROM case_record WHERE id IN (:a, :b)"),
                {"a": erased.case_id, "b": live.case_id},
            )
        }
        assert found[erased.case_id][0] is None and found[erased.case_id][1] == found[erased.case_id][2]
        assert found[live.case_id][:2] == tuple(created) and found[live.case_id][2] is None  # a live case keeps them
        db.session.remove()
