"""One transaction per request (app/web/unit_of_work.py): the response decides, once, what is kept.

A request that raises after writing keeps nothing; a commit that fails answers 503 "try again" and keeps
nothing; a service refused inside `attempt()` leaves none of its rows while the page's own work is kept;
a refused access is kept in the audit trail though the request's work is undone. Runs on SQLite and,
with TEST_DATABASE_URL, on PostgreSQL.
"""

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from test_cases_support import intake

from app.audit import services as audit
from app.audit.models import AuditEntry
from app.cases.models import Case
from app.extensions import db, utcnow
from app.services import ServiceError
from app.web.unit_of_work import attempt


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        created = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.create")
        )
        db.session.remove()
    return cases, created


def test_a_request_that_raises_after_writing_leaves_nothing_written(app, client, counsellor, unit, monkeypatch):
    from app.cases.views import records

    def fail_after_the_save(*_args, **_kwargs):
        raise RuntimeError("after the case was flushed")

    monkeypatch.setattr(records, "flash", fail_after_the_save)  # runs right after services.create_case()
    response = intake(client, unit("TA-02").id)
    assert response.status_code == 500
    assert _counts(app) == (0, 0)

    monkeypatch.undo()
    assert intake(client, unit("TA-02").id).status_code == 303
    assert _counts(app) == (1, 1)


def test_a_failed_commit_shows_503_try_again_and_writes_nothing(app, client, counsellor, unit):
    with app.app_context():
        engine = db.engine

    def refuse_commit(_conn):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "commit", refuse_commit)
    try:
        response = intake(client, unit("TA-02").id)
    finally:
        event.remove(engine, "commit", refuse_commit)
    assert response.status_code == 503
    assert "Vui lòng thử lại" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_a_refused_service_call_leaves_none_of_its_rows_and_the_page_keeps_its_own(app):
    with app.test_request_context("/", method="POST"):
        audit.record("test", "page.read")
        with pytest.raises(ServiceError), attempt():
            audit.record("test", "service.partial")
            db.session.add(
                AuditEntry(
                    seq=10_000,
                    at=utcnow(),
                    actor_id="test",
                    action="raw.partial",
                    result="ok",
                    detail="{}",
                    prev_hash="x",
                    entry_hash="y",
                )
            )
            db.session.flush()
            raise ServiceError("refused half-way")
        db.session.commit()
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        verdict = audit.verify()
        db.session.remove()
    assert actions == ["page.read"]
    assert verdict.ok and verdict.checked == 1


def test_a_flush_that_fails_inside_attempt_leaves_the_request_usable(app, client, counsellor, unit):
    """A save that misses its version (someone saved in between) fails at flush and deactivates the savepoint:
    attempt() must still roll it back, or every later statement of the request fails (PendingRollbackError)."""
    from sqlalchemy.orm.exc import StaleDataError

    assert intake(client, unit("TA-02").id).status_code == 303
    with app.test_request_context("/", method="POST"):
        case = db.session.scalars(select(Case)).one()
        with pytest.raises(StaleDataError), attempt():
            # Someone else saves first: our UPDATE carries the old version and matches nothing.
            db.session.execute(Case.__table__.update().where(Case.id == case.id).values(version=case.version + 1))
            case.status = "closed"
            db.session.flush()
        audit.record("test", "page.read")  # the request goes on and commits its own work
        db.session.commit()
        status = db.session.scalar(select(Case.status))
        read = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "page.read"))
        db.session.remove()
    assert status == "open" and read == 1


def test_a_refused_access_is_audited_though_the_request_is_undone(app, client, counsellor):
    response = client.get("/admin/users")
    assert response.status_code in (403, 404)
    with app.app_context():
        denied = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "access.denied")
        )
        db.session.remove()
    assert denied == 1


def test_only_the_unit_of_work_commits():
    """Views, services and helpers add and flush; a request commits in app/web/unit_of_work.py, a command in
    extensions.transaction(), an event that must outlive the request in audit.record_independently()."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    allowed = {"app/web/unit_of_work.py", "app/extensions.py", "app/audit/services.py"}
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted((root / "app").rglob("*.py"))
        if path.relative_to(root).as_posix() not in allowed
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bsession\.(commit|rollback)\(", line)
    ]
    assert found == [], "commit through the unit of work (see app/web/unit_of_work.py): " + ", ".join(found)
