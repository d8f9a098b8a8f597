"""A perpetrator's sex, age band and relation, a measure's code, decider, outcome and dates, and an incident's
day or period are sealed with the case (issue 14 item 9): the bytes on disk hold none of them — the SQLite file
and its WAL, PostgreSQL's heap files after a checkpoint — their ciphertexts have one length whatever the values,
the statistics still count them (from stat_tally), and migrations 2200, 2201 and 2202 carry existing values
(and the counts of erased cases, whose keys are gone) across and back."""

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from helpers import postgres_heap_bytes, sqlite_file_bytes
from protection_support import case, make_world, user, vn

from app.extensions import db

MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "2200_perpetrator_codes_sealed.py"
# Codes that nothing else in these tests writes in clear: perpetrators not involved in any incident add no
# count either, so a hit can only be the perpetrator row itself.
UNCOUNTED = {"sex": "female", "age_band": "45_59", "relation": "in_law"}
COUNTED = {"sex": "male", "age_band": "60_plus", "relation": "husband"}
# A measure: its code is counted (stat_tally holds "summon" by design); who decided it and its days are not.
MEASURE = {
    "measure": "summon",
    "decided_by": "commune_police",
    "decided_on": date(2026, 10, 17),
    "start_on": date(2026, 10, 18),
    "end_on": date(2026, 10, 29),
}
SHORT_MEASURE = {"measure": "stop_violence", "decided_by": "court", "decided_on": date(2026, 9, 1)}


def _raw_sqlite() -> bytes:
    return sqlite_file_bytes(db.engine.url.database)


def _raw_postgres() -> bytes | None:
    return postgres_heap_bytes(("protection_perpetrator", "protection_measure", "protection_incident"))


def _add_perpetrators(world, measures=(MEASURE, SHORT_MEASURE)):
    from app.protection import services

    c, actor = case(world.case_id), user(world.counsellor_id)
    quiet = services.add_perpetrator(c, dict(UNCOUNTED), actor=actor)
    counted = services.add_perpetrator(c, dict(COUNTED), actor=actor)
    services.add_incident(
        c,
        {
            "occurred_on": date(2026, 11, 3),
            "place_type": "home",
            "forms": ["physical"],
            "perpetrator_ids": [counted.id],
        },
        actor=actor,
    )
    services.add_incident(  # an approximate period: its end is the day it counts on
        c,
        {
            "period_from": date(2026, 7, 29),
            "period_to": date(2026, 8, 14),
            "place_type": "home",
            "forms": ["sexual", "physical"],
            "sexual_kind": "rape",
        },
        actor=actor,
    )
    for measure in measures:
        services.add_measure(c, dict(measure), actor=actor)
    return quiet.id, counted.id


@time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False)
def test_perpetrator_codes_are_not_on_disk_and_seal_to_one_length(app, make_user, fresh_files):
    world = make_world(app, make_user)
    with app.test_request_context():
        quiet, counted = _add_perpetrators(world)
        db.session.commit()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("protection_perpetrator")}
        assert not columns & {"sex", "age_band", "relation"} and "codes_enc" in columns
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("protection_measure")}
        assert not columns & {*MEASURE, "outcome"} and "details_enc" in columns
        rows = db.session.execute(sa.text("SELECT * FROM protection_perpetrator")).mappings().all()
        for row in rows:  # no column of the row holds a code in clear
            stored = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row.values())
            assert not any(code.encode() in stored for code in (*UNCOUNTED.values(), *COUNTED.values()))
        rows = db.session.execute(sa.text("SELECT id, codes_enc FROM protection_perpetrator")).all()
        assert {r[0] for r in rows} == {quiet, counted}
        assert len({len(bytes(r[1])) for r in rows}) == 1, "the length of the sealed codes must not tell them"
        sealed = db.session.execute(sa.text("SELECT details_enc FROM protection_measure")).scalars().all()
        assert len(sealed) == 2 and len({len(bytes(b)) for b in sealed}) == 1
        incidents = db.session.execute(sa.text("SELECT dates_enc, quarter FROM protection_incident")).all()
        assert len({len(bytes(i[0])) for i in incidents}) == 1  # a day and a period: one length
        assert sorted(i[1] for i in incidents) == ["2026-Q3", "2026-Q4"]  # only the quarter in clear
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            raw = _raw_sqlite()
        else:
            raw = _raw_postgres()
            if raw is None:
                pytest.skip("the PostgreSQL test role is not a superuser: its heap file cannot be read")
        db.session.remove()
    assert raw and quiet.encode() in raw  # the row is there…
    # …its codes are not ("female" alone is also a column name in the schema text: the age band and relation
    # stand for the row, which held the three side by side in clear before)
    for name in ("age_band", "relation"):
        assert UNCOUNTED[name].encode() not in raw, f"perpetrator {name} on disk in clear"
    assert COUNTED["age_band"].encode() not in raw  # an age band is counted nowhere
    assert b"commune_police" not in raw and b"court" not in raw  # who decided a measure
    if dialect == "sqlite":  # SQLite stores a date as its ISO text
        for day in ("decided_on", "start_on", "end_on"):
            assert MEASURE[day].isoformat().encode() not in raw, f"measure {day} on disk in clear"
        for day in ("2026-11-03", "2026-07-29", "2026-08-14"):
            assert day.encode() not in raw, f"incident day {day} on disk in clear"
    else:  # PostgreSQL's heap of the measures: no code at all (the counts live in another file)
        assert b"summon" not in raw and b"stop_violence" not in raw
    with app.test_request_context():
        from app.protection.models import Perpetrator

        person = db.session.get(Perpetrator, quiet)
        assert (person.sex, person.age_band, person.relation) == ("female", "45_59", "in_law")
        from app.protection.queries import case_parts

        parts = case_parts(case(world.case_id))
        assert [m.decided_on for m in parts["measures"]] == [MEASURE["decided_on"], SHORT_MEASURE["decided_on"]]
        assert (parts["measures"][0].decided_by, parts["measures"][0].end_on, parts["measures"][1].outcome) == (
            "commune_police",
            MEASURE["end_on"],
            "ongoing",
        )
        db.session.remove()


def _tables(year: int = 2026) -> dict:
    from app.protection import stats
    from app.units.queries import by_code, scope_ids

    root = by_code("03295")
    return {
        t.key: [[c.value for c in row] for row in t.cells] for t in stats.tables(root, year, frozenset(scope_ids(root)))
    }


def _before_2200() -> str:
    return re.search(r"^down_revision = '([^']+)'", MIGRATION.read_text(), re.M).group(1)


def _sealed_cells() -> Counter:
    from app.cases.models import StatTally

    return Counter(
        {
            (t.statistic, t.unit_id, t.period, t.category): t.count
            for t in db.session.scalars(
                sa.select(StatTally).where(
                    StatTally.statistic.like("perpetrator%")
                    | StatTally.statistic.like("measure%")
                    | StatTally.statistic.like("incident%")
                )
            )
            if t.count
        }
    )


@time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False)
def test_the_migration_seals_existing_codes_keeps_the_figures_and_goes_back(app, make_user):
    from app.cases import services as case_services

    live, erased = make_world(app, make_user), make_world(app, make_user)
    with app.test_request_context():
        _add_perpetrators(live)
        _add_perpetrators(erased, measures=(MEASURE,))
        db.session.commit()
        case_services.erase_case(case(erased.case_id), user(erased.counsellor_id))
        db.session.commit()
        figures, cells = _tables(), _sealed_cells()
        unit_id = case(live.case_id).unit_id
        assert cells[("perpetrator_relation", unit_id, "2026", "husband")] == 2
        assert cells[("measure_month", unit_id, "2026-10", "summon")] == 2
        assert figures["measures"] and figures["perpetrator_sex"]
        from app.statistics import gbvims
        from app.units.queries import by_code, scope_ids

        monthly = [
            [c.value for c in row]
            for t in gbvims.build(by_code("03295"), 2026, frozenset(scope_ids(by_code("03295")))).tables
            for row in t.cells
        ]
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", _before_2200()])
    try:
        assert result.exit_code == 0, result.output + repr(result.exception)
        with app.app_context():
            rows = dict(
                db.session.execute(
                    sa.text("SELECT id, sex || '/' || age_band || '/' || relation FROM protection_perpetrator")
                )
                .tuples()
                .all()
            )
            # the live case's codes come back; the erased case's cannot (its key is gone)
            assert sorted(rows.values()) == ["//", "//", "female/45_59/in_law", "male/60_plus/husband"]
            # as before this revision: the counts hold no perpetrator cell; put the codes of the erased case back
            # as they were in clear before (so that the upgrade has them to count)
            assert not db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM stat_tally WHERE statistic LIKE 'perpetrator%' OR statistic LIKE 'measure%' "
                    "OR statistic LIKE 'incident%'"
                )
            )
            measures = db.session.execute(
                sa.text("SELECT measure, decided_by, decided_on, end_on FROM protection_measure WHERE case_id = :c"),
                {"c": live.case_id},
            ).all()
            assert sorted((m[0], m[1], str(m[2]), str(m[3])) for m in measures) == [
                ("stop_violence", "court", "2026-09-01", "None"),
                ("summon", "commune_police", "2026-10-17", "2026-10-29"),
            ]
            db.session.execute(
                sa.text(
                    "UPDATE protection_measure SET measure = 'summon', decided_by = 'commune_police', "
                    "decided_on = :d WHERE case_id = :c"
                ),
                {"c": erased.case_id, "d": MEASURE["decided_on"]},
            )
            days = db.session.execute(
                sa.text("SELECT occurred_on, period_from, period_to FROM protection_incident WHERE case_id = :c"),
                {"c": live.case_id},
            ).all()
            assert sorted(tuple(str(d) for d in row) for row in days) == [
                ("2026-11-03", "None", "None"),
                ("None", "2026-07-29", "2026-08-14"),
            ]
            # the erased case's incidents as they were in clear (the one of a single form on a day, the other a
            # period)
            for columns, forms, values in (
                ("occurred_on = :a", 1, {"a": date(2026, 11, 3)}),
                ("period_from = :a, period_to = :b", 2, {"a": date(2026, 7, 29), "b": date(2026, 8, 14)}),
            ):
                db.session.execute(
                    sa.text(
                        f"UPDATE protection_incident SET {columns} WHERE case_id = :c AND id IN "
                        "(SELECT incident_id FROM protection_incident_form GROUP BY incident_id HAVING count(*) = :n)"
                    ),
                    {"c": erased.case_id, "n": forms, **values},
                )
            db.session.execute(
                sa.text(
                    "UPDATE protection_perpetrator SET sex = 'male', age_band = '60_plus', relation = 'husband' "
                    "WHERE case_id = :c AND id IN (SELECT perpetrator_id FROM protection_incident_perpetrator)"
                ),
                {"c": erased.case_id},
            )
            db.session.commit()
            db.session.remove()
    finally:
        result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.test_request_context():
        from app.reference import load_changed

        assert "stat_tally" in load_changed()  # setup's step: the live case's cells are added
        db.session.commit()
        assert _sealed_cells() == cells
        assert _tables() == figures
        assert [
            [c.value for c in row]
            for t in gbvims.build(by_code("03295"), 2026, frozenset(scope_ids(by_code("03295")))).tables
            for row in t.cells
        ] == monthly
        from app.protection.models import Perpetrator

        people = db.session.scalars(sa.select(Perpetrator).where(Perpetrator.case_id == live.case_id)).all()
        assert sorted((p.sex, p.age_band, p.relation) for p in people) == [
            ("female", "45_59", "in_law"),
            ("male", "60_plus", "husband"),
        ]
        db.session.remove()
