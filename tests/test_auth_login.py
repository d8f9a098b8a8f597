"""Signing in and out with server-side sessions."""

from app.auth.models import UserSession
from app.extensions import db


def test_login_page_is_vietnamese(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Đăng nhập" in page and "Thoát nhanh" in page


def test_login_logout(client, make_user, login, app):
    user = make_user("counsellor", "TA-02")
    login(client, user)
    assert client.get("/auth/account").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/auth/account").status_code == 302
    with app.app_context():
        assert db.session.query(UserSession).filter(UserSession.revoked_at.is_(None)).count() == 0


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user("counsellor", "TA-02")
    response = client.post("/auth/login", data={"username": user.username, "password": "sai-mat-khau-roi"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)
