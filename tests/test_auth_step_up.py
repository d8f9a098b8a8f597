"""Step-up (a second factor at most five minutes old on the server-side session) before privilege changes,
approvals, break-glass, export and erasure; recovery codes shown once, stored hashed, single use."""

import re
import time
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from app.extensions import db


def _signed_in_with_totp(client, make_user, login, role="admin", unit="11"):
    user = make_user(role, unit, totp=True)
    login(client, user)
    assert client.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302
    return user


def _later(monkeypatch, minutes):
    from app.auth import stepup

    real = stepup.utcnow
    monkeypatch.setattr(stepup, "utcnow", lambda: real() + timedelta(minutes=minutes))


def test_a_fresh_code_opens_privileged_pages_for_five_minutes_then_step_up_and_back(
    client, make_user, login, monkeypatch
):
    admin = _signed_in_with_totp(client, make_user, login)
    assert client.get("/admin/users/new").status_code == 200, "the sign-in code is fresh"
    _later(monkeypatch, 6)
    bounced = client.get("/admin/users/new")
    assert bounced.status_code == 303
    assert bounced.headers["Location"].endswith("/auth/step-up?next=/admin/users/new")
    assert client.get("/admin/users").status_code == 200, "reading the list needs no step-up"
    htmx = client.post(f"/admin/users/{admin.id}/active", data={"active": "1"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and "/auth/step-up" in htmx.headers["HX-Redirect"]
    page = client.get(bounced.headers["Location"])
    assert page.status_code == 200 and "Xác nhận lại danh tính" in page.get_data(as_text=True)
    wrong = client.post("/auth/step-up", data={"code": "000000", "next": "/admin/users/new"})
    assert wrong.status_code == 200 and "không đúng" in wrong.get_data(as_text=True)
    later_code = pyotp.TOTP(admin.totp_secret).at(time.time() + 30)  # the sign-in used the current step
    back = client.post("/auth/step-up", data={"code": later_code, "next": "/admin/users/new"})
    assert back.status_code == 303 and back.headers["Location"].endswith("/admin/users/new")
    assert client.get("/admin/users/new").status_code == 200


def test_step_up_never_sends_off_the_site(client, make_user, login, monkeypatch):
    admin = _signed_in_with_totp(client, make_user, login)
    code = pyotp.TOTP(admin.totp_secret).at(time.time() + 30)
    back = client.post("/auth/step-up", data={"code": code, "next": "/%2F%2Fevil.example/"})
    assert back.status_code == 303 and back.headers["Location"].endswith("/auth/account")


def test_step_up_guards_break_glass_erasure_and_exports(client, make_user, login, monkeypatch):
    _signed_in_with_totp(client, make_user, login, role="district_reviewer", unit="099")
    _later(monkeypatch, 6)
    for method, url in (
        ("GET", "/cases/erase/review"),
        ("POST", "/livelihood/overview/export"),
        ("GET", "/indicators/export.xlsx"),
    ):
        response = client.open(url, method=method)
        assert response.status_code in (303, 204), (url, response.status_code)
        assert "/auth/step-up" in (response.headers.get("Location") or response.headers.get("HX-Redirect")), url


def test_recovery_codes_shown_once_hashed_and_single_use(client, make_user, login, app):
    from app.auth.models import RecoveryCode

    user = make_user("counsellor", "TA-02")
    login(client, user)
    client.get("/auth/totp/setup")
    with client.session_transaction() as s:
        secret = s["totp_pending_secret"]
    page = client.post("/auth/totp/setup", data={"code": pyotp.TOTP(secret).now()})
    assert page.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
        raw = db.session.connection().exec_driver_sql("SELECT * FROM recovery_code").fetchall()
        db.session.remove()
    assert len(stored) == 10 and not any(c in repr(raw) or c.replace("-", "") in repr(raw) for c in codes)
    assert "<code>" not in client.get("/auth/account").get_data(as_text=True), "codes are shown only once"

    phone_lost = app.test_client()
    login(phone_lost, user)
    assert phone_lost.post("/auth/totp", data={"code": codes[0].upper()}).status_code == 302
    assert phone_lost.get("/auth/account").status_code == 200
    again = app.test_client()
    login(again, user)
    reused = again.post("/auth/totp", data={"code": codes[0]})
    assert reused.status_code == 200 and "đã được dùng" in reused.get_data(as_text=True)
    assert "Còn 9 mã khôi phục" in phone_lost.get("/auth/account").get_data(as_text=True)
    with app.app_context():
        from app.audit.models import AuditEntry

        used = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "auth.recovery_code_use")
        )
        db.session.remove()
    assert used == 1


def test_recovery_codes_can_be_replaced_after_a_step_up(client, make_user, login):
    _signed_in_with_totp(client, make_user, login, role="counsellor", unit="TA-02")
    page = client.post("/auth/recovery-codes", data={"back": "/auth/account"})
    assert page.status_code == 200
    assert len(re.findall(r"<code>", page.get_data(as_text=True))) == 10


def test_second_factor_is_required_in_production_for_admin_and_case_readers(app, make_user):
    from app.auth.models import User
    from app.config import ProductionConfig

    assert ProductionConfig.TOTP_REQUIRED
    expected = {
        "admin": True,
        "counsellor": True,
        "supervisor": True,
        "district_reviewer": True,
        "agency_officer": True,
        "dpo": True,
        "reporter": False,
        "monitor": False,
    }
    records = {role: make_user(role, "AG-PVHXH-03295" if role == "agency_officer" else "099") for role in expected}
    with app.app_context():
        for role, needed in expected.items():
            assert db.session.get(User, records[role].id).needs_totp(True) is needed, role
        db.session.remove()
