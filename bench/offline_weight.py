"""The weight of the offline shell: what a phone downloads once to capture without signal (issue 21: ≤ 40 KB).

    .venv/bin/python bench/offline_weight.py

Builds a throwaway instance (SQLite, new keys), signs a counsellor in with the test client, and fetches what
the service worker keeps: the shell page, the worker script and the shell's static files (stylesheet, offline
script, icon sheet). Each is gzipped at level 6, as nginx serves it; prints a table and the total.
"""

import gzip
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BUDGET = 40 * 1024
PASSWORD = "bench-mat-khau-dai-qua"


def build(base: str):
    from flask_migrate import upgrade

    from app import create_app
    from app.auth import services
    from app.crypto.keyring import load_or_create
    from app.extensions import db
    from app.reference import load_all
    from app.units.queries import by_code

    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base}/bench.sqlite",
            "KEY_FILE": f"{base}/keys.json",
            "SECRET_KEY": "x" * 40,
            "WTF_CSRF_ENABLED": False,
            "ARGON2_PARAMS": (1, 1024, 1),
            "RATELIMIT_STORAGE_URI": "memory://",
        },
    )
    with app.app_context():
        app.extensions["tincay_keyring"] = load_or_create(f"{base}/keys.json", create=True)
        upgrade(revision="head")
        load_all()
        services.create_user("bench.offline", PASSWORD, role="counsellor", unit=by_code("2025-TA-02"), actor="bench")
        db.session.commit()
    return app


def main() -> int:
    with tempfile.TemporaryDirectory() as base:
        app = build(base)
        client = app.test_client()
        client.post("/auth/login", data={"username": "bench.offline", "password": PASSWORD})
        with app.test_request_context():
            from app.offline.views import shell_files

            files = shell_files() + ["/offline/sw.js"]
        rows, total = [], 0
        for path in files:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            body = response.get_data()
            packed = len(gzip.compress(body, compresslevel=6))
            total += packed
            rows.append((path.split("/")[-1] or "offline/ (shell page)", len(body), packed))
    print("| file | bytes | gzipped |\n|---|---|---|")
    for name, raw, packed in rows:
        print(f"| {name} | {raw:,} | {packed:,} |")
    print(f"| **total** | {sum(r[1] for r in rows):,} | **{total:,}** ({total / 1024:.1f} KB of {BUDGET // 1024} KB) |")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
