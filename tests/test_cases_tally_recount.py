"""setup's recount of the statistics' counts (app/cases/tally.py `recount`) works in committed batches: an
interrupted recount continues after its last batch and ends where a clean one ends (the counts a recount from
the decrypted cases gives), a case changed meanwhile counts once, a build from scratch counts an erased case once
even when the code changed between two runs, and setup on an up-to-date database does no work."""

import threading
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from tally_support import recounted_cells, stored_cells

from app.extensions import db

# Cells the "new rules" count that the counts were built without (as migration 2202 left the incidents' cells).
NEW_STATISTICS = ("incident_form", "incident_type", "perpetrator_month")
OLD_RULE = "old_rule"  # a cell the "old rules" counted that the current ones do not


def _live_ids() -> list[str]:
    from app.cases.models import Case

    return list(db.session.scalars(select(Case.id).where(Case.erased_at.is_(None)).order_by(Case.id)))


def _progress():
    from app.reference import ReferenceProgress

    return db.session.get(ReferenceProgress, "stat_tally", populate_existing=True)


def _seeded_with_erasures():
    """The demo's cases (incidents, perpetrators, measures), two of them erased."""
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case
    from app.demo import seed

    seed(12)
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    for case in db.session.scalars(select(Case).order_by(Case.code).limit(2)).all():
        services.erase_case(case, admin)
    db.session.commit()


def _make_stale() -> None:
    """Counts as the rules before a change left them: the cells of NEW_STATISTICS counted nowhere (neither in
    the counts nor in the cells sealed in each case), and every other live case counted in a cell of OLD_RULE."""
    from app.cases import tally
    from app.cases.models import Case, StatTally

    db.session.execute(sa.delete(StatTally).where(StatTally.statistic.in_(NEW_STATISTICS)))
    for n, case in enumerate(db.session.scalars(select(Case).where(Case.erased_at.is_(None)).order_by(Case.id))):
        cells = Counter({c: k for c, k in tally.last_contributions(case).items() if c[0] not in NEW_STATISTICS})
        if n % 2:
            old = (OLD_RULE, case.unit_id, "2025", "", "x")
            cells[old] += 1
            tally.add(old, 1)
        tally.seal(case, cells)
    db.session.commit()


def _interrupted_after_one_batch(monkeypatch, version: str, batch: int) -> None:
    """Run the recount and stop it (as Ctrl-C would) when its second batch begins."""
    from app.cases import tally

    real, calls = tally._batch, []

    def once(size):
        if calls:
            raise KeyboardInterrupt
        calls.append(size)
        return real(size)

    monkeypatch.setattr(tally, "_batch", once)
    with pytest.raises(KeyboardInterrupt):
        tally.recount(version, batch=batch)
    monkeypatch.setattr(tally, "_batch", real)
    db.session.rollback()


def test_an_interrupted_recount_continues_after_its_last_batch_and_ends_as_a_clean_recount(app, monkeypatch):
    from app.cases import tally

    with app.test_request_context():
        _seeded_with_erasures()
        _make_stale()
        live = _live_ids()
        assert len(live) == 10
        expected = recounted_cells()
        assert stored_cells() != expected  # stale: there is something to recount

        _interrupted_after_one_batch(monkeypatch, "v2", batch=4)
        # The first batch is committed with the progress row; the rest is not counted yet.
        progress = _progress()
        assert (progress.version, progress.mode, progress.done, progress.after_id) == ("v2", "move", 4, live[3])
        assert stored_cells() != expected
        first = tally.recount("v2", batch=4)  # the next setup: continues after the fourth case
        db.session.commit()
        assert (first.cases, first.batches) == (len(live) - 4, 2)
        assert stored_cells() == expected
        assert not any(cell[0] == OLD_RULE for cell in stored_cells())
        assert _progress() is None  # removed with the caller's commit (setup records the version there)
        # Counting every case again (another version) changes nothing: moving a case is idempotent.
        again = tally.recount("v3", batch=3)
        db.session.commit()
        assert again.cases == len(live)
        assert stored_cells() == expected
        db.session.remove()


def test_a_case_changed_between_batches_counts_once(app, monkeypatch):
    from app.auth.models import User
    from app.cases import services, tally
    from app.cases.models import Case
    from app.protection import services as protection

    with app.test_request_context():
        _seeded_with_erasures()
        _make_stale()
        live = _live_ids()
        _interrupted_after_one_batch(monkeypatch, "v2", batch=4)
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        done, waiting = db.session.get(Case, live[1]), db.session.get(Case, live[7])  # before / after the cursor
        for case in (done, waiting):
            protection.add_incident(
                case, {"occurred_on": date(2025, 4, 30), "place_type": "home", "forms": ["physical"]}, actor=admin
            )
            db.session.commit()
            services.update_case(case, {"kind": "both"}, actor=admin, version=case.version)
            db.session.commit()
        tally.recount("v2", batch=4)
        db.session.commit()
        assert stored_cells() == recounted_cells()
        db.session.remove()


def test_a_request_that_read_a_case_before_a_batch_moved_it_moves_it_from_where_the_batch_left_it(app, make_user):
    """PostgreSQL (the app serving while setup recounts): a request deletes an incident of a case; before it
    counts the case again, a batch of the recount (another connection) counts that incident, which it still
    sees, and commits. The request's count must start from what the batch sealed, not from what it read."""
    from app.auth.models import User
    from app.cases import services, tally
    from app.cases.models import Case
    from app.protection import services as protection
    from app.protection.models import Incident

    with app.test_request_context():
        if db.session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite runs one transaction at a time (BEGIN IMMEDIATE): no request can interleave")
        from app.units.queries import by_code

        admin = db.session.get(User, make_user("counsellor", "11").id)  # a district scope: TA-02 is in it
        case = services.create_case(
            {
                "kind": "dv",
                "unit_id": by_code("TA-02").id,
                "opened_on": date(2025, 5, 4),
                "sex": "male",  # a man of 18–29 counts in no age group: without the incident, only cases_open
                "age_band": "18_29",
                "ethnic_code": "01",
                "poverty_status": "none",
                "full_name": "Cà Văn Recount",
            },
            actor=admin,
        )
        db.session.flush()
        protection.add_incident(
            case, {"occurred_on": date(2025, 4, 30), "place_type": "home", "forms": ["physical"]}, actor=admin
        )
        db.session.commit()
        case_id = case.id
        _make_stale()  # the incident's cells are not counted yet: the recount adds them

        # The request: reads the case (and the cells it last counted in), deletes its incident, not committed.
        case = db.session.get(Case, case_id)
        stale = tally.last_contributions(case)
        assert not any(cell[0] in NEW_STATISTICS for cell in stale)
        for incident in db.session.scalars(select(Incident).where(Incident.case_id == case_id)):
            db.session.delete(incident)
        db.session.flush()

        errors: list = []

        def setup_recount():
            try:
                with app.app_context():
                    tally.recount("v2", batch=100)
                    db.session.commit()
                    db.session.remove()
            except Exception as exc:  # surfaced below
                errors.append(exc)

        batch = threading.Thread(target=setup_recount)
        batch.start()
        batch.join(timeout=60)
        assert not batch.is_alive() and not errors, errors
        tally.refresh(case)  # the request counts the case again (as protection's services do), then commits
        db.session.commit()
        assert not any(cell[0] in NEW_STATISTICS for cell in stored_cells())  # the deleted incident counts nowhere
        assert stored_cells() == recounted_cells()
        db.session.remove()


def test_a_build_from_scratch_interrupted_and_continued_under_newer_code_counts_each_case_once(app, monkeypatch):
    """Counts never built (migration 1500): an erased case counts by its kept summary, once, so an interrupted
    build is finished before a newer version's pass over the live cases."""
    from app.cases import tally
    from app.cases.models import StatTally

    with app.test_request_context():
        _seeded_with_erasures()
        expected = recounted_cells()
        db.session.execute(sa.delete(StatTally))
        db.session.execute(sa.text("UPDATE case_record SET tally_keys_enc = NULL"))
        db.session.commit()

        _interrupted_after_one_batch(monkeypatch, "v1", batch=5)
        assert (_progress().mode, _progress().done) == ("scratch", 5)
        summary = tally.recount("v2", batch=5)  # the code changed between the two runs
        db.session.commit()
        assert summary.mode == "move"  # it finished the build, then moved every live case as v2 counts
        assert summary.cases == 12 - 5 + len(_live_ids())
        assert stored_cells() == expected
        db.session.remove()


def test_setup_records_the_version_only_when_every_batch_is_done_and_then_does_no_work(app, monkeypatch):
    from app.cases import tally
    from app.reference import ReferenceVersion, load_changed

    with app.test_request_context():
        _seeded_with_erasures()
        _make_stale()
        db.session.execute(sa.delete(ReferenceVersion).where(ReferenceVersion.name == "stat_tally"))
        db.session.commit()
        monkeypatch.setattr(tally, "recount", _batches_of(tally.recount, 3))
        real, calls = tally._batch, []

        def twice(size):
            if len(calls) == 2:
                raise KeyboardInterrupt
            calls.append(size)
            return real(size)

        monkeypatch.setattr(tally, "_batch", twice)
        with pytest.raises(KeyboardInterrupt):
            load_changed()
        db.session.rollback()
        assert db.session.get(ReferenceVersion, "stat_tally") is None
        assert _progress().done == 6
        monkeypatch.setattr(tally, "_batch", real)
        lines: list[str] = []
        assert load_changed(echo=lines.append) == ["stat_tally"]
        db.session.commit()
        assert "continuing after 6" in lines[0] and "may keep running" in lines[0]
        assert lines[-1].startswith("setup: statistics recount finished: 4 cases in 2 batches")
        assert db.session.get(ReferenceVersion, "stat_tally") is not None and _progress() is None
        assert stored_cells() == recounted_cells()

        def no_case_opened(case):
            raise AssertionError("an up-to-date database recounted a case")

        monkeypatch.setattr(tally, "contributions", no_case_opened)
        assert load_changed() == []
        db.session.remove()


def _batches_of(recount, size: int):
    def small(version, batch=1000, echo=None):
        return recount(version, batch=size, echo=echo)

    return small
