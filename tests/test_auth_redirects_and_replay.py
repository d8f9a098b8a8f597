"""Item 10 of issue 14: every `next` stays on the site; a forced password change is enforced; one TOTP code
raced by two sign-ins lets exactly one through."""

import threading

import pyotp
import pytest

from app.web.redirects import safe_next

EVIL = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r/evil.example/",
    "/%2F%2Fevil.example/",
    "/%2f%2fevil.example/",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%09/evil.example/",
    "/%0A/evil.example",
    "/%0d/evil.example",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
    None,
    42,
    "/ok\x00",
    "/%00",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses_every_way_off_the_site(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize(
    "target", ["/", "/cases/", "/cases/?q=a%20b&page=2", "/auth/account#roles", "/referrals/abc-def"]
)
def test_safe_next_keeps_paths_of_the_site(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", EVIL[:20])
def test_language_switch_never_redirects_off_the_site(client, target):
    response = client.post("/lang", data={"lang": "en", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/%2F%2Fevil.example/", "/\t/evil.example/", "//evil.example", "/%5Cevil"])
def test_login_next_never_leaves_the_site(client, make_user, target):
    user = make_user("reporter", "03253")
    response = client.post("/auth/login", data={"username": user.username, "password": user.password, "next": target})
    assert response.status_code == 302 and response.headers["Location"] in ("/", "http://localhost/")


def test_login_next_returns_to_the_page_asked_for(client, make_user):
    user = make_user("reporter", "03253")
    response = client.post(
        "/auth/login?next=/auth/account", data={"username": user.username, "password": user.password}
    )
    assert response.headers["Location"].endswith("/auth/account")


def test_must_change_password_reaches_only_the_change_page_and_logout(client, make_user, login, app):
    from app.auth.models import User
    from app.extensions import db

    user = make_user("counsellor", "TA-02")
    with app.app_context():
        db.session.get(User, user.id).must_change_password = True
        db.session.commit()
        db.session.remove()
    assert login(client, user).headers["Location"].endswith("/auth/password")
    for url in ("/auth/account", "/cases/", "/", "/referrals/"):
        response = client.get(url, follow_redirects=False)
        if url == "/":  # the home page sends on to the role's start page, which bounces again
            response = client.get(response.headers["Location"])
        assert response.status_code == 302 and response.headers["Location"].endswith("/auth/password"), url
    htmx = client.get("/cases/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].endswith("/auth/password")
    assert client.get("/auth/password").status_code == 200
    new = "mot-cum-tu-rieng-cua-toi"
    changed = client.post("/auth/password", data={"current": user.password, "new": new, "confirm": new})
    assert changed.status_code == 302
    assert client.get("/auth/account").status_code == 200, "after the change the account opens again"


def test_must_change_password_may_still_sign_out(client, make_user, login, app):
    from app.auth.models import User
    from app.extensions import db

    user = make_user("reporter", "03253")
    with app.app_context():
        db.session.get(User, user.id).must_change_password = True
        db.session.commit()
        db.session.remove()
    login(client, user)
    assert client.post("/auth/logout").headers["Location"].endswith("/auth/login")


def test_one_totp_code_raced_by_two_sign_ins_lets_exactly_one_through(app, make_user, login, monkeypatch):
    """On PostgreSQL both requests find the code valid before either records it (a barrier holds them there);
    the atomic conditional UPDATE then lets one through and refuses the other. Without it both would be signed
    in. SQLite serialises writing transactions (BEGIN IMMEDIATE), so there the two simply run at once."""
    from app.auth import totp
    from app.extensions import db

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    user = make_user("counsellor", "TA-02", totp=True)
    clients = [app.test_client(), app.test_client()]
    for i, client in enumerate(clients):
        client.environ_base["REMOTE_ADDR"] = f"10.7.7.{i}"
        login(client, user)
    code = pyotp.TOTP(user.totp_secret).now()
    barrier = threading.Barrier(2, timeout=10)
    original = totp.matching_step

    def matching_then_wait(*args, **kwargs):
        step = original(*args, **kwargs)
        barrier.wait()
        return step

    if postgres:
        monkeypatch.setattr(totp, "matching_step", matching_then_wait)
    statuses = [None, None]

    def post(i):
        statuses[i] = clients[i].post("/auth/totp", data={"code": code}).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [200, 302], statuses
    opened = [c.get("/auth/account").status_code for c in clients]
    assert sorted(opened) == [200, 302], opened
