"""A province at scale: the main pages at 100 000 and 1 000 000 cases over 45 communes, on PostgreSQL, under
gunicorn, with the load from locust in its own process.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mine .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --sizes 100000,1000000 --users 4 --seconds 15
    .venv/bin/python bench/scale.py --sizes 100000 --pages "case list,referral inbox"

The sizes are measured in increasing order on ONE instance that bench/seed_scale.py grows (bench/.cache/scale and
the schema "scale"; `seed_scale.py --fresh` starts again): 100 000 cases are seeded and measured, then the same
instance is grown to 1 000 000 and measured. A size the instance already holds is measured as it is. For each:
gunicorn (the repository's gunicorn.conf.py, development config so that no TOTP is needed) serves the instance;
for each page locust runs headless, first with --users signed-in users walking that page with 0.1–0.4 s pauses
for --seconds, then with one user and no pause (the page's own cost).
The table gives locust's median and 95th percentile and the throughput; then each page's median at the largest
size divided by its median at the smallest (the goal: list, search, case page and inbox within 1.5×), and each
dashboard's and export's median at the largest size, alone (the goal: within 2 s). Figures depend on the machine:
quote the ratios.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run import GUNICORN, PY, ROOT, Client, free_port  # noqa: E402
from seed_scale import FLASK, PASSWORD, instance_env, seed, seeded  # noqa: E402

LOCUST = os.path.join(ROOT, ".venv", "bin", "locust")
# (page, account, kind): kind "list" pages must stay within 1.5× from the smallest size to the largest; "report"
# pages (dashboards and exports) within 2 s at the largest.
PAGES = (
    ("case list", "scale.counsellor", "list"),
    ("name search", "scale.counsellor", "list"),
    ("case page", "scale.counsellor", "list"),
    ("work queue", "scale.counsellor", "list"),
    ("referral inbox", "scale.agency", "list"),
    ("indicator dashboard", "scale.monitor", "report"),
    ("excel export", "scale.monitor", "report"),
    ("monthly statistics", "scale.monitor", "report"),
    ("monthly export", "scale.monitor", "report"),
    ("protection statistics", "scale.monitor", "report"),
)


class Server:
    """One gunicorn serving a seeded instance (its own process group, stopped by its pid)."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [GUNICORN, "-c", os.path.join(ROOT, "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if Client(self.port).get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=60)


def search_name(env: dict) -> str:
    """The exact name of one of the counsellor's cases (bench/ids.py decrypts it from the instance)."""
    out = subprocess.run(
        [PY, os.path.join(ROOT, "bench", "ids.py"), "scale.counsellor"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["search_name"]


def locust(port: int, account: str, page: str, search: str, users: int, seconds: int, wait: str) -> dict:
    """One headless locust run of `users` users on one page; locust's figures for that page."""
    with tempfile.TemporaryDirectory(prefix="tincay-scale-") as folder:
        accounts = os.path.join(folder, "accounts.json")
        with open(accounts, "w") as fh:
            json.dump(
                [{"username": account, "password": PASSWORD, "totp": None, "pages": [page], "search": search}], fh
            )
        env = dict(os.environ, TINCAY_LOCUST_ACCOUNTS=accounts, TINCAY_LOCUST_WAIT=wait)
        prefix = os.path.join(folder, "stats")
        subprocess.run(
            [
                LOCUST,
                "-f",
                os.path.join(ROOT, "bench", "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                prefix,
                "--only-summary",
                "--stop-timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 120,
        )
        with open(f"{prefix}_stats.csv", newline="") as fh:
            rows = {row["Name"]: row for row in csv.DictReader(fh)}
    row = rows.get(page)
    if row is None:
        return {"median_ms": float("nan"), "p95_ms": float("nan"), "rps": 0.0, "requests": 0, "failures": -1}
    return {
        "median_ms": float(row["Median Response Time"]),
        "p95_ms": float(row["95%"]),
        "rps": float(row["Requests/s"]),
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
    }


def measure(size: int, pg_url: str, users: int, seconds: int, pages: set, jobs: int) -> dict:
    env = instance_env(pg_url)
    held = seeded(pg_url)
    if held > size:
        sys.exit(f"the instance holds {held:,} cases, more than {size:,}: seed_scale.py --fresh, or a larger size")
    if held < size:
        print(f"[{size:,}] seeding cases {held:,} … {size - 1:,}", flush=True)
        print(f"[{size:,}] seeded in {seed(size, pg_url, jobs):.0f} s", flush=True)
    else:
        subprocess.run([FLASK, "--app", "wsgi", "setup"], cwd=ROOT, env=env, capture_output=True, check=True)
    name = search_name(env)
    server = Server(env)
    results = {}
    try:
        for page, account, kind in PAGES:
            if pages and page not in pages:
                continue
            loaded = locust(server.port, account, page, name, users, seconds, "0.1,0.4")
            alone = locust(server.port, account, page, name, 1, max(5, seconds // 2), "0,0")
            results[page] = {**loaded, "alone_ms": alone["median_ms"], "kind": kind}
            print(f"[{size:,}] {page}: {results[page]}", flush=True)
    finally:
        server.stop()
    return results


def report(all_results: dict, users: int) -> None:
    print(f"\n| cases | page | median ms ({users} users) | p95 ms | req/s | median ms, 1 user | requests | failures |")
    print("|---|---|---|---|---|---|---|---|")
    for size, pages in all_results.items():
        for page, r in pages.items():
            print(
                f"| {size:,} | {page} | {r['median_ms']:.0f} | {r['p95_ms']:.0f} | {r['rps']:.1f} | "
                f"{r['alone_ms']:.0f} | {r['requests']} | {r['failures']} |"
            )
    sizes = sorted(all_results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\n| page | median at {large:,} ÷ at {small:,} ({users} users) | same, 1 user | goal |")
        print("|---|---|---|---|")
        for page, r in all_results[large].items():
            if page in all_results[small]:
                s = all_results[small][page]
                goal = "≤ 1.5×" if r["kind"] == "list" else "≤ 2 s at the largest"
                print(
                    f"| {page} | {r['median_ms'] / s['median_ms']:.2f} | {r['alone_ms'] / s['alone_ms']:.2f} | {goal} |"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=2, help="seeding processes")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    args = parser.parse_args()
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        sys.exit("set BENCH_DATABASE_URL=postgresql://… (a database of your own: its schema scale is the instance)")
    pages = {p.strip() for p in args.pages.split(",") if p.strip()}
    results = {}
    for size in sorted(int(s) for s in args.sizes.split(",")):
        results[size] = measure(size, pg_url, args.users, args.seconds, pages, args.jobs)
    report(results, args.users)


if __name__ == "__main__":
    main()
