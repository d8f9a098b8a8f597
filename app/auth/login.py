"""Flask-Login wired to the server-side sessions: the cookie holds a random token, nothing else."""

from flask import g
from flask_login import LoginManager

login_manager = LoginManager()


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # our own session records do this job

    @login_manager.request_loader
    def _from_session_record(_request):
        from .services import load_session
        user, state = load_session()
        g.auth_state = state
        g.pending_user = user if state in ("totp_pending", "enrol_required") else None
        return user if state == "ok" else None
