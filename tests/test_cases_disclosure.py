"""Quasi-identifiers in the plain summary tier: how many demo cases a stolen database singles out (k = 5, on
the field combinations the reports use and on the whole tier), and erasure leaving only what the yearly counts
need. The figures are printed for the README; the test fails if the measure is wrong or erasure keeps more."""

from datetime import date

from sqlalchemy import select

from app.cases.disclosure import COMBINATIONS, FULL_TIER, K, exposure, report, summary_rows
from app.extensions import db


def test_the_measure_counts_unique_and_small_groups():
    rows = [{"a": 1, "b": x} for x in "xxxxxyyz"]
    result = exposure(rows, ("a", "b"), k=5)
    assert (result.cases, result.unique, result.below_k) == (8, 1, 3)  # z alone; y, y and z below 5
    assert exposure(rows, ("a",), k=5).below_k == 0


def test_demo_cases_exposure_is_measured_and_erasure_leaves_only_the_counted_fields(app):
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case
    from app.demo import seed

    with app.test_request_context():
        seed(40)
        db.session.commit()
        figures = report()
        print(f"\nsummary tier of {figures['the whole summary tier'].cases} demo cases, k = {K}:")
        for name, found in figures.items():
            print(f"  {name}: {found.unique} unique, {found.below_k} in groups below {K}")
        assert set(figures) == set(COMBINATIONS)
        assert figures["the whole summary tier"].unique >= figures["commune × kind × year"].unique

        # Erase every case of one trusted address: what stays is unit, kind and the quarters.
        actor = db.session.scalar(select(User).where(User.username == "admin"))
        unit_id = db.session.scalar(select(Case.unit_id).order_by(Case.code).limit(1))
        erased = db.session.scalars(select(Case).where(Case.unit_id == unit_id)).all()
        before = {c.id: (c.kind, c.opened_on, c.closed_on) for c in erased}
        for case in erased:
            services.erase_case(case, actor)
        db.session.commit()
        rows = [r for r in summary_rows() if r["unit"] == unit_id]
        for row in rows:
            assert row["sex"] == row["age_band"] == row["ethnic"] == row["poverty"] == ""
            assert row["village"] is None and row["disability"] is False and row["risk"] == "low"
            assert row["opened_on"].day == 1 and row["opened_on"].month in (1, 4, 7, 10)
        for case in db.session.scalars(select(Case).where(Case.unit_id == unit_id)):
            kind, opened, closed = before[case.id]
            assert case.kind == kind and case.opened_on.year == opened.year and case.opened_on <= opened
            if closed:
                assert case.closed_on >= closed and case.closed_on.year == closed.year
        # Erased cases of the same kind and quarters are indistinguishable on the whole tier.
        groups = {tuple(r[f] for f in FULL_TIER) for r in rows}
        assert len(groups) == len({(r["kind"], r["opened_on"], r["closed_on"]) for r in rows})
        db.session.remove()


def test_quarter_bounds():
    from app.cases.services import quarter_end, quarter_start
    assert quarter_start(date(2026, 5, 17)) == date(2026, 4, 1)
    assert quarter_end(date(2026, 5, 17)) == date(2026, 6, 30)
    assert quarter_end(date(2026, 11, 2)) == date(2026, 12, 31)
    assert quarter_start(date(2026, 1, 1)) == date(2026, 1, 1)
