"""Synthetic, clearly fictitious cases for demonstrations and benchmarks ("Demo Thị A-0001", phones 0999…).

Built for size: codes are numbered in memory from the year counters read once, rows are added in batches,
flushed and committed every `BATCH` cases, and no per-row query is made. One audit entry records the run.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..audit import services as audit
from ..auth.models import RoleAssignment, User
from ..extensions import db, transaction, utcnow
from ..units.models import Unit
from . import reference_data as ref
from . import tally
from .forms import DV_ACT_CODES
from .models import PROFILE_DEFAULTS, Case, CaseCounter, CaseNote, CaseService, Consent, FollowUp, padded

BATCH = 1000
# The seven trusted addresses, each as the units it has been (TA-0n under its old commune until 30/06/2025, then
# 2025-TA-0n under the new one): a demo case is opened at the one in force on its opening day.
ADDRESSES = tuple((f"TA-0{n}", f"2025-TA-0{n}") for n in range(1, 8))
UNIT_CODES = tuple(code for codes in ADDRESSES for code in codes)
MIDDLE = ("Thị", "Văn", "Thị", "Thị")
GIVEN = ("A", "B", "C", "D", "E", "G", "H", "K", "L", "M")


def seed(count: int | None = None) -> int:
    """Add `count` demo cases (DEMO_CASE_COUNT, 40 by default) across the seven trusted addresses, each at the
    address's unit in force on its opening day (TA-0n until 30/06/2025, then 2025-TA-0n); returns how many."""
    count = count if count is not None else int(current_app.config.get("DEMO_CASE_COUNT", 40))
    # plain values: the session is cleared between batches
    found = {u.code: _Dated(u.id, u.valid_from, u.valid_to, u.disabled) for u in db.session.scalars(select(Unit))}
    units = [chain for chain in ([found[c] for c in codes if c in found] for codes in ADDRESSES) if chain]
    if not units or count <= 0:
        return 0
    counsellors = _counsellors_by_unit([u.id for chain in units for u in chain])
    counters = {c.year: c for c in db.session.scalars(select(CaseCounter))}
    rng = random.Random(20260301)  # the same demo every time
    today = clock.today()
    deltas: Counter = Counter()  # the statistics' counts of the batch, applied with it
    for n in range(1, count + 1):
        chain = units[n % len(units)]
        year = today.year - rng.choice((0, 0, 0, 1, 1, 2))
        counter = counters.get(year)
        if counter is None:
            counter = counters[year] = CaseCounter(year=year, last=0)
            db.session.add(counter)
        counter.last += 1
        case = build_case(rng, n, f"TG-{year}-{counter.last:04d}", chain[0].id, year, today, unit_on=_in_force(chain))
        db.session.add(case)
        # the counsellor of the address, at whichever of its units they work
        counsellor = counsellors.get(case.unit_id) or next(
            (counsellors[u.id] for u in chain if counsellors[u.id]), None
        )
        _children(rng, case, today, counsellor)
        cells = tally.contributions(case)
        tally.seal(case, cells)
        deltas.update(cells)
        if n % BATCH == 0:
            with transaction():  # this batch is kept: memory stays flat however many cases are seeded
                db.session.flush()
                tally.add_many(deltas)
            deltas.clear()
            db.session.expunge_all()
            counters = {c.year: c for c in db.session.scalars(select(CaseCounter))}
    with transaction():
        db.session.flush()
        tally.add_many(deltas)
        audit.record("seed-demo", "case.demo_seed", detail={"count": count})
    return count


@dataclass(frozen=True)
class _Dated:
    id: str
    valid_from: date | None
    valid_to: date | None
    disabled: bool

    def in_force(self, day: date) -> bool:
        return (
            not self.disabled
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )


def _in_force(chain: list[_Dated]):
    """The unit of an address in force on a day (else the earliest formed by then: never one not yet formed)."""

    def on(day: date) -> str:
        return next(
            (u.id for u in reversed(chain) if u.in_force(day)),
            next((u.id for u in chain if u.valid_from is None or u.valid_from <= day), chain[0].id),
        )

    return on


def _counsellors_by_unit(unit_ids) -> dict:
    """A counsellor of each unit, to own the demo follow-ups and notes (None where there is none)."""
    rows = db.session.execute(
        select(RoleAssignment.unit_id, User.id).join(User).where(RoleAssignment.role == "counsellor")
    ).all()
    found = {unit_id: user_id for unit_id, user_id in rows}
    return {unit_id: found.get(unit_id) for unit_id in unit_ids}


def demo_name(n: int) -> str:
    """The fictitious name of the n-th demo case (benchmarks search for it)."""
    return f"Demo {MIDDLE[n % len(MIDDLE)]} {GIVEN[(n // len(MIDDLE)) % len(GIVEN)]}-{n:04d}"


def build_case(rng, n: int, code: str, unit_id: str, year: int, today: date, *, unit_on=None) -> Case:
    """Demo case number `n` (fictitious values), sealed and with its blind indexes: the demo's seed and the
    province-scale bench (bench/seed_scale.py) both make their cases here. The profile is sealed once, not once
    per profile field (five times: half the cost of a case). `unit_on(day)`, when given, is the unit in force on
    the opening day (a trusted address that followed its commune's merger)."""
    opened = min(today, date(year, 1, 1) + timedelta(days=rng.randrange(0, 365)))
    if unit_on is not None:
        unit_id = unit_on(opened)
    kind = rng.choice(("dv", "dv", "dv", "trafficking", "both"))
    age = rng.randrange(8, 70)
    closed = opened < today - timedelta(days=200) and rng.random() < 0.5
    profile = {
        "sex": rng.choice(("female",) * 9 + ("male",)),
        "age_band": ref.age_band(age),
        "ethnic_code": rng.choice(("03", "03", "08", "08", "01", "23")),
        "disability": rng.random() < 0.08,
        "poverty_status": rng.choice(("poor", "near_poor", "none", "unknown")),
    }
    case = Case(
        code=code,
        kind=kind,
        unit_id=unit_id,
        status="closed" if closed else "open",
        risk_level=rng.choice(("low", "medium", "medium", "high")),
        opened_on=opened,
        closed_on=opened + timedelta(days=120) if closed else None,
        closure_reason="goals_met" if closed else None,
    )
    case.profile = padded({**PROFILE_DEFAULTS, **profile})
    case.full_name = demo_name(n)
    case.birth_year = today.year - age
    case.phone = f"0999{n:06d}"
    if rng.random() < 0.5:
        case.id_number = f"{n:012d}"
    case.address_detail = f"Bản Demo số {n % 40 + 1} (địa chỉ giả)"
    case.incident = f"Nội dung minh hoạ số {n} — dữ liệu giả, không có thật."
    if kind in ("dv", "both"):
        case.domestic_violence = {"acts": rng.sample([c for c, _ in DV_ACT_CODES], 2), "relation": "chồng (demo)"}
    if kind in ("trafficking", "both"):
        case.trafficking = {
            "status": rng.choice(("being_identified", "identified_victim")),
            "exploitation": ["forced_marriage"],
            "destination": "Nơi giả định (demo)",
        }
    case.safe_contact = {"channel": "through_trusted_person", "window": "8-10 giờ", "code_word": f"demo-{n}"}
    case.safety_plan = "Kế hoạch an toàn minh hoạ (demo)."
    case.refresh_blind_indexes()
    return case


def _children(rng, case: Case, today: date, counsellor_id) -> None:
    consent = Consent(
        case=case,
        purpose="services",
        method=rng.choice(("signed", "thumbprint")),
        given_by="self",
        given_on=case.opened_on,
        expires_on=case.opened_on + timedelta(days=rng.choice((180, 365, 730))),
    )
    db.session.add(consent)
    if rng.random() < 0.6:
        db.session.add(
            Consent(case=case, purpose="statistics", method="signed", given_by="self", given_on=case.opened_on)
        )
    service = CaseService(
        case=case,
        kind=rng.choice(("counselling", "medical", "legal_aid", "shelter")),
        status=rng.choice(("planned", "in_progress", "done")),
        start_on=case.opened_on,
    )
    db.session.add(service)
    note = CaseNote(case=case, author_id=counsellor_id, created_at=utcnow())
    note.body = "Ghi chú minh hoạ (demo)."
    db.session.add(note)
    if case.status == "open" and rng.random() < 0.8:
        due = today + timedelta(days=rng.randrange(-20, 40))  # about a third are overdue
        followup = FollowUp(case=case, due_on=due, assignee_id=counsellor_id, status="open", source="demo")
        followup.purpose = "Gọi hỏi thăm theo quy ước an toàn (demo)."
        db.session.add(followup)
        case.next_followup_on = due
