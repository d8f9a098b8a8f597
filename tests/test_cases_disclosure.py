"""Quasi-identifiers in the plain summary tier: how many demo cases a stolen database singles out (k = 5, on
the field combinations the reports use), the profile sealed so that it adds nothing, and erasure leaving only
counts. The figures are printed for the README; the test fails if the measure is wrong, if a profile field is
back in clear, or if erasure keeps more."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import func, select

from app.cases.disclosure import (
    BOOKKEEPING,
    COMBINATIONS,
    PROFILE,
    WHOLE_ROW,
    K,
    by_column,
    exposure,
    linked_by_table,
    linked_codes,
    plain_columns,
    report,
    report_in_clear,
    small_cells,
)
from app.extensions import db

# The plaintext columns case_record may have: scoping, the work lists' filters and sorts, bookkeeping, key
# material and blind indexes. app/cases/disclosure.py measures every one of them (read from the schema); a new
# plaintext column must be argued for here first.
PLAIN_COLUMNS = {
    "id",
    "code",
    "kind",
    "unit_id",
    "status",
    "risk_level",
    "risk_rank",
    "opened_on",
    "closed_on",
    "next_followup_on",
    "created_by_id",
    "created_at",
    "updated_at",
    "version",
    "wrapped_dek",
    "kek_version",
    "erased_at",
    "bidx_scheme",
    "in_statistics",
}  # consent to statistics withdrawn (app/privacy): the referral figures filter on it


def test_the_measure_counts_unique_and_small_groups():
    rows = [{"a": 1, "b": x} for x in "xxxxxyyz"]
    result = exposure(rows, ("a", "b"), k=5)
    assert (result.cases, result.unique, result.below_k) == (8, 1, 3)  # z alone; y, y and z below 5
    assert exposure(rows, ("a",), k=5).below_k == 0
    assert exposure(rows, (), k=5).below_k == 0  # nothing shown: one group of all


def test_case_record_holds_no_profile_column(app):
    with app.app_context():
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("case_record")}
    clear = {c for c in columns if not c.endswith("_enc") and not c.startswith("bidx_") or c == "bidx_scheme"}
    assert clear <= PLAIN_COLUMNS, f"new plaintext columns, measure them: {clear - PLAIN_COLUMNS}"
    for name in ("sex", "age_band", "ethnic_code", "ethnic_list", "disability", "poverty_status", "village_id"):
        assert name not in columns
    assert {"profile_enc", "tally_keys_enc"} <= columns


def test_the_whole_plain_row_is_read_from_the_schema(app):
    """Every plaintext column is in the measure but the row's id, version and key bookkeeping; one added later
    is measured without a change to the module."""
    assert set(COMBINATIONS[WHOLE_ROW]) == set(plain_columns()) == PLAIN_COLUMNS - set(BOOKKEEPING)
    assert {"created_at", "updated_at", "created_by_id", "code", "erased_at"} <= set(plain_columns())
    table = db.metadata.tables["case_record"].to_metadata(sa.MetaData())
    table.append_column(sa.Column("nickname", sa.String(40)))
    table.append_column(sa.Column("nickname_enc", sa.LargeBinary()))
    assert "nickname" in plain_columns(table) and "nickname_enc" not in plain_columns(table)


def test_a_timestamp_counts_as_its_vietnam_day(app):
    from datetime import UTC, datetime

    from app.cases.disclosure import summary_rows
    from app.cases.models import Case

    with app.test_request_context():
        case = Case(code="TG-2026-9999", kind="dv", unit_id=db.session.scalar(sa.text("SELECT id FROM unit LIMIT 1")))
        case.opened_on = date(2026, 12, 7)
        case.created_at = case.updated_at = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)  # 00:30 on the 8th in Việt Nam
        db.session.add(case)
        db.session.flush()
        (row,) = summary_rows()
        assert row["created_at"] == row["updated_at"] == date(2026, 12, 8)
        db.session.rollback()
        db.session.remove()


def test_demo_cases_exposure_is_measured_and_erasure_leaves_only_counts(app):
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case, StatTally
    from app.demo import seed

    with app.test_request_context():
        seed(40)
        db.session.commit()
        figures, before, (cells, small) = report(), report_in_clear(), small_cells()
        total = figures["trusted address alone (scoping)"].cases
        print(
            f"\nplain summary tier of {total} demo cases, k = {K} (cases alone / in groups below {K}; "
            f"had the profile stayed in clear):"
        )
        for name, found in figures.items():
            print(
                f"  {name}: {found.unique} / {found.below_k}   (in clear: {before[name].unique} / "
                f"{before[name].below_k})"
            )
        print(f"  statistics' counts: {cells} cells, {small} below {K} (no case id in any)")
        columns = by_column()
        print(
            "  trusted address × one plaintext column of case_record alone, cases below k: "
            + ", ".join(f"{name} {n}" for name, n in sorted(columns.items(), key=lambda item: -item[1]))
        )
        by_table = linked_by_table()
        print(
            "  trusted address × one table's coded rows alone, cases below k: "
            + ", ".join(f"{table} {n}" for table, n in sorted(by_table.items(), key=lambda item: -item[1]))
        )
        # A perpetrator's sex, age band and relation and a measure's code, decider and outcome are sealed with
        # the case: no plaintext code of those tables is left to link (the demo has perpetrators and measures).
        assert db.session.scalar(sa.text("SELECT count(*) FROM protection_perpetrator")) > 0
        assert db.session.scalar(sa.text("SELECT count(*) FROM protection_measure")) > 0
        linked = {(t, c) for values in linked_codes().values() for t, c, _v in values}
        assert not {t for t, _c in linked} & {"protection_perpetrator", "protection_measure", "case_service"}
        # A consent shows only its purpose in clear (what the consent checks read in SQL): not how it was given,
        # by whom (a guardian: a child) or in which language (an ethnic group) (migration 2740).
        assert {c for t, c in linked if t == "case_consent"} == {"purpose"}
        assert db.session.scalar(sa.text("SELECT count(*) FROM case_service")) > 0
        assert set(figures) == set(COMBINATIONS) and total == 40
        # The sealed profile adds nothing a stolen file can use: on its own it singles out no one…
        profile = "profile alone: village × sex × age band × ethnic group × disability × poverty"
        assert COMBINATIONS[profile] == PROFILE
        assert figures[profile].below_k == 0 and before[profile].below_k > 0
        # …and every report combination shows at most what its plain fields (unit, kind, dates) show.
        for name in COMBINATIONS:
            assert figures[name].below_k <= before[name].below_k
        assert figures["commune × sex × age band × year"].below_k <= figures["commune × kind × year"].below_k
        # Scoping alone (the trusted address) is within k on the demo: every address has at least 5 cases.
        assert figures["trusted address alone (scoping)"].below_k == 0
        # Every case counts once in the cases-open statistic.
        assert db.session.scalar(select(func.sum(StatTally.count)).where(StatTally.statistic == "cases_open")) == total

        # Erase every case of one trusted address: the counts stay, the link and the profile go.
        counted = sorted(
            db.session.execute(
                select(
                    StatTally.statistic,
                    StatTally.unit_id,
                    StatTally.period,
                    StatTally.until,
                    StatTally.category,
                    StatTally.count,
                )
            ).all()
        )
        actor = db.session.scalar(select(User).where(User.username == "admin"))
        unit_id = db.session.scalar(select(Case.unit_id).order_by(Case.code).limit(1))
        erased = db.session.scalars(select(Case).where(Case.unit_id == unit_id)).all()
        before_erasure = {c.id: (c.kind, c.opened_on, c.closed_on) for c in erased}
        for case in erased:
            services.erase_case(case, actor)
        db.session.commit()
        assert (
            sorted(
                db.session.execute(
                    select(
                        StatTally.statistic,
                        StatTally.unit_id,
                        StatTally.period,
                        StatTally.until,
                        StatTally.category,
                        StatTally.count,
                    )
                ).all()
            )
            == counted
        )
        raw = db.session.execute(
            sa.text(
                "SELECT profile_enc, tally_keys_enc, risk_level, closure_enc, next_followup_on, created_by_id, "
                "created_at, erased_at FROM case_record WHERE unit_id = :u"
            ),
            {"u": unit_id},
        ).all()
        assert raw and all(r[:6] == (None, None, "low", None, None, None) for r in raw)
        # who created the case and when (the moment of intake, finer than the quarter kept) count nowhere: gone,
        # the creation time is the erasure's
        assert all(r[6] == r[7] and r[7] is not None for r in raw)
        for case in db.session.scalars(select(Case).where(Case.unit_id == unit_id)):
            kind, opened, closed = before_erasure[case.id]
            assert case.sex == "" and case.village_id is None  # nothing left to open
            assert case.kind == kind and case.opened_on.year == opened.year and case.opened_on <= opened
            assert case.opened_on.day == 1 and case.opened_on.month in (1, 4, 7, 10)
            if closed:
                assert case.closed_on >= closed and case.closed_on.year == closed.year
        db.session.remove()


def test_a_demo_profile_is_not_in_the_database_in_plaintext_and_seals_to_one_size(app):
    from app.cases.models import Case
    from app.demo import seed

    with app.test_request_context():
        seed(40)
        db.session.commit()
        cases = db.session.scalars(select(Case)).all()
        profiles = [(c.sex, c.ethnic_code, c.village_id, c.age_band, c.poverty_status) for c in cases]
        assert {p[0] for p in profiles} >= {"female"}
        raw = db.session.execute(sa.text("SELECT * FROM case_record")).mappings().all()
        sizes = {len(r["profile_enc"]) for r in raw}
        assert len(sizes) == 1, "the length of a sealed profile must not tell its values"
        needles = {b"female", b"near_poor", b"60_plus", b"18_29"} | {c.unit_id.encode() for c in cases}
        for row in raw:
            sealed = bytes(row["profile_enc"]) + bytes(row["tally_keys_enc"])
            assert not any(n in sealed for n in needles)
            for name, value in row.items():
                if isinstance(value, str) and name not in ("unit_id", "id", "code", "created_by_id"):
                    assert value not in ("female", "male", "03", "08", "near_poor", "poor"), name
        db.session.remove()


def test_quarter_bounds():
    from app.cases.services import quarter_end, quarter_start

    assert quarter_start(date(2026, 5, 17)) == date(2026, 4, 1)
    assert quarter_end(date(2026, 5, 17)) == date(2026, 6, 30)
    assert quarter_end(date(2026, 11, 2)) == date(2026, 12, 31)
    assert quarter_start(date(2026, 1, 1)) == date(2026, 1, 1)
