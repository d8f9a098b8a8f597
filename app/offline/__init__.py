"""Offline capture that a lost phone cannot betray: sealed in the browser for the server, sent when online."""

from . import workqueue  # noqa: F401 - registers the work-queue source
