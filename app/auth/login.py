"""Flask-Login wired to the server-side sessions: the cookie holds a random token, nothing else."""

from flask import g, request
from flask_login import LoginManager, current_user

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

    @app.before_request
    def _honour_quick_exit():
        """A quick exit flagged in the browser (offline when it left) ends the session at this first contact."""
        from .services import QUICK_EXIT_COOKIE

        if request.cookies.get(QUICK_EXIT_COOKIE):
            current_user.is_authenticated  # noqa: B018  (loading the user revokes the flagged session)

    @app.after_request
    def _forget_quick_exit(response):
        from .services import QUICK_EXIT_COOKIE

        if request.cookies.get(QUICK_EXIT_COOKIE):
            response.delete_cookie(QUICK_EXIT_COOKIE, path="/")
        return response
