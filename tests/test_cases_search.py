"""Active search through the blind indexes, and the duplicate check on intake."""

import json
import re
import unicodedata

import pytest
from sqlalchemy import select
from test_cases_support import audit_actions, intake, new_case

from app import clock
from app.extensions import db

ROWS = {"HX-Request": "true", "HX-Target": "case-rows"}


def _search(client, term):
    response = client.post("/cases/", data={"q": term}, headers=ROWS)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "term",
    [
        "Lò Thị Mai",
        "lò thị mai",
        "LO THI MAI",
        "lo thi mai",
        "  Lò   Thị  Mai ",
        unicodedata.normalize("NFD", "Lò Thị Mai"),
        unicodedata.normalize("NFD", "LÒ THỊ MAI"),
    ],
)
def test_exact_name_found_with_or_without_diacritics_in_nfc_or_nfd(app, client, counsellor, unit, term):
    new_case(client, unit("TA-02").id, full_name=unicodedata.normalize("NFD", "Lò Thị Mai"))
    new_case(client, unit("TA-02").id, full_name="Lò Thị Mại", phone="0911111111", id_number=None, birth_year="1985")
    html = _search(client, term)
    assert "Lò Thị Mai" in html
    if term.strip() and unicodedata.normalize("NFC", term).casefold() != "lo thi mai":
        assert "Lò Thị Mại" not in html  # diacritics typed are respected: Mai ≠ Mại
    assert html.lstrip().startswith('<div id="case-rows"')  # a fragment, not a page


def test_search_by_phone_id_number_and_code_and_not_by_part_of_a_name(app, client, counsellor, unit):
    from app.cases.models import Case

    case_id = new_case(client, unit("TA-02").id)
    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    assert "Lò Thị Mai" in _search(client, "0912345678")
    assert "Lò Thị Mai" in _search(client, "+84 912 345 678")
    assert "Lò Thị Mai" in _search(client, "011223344556")
    assert "Lò Thị Mai" in _search(client, code.lower())
    assert "Lò Thị Mai" not in _search(client, "Mai")
    assert "Lò Thị Mai" not in _search(client, "0912345679")


def test_search_is_scoped_and_its_term_is_never_in_a_url_or_the_audit(app, client, counsellor, make_user, login, unit):
    new_case(client, unit("TA-02").id)
    other = app.test_client()
    login(other, make_user("counsellor", "TA-03"))
    assert "Lò Thị Mai" not in _search(other, "Lò Thị Mai")
    page = client.get("/cases/").get_data(as_text=True)
    assert 'method="post"' in page and 'hx-trigger="input changed delay:400ms, search"' in page
    html = _search(client, "Lò Thị Mai")
    assert "q=" not in html
    searches = [json.loads(d) for a, _, d in audit_actions(app) if a == "case.search"]
    assert searches and searches[-1]["matches"] == 1
    assert all("Mai" not in d and "mai" not in d for _, _, d in audit_actions(app))


def test_a_name_common_outside_the_scope_never_hides_the_match_inside_it(
    app, client, counsellor, make_user, login, unit, monkeypatch
):
    """The cap on candidates applies after the scope: a name shared by many cases of other communes (more than
    the cap, read first) must not push the counsellor's own case out of the search or the duplicate check."""
    from app.cases import queries

    monkeypatch.setattr(queries, "CANDIDATE_LIMIT", 2)
    elsewhere = app.test_client()
    login(elsewhere, make_user("counsellor", "TA-03"))
    for i in range(4):  # older ids first in the table: they are what an unscoped, capped query would read
        new_case(elsewhere, unit("TA-03").id, phone=f"09300000{i:02d}", id_number=None, birth_year=str(1970 + i))
    mine = new_case(client, unit("TA-02").id, phone="0931111111", id_number=None)
    assert f"/cases/{mine}" in _search(client, "Lò Thị Mai")
    with app.test_request_context():
        from app.auth.models import User

        user = db.session.get(User, counsellor.id)
        found = queries.find_duplicates(user, full_name="Lò Thị Mai", birth_year=1990)
        assert [c.id for c in found] == [mine]
        db.session.remove()


def test_duplicate_on_intake_warns_with_the_code_only_and_needs_confirmation(app, client, counsellor, unit):
    from app.cases.models import Case

    first = new_case(client, unit("TA-02").id, birth_year="1990")
    with app.app_context():
        code = db.session.get(Case, first).code
        db.session.remove()
    # same name (other accents) and birth year, new phone and ID: still a possible duplicate
    response = intake(
        client,
        unit("TA-02").id,
        full_name="lo thi mai",
        phone="0977000111",
        id_number=None,
        address_detail="Địa chỉ mới",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and code in html and "Có thể trùng" in html
    assert 'value="Địa chỉ mới"' in html  # everything typed is kept
    assert "Bản Sáng" not in html  # nothing of the other case is shown
    confirmed = intake(
        client, unit("TA-02").id, full_name="lo thi mai", phone="0977000111", id_number=None, confirm_duplicate="y"
    )
    assert confirmed.status_code == 303
    # same phone only
    assert code in intake(client, unit("TA-02").id, full_name="Khác Hẳn", birth_year="2001", id_number=None).get_data(
        as_text=True
    )
    # same ID number only
    assert code in intake(client, unit("TA-02").id, full_name="Khác Nữa", birth_year="2002", phone=None).get_data(
        as_text=True
    )
    # nothing in common: created at once
    assert (
        intake(
            client, unit("TA-02").id, full_name="Người Mới", birth_year="2003", phone="0966000000", id_number=None
        ).status_code
        == 303
    )


def test_duplicate_check_while_typing_and_outside_scope(app, client, counsellor, make_user, login, unit):
    from app.cases.models import Case

    case_id = new_case(client, unit("TA-02").id)
    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    check = client.post(
        "/cases/new/duplicates",
        data={"full_name": "Lò Thị Mai", "birth_year": "1990"},
        headers={"HX-Request": "true", "HX-Target": "duplicate-check"},
    )
    assert check.status_code == 200 and code in check.get_data(as_text=True)
    other = app.test_client()
    login(other, make_user("counsellor", "TA-03"))
    html = other.post("/cases/new/duplicates", data={"full_name": "Lò Thị Mai", "birth_year": "1990"}).get_data(
        as_text=True
    )
    assert code not in html and "Không thấy" in html


def listed(html: str) -> int:
    """How many of the test's cases ("Người 0", "Người 1"…) a case list shows (other texts may say "Người")."""
    return len(re.findall(r"Người \d", html))


def test_list_filters_sorts_and_pages_in_sql(app, client, counsellor, unit):
    from datetime import timedelta

    from app.cases import queries
    from app.cases.models import Case

    for i in range(3):
        new_case(
            client,
            unit("TA-02").id,
            full_name=f"Người {i}",
            phone=f"090000000{i}",
            id_number=None,
            risk_level=("low", "medium", "high")[i],
            opened_on=f"2026-01-0{i + 1}",
        )
    with app.app_context():
        cases = db.session.scalars(select(Case).order_by(Case.opened_on)).all()
        cases[0].next_followup_on = clock.today() - timedelta(days=3)
        db.session.commit()
        db.session.remove()
    assert listed(client.get("/cases/?risk=high").get_data(as_text=True)) == 1
    overdue = client.get("/cases/?overdue=1").get_data(as_text=True)
    assert "Người 0" in overdue and "Người 1" not in overdue
    by_risk = client.get("/cases/?sort=risk").get_data(as_text=True)
    assert by_risk.index("Người 2") < by_risk.index("Người 1") < by_risk.index("Người 0")
    assert client.get("/cases/?sort=bogus&kind=<x>&page=99").status_code == 200
    assert queries.PAGE_SIZE >= 10


def test_the_case_list_pages_keep_the_filters(app, client, counsellor, unit, monkeypatch):
    from app.cases import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    for i in range(3):
        new_case(
            client,
            unit("TA-02").id,
            full_name=f"Người {i}",
            phone=f"090000000{i}",
            id_number=None,
            risk_level="high",
            opened_on=f"2026-01-0{i + 1}",
        )
    first = client.get("/cases/?risk=high&sort=risk").get_data(as_text=True)
    assert listed(first) == 2 and "Trang 1" in first and "Trang trước" not in first
    link = re.search(r'href="([^"]*)">Trang sau', first).group(1).replace("&amp;", "&")
    assert "risk=high" in link and "sort=risk" in link and "page=2" in link
    second = client.get(link).get_data(as_text=True)
    assert listed(second) == 1 and "Trang 2" in second and "Trang sau" not in second
    assert "page=1" in re.search(r'href="([^"]*)">Trang trước', second).group(1)


def test_reviewers_cannot_match_identity_by_search(app, client, counsellor, make_user, login, unit):
    from app.cases.models import Case

    case_id = new_case(client, unit("TA-02").id)
    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    reviewer = app.test_client()
    login(reviewer, make_user("district_reviewer", "099"))
    assert code not in _search(reviewer, "Lò Thị Mai")
    assert code not in _search(reviewer, "0912345678")
    assert code in _search(reviewer, code)  # the code is summary tier


@pytest.mark.parametrize("sort", ["opened", "next_followup", "risk"])
def test_each_list_sort_reads_an_index_in_order_without_sorting(app, counsellor, sort):
    from app.auth.models import User
    from app.cases import queries
    from app.cases.models import Case

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("query plans are checked on SQLite")
    with app.test_request_context():
        user = db.session.get(User, counsellor.id)
        unit_id = sorted(queries.scope_for(user, "counsellor"))[0]
        flt = queries.CaseFilter(sort=sort)
        part = (
            select(Case.id)
            .where(Case.unit_id == unit_id, *flt.conditions(Case, queries.clock.today()))
            .order_by(*queries._order(Case, sort))
            .limit(26)
        )
        sql = str(part.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[3] for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))
        db.session.remove()
    assert "ix_case_record_unit_" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.skipif(bool(__import__("os").environ.get("TEST_DATABASE_URL")), reason="SQLite's transactions")
def test_on_sqlite_every_transaction_takes_the_write_lock_first(app, client, counsellor):
    """On SQLite every transaction starts with BEGIN IMMEDIATE (app/db_setup.py): an audited search or a
    reading page that appends its audit entry is never refused half-way, and nothing inspects the SQL."""
    from sqlalchemy import event

    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement.split()[0:2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        _search(client, "Lò Thị Mai")
        search = list(statements)
        statements.clear()
        client.post("/cases/new", data={"kind": "dv"})  # invalid: re-rendered, nothing saved
        change = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert search[0] == ["BEGIN", "IMMEDIATE"], search
    assert ["INSERT", "INTO"] in search, "the search was not audited"
    assert search.count(["BEGIN", "IMMEDIATE"]) == 1, "the search ran in more than one transaction"
    assert change[0] == ["BEGIN", "IMMEDIATE"], change
