"""Every response that shows person data is an audited read, whether it is a page or an htmx fragment: an
HX-Target header is no way around the audit. Each test asks for the fragment alone and finds its entry."""

from test_cases_support import audit_actions
from test_livelihood_support import new_plan
from test_referrals_support import AGENCY, as_user, setup_referral


def _count(app, case_id, action):
    return sum(1 for a, _, _ in audit_actions(app, case_id) if a == action)


def test_a_livelihood_plan_body_fragment_is_an_audited_read(app, client, counsellor, case_id):
    plan_id = new_plan(client, case_id)
    before = _count(app, case_id, "livelihood.read")
    response = client.get(f"/livelihood/{plan_id}", headers={"HX-Request": "true", "HX-Target": "plan-body"})
    assert response.status_code == 200 and "Nuôi lợn nái" in response.get_data(as_text=True)
    assert _count(app, case_id, "livelihood.read") == before + 1
    client.get(f"/livelihood/{plan_id}")  # the page, as before
    assert _count(app, case_id, "livelihood.read") == before + 2


def test_a_case_panel_fragment_is_an_audited_read(app, client, counsellor, case_id):
    before = _count(app, case_id, "case.read_full")
    response = client.post(
        f"/cases/{case_id}/notes",
        data={"note-body": "Ghi chú trong khung"},
        headers={"HX-Request": "true", "HX-Target": "case-notes"},
    )
    assert response.status_code == 200 and "Ghi chú trong khung" in response.get_data(as_text=True)
    assert _count(app, case_id, "case.read_full") == before + 1


def test_a_referral_status_fragment_is_an_audited_read(app, client, make_user, login, unit):
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.post(f"/referrals/{referral_id}/decline", data={"reason": "Không thuộc chức năng", "confirm": "yes"})
    fragment = {"HX-Request": "true", "HX-Target": "referral-status"}
    for side in (client, officer):
        before = _count(app, case_id, "referral.read_status")
        html = side.get(f"/referrals/{referral_id}", headers=fragment).get_data(as_text=True)
        assert "Không thuộc chức năng" in html
        assert _count(app, case_id, "referral.read_status") == before + 1


def test_the_case_list_and_its_rows_fragment_audit_the_names_they_show(app, client, counsellor, case_id):
    import json

    import sqlalchemy as sa

    from app.audit.models import AuditEntry
    from app.extensions import db

    for headers in ({}, {"HX-Request": "true", "HX-Target": "case-rows"}):
        response = client.get("/cases/", headers=headers)
        assert response.status_code == 200
        with app.app_context():
            entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
            assert entry.action == "case.list_names" and entry.actor_id == counsellor.id
            assert case_id in json.loads(entry.detail)["cases"]
            db.session.remove()


def test_a_reviewer_list_without_names_writes_no_names_entry(app, client, make_user, login, case_id):
    reviewer = as_user(app, make_user, login, "district_reviewer", "099")
    assert reviewer.get("/cases/").status_code == 200
    assert all(a != "case.list_names" for a, _, _ in audit_actions(app))
