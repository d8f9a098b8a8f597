"""Synthetic, clearly fictitious register entries: a few safe-motherhood payments (names say "(demo)") and
community events in two communes, so the pages and the overview have something to show."""

from datetime import date, timedelta

from sqlalchemy import select

from .. import clock
from ..auth.models import User
from ..extensions import db
from ..units.queries import by_code
from . import services
from .models import CommunityEvent

PAYMENTS = (  # commune, package, amount, days ago, ethnic bucket, age band
    ("03295", "birth_care", 1_200_000, 40, "08", "18_29"),
    ("03295", "postnatal", 500_000, 20, "08", "18_29"),
    ("03295", "birth_care", 1_200_000, 90, "03", "30_44"),
    ("03268", "birth_care", 1_100_000, 60, "23", "under_18"),
)
EVENTS = (  # commune, kind, days ago, participants, female, by ethnicity
    ("03295", "policy_dialogue", 30, 42, 25, {"03": 20, "08": 15, "01": 7}),
    ("03295", "communication", 12, 60, 41, {"03": 30, "08": 25, "other": 5}),
    ("03268", "communication", 50, 35, 20, {"03": 10, "08": 20, "23": 5}),
)


def seed() -> int:
    """Seed once: skipped when the event register already holds rows."""
    if db.session.scalar(select(CommunityEvent.id).limit(1)):
        return 0
    actor = db.session.scalar(select(User).where(User.username == "baocao.quaito")) or "seed-demo"
    today = clock.today()
    for number, (code, package, amount, ago, ethnic, age) in enumerate(PAYMENTS, start=1):
        services.save_payment(
            None,
            by_code(code),
            {
                "package": package,
                "amount": amount,
                "paid_on": today - timedelta(days=ago),
                "voucher_number": f"PC-DEMO-{number:03d}",
                "full_name": f"Người nhận thử nghiệm {number} (demo)",
                "address": "Bản thử nghiệm (demo)",
                "ethnic_code": ethnic,
                "age_band": age,
            },
            actor=actor,
        )
    for code, kind, ago, total, female, by_ethnicity in EVENTS:
        commune = by_code(code)
        services.save_event(
            None,
            commune,
            commune,
            {
                "kind": kind,
                "held_on": max(today - timedelta(days=ago), date(today.year, 1, 1)),
                "topic": "Sự kiện thử nghiệm (demo)",
                "participants": total,
                "female": female,
                "male": total - female,
                "by_ethnicity": by_ethnicity,
            },
            actor=actor,
        )
    return len(PAYMENTS) + len(EVENTS)
