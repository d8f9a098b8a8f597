"""A browser stand-in for the production-serving tests: speaks plain HTTP to gunicorn as nginx would, sending
`X-Forwarded-Proto: https`, and keeps its own cookie jar (production cookies are Secure and `__Host-` prefixed:
a real browser would not send them back over plain http)."""

import http.client
import re
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlencode


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.text = status, headers, body

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Client:
    """A browser stand-in over plain HTTP, as nginx would speak to gunicorn: keeps its own cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"X-Forwarded-Proto": "https", "X-Request-ID": secrets.token_hex(8), "Host": "tincay.example.vn"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        raw = conn.getresponse()
        for header in raw.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        response = Response(raw.status, dict(raw.getheaders()), raw.read().decode("utf-8", "replace"))
        conn.close()
        return response

    def csrf(self, path: str) -> tuple[str, str]:
        page = self.request("GET", path)
        assert page.status == 200, (path, page.status)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path}"
        return token.group(1), page.text
