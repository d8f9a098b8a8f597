"""Erasure: an admin asks by code, a district reviewer of the case confirms, the data key is destroyed."""

import json

import pytest
from sqlalchemy import func, select
from test_cases_support import audit_actions, new_case

from app.extensions import db

NAME = "Lò Thị Mai"


@pytest.fixture
def case(app, make_user, login, unit):
    from app.cases.models import Case

    client = app.test_client()
    counsellor = make_user("counsellor", "TA-02")
    login(client, counsellor)
    case_id = new_case(client, unit("TA-02").id, full_name=NAME)
    client.post(f"/cases/{case_id}/notes", data={"note-body": "Ghi chú bí mật"})
    client.post(
        f"/cases/{case_id}/followups",
        data={"followup-due_on": "2026-01-01", "followup-purpose": "Gọi", "followup-assignee_id": counsellor.id},
    )
    client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "services",
            "consent-method": "signed",
            "consent-given_by": "self",
            "consent-given_on": "2026-01-01",
            "consent-note": "ghi chú đồng ý",
        },
    )
    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    return {"id": case_id, "code": code, "client": client}


def test_admin_requests_reviewer_confirms_and_the_case_becomes_unreadable(app, client, make_user, login, case):
    from app.cases.models import Case, CaseNote, Consent, FollowUp
    from app.crypto.records import current_keyring

    admin = make_user("admin", "11")
    login(client, admin)
    page = client.get("/cases/erase").get_data(as_text=True)
    assert NAME not in page
    bad = client.post("/cases/erase", data={"case_code": "TG-1999-0001", "reason": "subject_request"})
    assert bad.status_code == 200 and 'id="case_code-error"' in bad.get_data(as_text=True)
    assert (
        client.post("/cases/erase", data={"case_code": case["code"].lower(), "reason": "subject_request"}).status_code
        == 303
    )
    listing = client.get("/cases/erase").get_data(as_text=True)
    assert case["code"] in listing and "Chờ xác nhận" in listing and NAME not in listing
    assert client.get(f"/cases/{case['id']}").status_code == 403  # admins never see case content

    other_reviewer = app.test_client()
    login(other_reviewer, make_user("district_reviewer", "03268"))
    assert case["code"] not in other_reviewer.get("/cases/erase/review").get_data(as_text=True)
    reviewer = app.test_client()
    login(reviewer, make_user("district_reviewer", "099"))
    review = reviewer.get("/cases/erase/review").get_data(as_text=True)
    assert case["code"] in review and NAME not in review
    with app.app_context():
        from app.cases.models import EraseRequest

        request_id = db.session.scalar(select(EraseRequest.id))
        db.session.remove()
    assert other_reviewer.post(f"/cases/erase/{request_id}", data={"decision": "confirm"}).status_code == 404
    assert reviewer.post(f"/cases/erase/{request_id}", data={"decision": "confirm"}).status_code == 303

    with app.app_context():
        erased = db.session.get(Case, case["id"])
        assert erased.is_erased and erased.wrapped_dek is None
        assert erased.full_name is None and erased.safe_contact is None
        assert erased.bidx_name is None and erased.bidx_phone is None and erased.bidx_name_year is None
        assert case["id"] in current_keyring().erased_ids
        for model, column in (
            (CaseNote, CaseNote.body_enc),
            (FollowUp, FollowUp.purpose_enc),
            (Consent, Consent.note_enc),
        ):
            assert db.session.scalar(select(func.count()).select_from(model).where(column.is_not(None))) == 0
        # of the summary tier only what the statistics count stays (issue #14 item 9): unit, kind, quarters
        assert (erased.code, erased.kind, erased.sex, erased.age_band, erased.ethnic_code) == (
            case["code"],
            "dv",
            "",
            "",
            "",
        )
        assert erased.opened_on.day == 1 and erased.village_id is None
        db.session.remove()

    owner_page = case["client"].get(f"/cases/{case['id']}")
    html = owner_page.get_data(as_text=True)
    assert owner_page.status_code == 200 and NAME not in html and "đã bị xoá vĩnh viễn" in html
    assert case["client"].get(f"/cases/{case['id']}/edit").status_code == 404
    rows = case["client"].post("/cases/", data={"q": NAME}, headers={"HX-Request": "true", "HX-Target": "case-rows"})
    assert NAME not in rows.get_data(as_text=True)
    actions = [a for a, _, _ in audit_actions(app, case["id"])]
    assert {"case.erase_request", "case.erase_confirm", "case.erase"} <= set(actions)
    assert all(NAME not in d for _, _, d in audit_actions(app))


def test_erase_hook_for_referrals_and_refusal(app, make_user, case):
    from app import events
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case, EraseRequest

    admin_id = make_user("admin", "11").id
    reviewer_id = make_user("district_reviewer", "099").id
    calls = []

    def on_case_erased(erased, actor):  # what the referral area hears (app/events.py)
        calls.append(erased.id)

    with events.case_erased.connected_to(on_case_erased), app.test_request_context():
        c = db.session.get(Case, case["id"])
        first = services.request_erase(c, "retention_end", actor=db.session.get(User, admin_id))
        with pytest.raises(services.ServiceError):
            services.request_erase(c, "retention_end", actor=db.session.get(User, admin_id))
        services.decide_erase(first, actor=db.session.get(User, reviewer_id), confirm=False)
        assert first.status == "refused" and not c.is_erased and calls == []
        second = services.request_erase(c, "subject_request", actor=db.session.get(User, admin_id))
        services.decide_erase(second, actor=db.session.get(User, reviewer_id), confirm=True)
        db.session.commit()
        assert calls == [case["id"]]
        assert db.session.scalar(select(func.count()).select_from(EraseRequest)) == 2
    details = [json.loads(d) for a, _, d in audit_actions(app, case["id"]) if a == "case.erase_request"]
    assert details[-1]["reason"] == "subject_request"
