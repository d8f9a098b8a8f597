"""The statistics' counts (app/cases/tally.py) follow every change of a case in its transaction, the reports read
them and agree with a recount from the cases, erasure keeps the counts and cuts the link, and the migration
carries existing profiles into the sealed tier (and back) with the counts built."""

import re
from collections import Counter
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import select
from tally_support import recounted_cells, stored_cells

from app.extensions import db

MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "1500_case_profile_sealed.py"


def _before_1500() -> str:
    """The revision the profile migration follows (re-pointed when others land migrations first)."""
    return re.search(r"^down_revision = '([^']+)'", MIGRATION.read_text(), re.M).group(1)


def _open_in(case, year: int) -> bool:
    return case.opened_on <= date(year, 12, 31) and (case.closed_on is None or case.closed_on >= date(year, 1, 1))


def test_every_change_moves_the_counts_and_the_indicator_table_agrees_with_a_recount(app, make_user, unit):
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case
    from app.indicators.derived import trusted_address_support
    from app.protection import services as protection
    from app.protection.tally import age_group

    record, admin = make_user("counsellor", "11"), make_user("admin", "11")  # a district scope: TA-02 and TA-03
    ta2, ta3 = unit("TA-02"), unit("TA-03")
    units = frozenset({ta2.id, ta3.id})
    with app.test_request_context():
        actor = db.session.get(User, record.id)
        data = {
            "kind": "dv",
            "unit_id": ta2.id,
            "opened_on": date(2025, 5, 4),
            "sex": "female",
            "age_band": "30_44",
            "ethnic_code": "03",
            "poverty_status": "poor",
            "risk_level": "high",
            "full_name": "Lò Thị Tally",
        }
        case = services.create_case(data, actor=actor)
        other = services.create_case(dict(data, opened_on=date(2026, 2, 1), kind="trafficking"), actor=actor)
        db.session.commit()
        assert stored_cells() == recounted_cells()
        assert stored_cells()[("cases_open", ta2.id, "2025-Q2", "", "dv")] == 1

        def check():
            db.session.commit()
            assert stored_cells() == recounted_cells()
            cases = db.session.scalars(select(Case)).all()
            for year in (2024, 2025, 2026, 2027):
                table = trusted_address_support(units, year)
                shown = {
                    (label, col): cell.value
                    for label, row in zip(table.row_labels, table.cells, strict=True)
                    for col, cell in zip(("dv", "trafficking", "both"), row, strict=True)
                }
                for u in (ta2, ta3):
                    for kind in ("dv", "trafficking", "both"):
                        expected = sum(1 for c in cases if c.unit_id == u.id and c.kind == kind and _open_in(c, year))
                        assert shown[(u.name, kind)] == expected, (year, u.code, kind)

        check()
        services.update_case(case, {"kind": "both", "age_band": "60_plus"}, actor=actor, version=case.version)
        check()
        services.close_case(case, "goals_met", actor=actor, on=date(2026, 1, 15))
        check()
        assert stored_cells()[("cases_open", ta2.id, "2025-Q2", "2026-Q1", "both")] == 1
        services.reopen_case(case, "lại cần hỗ trợ", actor=actor)
        check()
        services.update_case(other, {"unit_id": ta3.id}, actor=actor, version=other.version)
        check()
        protection.add_incident(
            case, {"occurred_on": date(2025, 4, 30), "place_type": "home", "forms": ["physical"]}, actor=actor
        )
        check()
        assert age_group("female", "60_plus") == "age_60_plus"
        assert stored_cells()[("victims_age_group", ta2.id, "2025", "", "age_60_plus")] == 1
        # Erasure: the counts stay as they were; the case's link to them is gone with its key.
        before = stored_cells()
        services.erase_case(case, db.session.get(User, admin.id))
        db.session.commit()
        assert stored_cells() == before
        row = db.session.execute(
            sa.text("SELECT tally_keys_enc, profile_enc FROM case_record WHERE id = :i"), {"i": case.id}
        ).one()
        assert row == (None, None)
        db.session.remove()


def test_a_change_that_is_rolled_back_leaves_the_counts_as_they_were(app, make_user, unit):
    from app.auth.models import User
    from app.cases import services

    record = make_user("counsellor", "TA-02")
    ta2 = unit("TA-02")
    with app.test_request_context():
        actor = db.session.get(User, record.id)
        case = services.create_case(
            {
                "kind": "dv",
                "unit_id": ta2.id,
                "opened_on": date(2026, 3, 1),
                "sex": "male",
                "age_band": "18_29",
                "ethnic_code": "01",
                "poverty_status": "none",
                "full_name": "Cà Văn Tally",
            },
            actor=actor,
        )
        db.session.commit()
        before = stored_cells()
        services.close_case(case, "goals_met", actor=actor)
        db.session.rollback()
        assert stored_cells() == before == recounted_cells()
        db.session.remove()


def test_the_migration_seals_existing_profiles_builds_the_counts_and_goes_back(app):
    from app.cases.models import Case
    from app.demo import seed

    with app.test_request_context():
        seed(12)
        db.session.commit()
        profiles = {
            c.id: (c.sex, c.age_band, c.ethnic_code, c.ethnic_list, c.disability, c.poverty_status, c.village_id)
            for c in db.session.scalars(select(Case))
        }
        counted = stored_cells()
        children = db.session.scalar(sa.text("SELECT count(*) FROM case_consent"))
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", _before_1500()])
    try:
        assert result.exit_code == 0, result.output + repr(result.exception)
        with app.app_context():
            rows = db.session.execute(
                sa.text(
                    "SELECT id, sex, age_band, ethnic_code, ethnic_list, disability, poverty_status, village_id "
                    "FROM case_record"
                )
            ).all()
            assert {r[0]: (r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows} == profiles
            db.session.remove()
    finally:
        result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.test_request_context():
        # The migration seals; counting is app logic, done by setup's versioned loader, once.
        from app.cases.models import StatTally
        from app.reference import load_changed

        assert db.session.scalar(select(sa.func.count()).select_from(StatTally)) == 0
        assert "stat_tally" in load_changed()
        db.session.commit()
        assert "stat_tally" not in load_changed()
        db.session.rollback()
        assert {
            c.id: (c.sex, c.age_band, c.ethnic_code, c.ethnic_list, c.disability, c.poverty_status, c.village_id)
            for c in db.session.scalars(select(Case))
        } == profiles
        assert stored_cells() == counted == recounted_cells()
        # The case rows were copied (SQLite batch mode) without cascading to their children.
        assert db.session.scalar(sa.text("SELECT count(*) FROM case_consent")) == children > 0
        db.session.remove()


def test_the_migration_imports_no_model_of_the_app():
    """A model describes head: imported by a migration, it breaks the upgrade of an old database as soon as a
    later migration adds a column. Migration 1500 reads raw columns and uses the crypto functions only."""
    import ast

    imported = set()
    for node in ast.walk(ast.parse(MIGRATION.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    from_app = {name for name in imported if name == "app" or name.startswith("app.")}
    assert from_app and all(name.startswith("app.crypto") for name in from_app), from_app


def test_counting_again_moves_live_cases_and_keeps_the_counts_of_erased_ones(app):
    """setup's recount (when a contributor changed) moves live cases to their current cells and leaves what
    erased cases counted, which no longer links to any case, as it was."""
    from app.auth.models import User
    from app.cases import services, tally
    from app.cases.models import Case
    from app.demo import seed

    with app.test_request_context():
        seed(12)
        db.session.commit()
        actor = db.session.scalar(select(User).where(User.username == "admin"))
        erased = db.session.scalars(select(Case).order_by(Case.code).limit(3)).all()
        for case in erased:
            services.erase_case(case, actor)
        db.session.commit()
        counted = stored_cells()
        assert tally.bring_up_to_date() == 9
        db.session.commit()
        assert stored_cells() == counted
        # A live case whose cells are stale (as after a contributor changed) is moved; the erased stay.
        live = db.session.scalar(select(Case).where(Case.erased_at.is_(None)).order_by(Case.code).limit(1))
        cells = tally.last_contributions(live)
        tally.seal(live, set())  # it now looks as if it counted nowhere: the recount adds it once more
        db.session.flush()
        tally.bring_up_to_date()
        db.session.commit()
        assert stored_cells() == counted + Counter(cells)
        db.session.remove()
