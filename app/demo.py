"""Synthetic, clearly fictitious demo data: one user for every role, then each area's records.

Passwords are random for each seeding and printed once on the console; they are never stored in the
repository.
"""

import secrets
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from .auth import services as auth
from .auth.models import RoleAssignment, User
from .extensions import db, transaction
from .reference import call_each
from .units.queries import by_code

# (username, role, unit code): the demo cast of Tuần Giáo. The people of Quài Tở and Mường Mùn work at the units in
# force since the 2025 reform (the trusted addresses and the commune under the new communes) and reach the old
# units' records through the lineage; the district's two (099) stay on the abolished district, whose 2021–2025
# reports they filed and confirmed (no unit took the district's place: the province's tinh.hoi confirms after it).
DEMO_USERS = (
    ("admin", "admin", "11"),
    ("tuvan.quaito", "counsellor", "2025-TA-02"),
    ("tuvan.muongmun", "counsellor", "2025-TA-03"),
    ("giamsat.quaito", "supervisor", "2025-03295"),  # co-signs exception contacts (Decree 76/2023 Art. 18)
    ("huyen.hoi", "district_reviewer", "099"),
    ("soyte", "agency_officer", "AG-SYT-11"),  # Sở Y tế: social protection since 1/7/2025
    ("baocao.quaito", "reporter", "2025-03295"),
    ("giamsat.tinh", "monitor", "11"),
    # Indicator reports above the commune: the district Women's Union officer fills the district's report,
    # the province Women's Union confirms it (and, after the 2025 reform, the new communes' reports).
    ("baocao.huyen", "reporter", "099"),
    ("tinh.hoi", "district_reviewer", "11"),
)

# Each area seeds its own records: fn(case_count) after the users exist. The indicators come before the plans:
# their budget lines are the yearly livelihood budget that the plans' approvals must stay within.
SEEDERS = (
    "app.cases.demo:seed",
    "app.indicators.demo:seed",
    "app.livelihood.demo:seed",
    "app.referrals.demo:seed",
    "app.protection.demo:seed",
    "app.registers.demo:seed",
)


# From this many cases on, the seed serves a benchmark rather than a demonstration: the areas then add plans and
# referrals in proportion to the cases, on top of their curated rows. Below it (`make run` seeds 40, the e2e
# tests 12) only the curated rows are made, which the demo and e2e tests know one by one.
BULK_FROM_CASES = 200


def demo_password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def seed(case_count: int, *, if_empty: bool = False):
    """Create the demo users and data; returns [(username, role, password)] or None if skipped."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        return None
    logins = []
    with transaction():
        for username, role, unit_code in DEMO_USERS:
            unit = by_code(unit_code)
            if unit is None or db.session.scalar(select(User.id).where(User.username == username)):
                continue
            password = demo_password()
            auth.create_user(
                username, password, role=role, unit=unit, actor="seed-demo", display_name=f"{username} (demo)"
            )
            logins.append((username, role, password))
        _office_contacts()
    current_app.config["DEMO_CASE_COUNT"] = case_count
    for seeder in SEEDERS:
        with transaction():
            call_each([seeder])
    return logins


# The offices whose work line the demo shows on its referrals (each side sees the other's, app/referrals).
# Illustrative numbers: a Vietnamese subscriber number never starts with 0, so "0215 0000 …" (0215 is Điện
# Biên's area code) reaches no one.
DEMO_OFFICE_LINES = {
    "2025-TA-02": ("0215 0000 102", "Thứ 2–6, 7h30–17h; ngoài giờ gọi Chi hội trưởng (số minh hoạ)"),
    "2025-TA-03": ("0215 0000 103", "Thứ 2–6, 7h30–17h (số minh hoạ)"),
    "AG-SYT-11": ("0215 0000 111", "Phòng Bảo trợ xã hội, giờ hành chính (số minh hoạ)"),
}


def _office_contacts() -> None:
    """Give the demo's offices an illustrative work line, leaving one an admin has set alone."""
    for code, (phone, note) in DEMO_OFFICE_LINES.items():
        unit = by_code(code)
        if unit is not None and not unit.work_phone:
            unit.work_phone, unit.work_note = phone, note


# --- shared by the areas' proportional ("bulk") seeders ---------------------------------------------------


def apportion(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split `total` by weight (largest remainder); every key gets at least one when total allows."""
    keys = list(weights)
    floor = 1 if total >= len(keys) else 0
    rest = total - floor * len(keys)
    whole = sum(weights.values())
    exact = {k: rest * weights[k] / whole for k in keys}
    counts = {k: floor + int(exact[k]) for k in keys}
    by_remainder = sorted(keys, key=lambda k: exact[k] - int(exact[k]), reverse=True)
    for k in by_remainder[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def assign_states(rng, rows, quotas: dict[str, int], windows: dict, today: date, open_only=()) -> list:
    """Pair case rows with states: each state takes its quota from the cases whose age in days (since opened_on)
    lies in its window (min, max or None), most demanding state first, each case once. When too few fit, a
    second pass drops the upper bound, so that the counts hold and only the dates get less typical."""
    pool = list(rows)
    rng.shuffle(pool)
    used: set = set()
    pairs: list[tuple[object, str]] = []
    order = sorted(quotas, key=lambda s: windows[s][0], reverse=True)
    for relaxed in (False, True):
        for state in order:
            low, high = windows[state]
            high = None if relaxed else high
            need = quotas[state] - sum(1 for _, s in pairs if s == state)
            for row in pool:
                if need <= 0:
                    break
                age = (today - row.opened_on).days
                if (
                    row.id in used
                    or age < low
                    or (high is not None and age > high)
                    or (state in open_only and row.status != "open")
                ):
                    continue
                used.add(row.id)
                pairs.append((row, state))
                need -= 1
    rng.shuffle(pairs)
    return pairs


def at(day: date, rng, now: datetime) -> datetime:
    """A moment of office hours on `day` (UTC; 7-17 h in Vietnam), never after `now`."""
    moment = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=rng.uniform(0.5, 9.5))
    return min(moment, now - timedelta(minutes=1))


def counsellors_by_unit() -> dict[str, str]:
    """One counsellor (user id) per unit that has any, to sign the demo rows of that unit's cases."""
    found: dict[str, str] = {}
    for unit_id, user_id in db.session.execute(
        select(RoleAssignment.unit_id, RoleAssignment.user_id)
        .where(RoleAssignment.role == "counsellor")
        .order_by(RoleAssignment.user_id)
    ):
        found.setdefault(unit_id, user_id)
    return found
