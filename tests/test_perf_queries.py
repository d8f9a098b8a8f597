"""Pages cost the same number of queries whatever the number of rows they show (no N+1), and on PostgreSQL
the list and search queries use indexes."""

import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy import event

from app.extensions import db


@contextmanager
def counting(app):
    """Count the SQL statements sent while the block runs."""
    statements = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def explained(connection, statement: str, parameters) -> tuple[str, list[dict]]:
    """PostgreSQL's plan of a statement: as text, and every node of its executed plan (EXPLAIN ANALYZE)."""
    text = "\n".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    (analyzed,) = connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).one()
    plan = analyzed if isinstance(analyzed, list) else json.loads(analyzed)

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    return text, list(nodes(plan[0]["Plan"]))


def seed_cases(app, count: int) -> None:
    from app.cases import demo

    with app.app_context():
        demo.seed(count)
        db.session.commit()


def queries_for(app, client, url: str) -> int:
    # The clock stands still over both requests: the session's last-seen time is written at most every 10 s
    # (app/auth/services.py), and on a loaded machine the warm request alone could take that long, which
    # added one UPDATE to the measured request (seen: 17 queries against 16).
    with time_machine.travel(datetime.now(UTC), tick=False):
        client.get(url)  # warm: the session touch and first-use lookups are not what is measured
        with counting(app) as statements:
            response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


PAGES = (
    ("counsellor", "TA-02", "/cases/"),
    ("counsellor", "TA-02", "/cases/?sort=next_followup"),
    ("counsellor", "TA-02", "/cases/followups"),
    ("district_reviewer", "099", "/cases/"),
)


@pytest.mark.parametrize("role,unit_code,url", PAGES)
def test_query_count_does_not_grow_with_rows_shown(app, client, make_user, login, role, unit_code, url):
    user = make_user(role, unit_code)
    login(client, user)
    seed_cases(app, 14)  # two cases at each trusted address
    few = queries_for(app, client, url)
    seed_cases(app, 140)  # the page now shows a full page of rows (25)
    many = queries_for(app, client, url)
    assert few > 3, "the counter saw no page queries"
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="EXPLAIN checks need PostgreSQL (TEST_DATABASE_URL)"
)
def test_list_and_search_queries_use_indexes_on_postgresql(app, make_user):
    from app.auth.models import User
    from app.cases import queries
    from app.cases.models import NAME_INDEXES, Case
    from app.crypto.records import blind_hash

    seed_cases(app, 3000)
    user_rec = make_user("counsellor", "TA-02")
    with app.app_context():
        db.session.execute(sa.text("ANALYZE"))
        user = db.session.get(User, user_rec.id)
        unit_id = sorted(queries.scope_for(user, "counsellor"))[0]
        # The list reads each unit of the scope through its (unit, sort column) index (see queries.case_page).
        listing = (
            sa.select(Case.id)
            .where(Case.unit_id == unit_id)
            .order_by(*queries._order(Case, "opened"))
            .limit(queries.PAGE_SIZE + 1)
        )
        # The search asks for the blind index values only (queries._candidates), as here.
        table = Case.crypto_table()
        search = sa.select(Case).where(
            sa.or_(
                Case.bidx_name == blind_hash(table, NAME_INDEXES[0], "Demo Thị A"),
                Case.bidx_name_fold == blind_hash(table, NAME_INDEXES[1], "demo thi a"),
            )
        )
        for stmt in (listing, search):
            sql = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(db.session.execute(sa.text("EXPLAIN " + sql)).scalars())
            assert "Index" in plan, plan
            assert "Seq Scan on case_record" not in plan, plan


def _outer_table(statement: str, parameters=()) -> str:
    """The table SQLite's plan walks first (its outer loop) for this statement."""
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    first = next(r[3] for r in rows if r[3].startswith(("SEARCH", "SCAN")))
    return first.split()[1]


def _sql(stmt) -> str:
    return str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="a check of SQLite's planner")
def test_district_lists_and_figures_start_from_the_few_rows_not_the_cases_on_sqlite(app, make_user):
    """SQLite has no statistics: a list of plans or referrals of a district's cases, or a yearly figure, must
    not be planned as a walk over every case of the district (100 000 of them in the benchmark)."""
    from app.auth.models import User
    from app.indicators import derived
    from app.livelihood import queries as plans
    from app.units.queries import by_code, scope_ids

    reviewer = make_user("district_reviewer", "099")
    with app.app_context():
        district = by_code("099")
        user = db.session.get(User, reviewer.id)
        for stmt in (plans.review_queue(user), plans.decided_in_district(user), plans.plans_in(scope_ids(district))):
            assert _outer_table(_sql(stmt)) == "livelihood_plan", _sql(stmt)

        seen = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if (
                "livelihood_disbursement" in statement
                or "FROM referral" in statement
                or "FROM case_record" in statement
            ):
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            communes = [
                u
                for u in db.session.scalars(sa.select(type(district)).where(type(district).kind == "commune"))
                if u.id in scope_ids(district)
            ]
            derived.tables(scope_ids(district), communes, 2026, viewer_units=frozenset())
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        outer = {_outer_table(s, p) for s, p in seen}
        assert outer, "the figures ran no query on cases, plans or referrals"
        assert "case_record" not in outer or all(
            "ix_case_record_unit_kind_span"
            in " ".join(r[3] for r in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + s, p).all())
            for s, p in seen
            if _outer_table(s, p) == "case_record"
        ), seen
        assert {"livelihood_disbursement", "referral"} <= outer, outer


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="a check of SQLite's planner")
def test_search_and_duplicate_check_start_from_the_blind_indexes_on_sqlite(app, make_user):
    """An exact-name, phone or ID search reads its few candidates through the blind indexes, never every case of
    the counsellor's units (14 000 of them per trusted address in the benchmark)."""
    from app.auth.models import User
    from app.cases import queries

    counsellor = make_user("counsellor", "TA-02")
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM case_record" in statement:
            seen.append((statement, parameters))

    with app.app_context():
        user = db.session.get(User, counsellor.id)
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            queries.search_cases(user, "Lò Thị Mai")
            queries.search_cases(user, "0912 345 678")
            queries.find_duplicates(
                user, full_name="Lò Thị Mai", birth_year=1990, phone="0912345678", id_number="011223344556"
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        assert len(seen) == 3, seen
        for statement, parameters in seen:
            plan = " ".join(
                r[3]
                for r in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            )
            assert "ix_case_record_bidx" in plan and "case_record USING INDEX ix_case_record_unit" not in plan, plan


def test_reviewer_queue_and_agency_inbox_queries_do_not_grow_with_rows_shown(
    app, client, make_user, login, unit, monkeypatch
):
    """The livelihood page of a district reviewer (queue and decisions, with each plan's commune) and an
    agency's inbox cost the same number of queries for 2 rows as for 6."""
    from test_cases_support import new_case
    from test_livelihood_support import budget_from_config, submitted_plan
    from test_referrals_support import AGENCY, add_share_consent, send

    budget_from_config(monkeypatch)
    counsellor = make_user("counsellor", "TA-02")
    reviewer, officer = app.test_client(), app.test_client()
    login(reviewer, make_user("district_reviewer", "099"))
    login(officer, make_user("agency_officer", AGENCY))
    counts = []
    for batch in (2, 4):
        login(client, counsellor)
        for _ in range(batch):
            case_id = new_case(client, unit("TA-02").id, kind="trafficking", confirm_duplicate="y")
            submitted_plan(client, case_id)
            add_share_consent(client, case_id, unit(AGENCY).id)
            assert send(client, case_id, unit(AGENCY).id, key="k-" + case_id).status_code == 303
        counts.append((queries_for(app, reviewer, "/livelihood/"), queries_for(app, officer, "/referrals/")))
    assert counts[0] == counts[1], f"(livelihood, inbox) queries with 2 rows and with 6: {counts}"


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="EXPLAIN checks need PostgreSQL (TEST_DATABASE_URL)"
)
def test_work_queue_reads_open_follow_ups_in_due_order_from_one_index_on_postgresql(app, make_user):
    """The work queue and every counsellor page's count of it ask for the user's open follow-ups due by next week,
    in due order, up to a limit (app/cases/work.py). A counsellor of a large commune has thousands of follow-ups
    over the years: the plan must read the open ones due IN ORDER from one (assignee, status, due date, id) index and
    stop at the limit, before any case is joined: no sort, and no more index rows read than the limit (bench/scale.py:
    at 1 000 000 cases 2 080 follow-ups due for the SC-01 counsellor, all read and sorted on every counsellor page
    until the queue was read in steps)."""
    from datetime import timedelta

    from app import clock
    from app.auth.models import User
    from app.cases import work
    from app.cases.models import Case, FollowUp
    from app.cases.queries import scope_for
    from app.extensions import new_uuid, utcnow

    seed_cases(app, 40)
    user_rec, *colleagues = (make_user("counsellor", "TA-02") for _ in range(3))
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if "case_followup" in statement and "ORDER BY case_followup.due_on" in statement:
            statements.append((statement, parameters))

    with app.app_context():
        user = db.session.get(User, user_rec.id)
        cases = list(db.session.scalars(sa.select(Case.id).where(Case.unit_id.in_(scope_for(user, "counsellor")))))
        today, now = clock.today(), utcnow()
        assignees = [user.id, *(c.id for c in colleagues)]
        # Three counsellors of the commune, 3 000 follow-ups each over the years: half done, half open.
        db.session.execute(
            sa.insert(FollowUp),
            [
                {
                    "id": new_uuid(),
                    "case_id": cases[n % len(cases)],
                    "due_on": today - timedelta(days=n % 900),
                    "assignee_id": assignees[n % 3],
                    "status": "open" if (n // 3) % 2 == 0 else "done",
                    "created_at": now,
                }
                for n in range(9000)
            ],
        )
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            with app.test_request_context():
                assert len(work.followups_due(user)) == work.LIMIT
        finally:
            event.remove(engine, "before_cursor_execute", before)
        assert len(statements) == 1  # every follow-up is in scope: one step
        statement, parameters = statements[0]
        text, plan = explained(db.session.connection(), statement, parameters)
        db.session.rollback()
    # The old plan (one query joining the cases, ordered by due date, cut at the end) read the user's 1 500 open
    # follow-ups and sorted them.
    assert "Sort" not in text, text
    assert "ix_case_followup_assignee_open_due" in text, text
    read = [n for n in plan if n.get("Relation Name") == "case_followup"]
    assert read and all(n["Actual Rows"] * n["Actual Loops"] <= work.LIMIT for n in read), text


def _referral_outcomes_statement(app, units, year) -> tuple[str, object]:
    """The statement the monthly tables count the year's referrals with (app/statistics/gbvims.py), as sent."""
    from app.statistics import gbvims

    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM referral" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        gbvims.referral_outcomes(units, year)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(seen) == 1, seen
    return seen[0]


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="EXPLAIN checks need PostgreSQL (TEST_DATABASE_URL)"
)
def test_monthly_referral_counts_read_the_sender_units_year_from_their_index_on_postgresql(app):
    """The monthly tables (GBVIMS, app/statistics/gbvims.py) count the referrals a district's units sent in a
    year, by month and outcome. A province sends tens of thousands a year: the count must read the district's
    units' year from the (sender unit, sent time) index, not walk every referral of every unit and year."""
    from datetime import UTC, date, datetime, timedelta

    from app import clock
    from app.cases.models import Case
    from app.extensions import new_uuid
    from app.referrals.models import Referral
    from app.units.models import Unit
    from app.units.queries import by_code, scope_ids

    seed_cases(app, 40)
    with app.app_context():
        district = scope_ids(by_code("099"))
        cases = list(db.session.scalars(sa.select(Case.id)))
        units = list(db.session.scalars(sa.select(Unit.id).order_by(Unit.id)))
        senders = [u for u in units if u in district][:5] + [u for u in units if u not in district]
        start = datetime(2021, 1, 1, tzinfo=UTC)
        # Every unit of the world sends (5 of them the district's), 30 000 referrals evenly over six years
        # (2021-2026): the province's 2025 is 5 000, the district's a few hundred. The rows are not stored in
        # sent order: a referral is rewritten at each step of its life (acknowledged, accepted, completed…; its
        # status is indexed, so the new row goes wherever there is room), so the table's order drifts away from
        # the order of sending.
        statuses = ("sent", "acknowledged", "accepted", "declined", "completed", "withdrawn")
        for batch in range(6):
            rows = []
            for n in range(batch * 5000, (batch + 1) * 5000):
                sent_at = start + timedelta(minutes=105 * ((n * 7919) % 30000))
                rows.append(
                    {
                        "id": new_uuid(),
                        "code": f"CG-{n:08d}",
                        "case_id": cases[n % len(cases)],
                        "agency_id": units[n % len(units)],
                        "sender_unit_id": senders[n % len(senders)],
                        "services": [],
                        "urgency": "normal",
                        "status": statuses[n % len(statuses)],
                        "legal_basis": "consent",
                        "needs_review": False,
                        "idempotency_key": f"perf-{n}",
                        "sent_at": sent_at,
                        "ack_due_at": sent_at + timedelta(days=2),
                        "updated_at": sent_at,
                        "version": 1,
                    }
                )
            db.session.execute(sa.insert(Referral), rows)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        with app.test_request_context():
            statement, parameters = _referral_outcomes_statement(app, sorted(district), 2025)
            year = (clock.start_of_day(date(2025, 1, 1)), clock.start_of_day(date(2026, 1, 1)))
        sent = sa.select(sa.func.count()).where(Referral.sent_at >= year[0], Referral.sent_at < year[1])
        province_year = db.session.scalar(sent)
        district_year = db.session.scalar(sent.where(Referral.sender_unit_id.in_(district)))
        text, plan = explained(db.session.connection(), statement, parameters)
        db.session.rollback()
    assert "Seq Scan on referral" not in text, text
    assert "ix_referral_sender_sent" in text, text
    read = [n for n in plan if n.get("Index Name") == "ix_referral_sender_sent"]
    # The index gives the district's year only, not the other units' referrals of the year (through the sent-time
    # index, before this one, every referral of the province's year was read and filtered).
    assert 100 < district_year < province_year / 5, (district_year, province_year)
    assert read and sum(n["Actual Rows"] * n["Actual Loops"] for n in read) == district_year, text


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="a check of SQLite's planner")
def test_monthly_referral_counts_search_the_sender_units_index_on_sqlite(app):
    """SQLite has no statistics: the monthly count of a district's referrals must be planned as a search of the
    (sender unit, sent time) index, not a scan of every referral or of a whole year of the province's."""
    from app.units.queries import by_code, scope_ids

    with app.app_context(), app.test_request_context():
        statement, parameters = _referral_outcomes_statement(app, sorted(scope_ids(by_code("099"))), 2025)
        plan = [r[3] for r in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    on_referral = [step for step in plan if step.startswith(("SEARCH referral", "SCAN referral"))]
    assert on_referral and all("USING INDEX ix_referral_sender_sent" in s for s in on_referral), plan
