"""The audit trail for the admin: filter by action, result, actor and object; verify the chain."""

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from ..auth.models import User
from ..auth.permissions import permission_required
from ..extensions import db, htmx, utcnow
from ..web.forms import whole_number
from . import labels, services
from .models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.get("/")
@permission_required("audit.read")
def index():
    """Newest entries first, filtered; ids and actions only, never person data."""
    filters = {k: (request.args.get(k) or "").strip()[:64] for k in ("action", "result", "actor", "object")}
    stmt = select(AuditEntry)
    if filters["action"]:  # an action chosen by its words (exact), or a code prefix typed in an address
        known = filters["action"] in dict(labels.choices())
        stmt = stmt.where(
            AuditEntry.action == filters["action"] if known else AuditEntry.action.startswith(filters["action"])
        )
    if filters["result"]:
        stmt = stmt.where(AuditEntry.result == filters["result"])
    if filters["actor"]:
        actor_id = db.session.scalar(select(User.id).where(User.username == filters["actor"]))
        stmt = stmt.where(AuditEntry.actor_id == (actor_id or "-"))
    if filters["object"]:
        stmt = stmt.where(AuditEntry.object_id == filters["object"])
    before = whole_number(request.args.get("before"), 1, 10**18)
    if before:
        stmt = stmt.where(AuditEntry.seq < before)
    entries = db.session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE)).all()
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    names: dict[str, str] = dict(
        db.session.execute(select(User.id, User.username).where(User.id.in_(actor_ids))).tuples().all()
    )
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    context = {
        "entries": entries,
        "names": names,
        "filters": filters,
        "total": total,
        "action_label": labels.action_label,
        "action_choices": labels.choices(),
        "next_before": entries[-1].seq if len(entries) == PAGE_SIZE else None,
    }
    if htmx.target == "audit-more":
        return render_template("audit/_rows.html", **context)
    context["refusals"] = services.refusal_summary(utcnow() - timedelta(hours=24))
    return render_template("audit/index.html", **context)


@bp.post("/verify")
@permission_required("audit.read")
def verify():
    """Recompute the whole chain now and show the verdict."""
    verdict = services.verify()
    services.record(
        current_user,
        "audit.verify",
        result="ok" if verdict.ok else "broken",
        detail={"checked": verdict.checked, "first_bad": verdict.first_bad_seq},
    )
    return render_template("audit/_verdict.html", verdict=verdict)
