"""Admin UI: create user, add and remove a role, disable (sessions end at once), reset password; non-admins refused."""

import sqlalchemy as sa
from helpers import PASSWORD

from app.extensions import db


def _user(app, username):
    from app.auth.models import User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        data = (
            None
            if user is None
            else (
                user.id,
                user.active,
                user.must_change_password,
                sorted((a.role, a.unit.code) for a in user.roles),
                user.password_hash,
            )
        )
        db.session.remove()
        return data


def _assignment_id(app, user_id, role):
    from app.auth.models import RoleAssignment

    with app.app_context():
        found = db.session.scalar(
            sa.select(RoleAssignment.id).where(RoleAssignment.user_id == user_id, RoleAssignment.role == role)
        )
        db.session.remove()
        return found


def test_admin_manages_a_user_end_to_end(client, make_user, login, unit, app):
    """A reporter's account (no case content): the admin gives its role and a temporary password at once."""
    admin = make_user("admin", "099")
    login(client, admin)
    r = client.post(
        "/admin/users/new",
        data={
            "username": "canbo.moi",
            "display_name": "",
            "password": PASSWORD,
            "role": "reporter",
            "unit": unit("2025-03295").id,
        },
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    uid, active, must_change, roles, first_hash = _user(app, "canbo.moi")
    assert active and must_change and roles == [("reporter", "2025-03295")]

    added = client.post(f"/admin/users/{uid}/roles", data={"role": "monitor", "unit": unit("11").id})
    assert added.status_code in (302, 303)
    assert ("monitor", "11") in _user(app, "canbo.moi")[3]
    aid = _assignment_id(app, uid, "monitor")
    assert client.post(f"/admin/users/{uid}/roles/{aid}/remove").status_code in (302, 303)
    assert ("monitor", "11") not in _user(app, "canbo.moi")[3]

    # A unit closed in the 2025 reform is not offered, and a role there is refused beside the field.
    assert unit("099").id not in client.get(f"/admin/users/{uid}").get_data(as_text=True)
    closed = client.post(f"/admin/users/{uid}/roles", data={"role": "monitor", "unit": unit("099").id})
    assert closed.status_code == 200 and ("monitor", "099") not in _user(app, "canbo.moi")[3]
    assert "Đơn vị này đã ngừng hoạt động" in closed.get_data(as_text=True)

    worker = app.test_client()
    assert worker.post("/auth/login", data={"username": "canbo.moi", "password": PASSWORD}).status_code == 302
    assert worker.get("/auth/password").status_code == 200
    assert client.post(f"/admin/users/{uid}/active", data={"active": "0"}).status_code in (302, 303)
    assert _user(app, "canbo.moi")[1] is False
    assert worker.get("/auth/password").status_code == 302, "a disabled user's session must end at once"
    assert worker.post("/auth/login", data={"username": "canbo.moi", "password": PASSWORD}).status_code == 200

    assert client.post(f"/admin/users/{uid}/active", data={"active": "1"}).status_code in (302, 303)
    new = "mat-khau-tam-thoi-moi"
    assert client.post(f"/admin/users/{uid}/password", data={"password": new}).status_code in (302, 303)
    assert _user(app, "canbo.moi")[4] != first_hash
    assert worker.post("/auth/login", data={"username": "canbo.moi", "password": PASSWORD}).status_code == 200
    assert worker.post("/auth/login", data={"username": "canbo.moi", "password": new}).status_code == 302


def test_admin_reset_password_ends_the_users_sessions(client, make_user, login, app):
    admin, target = make_user("admin", "099"), make_user("reporter", "03253")
    worker = app.test_client()
    login(worker, target)
    login(client, admin)
    reset = client.post(f"/admin/users/{target.id}/password", data={"password": "mat-khau-tam-thoi-moi"})
    assert reset.status_code in (302, 303)
    assert worker.get("/auth/account").status_code == 302


def test_a_case_readers_account_is_created_without_role_or_password(client, make_user, login, unit, app):
    login(client, make_user("admin", "099"))
    r = client.post(
        "/admin/users/new",
        data={"username": "tu-van", "password": "", "role": "counsellor", "unit": unit("2025-03295").id},
    )
    assert r.status_code == 303
    assert _user(app, "tu-van")[3] == []
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Cần người thứ hai phê duyệt" in page and "Đang chờ phê duyệt" in page


def test_weak_password_is_refused_in_vietnamese(client, make_user, login, unit):
    login(client, make_user("admin", "099"))
    r = client.post(
        "/admin/users/new",
        data={"username": "yeu", "password": "123456", "role": "reporter", "unit": unit("2025-03295").id},
    )
    assert r.status_code == 200 and "10 ký tự" in r.get_data(as_text=True)


def test_non_admins_are_refused_and_the_denial_is_audited(client, make_user, login, unit, app):
    from app.audit.models import AuditEntry

    target = make_user("counsellor", "03253")
    reviewer = make_user("district_reviewer", "099")
    login(client, reviewer)
    for method, url, data in [
        ("get", "/admin/users", None),
        ("post", "/admin/users/new", {"username": "x", "password": PASSWORD, "role": "admin", "unit": unit("099").id}),
        ("post", f"/admin/users/{target.id}/active", {"active": "0"}),
        ("post", f"/admin/users/{target.id}/password", {"password": "mat-khau-tam-thoi-moi"}),
        ("post", f"/admin/users/{target.id}/roles", {"role": "admin", "unit": unit("099").id}),
    ]:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert _user(app, "x") is None
    assert _user(app, target.username)[1] is True
    with app.app_context():
        denials = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.result == "denied", AuditEntry.actor_id == reviewer.id)
        ).all()
        assert len(denials) == 5
        db.session.remove()


def test_a_new_unit_hangs_only_under_a_unit_that_works_today(client, make_user, login, unit, app):
    """A commune closed by the 2025 reform is not offered as a parent, and posting it is refused beside the field."""
    from app.units.models import Unit

    login(client, make_user("admin", "11"))
    current_id = unit("11").id
    with app.app_context():
        closed_id = db.session.scalar(sa.select(Unit.id).where(Unit.kind == "commune", Unit.valid_to.is_not(None)))
        db.session.remove()
    page = client.get("/admin/units/new").get_data(as_text=True)
    assert closed_id not in page and current_id in page
    refused = client.post(
        "/admin/units/new", data={"code": "BAN-MOI", "kind": "village", "name": "Bản Mới", "parent": closed_id}
    )
    assert refused.status_code == 200 and "Đơn vị này đã ngừng hoạt động" in refused.get_data(as_text=True)
    assert 'value="Bản Mới"' in refused.get_data(as_text=True)  # the input is kept
    with app.app_context():
        assert db.session.scalar(sa.select(Unit).where(Unit.code == "BAN-MOI")) is None
        db.session.remove()
