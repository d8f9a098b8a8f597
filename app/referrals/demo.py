"""Demo referrals. Fictitious data only; does nothing when there are no cases or the agency is missing.

* The curated set: the first open demo cases get a consent to share with Sở Y tế Điện Biên (AG-SYT-11, its
  social-protection service SV-SYT-BTXH) and a referral in each state (the demo and e2e tests know them). The
  district labour office closed on 1/7/2025, so no demo referral of after that date goes to it.
* At benchmark sizes (from BULK_FROM_CASES cases), on top of it, one referral per REFERRAL_PER_CASES cases of
  every unit and year, in every state, to the agencies that existed on the day of sending; each with its
  consent and its packet under its own data key, as send_referral makes them. Rows are built directly, in
  batches, with one audit entry for the run.
"""

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from .. import clock
from ..audit import services as audit
from ..auth.models import RoleAssignment
from ..cases.models import Case, Consent
from ..demo import BULK_FROM_CASES, apportion, assign_states, at, counsellors_by_unit
from ..extensions import db, new_uuid, transaction, utcnow
from ..units.models import Unit
from ..units.queries import by_code
from ..units.reference_data import REFORM_DATE
from .fields import snapshot
from .models import Referral, ReferralPacket, ReferralServiceDelivered
from .services import ack_due, new_code, tombstone

AGENCY = "AG-SYT-11"
SERVICE = "SV-SYT-BTXH"
FIELDS = ("code", "sex", "age_band", "ethnic_code", "full_name", "phone", "preferred_language", "incident")
# (status, urgency, days ago): one of each state, the first overdue.
PLAN = (
    ("sent", "normal", 6),
    ("sent", "urgent", 0),
    ("acknowledged", "normal", 3),
    ("accepted", "normal", 9),
    ("services_recorded", "normal", 20),
    ("completed", "normal", 40),
    ("declined", "normal", 15),
    ("withdrawn", "normal", 12),
)


def seed(count=None) -> int:
    """Add demo referrals to the first open demo cases (once); returns how many were made."""
    agency, service = by_code(AGENCY), _service_ids().get(AGENCY)
    if agency is None or service is None or db.session.scalar(select(Referral.id).limit(1)):
        return 0
    cases = db.session.scalars(
        select(Case).where(Case.status == "open", Case.erased_at.is_(None)).order_by(Case.code).limit(len(PLAN))
    ).all()
    now, made = utcnow(), 0
    for case, (status, urgency, days) in zip(cases, PLAN, strict=False):
        sender = db.session.scalar(
            select(RoleAssignment.user_id).where(
                RoleAssignment.role == "counsellor", RoleAssignment.unit_id == case.unit_id
            )
        )
        consent = Consent(
            id=new_uuid(),
            case=case,
            case_id=case.id,
            purpose="share_with_agency",
            agency_id=agency.id,
            method="signed",
            given_by="self",
            given_on=clock.today() - timedelta(days=days + 1),
        )
        db.session.add(consent)
        db.session.flush()
        sent_at = now - timedelta(days=days, hours=2)
        referral = Referral(
            code=new_code(sent_at),
            case_id=case.id,
            agency_id=agency.id,
            service_id=service,
            sender_unit_id=case.unit_id,
            services=["essential_needs", "vocational_training"],
            urgency=urgency,
            status=status,
            legal_basis="consent",
            consent_id=consent.id,
            idempotency_key=f"demo-{case.id}",
            sent_by_id=sender,
            sent_at=sent_at,
            ack_due_at=ack_due(sent_at, urgency),
        )
        if status not in ("sent",):
            referral.acknowledged_at = referral.opened_at = sent_at + timedelta(hours=20)
        if status in ("accepted", "services_recorded", "completed", "declined"):
            referral.decided_at = sent_at + timedelta(days=1)
        if status == "declined":
            referral.decline_reason = "Không thuộc chức năng của cơ quan (demo)."
        if status == "withdrawn":
            referral.withdrawn_at, referral.withdraw_cause = sent_at + timedelta(days=2), "sender"
        db.session.add(referral)
        packet = ReferralPacket(
            referral=referral,
            number=1,
            fields=list(FIELDS),
            idempotency_key=f"demo-{case.id}:1",
            created_by_id=sender,
            created_at=sent_at,
        )
        packet.content = {"values": snapshot(case, FIELDS), "message": "Đề nghị hỗ trợ học nghề (demo)."}
        db.session.add(packet)
        if status in ("services_recorded", "completed"):
            row = ReferralServiceDelivered(
                referral=referral, kind="essential_needs", delivered_on=clock.today() - timedelta(days=max(days - 5, 0))
            )
            row.notes = "Đã cấp nhu yếu phẩm (demo)."
            db.session.add(row)
        if status == "completed":
            referral.completed_at = now - timedelta(days=2)
            referral.feedback = "Đã hoàn thành hỗ trợ; đề nghị tiếp tục theo dõi (demo)."
        _close(referral, status, referral.completed_at or referral.decided_at or referral.withdrawn_at)
        made += 1
    db.session.flush()
    bulk = seed_bulk()
    audit.record("seed-demo", "referral.demo_seed", detail={"count": made + bulk, "curated": made})
    db.session.flush()
    return made + bulk


# --- the proportional set, for benchmarks ------------------------------------------------------------------

REFERRAL_PER_CASES = 15  # one referral per 15 cases: most survivors are helped on the spot, some need an agency
BATCH = 500
# Shares of the states at any one moment (weights): most referrals are done with; the open ones are recent.
STATE_WEIGHTS = {
    "sent": 10,
    "acknowledged": 8,
    "accepted": 10,
    "services_recorded": 14,
    "completed": 38,
    "declined": 10,
    "withdrawn": 10,
}
# Days since the case was opened within which each state is plausible (min, max): the minimum covers the
# longest path of _bulk_referral to that state, so that no date is in the future. Unacknowledged referrals
# are of the last week, so that some are overdue (two working days; a third at 100 000 cases on a Sunday) and
# the rest not yet; not of today's cases, which the case seeder has many of (it moves later days to today).
AGE_WINDOWS = {
    "sent": (1, 7),
    "acknowledged": (8, 40),
    "accepted": (12, 90),
    "services_recorded": (45, 150),
    "completed": (75, None),
    "declined": (12, None),
    "withdrawn": (20, None),
}
OPEN_ONLY = ("sent", "acknowledged", "accepted", "services_recorded")  # a closed case has no referral under way
# Who receives (weights before / from the July 2025 reform), among the agencies that exist on the day of
# sending, since the app sends to no other: the district labour office takes most referrals while it exists
# (to 30/6/2025); from then on its victim-support work is with Sở Y tế (NĐ 162/2025).
REFORM = date.fromisoformat(REFORM_DATE)
# Sở Y tế's social-protection service starts with the reform, so it receives nothing before it.
AGENCY_WEIGHTS = {
    "AG-LDTBXH-099": (80, 0),
    "AG-SYT-11": (0, 60),
    "AG-TTYT-099": (10, 0),
    "AG-CA-099": (3, 0),
    "AG-TGPL-11": (5, 22),
    "AG-CA-11": (2, 12),
}
# The directory service each agency's demo referrals ask for (the one it ran on the day of sending).
AGENCY_SERVICES = {
    "AG-LDTBXH-099": "SV-LDTBXH-099",
    "AG-SYT-11": "SV-SYT-BTXH",
    "AG-TTYT-099": "SV-TTYT-099",
    "AG-CA-099": "SV-CA-099",
    "AG-TGPL-11": "SV-TGPL-11",
    "AG-CA-11": "SV-CA-11",
}
SERVICES = (
    ("vocational_training", "employment_counselling"),
    ("essential_needs", "initial_allowance"),
    ("medical", "health_insurance"),
    ("legal_aid",),
    ("psychological",),
    ("loans", "vocational_training"),
)
MESSAGES = (
    "Đề nghị hỗ trợ học nghề (demo).",
    "Đề nghị hỗ trợ trợ cấp ban đầu (demo).",
    "Đề nghị khám sức khoẻ, cấp thẻ bảo hiểm y tế (demo).",
    "Đề nghị trợ giúp pháp lý (demo).",
)


def seed_bulk() -> int:
    """At benchmark sizes, add one referral per REFERRAL_PER_CASES cases; returns how many."""
    total = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
    agencies = [
        u for u in db.session.scalars(select(Unit).where(Unit.code.in_(list(AGENCY_WEIGHTS)))) if not u.disabled
    ]
    if total < BULK_FROM_CASES or not agencies:
        return 0
    rows = db.session.execute(
        select(Case.id, Case.status, Case.opened_on).where(
            Case.erased_at.is_(None), Case.id.not_in(select(Referral.case_id))
        )
    ).all()
    rng = random.Random(20260515)  # the same demo every time
    today, now = clock.today(), utcnow()
    quotas = apportion(min(total // REFERRAL_PER_CASES, len(rows)), STATE_WEIGHTS)
    pairs = assign_states(rng, rows, quotas, AGE_WINDOWS, today, OPEN_ONLY)
    service_ids = _service_ids()
    context = {
        "agencies": [
            (a.id, a.valid_from, a.valid_to, AGENCY_WEIGHTS[a.code]) for a in agencies if a.code in service_ids
        ],
        "services": {a.id: service_ids[a.code] for a in agencies if a.code in service_ids},
        "senders": counsellors_by_unit(),
        "codes": set(db.session.scalars(select(Referral.code))),
        "today": today,
        "now": now,
    }
    made = 0
    for start in range(0, len(pairs), BATCH):
        chunk = pairs[start : start + BATCH]
        cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_([r.id for r, _ in chunk])))}
        sendings = [(cases[row.id], state, _sending(rng, cases[row.id], context)) for row, state in chunk]
        db.session.flush()  # the consents first: a referral names its consent by id, no relationship orders them
        for case, state, sending in sendings:
            if sending is not None:
                _bulk_referral(rng, case, state, sending, context)
                made += 1
        with transaction():  # this batch is kept: memory stays flat however many referrals are seeded
            db.session.flush()
        db.session.expunge_all()
    return made


def _service_ids() -> dict[str, str]:
    """{agency code: id of the directory service its demo referrals go to}."""
    from ..directory.models import Service

    codes = {SERVICE: AGENCY, **{v: k for k, v in AGENCY_SERVICES.items()}}
    return {
        codes[code]: service_id
        for code, service_id in db.session.execute(
            select(Service.code, Service.id).where(Service.code.in_(list(codes)))
        )
    }


def _agency_on(rng, agencies, day: date) -> str | None:
    """An agency that existed on `day`, by weight (None if an admin closed them all)."""
    period = 0 if day < REFORM else 1
    current = [
        (agency_id, weights[period])
        for agency_id, start, end, weights in agencies
        if (start is None or start <= day) and (end is None or day <= end) and weights[period]
    ]
    if not current:
        return None
    ids, weights = zip(*current, strict=True)
    return rng.choices(ids, weights)[0]


def _code(sent_at, codes: set) -> str:
    """A fresh referral code: at 100 000 cases, random codes of one year would otherwise collide now and then."""
    code = new_code(sent_at)
    while code in codes:
        code = new_code(sent_at)
    codes.add(code)
    return code


def _sending(rng, case: Case, context: dict) -> dict | None:
    """When, to whom and by whom `case` is referred, and the consent to share with that agency."""
    sent_on = case.opened_on + timedelta(days=rng.randint(0, min(5, (context["today"] - case.opened_on).days)))
    agency_id = _agency_on(rng, context["agencies"], sent_on)
    if agency_id is None:
        return None
    sender = context["senders"].get(case.unit_id)
    consent = Consent(
        id=new_uuid(),
        case=case,
        case_id=case.id,
        purpose="share_with_agency",
        agency_id=agency_id,
        method=rng.choice(("signed", "thumbprint")),
        given_by="self",
        given_on=max(case.opened_on, sent_on - timedelta(days=rng.randint(0, 2))),
        expires_on=sent_on + timedelta(days=rng.choice((180, 365, 730))),
        recorded_by_id=sender,
    )
    db.session.add(consent)
    return {
        "sent_at": at(sent_on, rng, context["now"]),
        "agency_id": agency_id,
        "sender": sender,
        "consent_id": consent.id,
    }


def _bulk_referral(rng, case: Case, state: str, sending: dict, context: dict) -> None:
    """One referral of `case` that has reached `state`, with its packet and delivered services."""
    sent_at, sender = sending["sent_at"], sending["sender"]
    urgency = "urgent" if rng.random() < 0.15 else "normal"
    referral = Referral(
        code=_code(sent_at, context["codes"]),
        case_id=case.id,
        agency_id=sending["agency_id"],
        service_id=context["services"][sending["agency_id"]],
        sender_unit_id=case.unit_id,
        services=list(rng.choice(SERVICES)),
        urgency=urgency,
        status=state,
        legal_basis="consent",
        consent_id=sending["consent_id"],
        idempotency_key=f"demo-bulk-{case.id}",
        sent_by_id=sender,
        sent_at=sent_at,
        ack_due_at=ack_due(sent_at, urgency),
        updated_at=sent_at,
    )
    db.session.add(referral)
    packet = ReferralPacket(
        referral=referral,
        number=1,
        fields=list(FIELDS),
        idempotency_key=f"demo-bulk-{case.id}:1",
        created_by_id=sender,
        created_at=sent_at,
    )
    packet.content = {"values": snapshot(case, FIELDS), "message": rng.choice(MESSAGES)}
    db.session.add(packet)
    _answer(rng, referral, state, sender, context["now"])


def _answer(rng, referral: Referral, state: str, sender, now) -> None:
    """What the agency (or the sender, withdrawing) did after sending, up to `state`."""
    if state == "sent":
        return
    last = referral.sent_at
    if state != "withdrawn" or rng.random() < 0.5:
        last = referral.acknowledged_at = referral.opened_at = min(now, last + timedelta(hours=rng.randint(2, 30)))
    if state == "withdrawn":
        last = referral.withdrawn_at = min(now, last + timedelta(days=rng.randint(1, 10)))
        referral.withdraw_cause, referral.withdrawn_by_id = "sender", sender
    elif state != "acknowledged":
        last = referral.decided_at = min(now, last + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 6)))
    if state == "declined":
        referral.decline_reason = "Không thuộc chức năng của cơ quan; đề nghị chuyển nơi khác (demo)."
    if state in ("services_recorded", "completed"):
        last = _delivered(rng, referral, last, now)
    if state == "completed":
        last = referral.completed_at = min(now, last + timedelta(days=rng.randint(1, 20)))
        referral.feedback = "Đã hoàn thành hỗ trợ; đề nghị tiếp tục theo dõi (demo)."
    referral.updated_at = last
    _close(referral, state, last)


def _close(referral: Referral, state: str, at) -> None:
    """A declined, completed or withdrawn referral keeps no packet, as the services leave it (a tombstone)."""
    if state in ("declined", "completed", "withdrawn"):
        tombstone(referral, "withdrawn" if state == "withdrawn" else state, at)


def _delivered(rng, referral: Referral, since, now):
    """One or two of the services asked, delivered after acceptance; returns when the last was recorded."""
    for kind in referral.services[: rng.randint(1, 2)]:
        since = min(now, since + timedelta(days=rng.randint(1, 10)))
        row = ReferralServiceDelivered(
            referral=referral, kind=kind, delivered_on=clock.local_date(since), created_at=since
        )
        row.notes = "Đã cung cấp dịch vụ theo đề nghị (demo)."
        db.session.add(row)
    return since
