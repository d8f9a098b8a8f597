"""Pages cost the same number of queries whatever the number of rows they show (no N+1), and on PostgreSQL
the list and search queries use indexes."""

import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
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


def seed_cases(app, count: int) -> None:
    from app.cases import demo
    with app.app_context():
        demo.seed(count)
        db.session.commit()


def queries_for(app, client, url: str) -> int:
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


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="EXPLAIN checks need PostgreSQL (TEST_DATABASE_URL)")
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
        listing = sa.select(Case.id).where(Case.unit_id == unit_id).order_by(*queries._order(Case, "opened")) \
            .limit(queries.PAGE_SIZE + 1)
        search = queries.visible_cases(user).where(
            Case.bidx_name_fold == blind_hash(Case.crypto_table(), NAME_INDEXES[1], "demo thi a"))
        for stmt in (listing, search):
            sql = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(db.session.execute(sa.text("EXPLAIN " + sql)).scalars())
            assert "Index" in plan, plan
            assert "Seq Scan on case_record" not in plan, plan
