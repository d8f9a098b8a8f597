"""A private redis-server with a password (requirepass, as deploy/redis/tincay.conf sets), for the tests of
production serving: production refuses a Redis without one (app/config.py)."""

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_locked_redis(folder: Path) -> Iterator[tuple[int, str]]:
    """A private redis-server on a free port with requirepass; stopped (by its own pid) afterwards."""
    port, password = _free_port(), secrets.token_urlsafe(24)
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--requirepass",
            password,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
                time.sleep(0.05)
        yield port, password
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def locked_redis(tmp_path):
    """A private redis-server on a free port with requirepass, for one test."""
    with running_locked_redis(tmp_path) as locked:
        yield locked


def redis_url(locked: tuple[int, str]) -> str:
    """The URL the app reads a password-protected Redis from."""
    port, password = locked
    return f"redis://:{password}@127.0.0.1:{port}/0"
