"""Tin Cậy: case management and monitoring for Project 8 (Dự án 8), Tuần Giáo, Điện Biên."""

import logging
import os
from importlib import import_module

from flask import Flask, g, has_request_context, request

from .config import load_config

# Every area with routes; each has views.py exposing `bp`.
BLUEPRINT_MODULES = (
    "app.web.assets",
    "app.web.views",
    "app.auth.views",
    "app.auth.admin_views",
    "app.units.views",
    "app.audit.views",
    "app.cases.views",
    "app.livelihood.views",
    "app.referrals.views",
    "app.indicators.views",
    "app.web.drafts",
    "app.workqueue.views",
    "app.offline.views",
    "app.workcalendar.views",
    "app.approvals.views",
    "app.protection.views",
    "app.rights.views",
    "app.directory.views",
    "app.transfers.views",
    "app.supervision.views",
    "app.notify.views",
    "app.conferences.views",
    "app.statistics.views",
    "app.registers.views",
    "app.privacy.views",
)
# Every module that declares models, so that metadata and Alembic see all tables.
MODEL_MODULES = (
    "app.units.models",
    "app.auth.models",
    "app.audit.models",
    "app.cases.models",
    "app.livelihood.models",
    "app.referrals.models",
    "app.indicators.models",
    "app.web.models",
    "app.offline.models",
    "app.workcalendar.models",
    "app.reference",
    "app.approvals.models",
    "app.protection.models",
    "app.rights.models",
    "app.directory.models",
    "app.transfers.models",
    "app.supervision.models",
    "app.notify.models",
    "app.conferences.models",
    "app.registers.models",
    "app.privacy.models",
)
# Every area's object policies (authorize()): registered at start, not by an import at the end of its models.
POLICY_MODULES = (
    "app.cases.permissions",
    "app.referrals.permissions",
    "app.livelihood.permissions",
    "app.indicators.permissions",
    "app.offline.permissions",
    "app.protection.permissions",
    "app.rights.permissions",
    "app.transfers.permissions",
    "app.registers.permissions",
)
# Every module that reacts to another area's signals (app/events.py): imported at start, so that no
# reaction is missed whichever page or command runs.
REACTION_MODULES = (
    "app.cases.services",
    "app.referrals.services",
    "app.indicators.services",
    "app.offline.services",
    "app.rights.services",
    "app.rights.answers",
    "app.privacy.reactions",
    "app.privacy.services",
    "app.protection.tally",  # its statistic cells (app/cases/tally.py contributors)
    "app.supervision.services",  # the return reasons go with an erased case
)


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates", static_folder=None)
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)  # secrets, keys and the SQLite file live here
    load_config(app, config_name, overrides)
    _trust_proxy(app)
    _configure_logging(app)
    _init_extensions(app)
    _load_models()
    _register_blueprints(app)
    _register_request_hooks(app)
    from .workcalendar.services import install as install_calendar

    install_calendar(app)
    from .cli import register as register_cli

    register_cli(app)
    return app


def _trust_proxy(app) -> None:
    """Behind nginx, take the client's address and scheme from the proxy's headers (TINCAY_PROXY_HOPS=1).

    Without it every request seems to come from 127.0.0.1, and the per-address sign-in limits would lock
    out the whole district at once. Off by default: trusting the headers without a proxy lets anyone forge them.
    """
    hops = int(os.environ.get("TINCAY_PROXY_HOPS") or app.config.get("PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _configure_logging(app) -> None:
    # Log lines name ids and classes only; request bodies and query strings are never logged.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Alembic announces each of its plugins at INFO on every command: noise before the command's own output.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _init_extensions(app) -> None:
    from . import db_setup
    from .extensions import babel, csrf, db, htmx, limiter, migrate
    from .web import filters

    db_setup.install_engine_hooks()
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        timezone_selector=lambda: "Asia/Ho_Chi_Minh",
        default_translation_directories=os.path.join(app.root_path, "translations"),
    )
    filters.register(app)
    from .crypto.keyring import KeyRingError, load_or_create

    try:
        app.extensions["tincay_keyring"] = load_or_create(
            app.config["KEY_FILE"],
            create=False,
            ledger=app.config.get("ERASURE_LEDGER"),
            case_keys=app.config.get("CASE_KEY_STORE"),
        )
    except KeyRingError as exc:
        app.extensions["tincay_keyring_error"] = str(exc)
        # Only `setup` may run without keys (it creates them); every page answers 503 (see _require_keys) and
        # every other command stops (cli.keyring_or_exit). Production refuses to start first (check_production).
        app.extensions["tincay_keyring"] = None
    from .audit import anchor

    anchor.init_app(app)


def _select_locale():
    if not has_request_context():  # CLI commands (e.g. `users create` refusing a weak password)
        return "vi"
    lang = request.cookies.get("lang")
    return lang if lang in ("vi", "en") else "vi"


def _load_models() -> None:
    for name in MODEL_MODULES + POLICY_MODULES + REACTION_MODULES:
        import_module(name)


def _register_blueprints(app) -> None:
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(name).bp)


def _register_request_hooks(app) -> None:
    from flask_babel import lazy_gettext as _l
    from flask_login import current_user

    from .auth import login
    from .auth.forms import role_label
    from .web import errors, security, unit_of_work
    from .web.assets import asset_url, htmx_file
    from .web.flashes import take_flashed
    from .web.nav import nav_items

    unit_of_work.install(app)
    login.init_app(app)
    errors.register(app)
    app.before_request(security.refuse_oversize_body)
    app.after_request(security.set_security_headers)

    @app.before_request
    def _require_keys():
        if app.extensions.get("tincay_keyring") is None and request.endpoint not in ("web.healthz",):
            from .web.errors import render_error

            if not app.extensions.get("tincay_keyless_logged"):
                app.extensions["tincay_keyless_logged"] = True
                logging.getLogger("tincay").error(
                    "no key file at %s (%s): every page answers 503. Restore the escrowed key file "
                    "(TINCAY_KEY_FILE) and case-key store, or run `flask --app wsgi setup` for a new, empty "
                    "installation.",
                    app.config["KEY_FILE"],
                    app.extensions.get("tincay_keyring_error", ""),
                )
            return render_error(
                503,
                _l(
                    "Hệ thống chưa mở được khóa mã hóa nên tạm ngừng phục vụ. "
                    "Dữ liệu vẫn an toàn. Hãy báo quản trị viên."
                ),
            )

    def _step_up_needed() -> bool:
        """Whether a form with its own code field shows it now (the last step-up is stale)."""
        from .auth import stepup

        return bool(current_user.is_authenticated and stepup.needed(current_user))

    @app.before_request
    def _load_user():
        g.lang = _select_locale()
        _ = current_user.is_authenticated  # load the server-side session now, not halfway through a view

    # Globals (not a context processor) so that imported macros see them too.
    app.jinja_env.globals.update(
        asset_url=asset_url,
        nav_items=nav_items,
        role_label=role_label,
        htmx_file=htmx_file,
        idle_seconds=int(app.config["SESSION_IDLE"].total_seconds()),
        step_up_needed=_step_up_needed,
        take_flashed=take_flashed,
    )

    from .web import labels

    labels.install(app)

    @app.context_processor
    def _template_context():
        return {"current_lang": g.get("lang", "vi")}
