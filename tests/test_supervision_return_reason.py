"""A supervisor's return of a high-risk safety plan or closure says why: the reason is required (refused beside
the field, typed text kept, nothing recorded), sealed under the case's key (never in clear in the database, the
audit detail or an address), shown to the case's readers in the sign-off panel and on the timeline, and gone
with an erased case. The supervisor reaches what it signs in one tap from its list.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

import html

import pytest
import sqlalchemy as sa
from test_cases_support import INTAKE, audit_actions

from app.extensions import db

REASON = "Kế hoạch chưa nói chị Lò Thị Hoa ở bản Sáng có nhận cho tạm lánh không"
URL = "/supervision/case/{}/sign-off"


@pytest.fixture
def supervisor(app, make_user, login):
    client = app.test_client()
    login(client, make_user("supervisor", "03295"))
    return client


def _return(supervisor, case_id, reason, **more):
    data = {"kind": "safety_plan", "decision": "returned", "signoff-reason": reason, **more}
    return supervisor.post(URL.format(case_id), data=data)


def _rows(app, case_id) -> list[dict]:
    """The case's sign-off rows as the database holds them (raw columns, nothing opened)."""
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT * FROM case_signoff WHERE case_id = :c"), {"c": case_id}).mappings()
        found = [dict(r) for r in rows]
        db.session.remove()
    return found


def _raw_bytes(rows) -> bytes:
    return b" ".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for r in rows for v in r.values()
    )


@pytest.mark.parametrize("typed", ["", "   ", "Sửa lại"])
def test_a_return_without_a_reason_is_refused_beside_the_field_and_nothing_is_recorded(app, case_id, supervisor, typed):
    from app.supervision.services import needed

    answer = _return(supervisor, case_id, typed)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200  # the case page again, not a 500 nor a redirect that loses the text
    assert 'id="signoff-reason-error"' in page and "Vui lòng ghi rõ lý do trả lại" in page
    assert 'aria-invalid="true"' in page
    if typed.strip():
        assert f"{typed}</textarea>" in page  # what was typed is kept
    assert _rows(app, case_id) == []
    assert not [a for a, _, _ in audit_actions(app, case_id) if a.startswith("supervision.")]
    with app.app_context():
        from app.cases.models import Case

        assert needed(db.session.get(Case, case_id)) == ["safety_plan"]
        db.session.remove()


def test_an_approval_needs_no_reason_and_keeps_none(app, case_id, supervisor):
    answer = supervisor.post(
        URL.format(case_id), data={"kind": "safety_plan", "decision": "approved", "signoff-reason": "typed anyway"}
    )
    assert answer.status_code == 303
    (row,) = _rows(app, case_id)
    assert row["decision"] == "approved" and row["reason_enc"] is None


def test_a_return_is_sealed_and_the_counsellor_reads_why_on_the_case_and_its_timeline(
    app, client, case_id, supervisor, make_user, login
):
    answer = _return(supervisor, case_id, f"  {REASON}  ")
    assert answer.status_code == 303 and REASON not in answer.headers["Location"]
    (row,) = _rows(app, case_id)
    assert row["decision"] == "returned" and row["reason_enc"]
    raw = _raw_bytes([row])
    assert REASON.encode() not in raw and "Lò Thị Hoa".encode() not in raw  # sealed, not in clear
    assert all(REASON not in detail for _, _, detail in audit_actions(app))  # nor in the audit trail

    reads_before = [a for a, _, _ in audit_actions(app, case_id)].count("case.read_full")
    page = html.unescape(client.get(f"/cases/{case_id}").get_data(as_text=True))
    reads_after = [a for a, _, _ in audit_actions(app, case_id)].count("case.read_full")
    assert reads_after == reads_before + 1  # reading it is a read of the case, audited like the narrative
    panel = page[page.index('id="case-signoff"') : page.index("</section>", page.index('id="case-signoff"'))]
    assert "Chờ tư vấn viên sửa" in panel and REASON in panel  # trimmed, as typed
    timeline = page[page.index('id="case-timeline"') :]
    assert "Giám sát viên trả lại kế hoạch an toàn" in timeline and f"Lý do: {REASON}" in timeline
    assert REASON not in client.get("/work/").get_data(as_text=True)  # the queue on every page says only what

    # the supervisor that returned it reads it too; in the case's own scope only
    assert REASON in html.unescape(supervisor.get(f"/cases/{case_id}").get_data(as_text=True))
    for role, unit_code in (("counsellor", "TA-05"), ("supervisor", "03268")):
        elsewhere = app.test_client()
        login(elsewhere, make_user(role, unit_code))
        assert elsewhere.get(f"/cases/{case_id}").status_code == 404
        # a counsellor signs nothing (403 by permission); a supervisor elsewhere does not find the case
        assert _return(elsewhere, case_id, REASON).status_code == (403 if role == "counsellor" else 404)

    # the counsellor's next save asks the supervisor again; the old reason stays on the timeline
    from test_supervision import _version

    from app.units.queries import by_code

    with app.app_context():
        unit_id = by_code("TA-02").id
    edited = client.post(
        f"/cases/{case_id}/edit",
        data=dict(INTAKE, unit_id=unit_id, version=str(_version(app, case_id)), safety_plan="Tạm lánh nhà chị gái"),
    )
    assert edited.status_code == 303
    page = html.unescape(client.get(f"/cases/{case_id}").get_data(as_text=True))
    assert "Chờ tư vấn viên sửa" not in page and f"Lý do: {REASON}" in page


def test_erasing_the_case_leaves_the_reason_unreadable(app, case_id, supervisor, make_user):
    from app.auth.models import User
    from app.cases import services as case_services
    from app.cases.models import Case
    from app.crypto.errors import RecordErased
    from app.supervision import services
    from app.supervision.models import CaseSignOff

    assert _return(supervisor, case_id, REASON).status_code == 303
    sealed = _rows(app, case_id)[0]["reason_enc"]
    reviewer_id = make_user("district_reviewer", "099").id
    with app.test_request_context():
        case_services.erase_case(db.session.get(Case, case_id), db.session.get(User, reviewer_id))
        db.session.commit()
        db.session.remove()

    (row,) = _rows(app, case_id)
    assert row["reason_enc"] is None and row["decision"] == "returned"  # the decision stays, its words go
    with app.test_request_context():
        signoff = db.session.get(CaseSignOff, row["id"])
        assert signoff.reason is None and services.reasons([signoff.id]) == {}
        # a copy of the ciphertext kept from before (a backup) no longer opens: the case's key is gone
        signoff.reason_enc = bytes(sealed)  # type: ignore[attr-defined]
        signoff.__dict__.pop("_tc_plain", None)
        with pytest.raises(RecordErased):
            _ = signoff.reason
        db.session.rollback()
        db.session.remove()


def test_the_supervisor_opens_the_plan_or_closure_it_signs_in_one_tap(app, client, case_id, supervisor):
    listing = supervisor.get("/supervision/").get_data(as_text=True)
    assert f'href="/cases/{case_id}#case-narrative"' in listing and "Xem kế hoạch an toàn" in listing
    page = html.unescape(supervisor.get(f"/cases/{case_id}").get_data(as_text=True))
    narrative = page[page.index('id="case-narrative"') :]
    assert INTAKE["safety_plan"] in narrative[: narrative.index("</section>")]
    assert 'href="#case-narrative"' in page  # and from the sign-off panel

    assert client.post(f"/cases/{case_id}/close", data={"close-reason": "goals_met"}).status_code in (302, 303)
    listing = supervisor.get("/supervision/").get_data(as_text=True)
    assert f'href="/cases/{case_id}#case-status"' in listing and "Xem thông tin đóng hồ sơ" in listing
    page = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    status = page[page.index('id="case-status"') :]
    assert "Hồ sơ đã đóng ngày" in status[: status.index("</section>")]  # the supervisor sees what it signs


def test_the_reason_is_not_on_disk_in_the_sqlite_file_and_wal_nor_in_postgresqls_heap(
    app, fresh_files, case_id, supervisor
):
    """A thief of the disk: the reason's words are in no byte SQLite wrote (file, WAL, journal) nor in
    PostgreSQL's heap files of the sign-off and audit tables (read after a checkpoint)."""
    from helpers import postgres_heap_bytes, sqlite_file_bytes

    assert _return(supervisor, case_id, REASON).status_code == 303
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            raw = sqlite_file_bytes(db.engine.url.database)
        else:
            raw = postgres_heap_bytes(("case_signoff", "audit_entry"))
            if raw is None:
                pytest.skip("the test role may not read PostgreSQL's files")
        db.session.remove()
    assert _rows(app, case_id)[0]["reason_enc"]  # the row is there, sealed
    assert b"returned" in raw and b"safety_plan" in raw  # what was read holds the row's plain columns
    for words in (REASON, "Lò Thị Hoa", "bản Sáng"):
        assert words.encode() not in raw, words
