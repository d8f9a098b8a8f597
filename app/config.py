"""Configuration: defaults here, secrets from instance/config.py and the environment.

The development config is the default so that `make run` and `flask --app wsgi ...` work on a
fresh checkout. Production is chosen explicitly with APP_CONFIG=production (environment or
instance/config.py) and refuses to start without its secrets.
"""

import logging
import os
import stat
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


class BaseConfig:
    APP_CONFIG = "development"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # filled from DATABASE_URL or instance/tincay.sqlite
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    KEY_FILE = None  # default instance/keys.json; production: TINCAY_KEY_FILE
    # Erased record ids (default: erased.json beside the key file); production: TINCAY_ERASURE_LEDGER in a
    # directory the service may write (the key file itself may be a read-only systemd credential).
    ERASURE_LEDGER = None
    # Audit anchoring (app/audit/anchor.py): the Ed25519 signing key is its own file, never the key file
    # (default: audit-signing.key beside the key file; TINCAY_AUDIT_SIGNING_KEY), its public key for verify
    # (default: the same path + ".pub"; TINCAY_AUDIT_PUBLIC_KEY), and the append-only checkpoint file (default:
    # audit-checkpoints.jsonl beside the erasure ledger, which must be writable; TINCAY_AUDIT_CHECKPOINTS).
    AUDIT_SIGNING_KEY = None
    AUDIT_PUBLIC_KEY = None
    AUDIT_CHECKPOINT_FILE = None
    # The head sink (app/audit/sink.py): each committed chain head appended as one line to a file outside the
    # database (default: audit-heads.log beside the checkpoint file; TINCAY_AUDIT_HEAD_SINK) and, when
    # AUDIT_HEAD_SYSLOG is on (TINCAY_AUDIT_HEAD_SYSLOG=1), to syslog. Production wants it on another disk or
    # host, or shipped off (rsyslog): it must be named explicitly there, or syslog turned on.
    AUDIT_HEAD_SINK = None
    AUDIT_HEAD_SYSLOG = False
    AUDIT_CHECKPOINT_EVERY = 100  # entries
    AUDIT_CHECKPOINT_INTERVAL = timedelta(hours=1)
    # The case-key store (app/crypto/casekeys.py): default "case-keys/" beside the erasure ledger; production:
    # TINCAY_CASE_KEY_STORE, a directory the service may write, outside the backup path, escrowed with the keys.
    CASE_KEY_STORE = None
    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB: no form needs more; larger bodies get 413
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server-side session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    # Pages send no Referer (Referrer-Policy: no-referrer) and some phone browsers and data-saving proxies strip it,
    # so Flask-WTF's HTTPS Referer check would refuse every form in production; the per-session token and the
    # SameSite, __Host- session cookie are the CSRF defence.
    WTF_CSRF_SSL_STRICT = False
    SESSION_COOKIE_NAME = "tincay"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE = timedelta(minutes=20)
    SESSION_ABSOLUTE = timedelta(hours=10)
    TOTP_REQUIRED = False  # production: required for every role that sees person-level data
    TOTP_ISSUER = "Tin Cậy"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # Login throttling: failed attempts allowed per window, per account and per address.
    LOGIN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_FAILURES_PER_IP = "30 per 15 minutes"
    LOGIN_ATTEMPTS_PER_IP = "60 per minute"
    # A browser that completed a full sign-in holds a device cookie (app/auth/devices.py): its failures count under
    # their own budget per account and device, not the account's shared one. Secure like the session cookie.
    LOGIN_FAILURES_PER_DEVICE = "10 per 15 minutes"
    DEVICE_COOKIE_NAME = "tincay_dev"
    DEVICE_COOKIE_SECURE = False
    DEVICE_LIFETIME = timedelta(days=90)
    DEVICE_TOKENS_PER_BROWSER = 5  # a shared commune computer: the accounts signed in on it, newest first
    # Notifications (app/notify): sent by `flask --app wsgi notify run`, never inside a web request. They carry
    # only "Bạn có N việc cần làm trong Tin Cậy" and a link to PUBLIC_URL + /work/.
    PUBLIC_URL = "http://127.0.0.1:5000"
    MAIL_SERVER = None  # no server: e-mail is not offered
    MAIL_PORT = 25
    MAIL_USE_STARTTLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_FROM = "tincay@localhost"
    SMS_GATEWAY_URL = None  # optional: an HTTP endpoint taking {"to", "text"} as JSON
    SMS_GATEWAY_TOKEN = None
    NOTIFY_MAX_ATTEMPTS = 8  # then the message is given up (status "failed"), after ~4 hours of backoff
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    PREFERRED_URL_SCHEME = "http"
    DEMO_SEEDING_ALLOWED = True
    # Small-cell suppression threshold for aggregate figures.
    SMALL_CELL_THRESHOLD = 5
    # Yearly ceiling (đồng) for livelihood support per district until budget lines say otherwise.
    LIVELIHOOD_YEARLY_CEILING = 500_000_000
    REFERRAL_ACK_WORKING_DAYS = 2
    # Quick exit lands on an ordinary page of another site (a weather search), so that neither the address bar
    # nor the history shows this service; the operator may choose another. Empty: the app's own /n page.
    QUICK_EXIT_URL = "https://www.google.com/search?q=th%E1%BB%9Di+ti%E1%BA%BFt"


class DevelopmentConfig(BaseConfig):
    APP_CONFIG = "development"


class TestingConfig(BaseConfig):
    APP_CONFIG = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True
    QUICK_EXIT_URL = ""  # tests run offline: the neutral page of the app itself


class ProductionConfig(BaseConfig):
    APP_CONFIG = "production"
    SESSION_COOKIE_NAME = "__Host-tincay"  # __Host-: Secure, path=/, no Domain
    SESSION_COOKIE_SECURE = True
    DEVICE_COOKIE_NAME = "__Secure-tincay_dev"  # not __Host-: its Path is /auth/
    DEVICE_COOKIE_SECURE = True
    TOTP_REQUIRED = True
    DEMO_SEEDING_ALLOWED = False
    PREFERRED_URL_SCHEME = "https"
    RATELIMIT_STORAGE_URI: str | None = None  # type: ignore[assignment]  # must come from RATELIMIT_STORAGE_URI (Redis)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def read_instance_config(instance_path: str) -> dict:
    """Read instance/config.py (if present) as a dict of UPPERCASE names."""
    path = Path(instance_path) / "config.py"
    if not path.exists():
        return {}
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 - operator-owned file
    return {k: v for k, v in namespace.items() if k.isupper()}


ENV_NAMES = (
    "SECRET_KEY",
    "RATELIMIT_STORAGE_URI",
    "SMALL_CELL_THRESHOLD",
    "LOGIN_ATTEMPTS_PER_IP",
    "PUBLIC_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_FROM",
    "SMS_GATEWAY_URL",
    "SMS_GATEWAY_TOKEN",
)


def load_config(app, name: str | None = None, overrides: dict | None = None) -> None:
    """Fill app.config: class defaults < instance/config.py < environment < overrides."""
    instance = read_instance_config(app.instance_path)
    overrides = overrides or {}
    name = (
        name
        or overrides.get("APP_CONFIG")
        or os.environ.get("APP_CONFIG")
        or instance.get("APP_CONFIG")
        or "development"
    )
    if name not in CONFIGS:
        raise ConfigError(f"APP_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}")
    app.config.from_object(CONFIGS[name])
    app.config.update(instance)
    app.config["APP_CONFIG"] = name
    for key in ENV_NAMES:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("TINCAY_KEY_FILE"):
        app.config["KEY_FILE"] = os.environ["TINCAY_KEY_FILE"]
    if os.environ.get("TINCAY_ERASURE_LEDGER"):
        app.config["ERASURE_LEDGER"] = os.environ["TINCAY_ERASURE_LEDGER"]
    for key, env in (
        ("AUDIT_SIGNING_KEY", "TINCAY_AUDIT_SIGNING_KEY"),
        ("AUDIT_PUBLIC_KEY", "TINCAY_AUDIT_PUBLIC_KEY"),
        ("AUDIT_CHECKPOINT_FILE", "TINCAY_AUDIT_CHECKPOINTS"),
        ("AUDIT_HEAD_SINK", "TINCAY_AUDIT_HEAD_SINK"),
    ):
        if os.environ.get(env):
            app.config[key] = os.environ[env]
    if os.environ.get("TINCAY_AUDIT_HEAD_SYSLOG"):
        app.config["AUDIT_HEAD_SYSLOG"] = os.environ["TINCAY_AUDIT_HEAD_SYSLOG"].lower() in ("1", "true", "yes", "on")
    if os.environ.get("TINCAY_CASE_KEY_STORE"):
        app.config["CASE_KEY_STORE"] = os.environ["TINCAY_CASE_KEY_STORE"]
    app.config.update(overrides)
    _fill_defaults(app)
    create_sqlite_privately(app.config)
    if name == "production":
        check_production(app.config)
    else:
        for problem in exposed_files(app.config):
            logging.getLogger("tincay").warning("%s (production refuses to start like this)", problem)


def _fill_defaults(app) -> None:
    cfg = app.config
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "tincay.sqlite")
    uri = cfg["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith(("postgresql://", "postgres://")):
        # psycopg 3 is the driver we ship; accept the plain scheme operators usually write.
        cfg["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if not cfg.get("KEY_FILE"):
        cfg["KEY_FILE"] = os.path.join(app.instance_path, "keys.json")
    key_dir = os.path.dirname(os.path.abspath(cfg["KEY_FILE"]))
    if not cfg.get("AUDIT_SIGNING_KEY"):
        cfg["AUDIT_SIGNING_KEY"] = os.path.join(key_dir, "audit-signing.key")
    if not cfg.get("AUDIT_PUBLIC_KEY"):
        cfg["AUDIT_PUBLIC_KEY"] = cfg["AUDIT_SIGNING_KEY"] + ".pub"
    if not cfg.get("AUDIT_CHECKPOINT_FILE"):
        ledger_dir = os.path.dirname(os.path.abspath(cfg["ERASURE_LEDGER"])) if cfg.get("ERASURE_LEDGER") else key_dir
        cfg["AUDIT_CHECKPOINT_FILE"] = os.path.join(ledger_dir, "audit-checkpoints.jsonl")
    if not cfg.get("AUDIT_HEAD_SINK") and cfg["APP_CONFIG"] != "production":
        # Development and tests: beside the checkpoint file. Production names it (check_production).
        cfg["AUDIT_HEAD_SINK"] = os.path.join(
            os.path.dirname(os.path.abspath(cfg["AUDIT_CHECKPOINT_FILE"])), "audit-heads.log"
        )
    if not cfg.get("RATELIMIT_STORAGE_URI") and cfg["APP_CONFIG"] != "production":
        cfg["RATELIMIT_STORAGE_URI"] = "memory://"
    if isinstance(cfg.get("SMALL_CELL_THRESHOLD"), str):
        cfg["SMALL_CELL_THRESHOLD"] = int(cfg["SMALL_CELL_THRESHOLD"])


def _sqlite_path(cfg) -> str | None:
    uri = cfg.get("SQLALCHEMY_DATABASE_URI") or ""
    if not uri.startswith("sqlite"):
        return None
    path = make_url(uri).database
    return path if path and path != ":memory:" else None


def create_sqlite_privately(cfg) -> None:
    """Create the SQLite file 0600 before SQLite does (it would use the umask, usually 0644); its -wal and -shm
    files take the database file's mode. An empty file is an empty SQLite database."""
    path = _sqlite_path(cfg)
    if not path or os.path.exists(path) or not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def private_files(cfg) -> list[tuple[str, str]]:
    """Every file (and the case-key directory) that must be the service's alone: (what, path)."""
    key_file = cfg.get("KEY_FILE")
    ledger = cfg.get("ERASURE_LEDGER") or (key_file and os.path.join(os.path.dirname(key_file), "erased.json"))
    store = cfg.get("CASE_KEY_STORE") or (
        ledger and os.path.join(os.path.dirname(os.path.abspath(ledger)), "case-keys")
    )
    found = [("the key file", key_file), ("the erasure ledger", ledger), ("the case-key store", store)]
    database = _sqlite_path(cfg)
    if database:
        found += [("the SQLite database", database + suffix) for suffix in ("", "-wal", "-shm")]
    return [(what, path) for what, path in found if path]


def exposed_files(cfg) -> list[str]:
    """A sentence for each private file that group or others may read, write or enter."""
    problems = []
    for what, path in private_files(cfg):
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            wanted = "0700" if stat.S_ISDIR(mode) else "0600"
            problems.append(f"{what} {path} is readable by group or others (chmod {wanted})")
    return problems


def redis_without_password(url: str) -> bool:
    """A TCP Redis that anyone on the host (or network) may reach: throttle counts and sessions could be reset
    or read. A Unix socket is guarded by its file mode instead."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme in ("redis", "rediss") and not parts.password


# Network file systems on which the case-key store, the erasure ledger and the audit files may be shared by
# instances on several hosts, and the mount options that break what the app relies on there (README "Scale"):
# `nolock` / `local_lock=posix|all|flock` keep record locks on the client, so two hosts rewrite the erasure ledger
# at once and one erasure is lost; `nocto` lets an open() trust cached attributes, so a case key another host
# destroyed may still be found; `soft` lets a write or a rename fail half-way when the server is slow.
_NETWORK_FS = ("nfs", "nfs4")
_UNSAFE_MOUNT_OPTIONS = {
    "nolock": "record locks stay on this host",
    "local_lock=posix": "record locks stay on this host",
    "local_lock=all": "record locks stay on this host",
    "local_lock=flock": "flock locks stay on this host",
    "nocto": "no close-to-open consistency",
    "soft": "soft: I/O may fail when the server is slow",
}


def shared_storage_problems(cfg, mountinfo: str | None = None) -> list[str]:
    """Mount options under which the key store, the ledger or the audit files could not be shared safely."""
    if mountinfo is None:
        try:
            with open("/proc/self/mountinfo", encoding="utf-8") as fh:
                mountinfo = fh.read()
        except OSError:
            return []
    mounts = []  # (mount point, fs type, options)
    for line in mountinfo.splitlines():
        before, _sep, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) < 6 or len(tail) < 3:
            continue
        point = fields[4].replace("\\040", " ")
        mounts.append((point, tail[0], set(fields[5].split(",")) | set(tail[2].split(","))))
    key_file = cfg.get("KEY_FILE")
    ledger = cfg.get("ERASURE_LEDGER") or (key_file and os.path.join(os.path.dirname(key_file), "erased.json"))
    store = cfg.get("CASE_KEY_STORE") or (
        ledger and os.path.join(os.path.dirname(os.path.abspath(ledger)), "case-keys")
    )
    named = {
        "the erasure ledger": ledger,
        "the case-key store": store,
        "the audit checkpoint file": cfg.get("AUDIT_CHECKPOINT_FILE"),
        "the audit head sink": cfg.get("AUDIT_HEAD_SINK"),
    }
    problems = []
    for what, path in named.items():
        if not path:
            continue
        real = os.path.realpath(path)
        under = [m for m in mounts if real == m[0] or real.startswith(m[0].rstrip("/") + "/")]
        if not under:
            continue
        _point, fstype, options = max(under, key=lambda m: len(m[0]))
        if fstype not in _NETWORK_FS:
            continue
        bad = sorted(o for o in options if o in _UNSAFE_MOUNT_OPTIONS)
        if bad:
            problems.append(
                f"{what} {path} is on an {fstype} mount with {', '.join(bad)} "
                f"({'; '.join(_UNSAFE_MOUNT_OPTIONS[o] for o in bad)}): mount it hard, with locks and "
                "close-to-open consistency (README, Scale: shared storage)"
            )
    return problems


def head_sink_problems(cfg) -> list[str]:
    """The audit head sink must exist somewhere a database writer cannot rewrite: named on purpose (another disk
    or host, or shipped off by rsyslog) or syslog, and writable; never the database's own directory."""
    sink = cfg.get("AUDIT_HEAD_SINK")
    if not sink:
        if cfg.get("AUDIT_HEAD_SYSLOG"):
            return []
        return [
            (
                "the audit head sink is not set: set TINCAY_AUDIT_HEAD_SINK to an append-only file on another disk "
                "or host (e.g. /var/log/tincay/audit-heads.log shipped by rsyslog), or TINCAY_AUDIT_HEAD_SYSLOG=1"
            )
        ]
    folder = os.path.dirname(os.path.abspath(sink))
    problems = []
    if not os.access(folder or ".", os.W_OK) and not (os.path.exists(sink) and os.access(sink, os.W_OK)):
        problems.append(f"the audit head sink {sink} cannot be written by the service (set TINCAY_AUDIT_HEAD_SINK)")
    database = _sqlite_path(cfg)
    if database and os.path.dirname(os.path.abspath(database)) == folder:
        problems.append(
            f"the audit head sink {sink} is beside the database: whoever rewrites one rewrites the other "
            "(put it on another disk or host, or ship it off with rsyslog)"
        )
    return problems


def check_production(cfg) -> None:
    """Refuse to run production without secrets, with an exposed key file, or with debug on."""
    problems = []
    if not cfg.get("SECRET_KEY") or len(str(cfg["SECRET_KEY"])) < 32:
        problems.append("SECRET_KEY is missing or shorter than 32 characters")
    if cfg.get("DEBUG"):
        problems.append("DEBUG must be off")
    # The session and device cookies travel over HTTPS only and stay out of scripts' reach; an instance config
    # that turns one of these off is refused, not trusted to the browsers' prefix rules (__Host-, __Secure-).
    for flag in ("SESSION_COOKIE_SECURE", "DEVICE_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"):
        if cfg.get(flag, True) is not True:
            problems.append(f"{flag} must be True")
    if not cfg.get("RATELIMIT_STORAGE_URI") or cfg["RATELIMIT_STORAGE_URI"].startswith("memory"):
        problems.append("RATELIMIT_STORAGE_URI must name a shared store (redis://...)")
    elif redis_without_password(cfg["RATELIMIT_STORAGE_URI"]):
        problems.append(
            "RATELIMIT_STORAGE_URI names a Redis without a password: set requirepass "
            "(deploy/redis/tincay.conf) and write it in the URL, redis://:PASSWORD@host:6379/0"
        )
    key_file = cfg.get("KEY_FILE")
    if not key_file or not os.path.exists(key_file):
        problems.append("the key file (TINCAY_KEY_FILE) does not exist")
    problems += [
        p.replace("(chmod 0600)", "(chmod 0400)") if p.startswith("the key file") else p for p in exposed_files(cfg)
    ]
    ledger = cfg.get("ERASURE_LEDGER") or (key_file and os.path.join(os.path.dirname(key_file), "erased.json"))
    if ledger and not os.access(os.path.dirname(os.path.abspath(ledger)) or ".", os.W_OK):
        problems.append(
            f"the erasure ledger {ledger} is in a directory the service cannot write "
            "(set TINCAY_ERASURE_LEDGER, e.g. /var/lib/tincay/erased.json)"
        )
    signing = cfg.get("AUDIT_SIGNING_KEY")
    if not signing or not os.path.exists(signing):
        problems.append(
            "the audit signing key (TINCAY_AUDIT_SIGNING_KEY) does not exist "
            "(create it with `python -m app.audit.anchor keygen PATH`)"
        )
    elif os.stat(signing).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        problems.append(f"the audit signing key {signing} is readable by group or others (chmod 0400)")
    checkpoints = cfg.get("AUDIT_CHECKPOINT_FILE")
    if checkpoints and not os.access(os.path.dirname(os.path.abspath(checkpoints)) or ".", os.W_OK):
        problems.append(
            f"the audit checkpoint file {checkpoints} is in a directory the service cannot write "
            "(set TINCAY_AUDIT_CHECKPOINTS)"
        )
    problems += head_sink_problems(cfg)
    problems += shared_storage_problems(cfg)
    store = cfg.get("CASE_KEY_STORE") or (
        ledger and os.path.join(os.path.dirname(os.path.abspath(ledger)), "case-keys")
    )
    if store and os.path.isdir(store) and not os.access(store, os.W_OK):
        problems.append(
            f"the case-key store {store} is not writable by the service (set TINCAY_CASE_KEY_STORE, "
            "e.g. /var/lib/tincay/case-keys)"
        )
    if problems:
        raise ConfigError("Production configuration refused: " + "; ".join(problems))
