"""Who reaches which case page: each role × each case route × own and other unit, break-glass and its expiry."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from test_cases_support import new_case

from app.extensions import db

NAME = "Lò Thị Mai"


def _routes(case_id):
    """(method, path, form) for every case route that takes a case."""
    return [
        ("GET", f"/cases/{case_id}", None),
        ("GET", f"/cases/{case_id}/edit", None),
        ("POST", f"/cases/{case_id}/edit", {"kind": "dv"}),
        ("POST", f"/cases/{case_id}/close", {"close-reason": "goals_met"}),
        ("POST", f"/cases/{case_id}/reopen", {"reopen-reason": "x"}),
        ("POST", f"/cases/{case_id}/consents", {"consent-purpose": "services"}),
        ("POST", f"/cases/{case_id}/services", {"service-kind": "medical"}),
        ("POST", f"/cases/{case_id}/followups", {"followup-due_on": "2026-05-01"}),
        ("POST", f"/cases/{case_id}/notes", {"note-body": "x"}),
        ("GET", f"/cases/{case_id}/break-glass", None),
        ("POST", f"/cases/{case_id}/break-glass", {"reason": "khẩn cấp: nguy cơ bị tấn công"}),
    ]


def _call(client, method, path, form):
    return client.get(path) if method == "GET" else client.post(path, data=form or {})


def _denials(app) -> int:
    from app.audit.models import AuditEntry

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.result == "denied"))
        db.session.remove()
    return n


@pytest.fixture
def case_id(app, make_user, login, unit):
    client = app.test_client()
    login(client, make_user("counsellor", "TA-02"))
    return new_case(client, unit("TA-02").id, full_name=NAME)


# role, unit, expected status for each route in _routes order (None = any 2xx/3xx)
MATRIX = {
    ("counsellor", "TA-03"): [404] * 9 + [403, 403],
    ("district_reviewer", "03268"): [404, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404],
    ("admin", "11"): [403] * 11,
    ("monitor", "11"): [403] * 11,
    ("reporter", "03295"): [403] * 11,
    ("agency_officer", "AG-LDTBXH-099"): [403] * 11,
}


@pytest.mark.parametrize("role,unit_code", list(MATRIX))
def test_roles_outside_the_case_reach_nothing_and_every_denial_is_audited(
    app, client, make_user, login, case_id, role, unit_code
):
    login(client, make_user(role, unit_code))
    for (method, path, form), expected in zip(_routes(case_id), MATRIX[(role, unit_code)], strict=True):
        before = _denials(app)
        response = _call(client, method, path, form)
        assert response.status_code == expected, (method, path, response.status_code)
        assert NAME not in response.get_data(as_text=True)
        assert _denials(app) == before + 1, (method, path)
    listing = client.get("/cases/")
    assert listing.status_code in (200, 403)
    assert NAME not in listing.get_data(as_text=True)
    assert client.get("/cases/new").status_code in (403,) or role == "counsellor"


def test_the_owning_counsellor_reaches_every_route(app, client, make_user, login, case_id):
    from app.auth.models import User

    with app.app_context():
        owner = db.session.scalar(select(User).join(User.roles).where(User.username.like("couns%")))
        db.session.remove()
    client = app.test_client()
    from helpers import PASSWORD

    client.post("/auth/login", data={"username": owner.username, "password": PASSWORD})
    assert NAME in client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert client.get(f"/cases/{case_id}/edit").status_code == 200
    assert NAME in client.get("/cases/").get_data(as_text=True)
    assert client.get(f"/cases/{case_id}/break-glass").status_code == 403  # reviewers only


def test_counsellor_of_a_parent_commune_sees_cases_of_its_trusted_address(app, client, make_user, login, case_id):
    login(client, make_user("counsellor", "03295"))
    assert NAME in client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_district_reviewer_sees_summary_only_until_break_glass_which_expires(
    app, client, make_user, login, case_id, unit
):
    from app.cases.models import BreakGlassGrant

    reviewer = make_user("district_reviewer", "099")
    login(client, reviewer)
    listing = client.get("/cases/").get_data(as_text=True)
    assert "TG-" in listing and NAME not in listing
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "TG-" in page and NAME not in page and "hỏi mua gà giống" not in page
    assert f"/cases/{case_id}/break-glass" in page
    assert client.get(f"/cases/{case_id}/edit").status_code == 403

    short = client.post(f"/cases/{case_id}/break-glass", data={"reason": "xem"})
    assert short.status_code == 200 and "Lý do" in short.get_data(as_text=True)
    granted = client.post(f"/cases/{case_id}/break-glass", data={"reason": "Nguy cơ bị chồng tấn công tối nay"})
    assert granted.status_code == 303
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert NAME in page and "chỉ đọc" in page
    assert client.get(f"/cases/{case_id}/edit").status_code == 403  # read-only
    assert client.post(f"/cases/{case_id}/notes", data={"note-body": "x"}).status_code == 403

    # The owning counsellor is shown who opened the case, when and why.
    owner_client = app.test_client()
    login(owner_client, make_user("counsellor", "TA-02"))
    owner_page = owner_client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Truy cập khẩn cấp" in owner_page and "Nguy cơ bị chồng tấn công tối nay" in owner_page

    with app.app_context():
        grant = db.session.scalar(select(BreakGlassGrant))
        assert grant.expires_at - grant.granted_at == timedelta(minutes=60)
        grant.expires_at = grant.granted_at - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert NAME not in page


def test_reads_of_identity_are_audited_with_ids_only(app, client, make_user, login, case_id):
    import json

    from test_cases_support import audit_actions

    login(client, make_user("counsellor", "TA-02"))
    client.get(f"/cases/{case_id}")
    entries = audit_actions(app, case_id)
    reads = [json.loads(detail) for action, _, detail in entries if action == "case.read_full"]
    assert reads and reads[-1]["tier"] == "full"
    assert all(NAME not in detail and "Lo Thi" not in detail for _, _, detail in entries)
