"""Separation of duties (issue 14, item 1), played as attacks against the live app.

An administrator acting alone tries every path the issue names — granting itself a case-reading role, making
a counsellor account with a password it chose, resetting a counsellor's password or second factor, editing
unit lineage, mapping agencies — and none ends with case content readable on a session it controls. Each
change waits for a second person (a supervisor of the unit, or the province's reviewer) who approves with a
fresh second factor; new credentials travel only through a one-time link shown to that approver.
Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

import re
import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from app.extensions import db

CHOSEN = "mat-khau-do-admin-chon"


def _with_totp(app, make_user, login, role, unit, address):
    user = make_user(role, unit, totp=True)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    login(client, user)
    assert client.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302
    return user, client


@pytest.fixture
def admin(app, make_user, login):
    return _with_totp(app, make_user, login, "admin", "11", "10.50.0.1")


@pytest.fixture
def supervisor(app, make_user, login):
    return _with_totp(app, make_user, login, "supervisor", "03295", "10.50.0.2")


@pytest.fixture
def province_reviewer(app, make_user, login):
    return _with_totp(app, make_user, login, "district_reviewer", "11", "10.50.0.3")


def _reads_case(client, case_id) -> bool:
    return client.get(f"/cases/{case_id}").status_code == 200


def _signs_in(app, username, password) -> bool:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.50.9.9"
    return client.post("/auth/login", data={"username": username, "password": password}).status_code == 302


def _query(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def _user_id(app, username):
    from app.auth.models import User

    return _query(app, lambda: db.session.scalar(sa.select(User.id).where(User.username == username)))


def _roles(app, user_id):
    from app.auth.models import RoleAssignment

    return _query(
        app,
        lambda: sorted(
            db.session.execute(sa.select(RoleAssignment.role).where(RoleAssignment.user_id == user_id)).scalars()
        ),
    )


def _pending(app, kind):
    from app.approvals.models import ApprovalRequest

    return _query(
        app,
        lambda: db.session.scalars(
            sa.select(ApprovalRequest.id).where(ApprovalRequest.kind == kind, ApprovalRequest.status == "pending")
        ).all(),
    )


def _approve(client, approval_id, decision="approve"):
    page = client.get(f"/approvals/{approval_id}")
    assert page.status_code == 200, page.status_code
    assert "Cần người thứ hai phê duyệt" in page.get_data(as_text=True)
    return client.post(f"/approvals/{approval_id}", data={"decision": decision})


def _link_from(response) -> str:
    found = re.search(r"(/auth/setup/[A-Za-z0-9_-]{40,})", response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:2000]
    return found.group(1)


def _use_link(app, link, password="mot-cum-tu-cua-rieng-toi"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.50.8.8"
    assert client.get(link).status_code == 200
    with client.session_transaction() as s:
        secret = s["setup_pending"]["secret"]
    done = client.post(link, data={"password": password, "confirm": password, "code": pyotp.TOTP(secret).now()})
    return done, secret


# --- the attacks --------------------------------------------------------------------------------


def test_admin_cannot_grant_itself_a_case_reading_role(app, admin, case_id, unit):
    user, client = admin
    for role in ("counsellor", "supervisor", "district_reviewer", "dpo"):
        page = client.post(f"/admin/users/{user.id}/roles", data={"role": role, "unit": unit("TA-02").id})
        assert page.status_code == 200 and "Bạn không thể tự cấp vai trò cho mình" in page.get_data(as_text=True)
    assert _roles(app, user.id) == ["admin"]
    assert not _pending(app, "role_grant")
    assert not _reads_case(client, case_id)
    from app.audit.models import AuditEntry

    refused = _query(
        app,
        lambda: db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "user.role_add", AuditEntry.result == "refused", AuditEntry.actor_id == user.id)
        ),
    )
    assert refused == 4, "every refused step records who tried"


def test_admin_made_counsellor_with_a_chosen_password_never_opens_for_the_admin(app, admin, supervisor, case_id, unit):
    _, admin_client = admin
    created = admin_client.post(
        "/admin/users/new",
        data={"username": "tu-van-moi", "password": CHOSEN, "role": "counsellor", "unit": unit("TA-02").id},
    )
    assert created.status_code == 303
    uid = _user_id(app, "tu-van-moi")
    assert _roles(app, uid) == [], "a new case reader starts with no access"
    assert "Cần người thứ hai phê duyệt" in admin_client.get(created.headers["Location"]).get_data(as_text=True)
    assert not _signs_in(app, "tu-van-moi", CHOSEN), "the admin's chosen password was never set"
    [approval_id] = _pending(app, "role_grant")
    assert admin_client.get(f"/approvals/{approval_id}").status_code == 403, "an admin never approves"

    _, sup_client = supervisor
    done = _approve(sup_client, approval_id)
    assert done.status_code == 200
    link = _link_from(done)
    assert _roles(app, uid) == ["counsellor"]
    assert not _signs_in(app, "tu-van-moi", CHOSEN), "after the approval the chosen password still opens nothing"
    assert link.split("/")[-1] not in admin_client.get("/admin/approvals").get_data(as_text=True)

    finished, secret = _use_link(app, link)
    assert finished.status_code == 200 and "Mã khôi phục" in finished.get_data(as_text=True)
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.50.7.7"
    assert (
        owner.post("/auth/login", data={"username": "tu-van-moi", "password": "mot-cum-tu-cua-rieng-toi"}).status_code
        == 302
    )
    assert owner.post("/auth/totp", data={"code": pyotp.TOTP(secret).at(time.time() + 30)}).status_code == 302
    assert owner.get("/cases/").status_code == 200, "the owner, not the admin, reads cases"
    again, _ = app.test_client(), None
    assert again.get(link).status_code == 404, "the link works once"


def test_admin_password_and_second_factor_reset_of_a_counsellor_needs_a_second_person(
    app, admin, supervisor, counsellor, case_id
):
    from app.auth.models import User

    _, admin_client = admin
    response = admin_client.post(f"/admin/users/{counsellor.id}/password", data={"password": CHOSEN})
    assert response.status_code == 303
    assert not _signs_in(app, counsellor.username, CHOSEN)
    assert _signs_in(app, counsellor.username, counsellor.password), "nothing changes before the approval"
    [approval_id] = _pending(app, "credential_reset")
    _, sup_client = supervisor
    done = _approve(sup_client, approval_id)
    link = _link_from(done)
    assert not _signs_in(app, counsellor.username, CHOSEN)
    assert not _signs_in(app, counsellor.username, counsellor.password), "the old password is gone too"
    assert not _query(app, lambda: db.session.get(User, counsellor.id).totp_enabled)
    _use_link(app, link)
    # The service refuses too, whatever the view: a person setting a case reader's password is refused.
    from app.auth import services

    with app.test_request_context():
        target = db.session.get(User, counsellor.id)
        acting = db.session.get(User, admin[0].id)
        with pytest.raises(services.ServiceError, match="Cần người thứ hai phê duyệt"):
            services.set_password(target, CHOSEN, actor=acting)
        with pytest.raises(services.ServiceError, match="Cần người thứ hai phê duyệt"):
            services.assign_role(acting, "counsellor", target.roles[0].unit, actor=acting)
        db.session.rollback()
        db.session.remove()


def test_lineage_edit_waits_for_the_province_reviewer(
    app, admin, supervisor, province_reviewer, make_user, login, case_id, unit
):
    from app.units.models import UnitLineage

    other = make_user("counsellor", "TA-03")
    other_client = app.test_client()
    other_client.environ_base["REMOTE_ADDR"] = "10.50.6.6"
    login(other_client, other)
    _, admin_client = admin
    response = admin_client.post(
        f"/admin/units/{unit('TA-02').id}/lineage",
        data={"lineage-new": unit("TA-03").id, "lineage-effective": "", "lineage-note": ""},
    )
    assert response.status_code == 303
    assert (
        _query(
            app,
            lambda: db.session.query(UnitLineage).filter_by(old_id=unit("TA-02").id, new_id=unit("TA-03").id).count(),
        )
        == 0
    )
    assert not _reads_case(other_client, case_id)
    [approval_id] = _pending(app, "lineage")
    _, sup_client = supervisor
    assert sup_client.get(f"/approvals/{approval_id}").status_code == 404, "lineage is the province's to approve"
    _, province_client = province_reviewer
    try:
        assert _approve(province_client, approval_id).status_code == 200
        assert (
            _query(
                app,
                lambda: (
                    db.session.query(UnitLineage).filter_by(old_id=unit("TA-02").id, new_id=unit("TA-03").id).count()
                ),
            )
            == 1
        )
    finally:
        # unit_lineage is reference data, which the per-test wipe keeps: a TA-02 → TA-03 merger left behind would
        # let TA-03's users into TA-02's records in every later test of this worker.
        def forget():
            db.session.query(UnitLineage).filter_by(old_id=unit("TA-02").id, new_id=unit("TA-03").id).delete()
            db.session.commit()

        _query(app, forget)


def test_agency_mapping_waits_for_a_second_person(app, admin, province_reviewer, unit):
    from app.referrals.models import AgencyMapping

    _, admin_client = admin
    old, new = unit("AG-LDTBXH-099").id, unit("AG-SYT-11").id
    response = admin_client.post("/referrals/agency-map", data={"old_agency_id": old, "new_agency_id": new})
    assert response.status_code == 303
    assert _query(app, lambda: db.session.query(AgencyMapping).count()) == 0
    [approval_id] = _pending(app, "agency_map")
    _, province_client = province_reviewer
    assert _approve(province_client, approval_id, "refuse").status_code == 200
    assert _query(app, lambda: db.session.query(AgencyMapping).count()) == 0
    assert not _pending(app, "agency_map")


# --- the rules around them -------------------------------------------------------------------------


def test_roles_are_disjoint_admin_never_goes_to_a_case_reader(app, admin, counsellor, unit):
    _, client = admin
    page = client.post(f"/admin/users/{counsellor.id}/roles", data={"role": "admin", "unit": unit("11").id})
    assert page.status_code == 200 and "không thể là quản trị viên" in page.get_data(as_text=True)
    assert _roles(app, counsellor.id) == ["counsellor"]


def test_approver_needs_a_second_factor_and_never_approves_their_own_reset(app, admin, make_user, login, unit):
    plain_supervisor = make_user("supervisor", "03295")
    client = app.test_client()
    login(client, plain_supervisor)
    _, admin_client = admin
    admin_client.post(
        "/admin/users/new", data={"username": "cho-duyet", "role": "counsellor", "unit": unit("TA-02").id}
    )
    [approval_id] = _pending(app, "role_grant")
    refused = client.post(f"/approvals/{approval_id}", data={"decision": "approve"}, follow_redirects=True)
    assert "Hãy bật xác thực hai bước trước khi phê duyệt" in refused.get_data(as_text=True)
    assert _pending(app, "role_grant") == [approval_id]
    admin_client.post(f"/admin/users/{plain_supervisor.id}/password", data={})
    [reset_id] = _pending(app, "credential_reset")
    assert client.get(f"/approvals/{reset_id}").status_code == 404, "nobody approves their own reset"


def test_a_request_can_be_withdrawn_by_its_requester_and_expires_after_seven_days(
    app, admin, supervisor, monkeypatch, unit
):
    _, admin_client = admin
    for name in ("rut-lai", "het-han"):
        admin_client.post("/admin/users/new", data={"username": name, "role": "counsellor", "unit": unit("TA-02").id})
    first, second = _pending(app, "role_grant")
    assert admin_client.post(f"/admin/approvals/{first}/withdraw").status_code == 303
    assert _pending(app, "role_grant") == [second]
    from app.approvals import services

    real = services.utcnow
    monkeypatch.setattr(services, "utcnow", lambda: real() + timedelta(days=7, minutes=1))
    _, sup_client = supervisor
    assert sup_client.get("/approvals/").status_code == 200
    assert f"/approvals/{second}" not in sup_client.get("/approvals/").get_data(as_text=True)
    refused = sup_client.post(f"/approvals/{second}", data={"decision": "approve"}, follow_redirects=True)
    assert "không còn chờ phê duyệt" in refused.get_data(as_text=True)
    assert _roles(app, _user_id(app, "het-han")) == []


def test_the_work_queue_lists_approvals_to_give(app, admin, supervisor, unit):
    from app import workqueue
    from app.auth.models import User

    _, admin_client = admin
    admin_client.post(
        "/admin/users/new", data={"username": "trong-hang", "role": "counsellor", "unit": unit("TA-02").id}
    )
    with app.test_request_context():
        items = workqueue.items_for(db.session.get(User, supervisor[0].id))
        mine = [i for i in items if i.kind == "approvals"]
        assert len(mine) == 1 and mine[0].title.startswith("Cần người thứ hai phê duyệt")
        assert not [i for i in workqueue.items_for(db.session.get(User, admin[0].id)) if i.kind == "approvals"]
        db.session.remove()


def test_setup_links_are_throttled_and_unknown_ones_refused(app):
    app.config["SETUP_LINK_ATTEMPTS_PER_IP"] = "3 per 15 minutes"
    try:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.50.5.5"
        for _ in range(5):
            assert client.get("/auth/setup/" + "x" * 43).status_code == 404
        from app.audit import services as audit

        results = _query(app, lambda: audit.refusal_counts("auth.setup_link"))  # anonymous: counted per minute
        assert results.get("throttled", 0) == 2 and results.get("failed", 0) == 3, results
    finally:
        app.config.pop("SETUP_LINK_ATTEMPTS_PER_IP")
