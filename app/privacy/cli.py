"""`flask --app wsgi retention run` — the monthly retention job (deploy/systemd/tincay-retention.timer)."""

import click
from flask.cli import AppGroup

retention_group = AppGroup("retention", help="Retention schedule: list records past retention for a decision.")


@retention_group.command("run")
def run():
    """List every record past its retention period into the data-protection officer's queue (deletes nothing)."""
    from ..extensions import db, transaction
    from .retention import run as run_job

    try:
        with transaction():
            added = run_job()
    finally:
        db.session.remove()
    click.echo(" ".join(f"{code}={n}" for code, n in added.items()) or "no retention rules")
