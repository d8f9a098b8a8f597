"""Signed-in users walking the main pages, for locust (headless): the load of tests/test_prod_cluster.py and
bench/scale.py, run in its own process against nginx or gunicorn, never inside the server.

    TINCAY_LOCUST_ACCOUNTS=accounts.json TINCAY_LOCUST_LOG=requests.jsonl \\
        .venv/bin/locust -f bench/locustfile.py --headless -u 6 -r 6 -t 20s --host https://127.0.0.1:8443

accounts.json is a list of {"username", "password", "totp" (a TOTP secret or null), "pages", "search" (an exact
name to search for, or null)}; one locust user per account (-u = the number of accounts), each signs in once and
then walks its pages in turn. `pages` names any of: "case list", "name search", "case page", and the names
in PATHS below. TINCAY_LOCUST_LOG, when set, gets one
JSON line per request (start time, duration, name, method, status, error): the test reads which requests failed
and when. TINCAY_LOCUST_HOSTNAME sets the Host header (the nginx site's server_name); TINCAY_LOCUST_WAIT "low,high" the
seconds a user waits between pages (0.1,0.4 by default).
"""

import itertools
import json
import os
import pathlib
import re
import threading
import time

import pyotp
import urllib3
from locust import HttpUser, between, events, task

urllib3.disable_warnings()  # the test's nginx has a self-signed certificate
ACCOUNTS = json.loads(pathlib.Path(os.environ["TINCAY_LOCUST_ACCOUNTS"]).read_text(encoding="utf-8"))
_NEXT = itertools.count()
_LOG_LOCK = threading.Lock()
# One log file for the whole locust process, kept open until it ends.
_LOG_PATH = os.environ.get("TINCAY_LOCUST_LOG")
_LOG = open(_LOG_PATH, "a", encoding="utf-8") if _LOG_PATH else None  # noqa: SIM115
HOSTNAME = os.environ.get("TINCAY_LOCUST_HOSTNAME", "")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})"')
# The pages walked by name (the case list, its search and a case page are handled in `walk`).
PATHS = {
    "work queue": "/work/",
    "referral inbox": "/referrals/",
    "livelihood queue": "/livelihood/",
    "indicator dashboard": "/indicators/",
    "excel export": "/indicators/export.xlsx",
    "monthly statistics": "/statistics/monthly",
    "monthly export": "/statistics/monthly.xlsx",
    "protection statistics": "/protection/statistics",
}
WAIT = tuple(float(s) for s in os.environ.get("TINCAY_LOCUST_WAIT", "0.1,0.4").split(","))


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    if _LOG is None:
        return
    status = getattr(response, "status_code", None)
    line = {
        "start": kwargs.get("start_time") or (time.time() - response_time / 1000),
        "ms": response_time,
        "name": name,
        "method": request_type,
        "status": status,
        "error": str(exception)[:200] if exception else None,
    }
    with _LOG_LOCK:
        _LOG.write(json.dumps(line) + "\n")
        _LOG.flush()


class Staff(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.client.verify = False  # the test's nginx has a self-signed certificate
        if HOSTNAME:
            self.client.headers["Host"] = HOSTNAME
        self.account = ACCOUNTS[next(_NEXT) % len(ACCOUNTS)]
        self.csrf = ""
        self.case_path = ""
        self.pages = itertools.cycle(self.account["pages"])
        self.signed_in = False
        self.sign_in()

    def _token(self, html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else self.csrf

    def sign_in(self):
        page = self.client.get("/auth/login", name="sign in: form")
        data = {"csrf_token": self._token(page.text), "username": self.account["username"]}
        data["password"] = self.account["password"]
        with self.client.post("/auth/login", data=data, name="sign in: password", catch_response=True) as answer:
            if self.account.get("totp"):
                if not answer.url.endswith("/auth/totp"):
                    answer.failure(f"no second-factor page after the password ({answer.url})")
                    return
            elif "/auth/login" in answer.url:
                answer.failure("the password was refused")
                return
        if self.account.get("totp"):
            code = pyotp.TOTP(self.account["totp"]).now()
            data = {"csrf_token": self._token(answer.text), "code": code}
            with self.client.post("/auth/totp", data=data, name="sign in: code", catch_response=True) as done:
                if "/auth/" in done.url:
                    done.failure(f"the code was refused ({done.url})")
                    return
        account = self.client.get("/auth/account", name="account")
        self.csrf = self._token(account.text)
        self.signed_in = True

    def _page(self, method: str, path: str, name: str, expect: str = "", **kwargs):
        headers = {"X-CSRFToken": self.csrf} if method == "POST" else {}
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif expect and expect not in response.text:
                response.failure(f"{expect!r} is not on the page")
            return response

    @task
    def walk(self):
        if not self.signed_in:
            self.sign_in()
            return
        page = next(self.pages)
        if page == "case list" or (page == "case page" and not self.case_path):
            listing = self._page("GET", "/cases/", "case list", expect="/cases/")
            found = CASE_LINK.search(listing.text or "")
            if found:
                self.case_path = f"/cases/{found.group(1)}"
        elif page == "case page":
            self._page("GET", self.case_path, "case page")
        elif page == "name search":
            self._page("POST", "/cases/", "name search", data={"q": self.account.get("search") or ""})
        elif page in PATHS:
            self._page("GET", PATHS[page], page)
