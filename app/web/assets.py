"""Static files under versioned names: /static/<content-hash>/<path>, cached for a year.

A changed file gets a new hash and so a new URL; phones on weak networks never re-download an
unchanged stylesheet and never keep a stale one.
"""

import hashlib
import os
from functools import lru_cache

from flask import Blueprint, abort, current_app, send_from_directory, url_for

from ..auth.permissions import public

bp = Blueprint("assets", __name__)
ONE_YEAR = 365 * 24 * 3600


def static_root() -> str:
    return os.path.join(current_app.root_path, "static")


@lru_cache(maxsize=256)
def _digest(path: str, mtime: float) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


_VERSIONS: dict[str, str] = {}  # filename -> version, once per process unless templates reload (development)


def asset_url(filename: str) -> str:
    """The versioned URL of a static file (used in templates as asset_url('css/app.css'))."""
    version = _VERSIONS.get(filename)
    if version is None:
        path = os.path.join(static_root(), filename)
        version = _digest(path, os.path.getmtime(path)) if os.path.exists(path) else "missing"
        # A page names the icon sheet a dozen times: look at the file once, unless files may change under us.
        if not (current_app.debug or current_app.config.get("TEMPLATES_AUTO_RELOAD")):
            _VERSIONS[filename] = version
    return url_for("assets.static_file", version=version, filename=filename)


@lru_cache(maxsize=1)
def _find_htmx(root: str) -> str:
    names = sorted(n for n in os.listdir(os.path.join(root, "vendor")) if n.startswith("htmx-") and n.endswith(".js"))
    return "vendor/" + names[-1] if names else "vendor/htmx.min.js"


def htmx_file() -> str:
    """The vendored, pinned htmx (its version is in the file name; see static/vendor/VENDOR.md)."""
    return _find_htmx(static_root())


@bp.get("/static/<version>/<path:filename>")
@public
def static_file(version: str, filename: str):
    """Serve a static file; the version in the URL makes it safe to cache for a year."""
    path = os.path.join(static_root(), filename)
    if not os.path.isfile(path) or version != _digest(path, os.path.getmtime(path)):
        abort(404)
    response = send_from_directory(static_root(), filename, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
