"""Planning and sending notifications. Runs in the worker process only (never inside a web request).

* plan(now): for every user who opted in, a daily digest once the digest hour has come (when there is work),
  and an immediate alert for each new high-risk item of their queue. Each message is one outbox row, made once
  (a unique dedupe key), so a restart or two workers never send it twice.
* deliver(now): every row that is due, unless the user is in quiet hours (then it waits until they end).
  The text is counted again at sending time from the same work queue as the page. A user who has since lost
  access (account disabled, role removed) gets nothing: the row is dropped and the drop audited. A failure is
  retried with exponential backoff (1, 2, 4 … 60 minutes) and shows as "chưa gửi được" meanwhile.
"""

import json
import smtplib
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock, workqueue
from ..audit import services as audit
from ..auth.models import User
from ..auth.permissions import PERMISSIONS
from ..extensions import db
from .models import Notification, NotificationPref

TEXT = "Bạn có {n} việc cần làm trong Tin Cậy"
SUBJECT = "Tin Cậy: việc cần làm"


class DeliveryError(Exception):
    """A channel could not deliver: `code` says which way, without any content."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def message_text(count: int) -> str:
    """The whole message: a count and a link, nothing about anyone."""
    return f"{TEXT.format(n=count)}: {current_app.config['PUBLIC_URL'].rstrip('/')}/work/"


def may_receive(user: User | None) -> bool:
    return bool(user and user.active and user.role_names() & PERMISSIONS["work.queue"])


def _channels(pref: NotificationPref) -> list[str]:
    channels = []
    if pref.email_on and pref.email and current_app.config.get("MAIL_SERVER"):
        channels.append("email")
    if pref.sms_on and pref.phone and current_app.config.get("SMS_GATEWAY_URL"):
        channels.append("sms")
    return channels


def _enqueue(user_id: str, channel: str, kind: str, count: int, key: str, now: datetime) -> bool:
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                Notification(
                    user_id=user_id,
                    channel=channel,
                    kind=kind,
                    count=count,
                    dedupe_key=key,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:  # another worker made it first
        return False
    return True


def plan(now: datetime | None = None) -> int:
    """Queue the digests and alerts that are due; returns how many rows were made."""
    now = now or clock.now()
    local = clock.local(now)
    made = 0
    for pref in db.session.scalars(select(NotificationPref)):
        user = db.session.get(User, pref.user_id)
        channels = _channels(pref)
        if user is None or not channels or not may_receive(user):
            continue
        items = workqueue.items_for(user)
        for channel in channels:
            if items and local.hour >= pref.digest_hour:
                made += _enqueue(
                    user.id,
                    channel,
                    "digest",
                    len(items),
                    f"digest:{user.id}:{channel}:{local.date().isoformat()}",
                    now,
                )
            if pref.alerts_on:
                for item in items:
                    if item.high_risk and item.key:
                        made += _enqueue(
                            user.id, channel, "alert", len(items), f"alert:{user.id}:{channel}:{item.key}"[:200], now
                        )
    db.session.flush()
    return made


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def deliver(now: datetime | None = None, sender=None) -> dict:
    """Send what is due; returns counts by outcome."""
    now = now or clock.now()
    sender = sender or send
    outcome = {"sent": 0, "retry": 0, "failed": 0, "dropped": 0, "waiting": 0}
    due = db.session.scalars(
        select(Notification)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at)
        .limit(500)
    ).all()
    for row in due:
        outcome[_deliver_one(row, now, sender)] += 1
    db.session.flush()
    return outcome


def _deliver_one(row: Notification, now: datetime, sender) -> str:
    user = db.session.get(User, row.user_id)
    pref = db.session.get(NotificationPref, row.user_id)
    if not may_receive(user) or pref is None or row.channel not in _channels(pref):
        row.status, row.last_error = "dropped", "no_access" if not may_receive(user) else "opted_out"
        audit.record(
            "notify",
            "notify.dropped",
            row,
            detail={"user_id": row.user_id, "reason": row.last_error, "channel": row.channel, "kind": row.kind},
        )
        return "dropped"
    hour = clock.local(now).hour
    if pref.quiet_at(hour):
        row.next_attempt_at = _quiet_ends(now, pref)
        return "waiting"
    count = len(workqueue.items_for(user))
    if count == 0:
        row.status, row.last_error = "dropped", "nothing_due"
        return "dropped"
    row.attempts += 1
    try:
        sender(row.channel, pref.email if row.channel == "email" else pref.phone, message_text(count))
    except DeliveryError as exc:
        row.last_error = exc.code
        if row.attempts >= int(current_app.config.get("NOTIFY_MAX_ATTEMPTS", 8)):
            row.status = "failed"
            audit.record("notify", "notify.failed", row, detail={"user_id": row.user_id, "error": exc.code})
            return "failed"
        row.next_attempt_at = now + backoff(row.attempts)
        return "retry"
    row.status, row.sent_at, row.count, row.last_error = "sent", now, count, None
    return "sent"


def _quiet_ends(now: datetime, pref: NotificationPref) -> datetime:
    local = clock.local(now)
    end = local.replace(hour=pref.quiet_to, minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(now.tzinfo)


def send(channel: str, address: str, text: str) -> None:
    """Deliver one message by e-mail or SMS; DeliveryError on any failure (the content is never logged)."""
    if channel == "email":
        _send_email(address, text)
    else:
        _send_sms(address, text)


def _send_email(address: str, text: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = SUBJECT, config["MAIL_FROM"], address
    message.set_content(text)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            if config.get("MAIL_USE_STARTTLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError("smtp_unavailable" if isinstance(exc, OSError) else "smtp_refused") from None


def _send_sms(phone: str, text: str) -> None:
    config = current_app.config
    url = config["SMS_GATEWAY_URL"]
    if not url.startswith(("https://", "http://")):
        raise DeliveryError("sms_misconfigured")
    request = urllib.request.Request(  # noqa: S310 - only http(s), checked above
        url,
        data=json.dumps({"to": phone, "text": text}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {config.get('SMS_GATEWAY_TOKEN') or ''}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the configured gateway
            if response.status >= 300:
                raise DeliveryError("sms_refused")
    except OSError:
        raise DeliveryError("sms_unavailable") from None


def run_once(now: datetime | None = None) -> dict:
    """One pass of the worker: plan, then deliver (the caller's transaction commits it)."""
    made = plan(now)
    outcome = deliver(now)
    return {"queued": made, **outcome}
