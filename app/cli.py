"""Operator commands: setup, users, units, demo data, audit verification, key rotation, backups."""

import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select, text

from . import clock
from .extensions import db, transaction


def register(app) -> None:
    app.cli.add_command(setup)
    app.cli.add_command(users)
    app.cli.add_command(units)
    app.cli.add_command(seed_demo)
    app.cli.add_command(audit_group)
    app.cli.add_command(keys)
    app.cli.add_command(backup)
    from .notify.cli import notify_group

    app.cli.add_command(notify_group)
    from .privacy.cli import retention_group

    app.cli.add_command(retention_group)


def database_or_exit() -> None:
    """Say plainly that the database has not been set up, rather than fail on a missing table."""
    from sqlalchemy import inspect

    if not inspect(db.engine).has_table("unit"):
        raise click.ClickException("Cơ sở dữ liệu chưa được thiết lập. Chạy `flask --app wsgi setup` trước.")


def keyring_or_exit():
    database_or_exit()
    ring = current_app.extensions.get("tincay_keyring")
    if ring is None:
        raise click.ClickException(
            f"Không có tệp khóa {current_app.config['KEY_FILE']}. Chạy `flask --app wsgi setup` "
            "(hoặc đặt TINCAY_KEY_FILE tới tệp khóa đã sao lưu)."
        )
    return ring


@click.command("setup")
def setup():
    """Create instance secrets and keys if absent, migrate to head, load reference data. Safe to re-run."""
    from .crypto.keyring import load_or_create
    from .reference import load_changed

    production = current_app.config["APP_CONFIG"] == "production"
    if not os.path.exists(current_app.config["KEY_FILE"]) and _database_has_records():
        # A new key ring would leave every record of a restored database unreadable and its chain unverifiable.
        raise click.ClickException(
            f"The database already holds records but the key file {current_app.config['KEY_FILE']} is missing. "
            "Restore the escrowed key file there (or set TINCAY_KEY_FILE); setup will not make new keys."
        )
    if not production:
        _ensure_secret_key()
    from .crypto.errors import KeyRingError

    try:
        ring = load_or_create(
            current_app.config["KEY_FILE"],
            create=not production,
            ledger=current_app.config.get("ERASURE_LEDGER"),
            case_keys=current_app.config.get("CASE_KEY_STORE"),
            create_store=not _store_needed(),
        )
    except KeyRingError as exc:
        hint = (
            (
                ". The database already holds records under case keys: restore the escrowed case-key store "
                "there; setup will not make a new one."
            )
            if "case-key store" in str(exc)
            else ""
        )
        raise click.ClickException(f"{exc}{hint}") from exc
    current_app.extensions["tincay_keyring"] = ring
    from .offline import keys as offline_keys

    if offline_keys.ensure_key_file(offline_keys.key_path()):
        click.echo(f"setup: offline-capture key pair created in {offline_keys.key_path()} (escrow it with the keys).")
    from flask_migrate import upgrade

    upgrade(revision="head")  # one head (tests/test_migrations_heads.py keeps it so)
    with transaction():
        loaded = load_changed(echo=click.echo)
    _ensure_audit_anchor(production)
    _finalise_erasure(ring)
    click.echo(
        "setup: database at head, reference data "
        + (f"loaded ({', '.join(loaded)})." if loaded else "already up to date.")
    )
    for role, old, new, count in roles_on_merged_units():
        click.echo(
            f"setup: {count} {role} role(s) held at {old}, which is no longer in force: give them at {new} "
            "(its successor, from which the old unit's records stay reachable)."
        )


def roles_on_merged_units() -> list[tuple[str, str, str, int]]:
    """(role, old unit code, successor code, how many) of the roles held today at a unit that ended and has a
    successor through the lineage (a trusted address or commune merged in 2025): whoever holds them cannot open
    a case there any more (intake offers only the units in force). Counts only: no user is named."""
    from collections import Counter

    from .auth.models import RoleAssignment
    from .units.models import Unit, UnitLineage

    today = clock.today()
    held = db.session.execute(
        select(RoleAssignment.role, Unit, UnitLineage.new_id)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .join(UnitLineage, UnitLineage.old_id == Unit.id)
    ).all()
    found: Counter = Counter()
    for role, unit, new_id in held:
        successor = db.session.get(Unit, new_id)
        if not unit.is_current(today) and successor is not None and successor.is_current(today):
            found[(role, unit.code, successor.code)] += 1
    return [(role, old, new, n) for (role, old, new), n in sorted(found.items())]


def _ensure_audit_anchor(production: bool) -> None:
    """Create the audit signing key in development, then sign the current chain head (so an upgraded
    installation is anchored from now on)."""
    from .audit import anchor, services

    path = current_app.config["AUDIT_SIGNING_KEY"]
    if not os.path.exists(path) and not production:
        ident = anchor.create_signing_key(path)
        click.echo(f"setup: audit signing key {ident} created at {path}")
    anchor.init_app(current_app)
    services.checkpoint_now()  # and the head sink: an upgraded installation is anchored in both from now on


def _store_needed() -> bool:
    """True when the database already has data keys wrapped by case-store keys: then the store must be restored
    from escrow, never made anew (a new, empty store would leave every case unreadable)."""
    from sqlalchemy import inspect

    if "case_record" not in inspect(db.engine).get_table_names():
        return False
    with transaction():
        found = db.session.execute(text("SELECT 1 FROM case_record WHERE kek_version = 0 LIMIT 1")).first()
    return found is not None


def _finalise_erasure(ring) -> None:
    """Move data keys still wrapped by the KEK onto the case-key store (once), sweep keys left by a crash, and
    recompute blind indexes made before they were keyed per commune (once)."""
    from .cases.services import reindex_blind
    from .crypto.case_store import move_to_store, repair_ledger, sweep

    moved = move_to_store(ring).moved
    destroyed = sweep(ring)
    if moved or destroyed:
        click.echo(f"setup: {moved} data keys moved to the case-key store; {destroyed} leftover keys destroyed.")
    repaired = repair_ledger(ring)
    if repaired:
        click.echo(f"setup: {repaired} erased ids the erasure ledger lacked were added to it.")
    reindexed = reindex_blind()
    if reindexed:
        click.echo(f"setup: blind indexes of {reindexed} cases recomputed under their commune's keys.")


def _database_has_records() -> bool:
    """True when the database already has an audit trail (so it was made with some key ring)."""
    from sqlalchemy import inspect

    from .audit.models import AuditHead

    if "audit_head" not in inspect(db.engine).get_table_names():
        return False
    with transaction():
        seq = db.session.scalar(select(AuditHead.seq).where(AuditHead.id == 1))
    return bool(seq)


def _ensure_secret_key() -> None:
    """Write instance/config.py with a random SECRET_KEY the first time (development)."""
    path = os.path.join(current_app.instance_path, "config.py")
    if os.path.exists(path):
        return
    import secrets

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# Created by `flask --app wsgi setup`. Never commit this file.\n")
        fh.write(f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n")
    current_app.config["SECRET_KEY"] = current_app.config.get("SECRET_KEY") or "set-on-next-start"


users = AppGroup("users", help="Manage user accounts.")


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, help="counsellor, district_reviewer, agency_officer, reporter, monitor, admin")
@click.option("--unit", "unit_code", required=True, help="unit code (see `units list`)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def users_create(username, role, unit_code, password_stdin):
    """Create a user with one role scoped to a unit."""
    from .auth import services
    from .units.queries import by_code

    keyring_or_exit()
    unit = by_code(unit_code)
    if unit is None:
        raise click.ClickException(f"unknown unit code {unit_code}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction():
            user = services.create_user(username, password, role=role, unit=unit, actor="cli")
    except services.ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.username} ({role} @ {unit.code})")


units = AppGroup("units", help="The unit tree.")


@units.command("list")
def units_list():
    """One unit a line: CODE<TAB>KIND<TAB>NAME<TAB>PARENT_CODE."""
    from .units.models import Unit

    database_or_exit()
    by_id = {u.id: u for u in db.session.scalars(select(Unit).order_by(Unit.path))}
    for unit in by_id.values():
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        click.echo(f"{unit.code}\t{unit.kind}\t{unit.name}\t{parent.code if parent else ''}")


@click.command("seed-demo")
@click.option("--cases", "case_count", default=40, show_default=True, help="synthetic cases to create")
@click.option("--if-empty", is_flag=True, help="do nothing when users already exist")
def seed_demo(case_count, if_empty):
    """Seed synthetic, clearly fictitious demo data and print the demo logins."""
    from .demo import seed

    if not current_app.config.get("DEMO_SEEDING_ALLOWED"):
        raise click.ClickException("seed-demo is refused in the production configuration.")
    keyring_or_exit()
    logins = seed(case_count, if_empty=if_empty)
    if logins is None:
        click.echo("seed-demo: database already has users; nothing seeded.")
        return
    _refresh_statistics()
    click.echo("Demo logins (fictitious data; passwords shown once, not stored anywhere else):")
    for username, role, password in logins:
        click.echo(f"  {role:18} {username:14} {password}")


def _refresh_statistics() -> None:
    """After a bulk load, do at once what autovacuum would do later on PostgreSQL: statistics for the planner,
    and the visibility map that lets counts be read from an index alone (SQLite's queries need neither)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


audit_group = AppGroup("audit", help="The audit trail.")


@audit_group.command("verify")
def audit_verify():
    """Recompute the hash chain; exit non-zero naming the first bad entry."""
    from .audit import services

    keyring_or_exit()
    verdict = services.verify()
    if verdict.ok:
        anchored = f"signed checkpoint at entry {verdict.anchored}" if verdict.anchored else "no signed checkpoint yet"
        sunk = f"head sink at entry {verdict.sunk}" if verdict.sunk else "no head in the sink yet"
        click.echo(f"audit: chain intact ({verdict.checked} entries; {anchored}; {sunk})")
        return
    click.echo(f"audit: BROKEN at entry {verdict.first_bad_seq}: {verdict.reason}", err=True)
    sys.exit(1)


@audit_group.command("checkpoint")
def audit_checkpoint():
    """Sign the chain head now and append it to the checkpoint file (run hourly from cron or a timer)."""
    from .audit import services

    keyring_or_exit()
    body = services.checkpoint_now()
    if body is None:
        raise click.ClickException(
            f"Không có khóa ký nhật ký {current_app.config['AUDIT_SIGNING_KEY']}: chưa ghi được điểm neo. "
            "Tạo khóa bằng `python -m app.audit.anchor keygen PATH`."
        )
    click.echo(f"audit: checkpoint of entry {body['seq']} written to {current_app.config['AUDIT_CHECKPOINT_FILE']}")


keys = AppGroup("keys", help="Encryption keys.")


@keys.command("rotate")
@click.option("--batch", default=500, show_default=True)
def keys_rotate(batch):
    """New key-encryption key; re-wrap every data key. Resumable: run again after an interruption."""
    from .crypto.rotation import rotate

    ring = keyring_or_exit()
    result = rotate(ring, batch=batch, echo=click.echo)
    click.echo(
        f"keys: primary is v{ring.primary}; re-wrapped {result.rewrapped} data keys; "
        f"{result.remaining} left on older keys"
    )


@keys.command("sweep")
def keys_sweep():
    """Destroy the case-store keys of records the database says are erased (after a crash mid-erasure), and put
    on the erasure ledger the erased ids it lacks (an erasure whose ledger write failed)."""
    from .crypto.case_store import repair_ledger, sweep

    ring = keyring_or_exit()
    click.echo(f"keys: {sweep(ring)} leftover case keys destroyed")
    click.echo(f"keys: {repair_ledger(ring)} erased ids added to the erasure ledger")


@keys.command("offline-rotate")
def keys_offline_rotate():
    """New offline-capture key pair for the phones; the old private key still opens items sealed to it."""
    from .offline import keys as offline_keys

    version = offline_keys.rotate(offline_keys.key_path())
    click.echo(f"keys: offline-capture key v{version} is now handed to devices; escrow the file again")


@keys.command("offline-retire")
@click.argument("version", type=int)
def keys_offline_retire(version):
    """Drop an old offline-capture private key once no phone can still hold items sealed to it."""
    from .offline import keys as offline_keys

    offline_keys.retire(offline_keys.key_path(), version)
    click.echo(f"keys: offline-capture key v{version} removed")


@keys.command("reindex")
@click.option("--batch", default=500, show_default=True)
def keys_reindex(batch):
    """Recompute the blind indexes of cases still on the installation-wide keys under their commune's keys."""
    from .cases.services import reindex_blind

    keyring_or_exit()
    click.echo(f"keys: blind indexes of {reindex_blind(batch)} cases recomputed")


@keys.command("retire")
@click.argument("version", type=int)
def keys_retire(version):
    """Mark an old KEK retired once no data key uses it (it stays in the file for old backups)."""
    from .crypto.rotation import retire

    ring = keyring_or_exit()
    try:
        retire(ring, version)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"keys: v{version} retired")


backup = AppGroup("backup", help="Database backups (keys are backed up separately).")


@backup.command("create")
@click.argument("path")
def backup_create(path):
    """Write a consistent backup of the live database to PATH."""
    from .backup import BackupError, create_backup

    try:
        create_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {path} (the key file is NOT in it: back it up separately)")


def _anchor_restored_head() -> None:
    """Sign the restored chain head as a restore, so verify measures the restored trail from here on."""
    from .audit import services

    db.session.remove()
    db.engine.dispose()
    seq, signed = services.anchor_restored_head()
    if signed:
        click.echo(f"audit: the restored head (entry {seq}) is signed as a restore in the checkpoint file")
    db.session.remove()


@backup.command("restore")
@click.argument("path")
@click.option("--yes", is_flag=True, help="replace the current database without asking")
def backup_restore(path, yes):
    """Restore PATH into this instance's database (which must be new or confirmed to be replaced)."""
    from .backup import BackupError, restore_backup

    if not yes:
        click.confirm("This replaces the current database. Continue?", abort=True)
    try:
        restore_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    _anchor_restored_head()
    click.echo("restored; run `flask --app wsgi audit verify` to check the chain.")
