"""The work queue page ("Việc cần làm"): every item the signed-in user owes, most urgent first."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.permissions import permission_required
from . import cached_items

bp = Blueprint("workqueue", __name__, url_prefix="/work")


@bp.get("/")
@permission_required("work.queue")
def index():
    """List the user's work: high-risk first, then overdue, due soon, by due time."""
    return render_template("workqueue/index.html", items=cached_items(current_user))
