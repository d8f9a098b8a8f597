"""`flask --app wsgi notify run` — the notification worker, a process of its own beside the web server."""

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup

notify_group = AppGroup("notify", help="Notifications: the worker that sends digests and alerts.")
log = logging.getLogger("tincay.notify")


def _pass() -> dict:
    from ..extensions import db, transaction
    from .services import run_once

    # The work-queue sources build links with url_for: a request context on the public address gives them one.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        try:
            with transaction():
                return run_once()
        finally:
            db.session.remove()


@notify_group.command("once")
def once():
    """Plan and send what is due, once (for cron, or to check the configuration)."""
    result = _pass()
    click.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@notify_group.command("run")
@click.option("--interval", default=60, show_default=True, help="Seconds between passes.")
def run(interval: int):
    """Plan and send for ever, one pass every INTERVAL seconds (stop with Ctrl+C or SIGTERM)."""
    while True:
        try:
            result = _pass()
            log.info("notify pass %s", " ".join(f"{k}={v}" for k, v in result.items()))
        except Exception:  # a bad pass (database away) must not end the worker: the next one retries
            log.exception("notify pass failed")
        time.sleep(max(5, interval))
