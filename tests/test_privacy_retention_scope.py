"""The data-protection officer's retention reviews are scoped like its rights requests and breaches: an officer
sees and decides the reviews of the records of its units only. An officer of another commune (or another
province) who replays a review's id gets 404, decides nothing, and the refusal is in the audit trail.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from test_cases_support import audit_actions

from app import clock
from app.extensions import db


@pytest.fixture
def review(app, client, counsellor, case_id):
    """The TA-02 case (commune 03295) closed 6 years ago and listed by the monthly job; returns (id, code)."""
    from app.cases.models import Case
    from app.privacy import retention
    from app.privacy.models import RetentionReview
    from app.privacy.services import load_reference

    with app.app_context():
        load_reference()
        case = db.session.get(Case, case_id)
        case.status, case.closed_on = "closed", clock.today() - timedelta(days=6 * 366)
        db.session.commit()
        assert retention.run()["closed_case"] == 1
        db.session.commit()
        row = db.session.scalar(select(RetentionReview).where(RetentionReview.record_id == case_id))
        found = (row.id, row.label)
        db.session.remove()
    return found


def _officer(app, make_user, login, unit_code):
    browser = app.test_client()
    login(browser, make_user("dpo", unit_code))
    return browser


def _status(app, review_id) -> str:
    from app.privacy.models import RetentionReview

    with app.app_context():
        status = db.session.get(RetentionReview, review_id).status
        db.session.remove()
    return status


def test_an_officer_of_another_commune_neither_sees_nor_decides_the_review(app, case_id, review, make_user, login):
    review_id, code = review
    other = _officer(app, make_user, login, "03268")  # Mường Mùn: not the case's commune
    page = other.get("/privacy/retention/reviews").get_data(as_text=True)
    assert review_id not in page and code not in page
    assert "Hồ sơ quá thời hạn lưu trữ chờ quyết định" not in other.get("/work/").get_data(as_text=True)

    denied_before = [a for a, _, _ in audit_actions(app)].count("access.denied")
    replay = other.post(
        "/privacy/retention/reviews",
        data={"review_id": review_id, "decision": "erase", "reason": "Hết thời hạn lưu trữ theo lịch"},
    )
    assert replay.status_code == 404
    assert _status(app, review_id) == "open"  # nothing decided, no erasure proposed
    assert [a for a, _, _ in audit_actions(app)].count("access.denied") == denied_before + 1

    # the officer of the case's province and of its commune see it and decide it
    for unit_code in ("11", "03295"):
        own = _officer(app, make_user, login, unit_code)
        assert review_id in own.get("/privacy/retention/reviews").get_data(as_text=True), unit_code
        assert "Hồ sơ quá thời hạn lưu trữ chờ quyết định" in own.get("/work/").get_data(as_text=True)
    kept = own.post(
        "/privacy/retention/reviews",
        data={
            "review_id": review_id,
            "decision": "keep",
            "reason": "Đang có vụ án",
            "keep_until": (clock.today() + timedelta(days=180)).isoformat(),
        },
    )
    assert kept.status_code == 303 and _status(app, review_id) == "keep"


def test_a_transferred_cases_open_reviews_go_to_the_receiving_units_officer(app, client, case_id, make_user, login):
    """An answered rights request of an open case is listed under the case's unit; when the case is transferred
    to another commune, its review goes with it at once: the receiving commune's officer decides it, the old
    one no longer sees it."""
    from app.auth.models import User
    from app.privacy.models import RetentionReview
    from app.rights.models import RightsRequest
    from app.transfers import services as transfers
    from app.units.queries import by_code

    assert (
        client.post(
            f"/rights/cases/{case_id}/new", data={"kind": "view_copy", "channel": "in_person", "identity_check": "cccd"}
        ).status_code
        == 303
    )
    receiver = make_user("counsellor", "TA-03")
    with app.test_request_context():
        from app.cases.models import Case

        case = db.session.get(Case, case_id)
        request_id = db.session.scalar(select(RightsRequest.id).where(RightsRequest.case_id == case_id))
        review = RetentionReview(
            record_type="rights_request",
            record_id=request_id,
            unit_id=case.unit_id,
            label=case.code,
            ended_on=clock.today() - timedelta(days=900),
            due_on=clock.today() - timedelta(days=10),
        )
        db.session.add(review)
        sender = db.session.get(User, case.created_by_id)
        transfer = transfers.request_transfer(
            case, {"to_unit_id": by_code("TA-03").id, "to_user_id": receiver.id, "reason_code": "moved"}, actor=sender
        )
        transfers.accept(transfer, actor=db.session.get(User, receiver.id))
        db.session.commit()
        review_id, new_unit = review.id, by_code("TA-03").id
        assert db.session.get(RetentionReview, review_id).unit_id == new_unit
        db.session.remove()
    old = _officer(app, make_user, login, "03295")
    new = _officer(app, make_user, login, "03268")
    assert review_id not in old.get("/privacy/retention/reviews").get_data(as_text=True)
    assert review_id in new.get("/privacy/retention/reviews").get_data(as_text=True)
