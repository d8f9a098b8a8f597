"""Redis with a password: the throttling store is a redis-server that demands one (requirepass, as in
deploy/redis/tincay.conf), and the app reads it from RATELIMIT_STORAGE_URI (redis://:PASSWORD@host:port/db).
A client without the password is refused. Skipped where redis-server is not installed."""

import helpers
import pytest
import redis
from redis_support import REDIS_SERVER

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


def test_the_app_uses_a_password_protected_redis_from_its_url(locked_redis, tmp_path_factory):
    port, password = locked_redis
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis.from_url(f"redis://127.0.0.1:{port}/0").keys("*")  # no password, no service

    from app.extensions import limiter

    # The limiter is one object for every app of this process: building an app on this Redis points it here, and
    # this Redis stops after the test. Give the other tests of this worker their own storage back.
    saved = (limiter._storage, limiter._limiter)
    try:
        app = helpers.build_app(helpers.app_config(tmp_path_factory, RATELIMIT_STORAGE_URI=url))
        client = app.test_client()
        response = client.post("/auth/login", data={"username": "khong-co-ai", "password": "sai-mat-khau-roi"})
        assert response.status_code == 200
        keys = redis.Redis.from_url(url).keys("*")
        assert keys, "the sign-in throttle did not count in the password-protected Redis"
    finally:
        limiter._storage, limiter._limiter = saved
