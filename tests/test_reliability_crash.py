"""Crash safety: a writer killed with SIGKILL at random points leaves no half-written case and an intact chain.

The writer (tests/reliability/writer.py) writes cases, one transaction each (the case with encrypted fields
and its `case.create` audit entry). The test kills it several times at random moments, restarts it until the
database holds TOTAL cases, then checks: SQLite's integrity check, every case has exactly one `case.create`
entry and every entry its case, every encrypted field opens, and the audit chain verifies.
"""

import os
import random
import time

import pytest
from reliability.support import SECRETS, Writer, build_instance, make_user, query
from sqlalchemy import func, select

from app.extensions import db

TOTAL = 1000
KILLS = 8


def run_with_kills(app, actor: str, seed: int) -> dict:
    """Start, kill at a random moment, restart… KILLS times; then let the writer finish."""
    rng = random.Random(seed)
    url, keys = app.config["SQLALCHEMY_DATABASE_URI"], app.config["KEY_FILE"]
    kills, pragmas, killed_at = 0, None, []
    while kills < KILLS:
        writer = Writer(url, keys, actor, TOTAL)
        assert writer.started.wait(60), "the writer did not start"
        # Random moments: before, during or just after a commit (the writer commits every few milliseconds).
        time.sleep(rng.uniform(0.0, 0.4))
        if writer.proc.poll() is not None:
            writer.finish()
            break
        writer.kill()
        kills += 1
        killed_at.append(
            next((line.split()[1] for line in reversed(writer.lines) if line.startswith("committed")), "0")
        )
        pragmas = pragmas or next((line for line in writer.lines if line.startswith("pragmas")), None)
    writer = Writer(url, keys, actor, TOTAL)
    writer.finish()
    pragmas = pragmas or next((line for line in writer.lines if line.startswith("pragmas")), None)
    return {"kills": kills, "pragmas": pragmas, "killed_at": killed_at}


def check_all_or_nothing(app) -> dict:
    from app.audit import services as audit
    from app.audit.models import AuditEntry
    from app.cases.models import Case, CaseCounter

    def inspect():
        case_ids = set(db.session.scalars(select(Case.id)))
        # The yearly counter moves in the same transaction as the case: it equals the number of cases.
        assert db.session.scalar(select(func.sum(CaseCounter.last))) == len(case_ids)
        codes = db.session.scalars(select(Case.code)).all()
        assert len(set(codes)) == len(codes)
        created = db.session.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "case.create")).all()
        for case in db.session.scalars(select(Case)):
            assert case.full_name == SECRETS["full_name"] and case.phone == SECRETS["phone"]
            assert case.domestic_violence["story"] == SECRETS["narrative"]
        verdict = audit.verify()
        integrity = None
        if db.engine.dialect.name == "sqlite":
            integrity = db.session.execute(db.text("PRAGMA integrity_check")).scalar()
        return {
            "cases": case_ids,
            "created": created,
            "verdict": verdict,
            "integrity": integrity,
            "entries": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        }

    found = query(app, inspect)
    assert len(found["created"]) == len(set(found["created"])), "a case.create entry was written twice"
    assert found["cases"] == set(found["created"]), "a case without its audit entry, or the reverse"
    assert len(found["cases"]) == TOTAL
    assert found["verdict"].ok, found["verdict"].reason
    assert found["verdict"].checked == found["entries"]
    if found["integrity"] is not None:
        assert found["integrity"] == "ok"
    return found


@pytest.mark.slow
@pytest.mark.timeout(600)  # minutes on a loaded machine; the suite's 300 s cap is for ordinary tests
def test_sigkill_at_random_points_leaves_every_case_whole_or_absent(tmp_path):
    app = build_instance(tmp_path, "crash")
    seed = int(os.environ.get("RELIABILITY_SEED", random.randrange(1 << 30)))
    started = time.monotonic()
    actor = make_user(app, "counsellor", "TA-02")[0]
    outcome = run_with_kills(app, actor, seed)
    found = check_all_or_nothing(app)
    print(
        f"\ncrash: {TOTAL} case writes, {outcome['kills']} SIGKILLs (seed {seed}), "
        f"{found['entries']} audit entries verified, {time.monotonic() - started:.1f} s; "
        f"killed after commits {', '.join(outcome['killed_at'])}"
    )
    assert outcome["kills"] >= KILLS // 2, "the writer finished before it could be killed often enough"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # synchronous=2 is FULL: a committed transaction survives power loss, not only a process crash.
        assert outcome["pragmas"] == "pragmas journal_mode=wal synchronous=2", outcome["pragmas"]
