"""Seed a province at scale into PostgreSQL: N synthetic cases over 45 communes, fast (COPY), readable by the app.

    .venv/bin/python bench/seed_scale.py --cases 100000 --fresh     # a new instance: schema "scale", 100 000 cases
    .venv/bin/python bench/seed_scale.py --cases 1000000            # grown to 1 000 000 (cases 100 000 … 999 999)

Điện Biên has 45 commune-level units since the 2025 merger (42 xã, 3 phường: domain-vietnam.md, "Local
government"); this adds 45 synthetic communes under the province (codes SC-01 … SC-45, names "Xã tổng hợp NN",
clearly not real places) and spreads the cases over them, 2024–2026. Every case is made by the demo's builder
(app/cases/demo.py `build_case`, the same fields and fictitious values): the real crypto seals every protected
field under the case's own data key, that key is wrapped under a per-case key written to the case-key store
(under the instance's KEK), and the blind indexes are keyed per commune — so the app opens, lists and searches
these cases as any other. What is NOT the app's ordinary path: rows go to PostgreSQL by COPY from worker
processes, and the case-key files are written without the store's per-file fsync (a bench instance does not need
to survive a power cut mid-seed).

Besides the cases: an open follow-up for a quarter of the open cases (the work queue), one referral per 15 cases
to four provincial agencies (the inbox; plain rows, no packet), and the statistics' counts (`stat_tally`) of
every case, as intake would have made them. The instance (key file, case-key store, env) lives in
bench/.cache/scale and the schema "scale" of BENCH_DATABASE_URL. It GROWS: seeding to a larger size adds the
cases it lacks, so bench/scale.py measures at 100 000, grows the same instance to 1 000 000 and measures again
(case n is the same case whatever size it was seeded at).
"""

import argparse
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLASK = os.path.join(ROOT, ".venv", "bin", "flask")
sys.path.insert(0, ROOT)
PASSWORD = "bench-mat-khau-dai-qua"
COMMUNES = 45
CHUNK = 2000
AGENCIES = ("AG-SYT-11", "AG-TGPL-11", "AG-SYT-11", "AG-CA-11")  # the health department gets half
# The bench's users: a counsellor of one commune, the officer of the health department, a provincial monitor.
USERS = (
    ("scale.counsellor", "counsellor", "SC-01"),
    ("scale.agency", "agency_officer", "AG-SYT-11"),
    ("scale.monitor", "monitor", "11"),
)


# BENCH_SCALE_SCHEMA and BENCH_SCALE_DIR put a second instance beside the first (e.g. one kept at 100 000 cases,
# measured right after the grown one, under the same load of the machine).
SCHEMA = os.environ.get("BENCH_SCALE_SCHEMA") or "scale"


def instance_env(pg_url: str) -> dict:
    folder = os.environ.get("BENCH_SCALE_DIR") or os.path.join(ROOT, "bench", ".cache", "scale")
    sep = "&" if "?" in pg_url else "?"
    return dict(
        os.environ,
        PYTHONPATH=ROOT,
        APP_CONFIG="development",
        TINCAY_KEY_FILE=f"{folder}/keys.json",
        SECRET_KEY="bench-secret-key-bench-secret-key-0123456789",
        LOGIN_ATTEMPTS_PER_IP="10000 per minute",
        DATABASE_URL=pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
        + f"{sep}options=-csearch_path%3D{SCHEMA}",
        TINCAY_SCALE_DIR=folder,
    )


def _reset(pg_url: str, schema: str, folder: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)


_APP = []


def _app():
    """The app of this process, made once (each worker of the pool makes its own)."""
    if _APP:
        return _APP[0]
    from app import create_app

    app = create_app()
    _APP.append(app)
    if app.config["APP_CONFIG"] == "production":
        sys.exit("bench/seed_scale.py refuses to run in the production configuration")
    return app


def _prepare() -> dict:
    """The 45 communes and the bench users; returns the ids the workers need."""

    from app.auth import services as auth
    from app.extensions import db, transaction
    from app.units.models import Unit
    from app.units.queries import by_code

    with transaction():
        province = by_code("11")
        for n in range(1, COMMUNES + 1):
            code = f"SC-{n:02d}"
            if by_code(code) is None:
                db.session.add(
                    Unit(
                        code=code,
                        kind="commune",
                        name=f"Xã tổng hợp {n:02d}",
                        parent_id=province.id,
                        path=f"{province.path}{code}/",
                    )
                )
        db.session.flush()
        for username, role, unit in USERS:
            auth.create_user(username, PASSWORD, role=role, unit=by_code(unit), actor="seed-scale")
    return _ids()


def _ids() -> dict:
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db
    from app.units.models import Unit
    from app.units.queries import by_code

    communes = list(db.session.scalars(select(Unit.id).where(Unit.code.like("SC-%")).order_by(Unit.code)))
    agencies = [by_code(code).id for code in AGENCIES]
    counsellor = db.session.scalar(select(User.id).where(User.username == "scale.counsellor"))
    return {"communes": communes, "agencies": agencies, "counsellor": counsellor}


class _FastStore:
    """The case-key store, writing each key file without the per-file fsync (bench seeding only)."""

    def __init__(self, store):
        self.store = store

    def __getattr__(self, name):
        return getattr(self.store, name)

    def get_or_create(self, ring, group, name):
        import secrets

        from app.crypto import casekeys, envelope

        key = secrets.token_bytes(32)
        path = self.store._path(group, name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as fh:
            fh.write(envelope.wrap_dek(ring, key, casekeys._table(name), group))
        return key


def _row(obj, table) -> tuple:
    from sqlalchemy import TypeDecorator, inspect
    from sqlalchemy.dialects import postgresql

    mapper = inspect(type(obj))
    values = []
    for column in table.columns:
        value = obj.__dict__.get(mapper.get_property_by_column(column).key)
        if value is None and column.default is not None:
            value = column.default.arg(None) if column.default.is_callable else column.default.arg
        if isinstance(column.type, TypeDecorator):
            value = column.type.process_bind_param(value, postgresql.dialect())
        if isinstance(value, dict | list):
            value = json.dumps(value)
        values.append(value)
    return tuple(values)


def _work(args: tuple) -> Counter:
    """Build and COPY cases [start, stop) with their follow-ups and referrals; return their statistics' cells."""
    start, stop, ids = args
    import psycopg

    from app.cases import tally
    from app.cases.demo import build_case, demo_name
    from app.cases.models import Case, FollowUp
    from app.crypto.records import current_keyring
    from app.extensions import db
    from app.referrals.models import Referral

    app = _app()
    cells: Counter = Counter()
    url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
    with app.app_context(), psycopg.connect(url) as conn:
        ring = current_keyring()
        ring.case_keys = _FastStore(ring.store)
        today = date(2026, 11, 30)
        now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
        for low in range(start, stop, CHUNK):
            rng = random.Random(low)
            cases, followups, referrals = [], [], []
            for n in range(low, min(low + CHUNK, stop)):
                year = 2026 - rng.choice((0, 0, 0, 1, 1, 2))
                commune = ids["communes"][n % COMMUNES]
                case = build_case(rng, n, f"TS-{year}-{n:07d}", commune, year, today)
                assert case.full_name == demo_name(n)
                case.created_at = case.updated_at = now
                case.version = 1
                case.in_statistics = True
                counted = tally.kept_contributions(case)
                tally.seal(case, counted)
                cells.update(counted)
                cases.append(case)
                if case.status == "open" and rng.random() < 0.25:
                    due = today + timedelta(days=rng.randrange(-20, 40))
                    followup = FollowUp(case=case, case_id=case.id, due_on=due, status="open", source="scale")
                    followup.assignee_id = ids["counsellor"] if n % COMMUNES == 0 else None
                    followup.purpose = "Gọi hỏi thăm theo quy ước an toàn (dữ liệu giả)."
                    case.next_followup_on = due
                    followups.append(followup)
                if n % 15 == 0:
                    sent = now - timedelta(minutes=n % 500_000)
                    referrals.append(
                        Referral(
                            id=f"{n:08d}-0000-4000-8000-{n:012d}",
                            code=f"CT-{n:08d}",
                            case_id=case.id,
                            agency_id=ids["agencies"][(n // 15) % len(ids["agencies"])],
                            sender_unit_id=commune,
                            services=["medical"],
                            urgency="normal",
                            status=rng.choice(("sent", "acknowledged", "accepted", "completed")),
                            legal_basis="consent",
                            needs_review=False,
                            idempotency_key=f"scale-{n}",
                            sent_at=sent,
                            ack_due_at=sent + timedelta(days=2),
                            updated_at=sent,
                            version=1,
                        )
                    )
            with conn.cursor() as cursor:
                for model, objects in ((Case, cases), (FollowUp, followups), (Referral, referrals)):
                    table = model.__table__
                    names = ", ".join(c.name for c in table.columns)
                    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                        for obj in objects:
                            copy.write_row(_row(obj, table))
            conn.commit()
            db.session.expunge_all()
    return cells


def seeded(pg_url: str) -> int:
    """How many cases the instance holds (0: none yet)."""
    marker = os.path.join(instance_env(pg_url)["TINCAY_SCALE_DIR"], "seeded.json")
    if not os.path.exists(marker):
        return 0
    with open(marker) as fh:
        return json.load(fh)["cases"]


def seed(cases: int, pg_url: str, jobs: int, fresh: bool = False) -> float:
    """Bring the instance to `cases` cases (a new one when `fresh` or none exists); returns the seconds taken."""
    env = instance_env(pg_url)
    folder = env["TINCAY_SCALE_DIR"]
    marker = os.path.join(folder, "seeded.json")
    current = 0 if fresh else seeded(pg_url)
    if current > cases:
        sys.exit(f"the instance holds {current:,} cases already: --fresh to start again at {cases:,}")
    if current == 0:
        _reset(pg_url, SCHEMA, folder)
    done = subprocess.run([FLASK, "--app", "wsgi", "setup"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(done.stderr[-3000:])
    os.environ.update(env)
    started = time.perf_counter()
    app = _app()
    with app.app_context():
        ids = _prepare() if current == 0 else _ids()
    step = min(-(-(cases - current) // (jobs * 4)), 25_000)
    parts = [(low, min(low + step, cases), ids) for low in range(current, cases, step)]
    cells: Counter = Counter()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for done_part, counted in enumerate(pool.imap_unordered(_work, parts), 1):
            cells.update(counted)
            print(f"  {done_part}/{len(parts)} parts, {time.perf_counter() - started:.0f} s", flush=True)
        # Every part is in: let the workers end on their own (the context's terminate() could hang at exit).
        pool.close()
        pool.join()
    from sqlalchemy import text

    from app.cases import tally
    from app.extensions import db, transaction

    with app.app_context():
        with transaction():
            tally.add_many(dict(cells))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    seconds = time.perf_counter() - started
    with open(marker, "w") as fh:
        json.dump({"cases": cases}, fh)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="drop the instance and seed a new one")
    args = parser.parse_args()
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        sys.exit("set BENCH_DATABASE_URL=postgresql://… (a database of your own: its schema scale is the instance)")
    before = 0 if args.fresh else seeded(pg_url)
    seconds = seed(args.cases, pg_url, args.jobs, args.fresh)
    print(f"seeded cases {before:,} … {args.cases - 1:,} in {seconds:.0f} s")


if __name__ == "__main__":
    main()
