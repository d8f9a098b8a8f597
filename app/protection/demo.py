"""Demo protection casework on a few demo cases of trusted addresses 2 and 3, so a new user sees every feature
at work: recurring incidents with their perpetrator, measures, a no-contact order with a renewal and an exception
contact waiting for the supervisor, a request whose 12-hour clock runs, a risk that rose to high, and one
trafficking case going through identification with a support regime nearing its 120-day limit.

Everything goes through the services (the same rules as a user meets); dates are relative to today."""

from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..auth.models import RoleAssignment, User
from ..cases.models import Case
from ..extensions import db
from ..units.queries import by_code
from . import services
from .models import Incident

# Two trusted addresses, each as the units it has been: under the new commune since 1/7/2025 first (where the demo
# counsellors work and the recent cases are), then under the old one.
ADDRESSES = (("2025-TA-02", "TA-02"), ("2025-TA-03", "TA-03"))
UNITS = tuple(code for codes in ADDRESSES for code in codes)


def seed() -> int:
    """Add the demo casework; returns how many cases got some (0 when there is nothing to add it to)."""
    units = [u for u in (by_code(code) for code in UNITS) if u is not None]
    if not units or db.session.scalar(
        select(Incident.id).join(Case).where(Case.unit_id.in_([u.id for u in units])).limit(1)
    ):
        return 0  # nothing to add it to, or already seeded
    # TA-02 first (the demo counsellor's own address), then its neighbour, so each part finds a case to live on.
    rank = {u.id: i for i, u in enumerate(units)}
    address = {u.code: codes for codes in ADDRESSES for u in units if u.code in codes}
    cases = sorted(
        db.session.scalars(select(Case).where(Case.unit_id.in_(rank), Case.status == "open", Case.erased_at.is_(None))),
        key=lambda c: (rank[c.unit_id], c.code),
    )
    trafficking = next((c for c in cases if c.kind in ("trafficking", "both")), None)
    violence = [c for c in cases if c.kind in ("dv", "both") and c is not trafficking][:2]
    plan = [(c, fn) for c, fn in zip(violence, (_recurring_with_renewed_order, _request_waiting), strict=False)]
    if trafficking is not None:
        plan.append((trafficking, _identification))
    done = 0
    for case, build in plan:
        actor = next(filter(None, (_counsellor(by_code(code)) for code in address[case.unit.code])), None)
        if actor is not None:
            build(case, actor)
            done += 1
    db.session.flush()
    return done


def _counsellor(unit) -> User | None:
    if unit is None:
        return None
    return db.session.scalar(
        select(User)
        .join(RoleAssignment)
        .where(RoleAssignment.role == "counsellor", RoleAssignment.unit_id == unit.id)
        .order_by(User.username)
        .limit(1)
    )


def _recurring_with_renewed_order(case: Case, actor) -> None:
    today, now = clock.today(), clock.now()
    person = services.add_perpetrator(
        case,
        {"sex": "male", "age_band": "30_44", "relation": "husband", "full_name": "Demo Văn Chồng (giả)"},
        actor=actor,
    )
    for days, forms in ((120, ["psychological"]), (45, ["physical", "psychological"]), (6, ["physical"])):
        services.add_incident(
            case,
            {
                "occurred_on": today - timedelta(days=days),
                "place_type": "home",
                "forms": forms,
                "perpetrator_ids": [person.id],
                "reported_to_police": days < 10,
                "description": "Diễn biến minh hoạ (demo).",
            },
            actor=actor,
        )
    services.add_measure(
        case,
        {
            "measure": "summon",
            "decided_by": "commune_police",
            "decided_on": today - timedelta(days=6),
            "outcome": "complied",
        },
        actor=actor,
    )
    services.add_measure(
        case,
        {
            "measure": "no_contact",
            "decided_by": "commune_chair",
            "decided_on": today - timedelta(days=5),
            "outcome": "ongoing",
        },
        actor=actor,
    )
    services.record_notice(
        case,
        {"notified_on": today - timedelta(days=6), "method": "phone", "acknowledged_on": today - timedelta(days=5)},
        actor=actor,
    )
    order = services.request_order(
        case,
        {
            "requested_by": "victim",
            "decider": "commune_chair",
            "requested_at": now - timedelta(days=5, hours=3),
            "perpetrator_id": person.id,
        },
        actor=actor,
    )
    decided = now - timedelta(days=5)
    services.decide_order(
        order,
        {
            "outcome": "granted",
            "decided_at": decided,
            "decision_number": "01/QĐ-CTUBND (demo)",
            "end_on": clock.local_date(decided) + timedelta(days=2),
        },
        actor=actor,
    )
    for recipient in ("perpetrator", "victim", "police_chief", "village_head"):
        services.add_copy(order, {"recipient": recipient, "sent_on": clock.local_date(decided)}, actor=actor)
    services.add_breach(
        order,
        {"occurred_at": decided + timedelta(days=1), "reported_to_police": True, "description": "Đến gần nhà (demo)."},
        actor=actor,
    )
    renewed_at = now - timedelta(hours=2)
    renewal = services.change_order(
        order,
        {
            "decided_at": renewed_at,
            "end_on": today + timedelta(days=1),
            "decision_number": "02/QĐ-CTUBND (demo)",
        },
        actor=actor,
    )
    starts = (renewal.starts_at or renewed_at) + timedelta(hours=4)  # a renewal runs from its decision
    services.request_exception(
        renewal,
        {
            "reason": "funeral",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "form09_on": today,
            "note": "Đám tang người thân (demo).",
        },
        actor=actor,
    )
    services.assess_risk(
        case,
        {"assessed_on": today - timedelta(days=45), "answers": {"escalation": True, "isolation": True}},
        actor=actor,
    )
    services.assess_risk(
        case,
        {
            "assessed_on": today - timedelta(days=5),
            "answers": {"escalation": True, "isolation": True, "strangulation": True, "perpetrator_access": True},
        },
        actor=actor,
    )


def _request_waiting(case: Case, actor) -> None:
    today, now = clock.today(), clock.now()
    person = services.add_perpetrator(case, {"sex": "male", "age_band": "45_59", "relation": "in_law"}, actor=actor)
    for days in (30, 1):
        services.add_incident(
            case,
            {
                "occurred_on": today - timedelta(days=days),
                "place_type": "home",
                "forms": ["psychological", "economic"],
                "perpetrator_ids": [person.id],
            },
            actor=actor,
        )
    services.request_order(
        case,
        {
            "requested_by": "guardian",
            "decider": "commune_chair",
            "requested_at": now - timedelta(hours=3),
            "perpetrator_id": person.id,
        },
        actor=actor,
    )


def _identification(case: Case, actor) -> None:
    today = clock.today()
    services.add_perpetrator(case, {"sex": "female", "age_band": "30_44", "relation": "broker"}, actor=actor)
    ident = services.save_identification(
        case,
        {
            "received_by": "border_guard",
            "received_on": today - timedelta(days=2),
            "brought_to_commune_on": today - timedelta(days=2),
            "urgent_support": True,
            "health_dept_notified_on": today - timedelta(days=1),
            "outcome": "pending",
            "being_protected": True,
            "note": "Tiếp nhận tại cửa khẩu (demo).",
        },
        actor=actor,
    )
    services.add_evidence(
        ident,
        {"kind": "border_guard_confirmation", "issued_on": today - timedelta(days=2), "reference": "Số 00/BĐBP (demo)"},
        actor=actor,
    )
    services.grant_entitlement(
        case,
        {
            "regime": "essential_needs",
            "responsible_body": "commune_committee",
            "granted_on": today - timedelta(days=2),
            "started_on": today - timedelta(days=2),
            "amount": 3_000_000,
        },
        actor=actor,
    )
    services.grant_entitlement(
        case,
        {
            "regime": "medical",
            "responsible_body": "health_facility",
            "granted_on": today - timedelta(days=2),
            "started_on": today - timedelta(days=2),
            "ended_on": today - timedelta(days=1),
        },
        actor=actor,
    )
