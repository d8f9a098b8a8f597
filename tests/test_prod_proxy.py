"""Behind nginx (TINCAY_PROXY_HOPS=1) the app sees the client's address and scheme; without it, the socket's."""

from flask import request

from app import create_app


def _client_view(tmp_path, **overrides):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite",
            "KEY_FILE": str(tmp_path / "keys.json"),
            "SECRET_KEY": "x" * 40,
            **overrides,
        },
    )
    app.before_request_funcs[None].clear()  # no keys or database needed to echo the address
    app.add_url_rule("/_whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    return app.test_client()


HEADERS = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def test_proxy_headers_are_trusted_only_when_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("TINCAY_PROXY_HOPS", raising=False)
    plain = _client_view(tmp_path).get("/_whoami", headers=HEADERS).get_data(as_text=True)
    assert plain == "127.0.0.1 http"  # forged headers change nothing
    monkeypatch.setenv("TINCAY_PROXY_HOPS", "1")
    behind = _client_view(tmp_path).get("/_whoami", headers=HEADERS).get_data(as_text=True)
    assert behind == "203.0.113.9 https"
