"""gunicorn settings for Tin Cậy in production: `gunicorn --config gunicorn.conf.py wsgi:app`.

Sized for the small server of a district office (2 cores, 2–4 GB): a few processes with a few threads
each. Most time in a request is spent in the database or in AES/argon2 (C code that releases the GIL),
so threads help, and a slow request never blocks the whole site. Every value can be overridden from the
environment (GUNICORN_*), e.g. on a bigger provincial server.

The access log names the method, the path WITHOUT its query string, the status, the duration and the
request id that nginx sends (X-Request-ID) or the app makes — never the query string, the referrer, the
user agent, the client address or anything from the request body: a log line must not say who looked at
which survivor, or what anyone searched for.
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() else default


# Only nginx on the same machine talks to gunicorn.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two cores: three processes of four threads = 12 requests at once; memory stays near 3 × ~120 MB.
workers = _env_int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() + 1, 4))
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 4)
# A request taking longer than this is a fault (the Excel export at 100 000 cases stays under a second).
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5  # nginx keeps upstream connections open (see deploy/nginx/tincay.conf)
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# No remote control socket: nothing to manage it through but systemd.
control_socket_disable = True

# Headers from nginx on this machine are trusted (X-Forwarded-Proto makes the app see https).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Requests larger than this never reach the app (nginx already limits the body; see client_max_body_size).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Logs go to stdout/stderr, i.e. to journald under systemd.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = 'method=%(m)s path="%(U)s" status=%(s)s ms=%(M)s bytes=%(B)s rid=%({x-request-id}i)s'
proc_name = "tincay"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Route words are short; a longer segment is a token (the one-time setup link's 43 characters): never logged.
_WORD = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
_RID = re.compile(r"[^A-Za-z0-9-]")


def path_pattern(path: str) -> str:
    """/cases/<uuid>/edit -> /cases/:id/edit; any segment that is not a plain word becomes ':?'.

    Routes are plain words and ids; a name or phone number pasted into an address bar is neither.
    """
    segments = []
    for segment in (path or "/").split("/"):
        if not segment or _WORD.match(segment) and not segment.isdigit() and not _UUID.match(segment):
            segments.append(segment)
        elif _UUID.match(segment) or segment.isdigit():
            segments.append(":id")
        else:
            segments.append(":?")
    return "/".join(segments)


class PrivacyLogger(Logger):
    """The access log atoms without anything that could name a person: see the module docstring."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = path_pattern(atoms.get("U") or "/")
        atoms["{x-request-id}i"] = _RID.sub("", atoms.get("{x-request-id}i") or "")[:64] or "-"
        # Never available to the format, even if someone edits it later.
        for name in ("q", "r", "f", "a", "h", "u", "{cookie}i", "{referer}i", "{user-agent}i",
                     "{x-forwarded-for}i", "{authorization}i", "{x-csrftoken}i"):
            atoms[name] = "-"
        return atoms


logger_class = PrivacyLogger
