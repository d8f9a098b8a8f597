"""One transaction per request: the only place a web request commits or rolls back.

Services and views add and flush; they never commit. When the view has returned, its response decides:
a status below 400 (a redirect after a change, a page with an audited read, a form shown again with its
errors) commits everything the request wrote, together with its audit entries; an error status or an
exception undoes all of it. A commit that fails raises inside the dispatch, so the database error handler
answers with the 503 "try again" page, and nothing was written.

A service that refuses part-way (`ServiceError` after a few rows were added) must not leave those rows
for the commit: views run such calls inside `attempt()`, a savepoint that is rolled back when the call
raises, so the page can still show the form with its errors and commit its own bookkeeping (an audited
read of the page shown again).

Events that must outlive the request's own work (a refused access, a throttled sign-in, a damaged record)
are written through `audit.record_independently`, the one path that commits on its own session; a count
that must be kept before the request goes on (the sign-in throttle) uses `commit_so_far()`.
CLI commands are not requests: they use `extensions.transaction()`.
"""

import copy
import logging
from contextlib import contextmanager

from flask import Flask, Response

from ..extensions import db

log = logging.getLogger("tincay.errors")


def install(app: Flask) -> None:
    """Commit or roll back once, after the view, from the response it gives."""
    dispatch = app.dispatch_request

    def dispatch_in_one_transaction():
        response = app.make_response(dispatch())
        finish(response)
        return response

    app.dispatch_request = dispatch_in_one_transaction  # type: ignore[method-assign]  # full_dispatch_request() calls it; errors go to handlers

    @app.after_request
    def _undo_error_answers(response: Response) -> Response:
        # Error answers from a handler (403, 404, 409, 429, 5xx) never reach finish(): undo what they wrote.
        if response.status_code >= 400:
            undo()
        return response


def finish(response: Response) -> None:
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()


def commit_so_far() -> None:
    """Commit what the request has written up to now, then go on in a new transaction: for a count that must
    survive whatever the request does next and must not hold its row lock through slow work (the sign-in
    throttle counts an attempt before the password is hashed, app/auth/throttle.py). Named, so that every
    commit outside finish() can be found."""
    db.session.commit()


def undo() -> None:
    """Roll the request's work back (error handlers call it before rendering their page)."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be what failed; the session is removed at teardown
        log.error("rollback failed")


def _restore(queued: dict) -> None:
    """Put back what was queued on the session before the savepoint (audit entries, refusal counts, keys to
    destroy after the commit): whatever the failed call queued goes with its rows."""
    db.session.info.clear()
    db.session.info.update(queued)


@contextmanager
def attempt():
    """Run a service call so that, if it raises, whatever it wrote is undone and the request goes on.

    A savepoint: on an exception it is rolled back with what the call queued for the commit (audit entries,
    keys to destroy), every loaded object is expired so the page shows the rows as they are now (another
    user may have changed them: that is often why the call was refused), and the exception is raised again
    for the view to show. What the refusal itself must leave (the audit entry of a refusal on a restricted
    case, `ServiceError.after_rollback`) is written after the rollback, to be committed with the page.
    """
    queued = {key: copy.copy(value) for key, value in db.session.info.items()}
    savepoint = db.session.begin_nested()
    try:
        yield
    except BaseException as exc:
        # Still the open savepoint, even when a failed flush has deactivated it (is_active is then False):
        # it must be rolled back, or the whole request's transaction stays unusable.
        if db.session().get_nested_transaction() is savepoint:
            savepoint.rollback()
        _restore(queued)
        db.session.expire_all()
        for keep in getattr(exc, "after_rollback", ()):
            keep()
        raise
    else:
        savepoint.commit()
