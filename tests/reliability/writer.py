"""A writer process for the crash and backup proofs: writes cases until the database holds --total of them.

Each write is one transaction: a case (summary fields plus encrypted identity and narrative fields)
and its `case.create` audit entry. After each commit it prints "committed <n>" and flushes, so a test can
kill it with SIGKILL at a random point and start it again; it resumes from the number already stored.

    .venv/bin/python tests/reliability/writer.py --db URL --keys PATH --actor USER_ID --total 1000

The database must already be at head and hold the actor, a counsellor of TA-02 (the test makes both).
Cases are opened through `app.cases.services.create_case`. Prints the SQLite pragmas in force first.
"""

import argparse
import os
import sys
import time

sys.path[:0] = [
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
]

from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--keys", required=True)
    parser.add_argument("--actor", required=True, help="id of a counsellor of TA-02")
    parser.add_argument("--total", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between writes")
    args = parser.parse_args()
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": args.db,
            "KEY_FILE": args.keys,
            "SECRET_KEY": "writer-" + "x" * 32,
            "WTF_CSRF_ENABLED": False,
        },
    )
    from reliability.support import new_case, user

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            print(f"pragmas journal_mode={mode} synchronous={sync}", flush=True)
        from app.cases.models import Case

        done = db.session.scalar(select(func.count()).select_from(Case))
        db.session.rollback()
        while done < args.total:
            new_case(user(args.actor))
            db.session.commit()
            done += 1
            print(f"committed {done}", flush=True)
            if args.pause:
                time.sleep(args.pause)
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
