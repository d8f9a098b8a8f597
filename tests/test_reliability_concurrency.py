"""Concurrency: appends to the audit chain never fork or leave gaps; concurrent edits of one case lose nothing.

Each proof runs against its own instance (SQLite file, or a PostgreSQL schema with TEST_DATABASE_URL). The
HTTP proofs use a real threaded server (werkzeug, one thread per request), so every request has its own
connection and transaction, as in production.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
from reliability.support import PASSWORD, LiveServer, build_instance, make_user, new_case, query, route_exists
from reliability.support import user as load_user
from sqlalchemy import select

from app.extensions import db

THREADS = 50
# The per-address limits would throttle a test whose every request comes from 127.0.0.1.
OPEN_LIMITS = {
    "LOGIN_ATTEMPTS_PER_IP": "100000 per minute",
    "LOGIN_FAILURES_PER_IP": "100000 per minute",
    "LOGIN_FAILURES_PER_ACCOUNT": "100000 per minute",
}


def chain(app) -> tuple[list, object]:
    from app.audit import services as audit
    from app.audit.models import AuditEntry

    def read():
        rows = db.session.execute(
            select(
                AuditEntry.seq,
                AuditEntry.action,
                AuditEntry.result,
                AuditEntry.detail,
                AuditEntry.prev_hash,
                AuditEntry.entry_hash,
            ).order_by(AuditEntry.seq)
        ).all()
        return [tuple(r) for r in rows], audit.verify()

    return query(app, read)


def assert_contiguous(rows) -> None:
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1)), "gap or duplicate in the sequence"
    for before, after in zip(rows, rows[1:], strict=False):
        assert after[4] == before[5], f"entry {after[0]} does not follow entry {before[0]} (fork)"


def run_together(fn, count: int = THREADS) -> list:
    """Run fn(i) in `count` threads released at the same instant; return the results in order."""
    barrier = threading.Barrier(count)

    def start(i):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def test_50_threads_appending_at_once_leave_one_contiguous_verifiable_chain(tmp_path):
    from app.audit import services as audit

    app = build_instance(tmp_path, "append")

    def append(i):
        with app.app_context():
            audit.record("thread", "test.append", detail={"n": i})
            db.session.commit()
            db.session.remove()

    run_together(append)
    rows, verdict = chain(app)
    assert verdict.ok, verdict.reason
    assert len(rows) == THREADS and verdict.checked == THREADS
    assert_contiguous(rows)
    assert sorted(int(re.search(r'"n": (\d+)', r[3]).group(1)) for r in rows) == list(range(THREADS))


@pytest.mark.slow
def test_50_concurrent_audited_requests_to_a_real_server_leave_one_chain(tmp_path):
    app = build_instance(tmp_path, "http_append", **OPEN_LIMITS)
    users = [make_user(app, "counsellor", "TA-02", username=f"tuvan{i:02d}") for i in range(THREADS)]
    before = len(chain(app)[0])

    with LiveServer(app) as server:

        def attempt(i):
            browser = server.browser()
            wrong = browser.post("/auth/login", {"username": users[i][1], "password": "sai-mat-khau-" + str(i)})
            right = browser.post("/auth/login", {"username": users[i][1], "password": PASSWORD})
            page = browser.get("/auth/account")
            return wrong.status, right.status, page.status

        statuses = run_together(attempt)

    assert all(s == (200, 302, 200) for s in statuses), statuses
    rows, verdict = chain(app)
    assert verdict.ok, verdict.reason
    assert_contiguous(rows)
    logins = [(r[1], r[2]) for r in rows[before:]]
    assert logins.count(("auth.login", "failed")) == THREADS
    assert logins.count(("auth.login", "ok")) == THREADS
    assert logins.count(("auth.device_issue", "ok")) == THREADS  # each browser's device cookie (app/auth/devices.py)
    assert len(logins) == 3 * THREADS


@pytest.mark.slow
def test_50_concurrent_audited_case_reads_each_append_once(tmp_path):
    """Every case page view appends its audit entry. On SQLite every transaction takes the write lock first
    (BEGIN IMMEDIATE), so none of 50 simultaneous views is refused half-way: all answer, none is lost."""
    app = build_instance(tmp_path, "http_reads", **OPEN_LIMITS)
    owner_id, owner_name, _ = make_user(app, "counsellor", "TA-02", username="tuvan.chu")

    def open_case():
        case = new_case(load_user(owner_id))
        db.session.commit()
        return case.id

    case_id = query(app, open_case)
    before = len(chain(app)[0])

    with LiveServer(app) as server:
        browsers = [server.browser() for _ in range(THREADS)]
        for browser in browsers:
            assert browser.post("/auth/login", {"username": owner_name, "password": PASSWORD}).status == 302
        statuses = run_together(lambda i: browsers[i].get(f"/cases/{case_id}").status)

    assert statuses == [200] * THREADS
    rows, verdict = chain(app)
    assert verdict.ok, verdict.reason
    assert_contiguous(rows)
    assert [r[1] for r in rows[before:]].count("case.read_full") == THREADS


# --- 50 concurrent edits of one case -------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of the first form posting to `action`, with the values the page shows."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self.textareas: list[str] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("action") or "").endswith(self.action):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._selected = name, None
        elif tag == "option" and self._select:
            if "selected" in a or self._selected is None:
                self._selected = a.get("value") or ""
                if "selected" in a:
                    self._selected_final = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.fields.append((self._select, self._selected or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self.textareas.append(self._textarea)
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def edit_form(browser, case_id: str) -> list[tuple[str, str]]:
    page = browser.get(f"/cases/{case_id}/edit")
    assert page.status == 200, page.status
    parser = FormFields(f"/cases/{case_id}/edit")
    parser.feed(page.text)
    assert any(name == "version" for name, _ in parser.fields), "the edit form has no version field"
    return parser.fields


def with_value(fields, name: str, value: str) -> list[tuple[str, str]]:
    return [(n, value if n == name else v) for n, v in fields]


@pytest.mark.slow
def test_50_concurrent_edits_of_one_case_one_winner_per_version_nothing_lost(tmp_path):
    app = build_instance(tmp_path, "edits")
    if not route_exists(app, "cases.edit"):
        pytest.skip("case edit route not built yet")
    user = make_user(app, "counsellor", "TA-02")

    def create():
        case = new_case(load_user(user[0]))
        db.session.commit()
        return case.id

    case_id = query(app, create)
    field = "safety_plan"

    with LiveServer(app) as server:
        browsers = [server.browser() for _ in range(THREADS)]
        for browser in browsers:
            browser.login(user[1])
        fields = edit_form(browsers[0], case_id)
        assert any(n == field for n, _ in fields), f"the edit form has no {field} field"

        # Round 1: all 50 save on the same version at once.
        def save(i, form=fields):
            response = browsers[i].post(f"/cases/{case_id}/edit", with_value(form, field, f"ke-hoach-{i:02d}"))
            return response.status, response.text

        results = run_together(save)
        winners = [i for i, (status, _) in enumerate(results) if status == 303]
        losers = [i for i, (status, _) in enumerate(results) if status == 409]
        assert len(winners) == 1, [s for s, _ in results]
        assert len(losers) == THREADS - 1, [s for s, _ in results]
        winner = winners[0]
        # Every conflict screen shows the other person's saved change, and keeps what this person typed.
        for i in losers:
            assert f"ke-hoach-{winner:02d}" in results[i][1] and f"ke-hoach-{i:02d}" in results[i][1], i

        # Round 2: ten of the losers retry with the fresh version until each lands: nothing lost, no double win.
        landed = {winner: 2}
        retry = losers[:10]

        def retry_until_saved(k):
            i, tries = retry[k], []
            while True:
                form = edit_form(browsers[i], case_id)
                version = int(dict(form)["version"])
                response = browsers[i].post(f"/cases/{case_id}/edit", with_value(form, field, f"ke-hoach-{i:02d}"))
                tries.append((version, response.status, response.location))
                if response.status == 303 and response.location.endswith(f"/cases/{case_id}"):
                    return version, tries
                assert response.status == 409, tries

        outcomes = run_together(retry_until_saved, len(retry))
        versions = [v for v, _ in outcomes]
        assert sorted(versions) == list(range(2, 2 + len(retry))), ("two saves won the same version", outcomes)
        for i, version in zip(retry, versions, strict=True):
            landed[i] = version + 1

    from app.audit.models import AuditEntry
    from app.cases.models import Case

    def final():
        case = db.session.get(Case, case_id)
        edits = db.session.execute(
            select(AuditEntry.seq, AuditEntry.result, AuditEntry.detail)
            .where(AuditEntry.object_id == case_id, AuditEntry.action == "case.edit")
            .order_by(AuditEntry.seq)
        ).all()
        return case.version, case.safety_plan, [tuple(e) for e in edits]

    version, plan, edits = query(app, final)
    last = max(landed, key=landed.get)
    story = {"landed": landed, "outcomes": outcomes, "edits": [e for e in edits if e[1] != "conflict"]}
    assert version == 1 + 1 + len(retry), ("a save was lost or applied twice", story)
    assert plan == f"ke-hoach-{last:02d}", ("the last save is not the one kept", story)
    assert [e[1] for e in edits].count("ok") == 1 + len(retry), story
