"""A province at scale: the main pages at 100 000 and 1 000 000 cases over 45 communes, on PostgreSQL, under
gunicorn, with the load from locust in its own process.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mine .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --sizes 100000,1000000 --users 2 --seconds 90
    .venv/bin/python bench/scale.py --sizes 100000 --pages "case list,referral inbox"

The sizes are measured in increasing order on ONE instance that bench/seed_scale.py grows (bench/.cache/scale and
the schema "scale"; `seed_scale.py --fresh` starts again): 100 000 cases are seeded and measured, then the same
instance is grown to 1 000 000 and measured. A size the instance already holds is measured as it is. For each:
gunicorn (the repository's gunicorn.conf.py, development config so that no TOTP is needed) serves the instance
and ONE headless locust run of --seconds drives it: --users counsellors of one commune walk the case list, a name
search, a case page and their work queue; the health department's officer walks the referral inbox; a provincial
monitor walks the dashboards and exports; each user pauses 0.1–0.4 s between pages. The table gives locust's
median and 95th percentile per page (sign-in has its own rows, left out); then each page's median at the largest
size divided by its median at the smallest (the goal: list, search, case page and inbox within 1.5×), and the
dashboards' and exports' medians at the largest size (the goal: within 2 s), under that mixed load. Figures depend
on the machine: quote the ratios.
"""

import argparse
import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run import GUNICORN, PY, ROOT, Client, free_port  # noqa: E402
from seed_scale import FLASK, PASSWORD, instance_env, seed, seeded  # noqa: E402

# The cluster is started with the production tests' own pieces (tests/test_prod_cluster.py): the example nginx
# site rendered for this machine, and a private Redis with a password.
sys.path.insert(0, os.path.join(ROOT, "tests"))

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


@contextlib.contextmanager
def serving(env: dict, cluster: bool):
    """The instance served: one gunicorn (yields its URL and no Host header), or with `cluster` TWO gunicorn
    instances behind the example nginx site (deploy/nginx/tincay.conf, both in its upstream, HTTPS with a
    self-signed certificate) sharing the one PostgreSQL schema, the case-key store and a private Redis with a
    password for the sign-in limits, as tests/test_prod_cluster.py runs them."""
    if not cluster:
        server = Server(env)
        try:
            yield f"http://127.0.0.1:{server.port}", ""
        finally:
            server.stop()
        return
    from nginx_support import HOST, start_site, stop
    from redis_support import redis_url, running_locked_redis

    with tempfile.TemporaryDirectory(prefix="tincay-scale-cluster-") as name:
        folder = Path(name)
        with running_locked_redis(folder) as locked:
            shared = dict(env, RATELIMIT_STORAGE_URI=redis_url(locked), TINCAY_PROXY_HOPS="1")
            servers: list[Server] = []
            site = None
            try:
                servers = [Server(shared), Server(shared)]
                site = start_site(folder, [server.port for server in servers])
                yield f"https://127.0.0.1:{site['https']}", HOST
            finally:
                if site:
                    stop(site)
                for server in servers:
                    server.stop()


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


def locust(host: str, hostname: str, accounts: list[dict], seconds: int) -> dict:
    """One headless locust run, one user per account; locust's figures for each page (sign-in excluded: its
    requests have names of their own)."""
    with tempfile.TemporaryDirectory(prefix="tincay-scale-") as folder:
        path = os.path.join(folder, "accounts.json")
        with open(path, "w") as fh:
            json.dump(accounts, fh)
        env = dict(
            os.environ, TINCAY_LOCUST_ACCOUNTS=path, TINCAY_LOCUST_WAIT="0.1,0.4", TINCAY_LOCUST_HOSTNAME=hostname
        )
        prefix = os.path.join(folder, "stats")
        subprocess.run(
            [
                LOCUST,
                "-f",
                os.path.join(ROOT, "bench", "locustfile.py"),
                "--headless",
                "--users",
                str(len(accounts)),
                "--spawn-rate",
                str(len(accounts)),
                "--run-time",
                f"{seconds}s",
                "--host",
                host,
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
    return {
        name: {
            "median_ms": float(row["Median Response Time"]),
            "p95_ms": float(row["95%"]),
            "rps": float(row["Requests/s"]),
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
        }
        for name, row in rows.items()
        if name != "Aggregated"
    }


def measure(size: int, pg_url: str, users: int, seconds: int, pages: set, jobs: int, cluster: bool = False) -> dict:
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
    wanted = [(page, account, kind) for page, account, kind in PAGES if not pages or page in pages]
    accounts = []
    for account in dict.fromkeys(a for _, a, _ in wanted):
        walk = [page for page, a, _ in wanted if a == account]
        # The counsellor's pages are the most asked: `users` counsellors, one user for each other account.
        copies = users if account == "scale.counsellor" else 1
        accounts += [{"username": account, "password": PASSWORD, "totp": None, "pages": walk, "search": name}] * copies
    with serving(env, cluster) as (host, hostname):
        figures = locust(host, hostname, accounts, seconds)
    results = {}
    for page, _, kind in wanted:
        results[page] = {
            **figures.get(
                page, {"median_ms": float("nan"), "p95_ms": float("nan"), "rps": 0.0, "requests": 0, "failures": -1}
            ),
            "kind": kind,
        }
        print(f"[{size:,}] {page}: {results[page]}", flush=True)
    return results


def report(all_results: dict, users: int) -> None:
    print(f"\n{users} counsellors, 1 agency officer, 1 monitor:")
    print("| cases | page | median ms | p95 ms | req/s | requests | failures |")
    print("|---|---|---|---|---|---|---|")
    for size, pages in all_results.items():
        for page, r in pages.items():
            print(
                f"| {size:,} | {page} | {r['median_ms']:.0f} | {r['p95_ms']:.0f} | {r['rps']:.1f} | "
                f"{r['requests']} | {r['failures']} |"
            )
    sizes = sorted(all_results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\n| page | median at {large:,} ÷ median at {small:,} | p95 ratio | goal |")
        print("|---|---|---|---|")
        for page, r in all_results[large].items():
            if page in all_results[small]:
                s = all_results[small][page]
                goal = "≤ 1.5×" if r["kind"] == "list" else "≤ 2 s at the largest"
                print(f"| {page} | {r['median_ms'] / s['median_ms']:.2f} | {r['p95_ms'] / s['p95_ms']:.2f} | {goal} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--users", type=int, default=2, help="counsellors walking their pages at once")
    parser.add_argument("--seconds", type=int, default=90, help="length of the locust run at each size")
    parser.add_argument("--jobs", type=int, default=2, help="seeding processes")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="serve with two gunicorn instances behind the example nginx site, one Redis (as in production)",
    )
    parser.add_argument(
        "--results",
        default="",
        help="a JSON file the figures are added to (sizes measured in an earlier run are kept): the report then "
        "covers every size in it, so 100 000 and 1 000 000 can be measured in separate runs",
    )
    args = parser.parse_args()
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        sys.exit("set BENCH_DATABASE_URL=postgresql://… (a database of your own: its schema scale is the instance)")
    pages = {p.strip() for p in args.pages.split(",") if p.strip()}
    results: dict = {}
    if args.results and os.path.exists(args.results):
        with open(args.results) as fh:
            results = {int(size): pages for size, pages in json.load(fh).items()}
    for size in sorted(int(s) for s in args.sizes.split(",")):
        results[size] = measure(size, pg_url, args.users, args.seconds, pages, args.jobs, args.cluster)
        if args.results:
            with open(args.results, "w") as fh:
                json.dump(results, fh, indent=1)
    report(results, args.users)


if __name__ == "__main__":
    main()
