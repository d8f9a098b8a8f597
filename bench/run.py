"""Benchmarks: the main pages at 1 000 and 100 000 cases, on SQLite and PostgreSQL, under gunicorn.

    .venv/bin/python bench/run.py                       # 1 000 and 100 000 cases, SQLite and PostgreSQL
    .venv/bin/python bench/run.py --sizes 1000 --dbs sqlite --requests 200
    .venv/bin/python bench/run.py --keep --seed-only        # seed once into bench/.cache ...
    .venv/bin/python bench/run.py --keep --pages "case page" # ... then measure again without re-seeding

For each database and size: a fresh instance is set up, seeded with `seed-demo --cases N`, served by gunicorn
(the repository's gunicorn.conf.py, development config so that no TOTP is needed), and each page is requested
by 20 concurrent clients, then by one client alone. The table gives median and p95 latency, throughput, and
each page's ratio to /healthz measured in the same run (with 20 clients and with one); then each page's cost
at the largest size relative to the smallest, and the memory of each gunicorn worker. Figures are
machine-dependent: quote the ratios.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import closing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, ".venv", "bin", "python")
FLASK = os.path.join(ROOT, ".venv", "bin", "flask")
GUNICORN = os.path.join(ROOT, ".venv", "bin", "gunicorn")
PASSWORD = "bench-mat-khau-dai-qua"
CLIENTS = 20


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    """A fresh instance directory and database, set up and seeded."""

    def __init__(self, db: str, cases: int, pg_url: str | None, keep: bool = False):
        # --keep puts the seeded instance in bench/.cache and reuses it next time: seeding 100 000 cases
        # takes minutes, and profiling the same data again should not pay for it twice.
        self.keep = keep
        if keep:
            self.dir = os.path.join(ROOT, "bench", ".cache", f"{db}-{cases}")
            os.makedirs(self.dir, exist_ok=True)
        else:
            self.dir = tempfile.mkdtemp(prefix=f"tincay-bench-{db}-{cases}-")
        self.marker = os.path.join(self.dir, "seeded")
        self.env = dict(
            os.environ,
            PYTHONPATH=ROOT,
            APP_CONFIG="development",
            TINCAY_KEY_FILE=f"{self.dir}/keys.json",
            SECRET_KEY="bench-secret-key-bench-secret-key-0123456789",
            # Every client signs in from 127.0.0.1: the per-address sign-in limit is not under test.
            LOGIN_ATTEMPTS_PER_IP="10000 per minute",
        )
        if db == "sqlite":
            if not self.seeded:  # a seed that was interrupted leaves a partial database: start afresh
                for name in ("bench.sqlite", "bench.sqlite-wal", "bench.sqlite-shm"):
                    if os.path.exists(os.path.join(self.dir, name)):
                        os.remove(os.path.join(self.dir, name))
            self.env["DATABASE_URL"] = f"sqlite:///{self.dir}/bench.sqlite"
        else:
            schema = f"bench_{cases}"
            if not self.seeded:
                self._reset_schema(pg_url, schema)
            sep = "&" if "?" in pg_url else "?"
            self.env["DATABASE_URL"] = (
                pg_url.replace("postgresql://", "postgresql+psycopg://", 1) + f"{sep}options=-csearch_path%3D{schema}"
            )
        self.env.pop("TEST_DATABASE_URL", None)

    @property
    def seeded(self) -> bool:
        return os.path.exists(self.marker)

    @staticmethod
    def _reset_schema(pg_url: str, schema: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()

    def flask(self, *args, stdin: str | None = None) -> str:
        result = subprocess.run(
            [FLASK, "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare(self, cases: int) -> float:
        """Set up and seed; a kept instance seeded before is only brought to head. Returns the seed seconds."""
        if self.seeded:
            self.flask("setup")
            with open(self.marker) as fh:
                return float(fh.read())
        self.flask("setup")
        started = time.perf_counter()
        self.flask("seed-demo", "--cases", str(cases))
        seeded = time.perf_counter() - started
        for username, role, unit in BENCH_USERS:
            self.flask(
                "users", "create", username, "--role", role, "--unit", unit, "--password-stdin", stdin=PASSWORD + "\n"
            )
        with open(self.marker, "w") as fh:
            fh.write(f"{seeded:.1f}")
        return seeded

    def cleanup(self) -> None:
        if self.keep:
            return
        shutil.rmtree(self.dir, ignore_errors=True)


# Bench users: the units in force of the demo cast (tuvan.quaito, tinh.hoi...), so they see the seeded records as
# today's users do: TA-02 and the district 099 ended on 30/06/2025; the counsellor at 2025-TA-02 reaches TA-02's
# cases through the lineage, and the province reviewer the livelihood queue of every commune, old and new.
BENCH_USERS = (
    ("bench.counsellor", "counsellor", "2025-TA-02"),
    ("bench.reviewer", "district_reviewer", "11"),
    ("bench.agency", "agency_officer", "AG-SYT-11"),
    ("bench.monitor", "monitor", "11"),
)


class Server:
    def __init__(self, instance: Instance):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [GUNICORN, "-c", os.path.join(ROOT, "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=instance.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if Client(self.port).get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in children:
            try:
                with open(f"/proc/{pid}/status") as fh:
                    match = re.search(r"VmRSS:\s+(\d+) kB", fh.read())
                    sizes.append(int(match.group(1)) / 1024)
            except OSError:
                pass
        return sizes

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


class Client:
    """One keep-alive HTTP connection with its own cookie jar and CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, payload, response.headers

    def get(self, path: str):
        return self.request("GET", path)

    def login(self, username: str) -> None:
        status, page, _ = self.get("/auth/login")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        status, _, headers = self.request(
            "POST", "/auth/login", {"username": username, "password": PASSWORD, "csrf_token": self.csrf}
        )
        if status != 302:
            raise RuntimeError(f"login failed for {username}: {status}")
        status, page, _ = self.get("/auth/account")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


_SESSIONS: dict = {}


def clients_for(port: int, user: str | None) -> list[Client]:
    """CLIENTS signed-in connections per user, made once and reused for every page."""
    key = (port, user)
    if key not in _SESSIONS:
        clients = [Client(port) for _ in range(CLIENTS)]
        if user:
            for client in clients:
                client.login(user)
        _SESSIONS[key] = clients
    return _SESSIONS[key]


def measure(
    port: int, user: str | None, method: str, path: str, body: dict | None, total: int, clients: int = CLIENTS
) -> dict:
    """`total` requests spread over `clients` threads; latency per request and throughput over the whole."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    per_client = max(1, total // clients)

    def work(client):
        for _ in range(per_client):
            started = time.perf_counter()
            status, _, _ = client.request(method, path, body)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status >= 400:
                    errors.append(status)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients_for(port, user)[:clients]]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / wall,
        "errors": len(errors),
    }


def targets(instance: Instance) -> list[tuple]:
    """(name, user, method, path, body) for each page measured; ids looked up in the seeded database."""
    out = subprocess.run(
        [PY, os.path.join(ROOT, "bench", "ids.py"), "bench.counsellor"],
        cwd=ROOT,
        env=instance.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"bench/ids.py failed:\n{out.stderr[-3000:]}")
    out = out.stdout
    ids = json.loads(out.strip().splitlines()[-1])
    return [
        ("healthz", None, "GET", "/healthz", None),
        ("case list", "bench.counsellor", "GET", "/cases/", None),
        ("name search", "bench.counsellor", "POST", ids["search_path"], {"q": ids["search_name"]}),
        ("case page", "bench.counsellor", "GET", f"/cases/{ids['case_id']}", None),
        ("referral inbox", "bench.agency", "GET", "/referrals/", None),
        ("livelihood queue", "bench.reviewer", "GET", "/livelihood/", None),
        ("indicator dashboard", "bench.monitor", "GET", "/indicators/", None),
        ("excel export", "bench.monitor", "GET", "/indicators/export.xlsx", None),
    ]


def run(db: str, size: int, pg_url: str | None, total: int, keep: bool = False, pages: set | None = None) -> dict:
    instance = Instance(db, size, pg_url, keep)
    try:
        seeded = instance.prepare(size)
        print(f"[{db} {size}] seeded in {seeded:.0f} s", flush=True)
        server = Server(instance)
        try:
            results = {}
            for name, user, method, path, body in targets(instance):
                if pages and name != "healthz" and name not in pages:
                    continue
                n = total if name not in ("excel export", "indicator dashboard") else max(CLIENTS, total // 5)
                measure(server.port, user, method, path, body, CLIENTS)  # warm-up
                results[name] = measure(server.port, user, method, path, body, n)
                # The same page for one client alone: its own cost, without 19 others queued before it.
                results[name]["alone_ms"] = measure(server.port, user, method, path, body, 15, clients=1)["median_ms"]
                print(f"[{db} {size}] {name}: {results[name]}", flush=True)
            return {"seed_s": seeded, "pages": results, "rss_mb": server.worker_rss_mb()}
        finally:
            server.stop()
    finally:
        instance.cleanup()


def report(all_results: dict) -> None:
    print(
        "\n| database | cases | page | median ms | p95 ms | req/s (20 clients) | × healthz (median) "
        "| median ms, 1 client | × healthz, 1 client | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (db, size), res in all_results.items():
        base = res["pages"]["healthz"]["median_ms"]
        alone = res["pages"]["healthz"]["alone_ms"]
        for name, r in res["pages"].items():
            print(
                f"| {db} | {size:,} | {name} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['rps']:.0f} | "
                f"{r['median_ms'] / base:.1f} | {r['alone_ms']:.1f} | {r['alone_ms'] / alone:.1f} | {r['errors']} |"
            )
    sizes = sorted({s for _, s in all_results})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\n| database | page | median at {large:,} ÷ median at {small:,} |")
        print("|---|---|---|")
        for db in sorted({d for d, _ in all_results}):
            if (db, small) in all_results and (db, large) in all_results:
                for name, r in all_results[(db, large)]["pages"].items():
                    ratio = r["median_ms"] / all_results[(db, small)]["pages"][name]["median_ms"]
                    print(f"| {db} | {name} | {ratio:.2f} |")
    print("\n| database | cases | seed time s | worker RSS MB |")
    print("|---|---|---|---|")
    for (db, size), res in all_results.items():
        rss = ", ".join(f"{m:.0f}" for m in res["rss_mb"])
        print(f"| {db} | {size:,} | {res['seed_s']:.0f} | {rss} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=400, help="requests per page per run")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each seeded instance in bench/.cache (and its PostgreSQL schema) and reuse it",
    )
    parser.add_argument("--pages", default="", help="comma-separated page names to measure (healthz always)")
    parser.add_argument("--seed-only", action="store_true", help="set up and seed (with --keep), measure nothing")
    args = parser.parse_args()
    pg_url = (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or "postgresql://postgres@127.0.0.1:5432/test"
    )
    results = {}
    for db in args.dbs.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            url = pg_url if db == "postgres" else None
            if args.seed_only:
                seconds = Instance(db, size, url, keep=True).prepare(size)
                print(f"[{db} {size}] seeded in {seconds:.0f} s", flush=True)
                continue
            results[(db, size)] = run(
                db, size, url, args.requests, args.keep, {p.strip() for p in args.pages.split(",") if p.strip()}
            )
    if results:
        report(results)


if __name__ == "__main__":
    sys.exit(main())
