"""Synthetic, clearly fictitious demo data: one user for every role, then each area's records.

Passwords are random for each seeding and printed once on the console; they are never stored in the
repository.
"""

import secrets

from flask import current_app
from sqlalchemy import func, select

from .auth import services as auth
from .auth.models import User
from .extensions import db
from .reference import call_each
from .units.queries import by_code

# (username, role, unit code): the demo cast of Tuần Giáo.
DEMO_USERS = (
    ("admin", "admin", "11"),
    ("tuvan.quaito", "counsellor", "TA-02"),
    ("tuvan.muongmun", "counsellor", "TA-03"),
    ("huyen.hoi", "district_reviewer", "099"),
    ("ldtbxh", "agency_officer", "AG-LDTBXH-099"),
    ("baocao.quaito", "reporter", "03295"),
    ("giamsat.tinh", "monitor", "11"),
    # Indicator reports above the commune: the district Women's Union officer fills the district's report,
    # the province Women's Union confirms it (and, after the 2025 reform, the new communes' reports).
    ("baocao.huyen", "reporter", "099"),
    ("tinh.hoi", "district_reviewer", "11"),
)

# Each area seeds its own records: fn(case_count) after the users exist.
SEEDERS = (
    "app.cases.demo:seed",
    "app.livelihood.demo:seed",
    "app.referrals.demo:seed",
    "app.indicators.demo:seed",
)


def demo_password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def seed(case_count: int, *, if_empty: bool = False):
    """Create the demo users and data; returns [(username, role, password)] or None if skipped."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        return None
    logins = []
    for username, role, unit_code in DEMO_USERS:
        unit = by_code(unit_code)
        if unit is None or db.session.scalar(select(User.id).where(User.username == username)):
            continue
        password = demo_password()
        auth.create_user(username, password, role=role, unit=unit, actor="seed-demo",
                         display_name=f"{username} (demo)")
        logins.append((username, role, password))
    db.session.commit()
    current_app.config["DEMO_CASE_COUNT"] = case_count
    for seeder in SEEDERS:
        call_each([seeder])
        db.session.commit()
    return logins
