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
