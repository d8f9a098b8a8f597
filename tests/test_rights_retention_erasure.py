"""Retention → erasure: the data-protection officer's "propose erasure" on a closed case past its retention period
opens the rights desk's erasure sign-off. A supervisor of the case's unit approves it as the second person with
a fresh second factor (the case is then erased) or returns it (the review comes back to the officer at the next
monthly run); a legal hold in force refuses the proposal with the hold named, and stops an approval."""

import json
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy import select
from test_cases_support import audit_actions

from app import clock
from app.extensions import db


@pytest.fixture
def past_retention(app, client, counsellor, case_id, make_user):
    """The case closed 6 years ago (the proposed schedule keeps closed cases 60 months), the monthly job run,
    and the officer of the province; returns (review id, officer id)."""
    from app.cases.models import Case
    from app.privacy import retention
    from app.privacy.models import RetentionReview
    from app.privacy.services import load_reference

    officer = make_user("dpo", "11")
    with app.app_context():
        load_reference()
        case = db.session.get(Case, case_id)
        case.status, case.closed_on = "closed", clock.today() - timedelta(days=6 * 366)
        db.session.commit()
        assert retention.run()["closed_case"] == 1
        db.session.commit()
        review_id = db.session.scalar(select(RetentionReview.id).where(RetentionReview.record_id == case_id))
        db.session.remove()
    return review_id, officer


def _decide(app, review_id, officer_id, decision="erase"):
    from app.auth.models import User
    from app.privacy import retention
    from app.privacy.models import RetentionReview

    with app.test_request_context():
        retention.decide(
            db.session.get(RetentionReview, review_id),
            decision,
            "Hết thời hạn lưu trữ theo lịch",
            None,
            actor=db.session.get(User, officer_id),
        )
        db.session.commit()
        db.session.remove()


def _signoff(app):
    from app.rights.models import ErasureSignOff

    with app.app_context():
        row = db.session.scalar(select(ErasureSignOff))
        values = None if row is None else (row.id, row.origin, row.status, row.request_id, row.retention_review_id)
        db.session.remove()
    return values


def _erased(app, case_id) -> bool:
    from app.cases.models import Case

    with app.app_context():
        erased = db.session.get(Case, case_id).is_erased
        db.session.remove()
    return erased


def _review_status(app, review_id) -> str:
    from app.privacy.models import RetentionReview

    with app.app_context():
        status = db.session.get(RetentionReview, review_id).status
        db.session.remove()
    return status


def _queue(app, user_id) -> list:
    from app.auth.models import User
    from app.rights.workqueue import erasures_to_sign

    with app.test_request_context():
        items = [(i.title, i.url, i.detail) for i in erasures_to_sign(db.session.get(User, user_id))]
        db.session.remove()
    return items


def test_propose_erasure_opens_the_supervisors_sign_off_and_approval_erases_the_case(
    app, case_id, past_retention, make_user
):
    from app.auth.models import User
    from app.rights import answers
    from app.rights.models import ErasureSignOff
    from app.services import ServiceError

    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    erasure_id, origin, status, request_id, from_review = _signoff(app)
    assert (origin, status, request_id, from_review) == ("retention", "pending", None, review_id)
    assert _review_status(app, review_id) == "erase" and not _erased(app, case_id)

    supervisor = make_user("supervisor", "03295")
    (item,) = _queue(app, supervisor.id)
    assert item[0] == "Duyệt xoá hồ sơ đã hết thời hạn lưu trữ" and item[1] == f"/rights/erasures/{erasure_id}"
    assert _queue(app, make_user("supervisor", "03268").id) == []  # another commune's supervisor

    with app.test_request_context():
        row = db.session.get(ErasureSignOff, erasure_id)
        with pytest.raises(ServiceError, match="Người thứ hai phải duyệt"):
            answers.decide_erasure(row, True, actor=db.session.get(User, officer.id))
        db.session.rollback()
        answers.decide_erasure(row, True, actor=db.session.get(User, supervisor.id))
        db.session.commit()
        db.session.remove()
    assert _erased(app, case_id) and _signoff(app)[2] == "approved"
    assert _queue(app, supervisor.id) == []
    actions = [a for a, _r, _d in audit_actions(app, case_id)]
    assert actions.index("rights.erase_propose") < actions.index("rights.erase_approve") < actions.index("case.erase")
    with app.app_context():
        from app.privacy import retention

        assert retention.run()["closed_case"] == 0  # an erased case is past nothing
        db.session.remove()


def test_a_legal_hold_refuses_the_proposal_and_the_review_stays_open(app, client, case_id, past_retention):
    from app.services import ServiceError

    review_id, officer = past_retention
    assert (
        client.post(
            f"/rights/cases/{case_id}/holds",
            data={"kind": "court_order", "ends_on": "2099-06-30", "reason": "Vụ án dân sự đang xử"},
        ).status_code
        == 303
    )
    with pytest.raises(ServiceError) as refused:
        _decide(app, review_id, officer.id)
    assert refused.value.field == "decision"
    assert "căn cứ giữ lại" in str(refused.value) and "30/06/2099" in str(refused.value)
    assert _signoff(app) is None and not _erased(app, case_id)


def test_a_hold_added_after_the_proposal_stops_the_approval(app, client, case_id, past_retention, make_user):
    from app.auth.models import User
    from app.rights import answers
    from app.rights.models import ErasureSignOff
    from app.services import ServiceError

    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    client.post(f"/rights/cases/{case_id}/holds", data={"kind": "criminal_proceeding", "reason": "Điều tra"})
    supervisor = make_user("supervisor", "03295")
    with app.test_request_context():
        row = db.session.scalar(select(ErasureSignOff))
        with pytest.raises(ServiceError, match="căn cứ giữ lại"):
            answers.decide_erasure(row, True, actor=db.session.get(User, supervisor.id))
        db.session.rollback()
        db.session.remove()
    assert not _erased(app, case_id) and _signoff(app)[2] == "pending"


def test_a_returned_proposal_comes_back_to_the_officer_at_the_next_run(app, case_id, past_retention, make_user):
    from app.auth.models import User
    from app.privacy import retention
    from app.rights import answers
    from app.rights.models import ErasureSignOff

    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    supervisor = make_user("supervisor", "03295")
    with app.test_request_context():
        assert retention.run()["closed_case"] == 0  # still waiting for the supervisor
        answers.decide_erasure(
            db.session.scalar(select(ErasureSignOff)), False, actor=db.session.get(User, supervisor.id)
        )
        db.session.commit()
        assert retention.run()["closed_case"] == 1
        db.session.commit()
        db.session.remove()
    assert _review_status(app, review_id) == "open" and not _erased(app, case_id)
    _decide(app, review_id, officer.id, decision="erase")  # proposed again: a new sign-off
    with app.app_context():
        assert sorted(db.session.scalars(select(ErasureSignOff.status))) == ["pending", "returned"]
        db.session.remove()


def test_through_the_pages_officer_proposes_and_the_supervisor_signs_off_with_a_fresh_second_factor(
    app, client, case_id, past_retention, make_user, login, monkeypatch
):
    review_id, officer_record = past_retention
    officer = app.test_client()
    login(officer, officer_record)
    page = officer.get("/privacy/retention/reviews").get_data(as_text=True)
    assert review_id in page
    sent = officer.post(
        "/privacy/retention/reviews",
        data={"review_id": review_id, "decision": "erase", "reason": "Hết thời hạn lưu trữ theo lịch"},
    )
    assert sent.status_code == 303
    erasure_id = _signoff(app)[0]

    user = make_user("supervisor", "03295", totp=True)
    browser = app.test_client()
    login(browser, user)
    assert browser.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302
    queue = browser.get("/work/").get_data(as_text=True)
    assert "Duyệt xoá hồ sơ đã hết thời hạn lưu trữ" in queue and f"/rights/erasures/{erasure_id}" in queue
    assert client.get(f"/rights/erasures/{erasure_id}").status_code == 403, "the counsellor cannot sign it off"

    from app.auth import stepup

    real = stepup.utcnow
    monkeypatch.setattr(stepup, "utcnow", lambda: real() + timedelta(minutes=6))
    stale = browser.post(f"/rights/erasures/{erasure_id}", data={"decision": "approve"})
    assert stale.status_code == 303 and "/auth/step-up" in stale.headers["Location"]
    assert not _erased(app, case_id)
    monkeypatch.undo()
    code = pyotp.TOTP(user.totp_secret).at(time.time() + 30)
    assert (
        browser.post("/auth/step-up", data={"code": code, "next": f"/rights/erasures/{erasure_id}"}).status_code == 303
    )
    shown = browser.get(f"/rights/erasures/{erasure_id}").get_data(as_text=True)
    assert "Duyệt và xoá hồ sơ" in shown
    assert browser.post(f"/rights/erasures/{erasure_id}", data={"decision": "approve"}).status_code == 303
    assert _erased(app, case_id)
    assert "Hồ sơ đã được xoá." in browser.get(f"/rights/erasures/{erasure_id}").get_data(as_text=True)


def test_under_a_hold_the_officers_page_says_why_beside_the_decision(app, client, case_id, past_retention, login):
    review_id, officer_record = past_retention
    client.post(
        f"/rights/cases/{case_id}/holds",
        data={"kind": "court_order", "ends_on": (clock.today() + timedelta(days=90)).isoformat(), "reason": "Toà"},
    )
    officer = app.test_client()
    login(officer, officer_record)
    refused = officer.post(
        "/privacy/retention/reviews",
        data={"review_id": review_id, "decision": "erase", "reason": "Hết thời hạn lưu trữ theo lịch"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Không đề nghị xoá được" in html
    assert "Hết thời hạn lưu trữ theo lịch" in html  # the reason typed is kept
    assert _signoff(app) is None and _review_status(app, review_id) == "open"


def _signoffs(app) -> dict:
    """origin -> (id, status, superseded_by_id) of the case's sign-offs (one of each origin at most here)."""
    from app.rights.models import ErasureSignOff

    with app.app_context():
        rows = {r.origin: (r.id, r.status, r.superseded_by_id) for r in db.session.scalars(select(ErasureSignOff))}
        db.session.remove()
    return rows


def _survivor_asks_erasure(app, client, case_id) -> str:
    """The counsellor records the survivor's erasure request on the case; returns its id."""
    from app.rights.models import RightsRequest

    assert (
        client.post(
            f"/rights/cases/{case_id}/new", data={"kind": "delete", "channel": "in_person", "identity_check": "cccd"}
        ).status_code
        == 303
    )
    with app.app_context():
        rid = db.session.scalar(
            select(RightsRequest.id).where(RightsRequest.case_id == case_id, RightsRequest.kind == "delete")
        )
        db.session.remove()
    return rid


def _request_status(app, rid) -> str:
    from app.rights.models import RightsRequest

    with app.app_context():
        status = db.session.get(RightsRequest, rid).status
        db.session.remove()
    return status


def test_the_survivors_erasure_request_takes_over_a_waiting_retention_proposal(
    app, client, case_id, past_retention, make_user
):
    """Retention first, then the survivor: the request is not refused or delayed; the retention proposal is
    closed as superseded (pointing at the request's sign-off, audited), one erasure waits, and its approval
    erases the case and answers the request."""
    from app.auth.models import User
    from app.rights import answers
    from app.rights.models import ErasureSignOff

    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    rid = _survivor_asks_erasure(app, client, case_id)
    sent = client.post(f"/rights/{rid}/erase", follow_redirects=True).get_data(as_text=True)
    assert "đã được thay bằng yêu cầu của người được hỗ trợ" in sent
    rows = _signoffs(app)
    assert rows["request"][1] == "pending"
    assert rows["retention"][1:] == ("superseded", rows["request"][0])
    (superseded,) = [json.loads(d) for a, _r, d in audit_actions(app, case_id) if a == "rights.erase_supersede"]
    assert (superseded["origin"], superseded["review_id"], superseded["by"]) == (
        "retention",
        review_id,
        rows["request"][0],
    )

    supervisor = make_user("supervisor", "03295")
    (item,) = _queue(app, supervisor.id)  # one erasure of the case waits, under the request's clock
    assert item[0] == "Duyệt xoá hồ sơ theo yêu cầu của người được hỗ trợ" and item[1] == f"/rights/{rid}/erasure"
    with app.test_request_context():
        answers.decide_erasure(
            db.session.get(ErasureSignOff, rows["request"][0]), True, actor=db.session.get(User, supervisor.id)
        )
        db.session.commit()
        db.session.remove()
    assert _erased(app, case_id) and _request_status(app, rid) == "answered"
    assert _signoffs(app)["retention"][1] == "superseded" and _review_status(app, review_id) == "erase"
    assert _queue(app, supervisor.id) == []


def test_a_retention_proposal_while_the_survivors_erasure_waits_is_refused_naming_it(
    app, client, case_id, past_retention
):
    """The survivor first, then the officer: refused beside the decision, saying a survivor's request is
    waiting; the review stays open and nothing is added."""
    from app.services import ServiceError

    review_id, officer = past_retention
    rid = _survivor_asks_erasure(app, client, case_id)
    assert client.post(f"/rights/{rid}/erase").status_code == 303
    with pytest.raises(ServiceError) as refused:
        _decide(app, review_id, officer.id)
    assert refused.value.field == "decision"
    assert re.search(r"\byêu cầu của chính người được hỗ trợ, đang chờ giám sát viên duyệt\b", str(refused.value))
    assert set(_signoffs(app)) == {"request"} and _review_status(app, review_id) == "open"


def test_a_returned_request_that_took_over_gives_the_review_back_to_the_officer(
    app, client, case_id, past_retention, make_user
):
    from app.auth.models import User
    from app.privacy import retention
    from app.rights import answers
    from app.rights.models import ErasureSignOff

    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    rid = _survivor_asks_erasure(app, client, case_id)
    client.post(f"/rights/{rid}/erase")
    theirs, supervisor = _signoffs(app)["request"][0], make_user("supervisor", "03295")
    with app.test_request_context():
        assert retention.run()["closed_case"] == 0  # the request's erasure is waiting: the review stays decided
        db.session.commit()
        answers.decide_erasure(db.session.get(ErasureSignOff, theirs), False, actor=db.session.get(User, supervisor.id))
        db.session.commit()
        assert retention.run()["closed_case"] == 1
        db.session.commit()
        db.session.remove()
    assert _review_status(app, review_id) == "open" and not _erased(app, case_id)


def test_a_retention_approval_answers_the_survivors_erasure_request_recorded_beside_it(
    app, client, case_id, past_retention, make_user
):
    """A request recorded but not yet proposed when the retention erasure is approved is answered by it: after
    erasure it could be answered no more."""
    from app.auth.models import User
    from app.rights import answers
    from app.rights.models import ErasureSignOff

    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    rid = _survivor_asks_erasure(app, client, case_id)
    ours, supervisor = _signoffs(app)["retention"][0], make_user("supervisor", "03295")
    with app.test_request_context():
        answers.decide_erasure(db.session.get(ErasureSignOff, ours), True, actor=db.session.get(User, supervisor.id))
        db.session.commit()
        db.session.remove()
    assert _erased(app, case_id) and _request_status(app, rid) == "answered"


def test_the_supervisors_pages_say_which_proposal_took_over(app, client, case_id, past_retention, make_user, login):
    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    rid = _survivor_asks_erasure(app, client, case_id)
    client.post(f"/rights/{rid}/erase")
    retention_id = _signoffs(app)["retention"][0]
    user = make_user("supervisor", "03295", totp=True)
    browser = app.test_client()
    login(browser, user)
    assert browser.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302
    old = browser.get(f"/rights/erasures/{retention_id}").get_data(as_text=True)
    assert 'id="superseded"' in old and f'href="/rights/{rid}/erasure"' in old
    assert "Duyệt và xoá hồ sơ" not in old  # nothing to decide there
    new = browser.get(f"/rights/{rid}/erasure").get_data(as_text=True)
    assert f'id="took-over-{retention_id}"' in new and "Duyệt và xoá hồ sơ" in new


MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "2920_erasure_superseded.py"


def test_migration_2920_closes_a_retention_proposal_already_waiting_beside_a_survivors(
    app, client, case_id, past_retention
):
    """Before 2920 both could wait on one case: the upgrade closes the retention one as superseded by the
    request's sign-off, which keeps waiting."""
    review_id, officer = past_retention
    _decide(app, review_id, officer.id)
    rid = _survivor_asks_erasure(app, client, case_id)
    before = re.search(r"^down_revision = '([^']+)'", MIGRATION.read_text(), re.M).group(1)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", before])
    theirs = str(uuid.uuid4())
    try:
        assert result.exit_code == 0, result.output + repr(result.exception)
        with app.app_context():
            db.session.execute(
                sa.text(
                    "INSERT INTO rights_erasure (id, origin, request_id, case_id, status, proposed_by_id, "
                    "proposed_at) VALUES (:id, 'request', :rid, :case, 'pending', NULL, :at)"
                ),
                {"id": theirs, "rid": rid, "case": case_id, "at": "2026-12-01 08:00:00"},
            )
            db.session.commit()
            db.session.remove()
    finally:
        result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    rows = _signoffs(app)
    assert rows["request"] == (theirs, "pending", None)
    assert rows["retention"][1:] == ("superseded", theirs)


def test_an_erasure_by_the_survivors_request_closes_the_officers_open_review(
    app, client, case_id, past_retention, make_user
):
    """The survivor first (the officer's proposal is refused, the review stays open), then the request's erasure
    is approved: the review closes as "erased", leaves the officer's queue, and the closing is audited."""
    from app.auth.models import User
    from app.privacy import retention
    from app.rights import answers
    from app.rights.models import ErasureSignOff

    review_id, officer = past_retention
    rid = _survivor_asks_erasure(app, client, case_id)
    assert client.post(f"/rights/{rid}/erase").status_code == 303
    theirs, supervisor = _signoffs(app)["request"][0], make_user("supervisor", "03295")
    assert _review_status(app, review_id) == "open"
    with app.test_request_context():
        answers.decide_erasure(db.session.get(ErasureSignOff, theirs), True, actor=db.session.get(User, supervisor.id))
        db.session.commit()
        assert review_id not in {r.id for r in retention.open_reviews(db.session.get(User, officer.id))}
        assert retention.run()["closed_case"] == 0
        db.session.commit()
        db.session.remove()
    assert _erased(app, case_id) and _review_status(app, review_id) == "erased"
    with app.app_context():
        from app.audit.models import AuditEntry

        closed = db.session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.action == "privacy.retention_closed")
        ).all()
        db.session.remove()
    assert closed == [review_id]
