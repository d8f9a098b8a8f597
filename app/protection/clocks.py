"""Where each legal clock of a case stands now, from the one deadline engine (app/deadlines).

Used by the case's legal-steps panel, the protection pages and the work queue, so they always agree.
"""

from dataclasses import dataclass
from datetime import datetime

from .. import clock
from ..cases.reference_data import N_
from ..deadlines import Standing, due_at, standing
from . import rules


@dataclass(frozen=True)
class Running:
    """One clock that is running: what, until when, how it stands, and which article sets it."""

    kind: str  # order_decision, order_end, verification, entitlement_limit, exception
    what: str
    due: datetime
    standing: Standing
    article: str
    obj: object


def order_decision(order, now: datetime | None = None) -> Running | None:
    """The commune chair's 12-hour decision clock (Art. 25), while the request waits for a decision."""
    if order.status != "requested" or order.decider != "commune_chair":
        return None
    due = due_at(rules.ORDER_DECISION, order.requested_at)
    rule = rules.ORDER_DECISION
    return Running("order_decision", rule.label, due, standing(due, now=now), rule.article, order)


def order_end(order, now: datetime | None = None) -> Running | None:
    """A granted order's remaining time; it warns a day before it ends."""
    now = now or clock.now()
    if order.status != "granted" or order.ends_at < now:
        return None
    rule = rules.ORDER_MAX[order.decider]
    return Running(
        "order_end",
        N_("Lệnh cấm tiếp xúc đang có hiệu lực"),
        order.ends_at,
        standing(order.ends_at, now=now, soon=rules.ORDER_WARNING),
        rule.article,
        order,
    )


def verification(ident, now: datetime | None = None) -> Running | None:
    """Sở Y tế's 3-day verification with the provincial police (Law 53/2024 Art. 27)."""
    if ident is None or ident.health_dept_notified_on is None:
        return None
    due = rules.verification_due(ident.health_dept_notified_on)
    done = ident.verified_with_police_on is not None or ident.outcome != "pending"
    return Running(
        "verification",
        rules.VERIFICATION.label,
        due,
        standing(due, now=now, done=done),
        rules.VERIFICATION.article,
        ident,
    )


def entitlement_limit(ent, now: datetime | None = None) -> Running | None:
    """An entitlement running towards its legal limit (e.g. essential needs, 120 days)."""
    if ent.started_on is None or ent.ended_on is not None:
        return None
    due = rules.limit_end(ent.regime, ent.started_on)
    if due is None:
        return None
    rule = rules.REGIME_LIMITS[ent.regime]
    return Running(
        "entitlement_limit", rule.label, due, standing(due, now=now, soon=rules.ENTITLEMENT_WARNING), rule.article, ent
    )


def running(parts: dict, now: datetime | None = None) -> list[Running]:
    """Every clock of a case that runs now, most urgent first (done ones left out)."""
    now = now or clock.now()
    found = []
    for order in parts["orders"]:
        found += [order_decision(order, now), order_end(order, now)]
    found.append(verification(parts["identification"], now))
    found += [entitlement_limit(e, now) for e in parts["entitlements"]]
    live = [r for r in found if r is not None and r.standing.state != "done"]
    return sorted(live, key=lambda r: r.standing.seconds_left)
