"""Notifications through a real SMTP server in the test process (aiosmtpd): only "Bạn có N việc cần làm trong
Tin Cậy" and a link, never a name, phone, case code or commune; a server that is down is retried with backoff
and the user's page says "chưa gửi được"; quiet hours wait; a user who lost access gets nothing (audited)."""

import socket
from datetime import date, datetime, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import select
from test_cases_support import INTAKE, new_case

from app import clock
from app.extensions import db

MORNING = datetime(2026, 6, 10, 9, 0, tzinfo=clock.VN)
FORBIDDEN = (INTAKE["full_name"], INTAKE["phone"], "0912345678", "Quài Tở", "Quai To", "TG-2026")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp(app):
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield inbox, controller, port
    if controller._thread is not None:  # a test may have stopped it already (the server is "down")
        controller.stop()
    app.config.update(saved)


def _run(app):
    from app.extensions import transaction
    from app.notify.services import run_once

    with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        with transaction():
            result = run_once()
        db.session.remove()
    return result


def _setup(app, client, make_user, login, unit, **pref):
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case
    from app.notify.models import NotificationPref

    user = make_user("counsellor", "TA-02")
    login(client, user)
    case_id = new_case(client, unit("TA-02").id)
    with app.test_request_context():
        services.schedule_followup(
            db.session.get(Case, case_id), date(2026, 6, 8), "Gọi", actor=db.session.get(User, user.id)
        )
        db.session.add(NotificationPref(user_id=user.id, email="tuvan@example.org", email_on=True, **pref))
        db.session.commit()
        db.session.remove()
    return user, case_id


def _outbox(app, user_id):
    from app.notify.models import Notification

    with app.app_context():
        rows = [
            (n.kind, n.status, n.attempts, n.last_error)
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == user_id).order_by(Notification.kind)
            )
        ]
        db.session.remove()
    return rows


def test_a_digest_and_a_high_risk_alert_carry_no_person_data(app, client, make_user, login, unit, smtp):
    inbox, _, _ = smtp
    with time_machine.travel(MORNING, tick=False):
        user, _ = _setup(app, client, make_user, login, unit)
        assert _run(app)["sent"] == 2
        assert _run(app)["sent"] == 0  # once: the same digest and alert are never sent again
    assert [k for k, *_ in _outbox(app, user.id)] == ["alert", "digest"]
    assert len(inbox.messages) == 2
    for recipients, content in inbox.messages:
        assert recipients == ["tuvan@example.org"]
        assert "Bạn có 1 việc cần làm trong Tin Cậy" in content and "/work/" in content
        for value in FORBIDDEN:
            assert value not in content, value


def test_a_server_that_is_down_is_retried_with_backoff_and_shown_as_not_sent(app, client, make_user, login, unit, smtp):
    inbox, controller, port = smtp
    controller.stop()  # the SMTP server is down
    with time_machine.travel(MORNING, tick=False):
        user, _ = _setup(app, client, make_user, login, unit, alerts_on=False)
        assert _run(app)["retry"] == 1
        assert _outbox(app, user.id) == [("digest", "pending", 1, "smtp_unavailable")]
        assert "chưa gửi được" in client.get("/work/notifications/").get_data(as_text=True)
        assert _run(app)["retry"] == 0  # not before its backoff
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    try:
        with time_machine.travel(MORNING + timedelta(minutes=2), tick=False):
            assert _run(app)["sent"] == 1
    finally:
        controller.stop()
    assert _outbox(app, user.id) == [("digest", "sent", 2, None)] and len(inbox.messages) == 1


def test_quiet_hours_hold_the_message_until_they_end(app, client, make_user, login, unit, smtp):
    inbox, _, _ = smtp
    with time_machine.travel(datetime(2026, 6, 10, 22, 0, tzinfo=clock.VN), tick=False):
        user, _ = _setup(app, client, make_user, login, unit, quiet_from=21, quiet_to=6)
        assert _run(app)["waiting"] == 2 and inbox.messages == []
    with time_machine.travel(datetime(2026, 6, 11, 6, 1, tzinfo=clock.VN), tick=False):
        assert _run(app)["sent"] == 2


def test_a_user_who_lost_access_gets_nothing_and_the_drop_is_audited(app, client, make_user, login, unit, smtp):
    from app.audit.models import AuditEntry
    from app.auth.models import User
    from app.notify.services import plan

    inbox, _, _ = smtp
    with time_machine.travel(MORNING, tick=False):
        user, _ = _setup(app, client, make_user, login, unit)
        with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
            assert plan() == 2
            db.session.get(User, user.id).active = False  # disabled before the worker sends
            db.session.commit()
            db.session.remove()
        assert _run(app)["dropped"] == 2
    assert inbox.messages == []
    with app.app_context():
        drops = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "notify.dropped")).all()
        assert len(drops) == 2 and all("no_access" in d and "tuvan@" not in d for d in drops)
        db.session.remove()


def test_the_settings_page_keeps_the_choices_and_refuses_bad_input(app, client, counsellor):
    from app.notify.models import NotificationPref

    bad = client.post(
        "/work/notifications/",
        data={
            "email": "khong-phai-email",
            "email_on": "y",
            "sms_on": "y",
            "digest_hour": "25",
            "quiet_from": "21",
            "quiet_to": "6",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Địa chỉ e-mail không hợp lệ." in html
    assert "Hãy nhập số điện thoại trước." in html and "Giờ phải từ 0 đến 23." in html
    good = client.post(
        "/work/notifications/",
        data={"email": "tuvan@example.org", "email_on": "y", "digest_hour": "7", "quiet_from": "21", "quiet_to": "6"},
    )
    assert good.status_code == 303
    with app.app_context():
        pref = db.session.get(NotificationPref, counsellor.id)
        assert (pref.email, pref.email_on, pref.sms_on, pref.alerts_on) == ("tuvan@example.org", True, False, False)
        db.session.remove()


def test_the_sms_gateway_gets_the_same_words_and_nothing_else(app, client, make_user, login, unit):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from app.notify.models import NotificationPref

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's handler name
            received.append(
                (self.headers.get("Authorization"), json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            )
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    saved = {k: app.config.get(k) for k in ("SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN")}
    app.config.update(SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/send", SMS_GATEWAY_TOKEN="t0ken")
    try:
        with time_machine.travel(MORNING, tick=False):
            user, _ = _setup(app, client, make_user, login, unit, alerts_on=False)
            with app.app_context():
                pref = db.session.get(NotificationPref, user.id)
                pref.email_on, pref.sms_on, pref.phone = False, True, "0215 3862 999"
                db.session.commit()
                db.session.remove()
            assert _run(app)["sent"] == 1
    finally:
        server.shutdown()
        app.config.update(saved)
    [(auth, body)] = received
    assert auth == "Bearer t0ken" and body["to"] == "0215 3862 999"
    assert body["text"].startswith("Bạn có 1 việc cần làm trong Tin Cậy") and "/work/" in body["text"]
    assert not any(value in body["text"] for value in FORBIDDEN)
