"""The statistics pages and files: a hub, the Circular 07/2017 Excel, the GBVIMS monthly tables and the
export for the national domestic-violence database."""

from flask import Blueprint

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

from . import files, hub, monthly, national  # noqa: E402,F401 - the routes register on bp
