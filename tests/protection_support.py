"""Shared helpers for the protection tests (no tests here): a case of TA-02 made through the services,
its counsellor and the commune's supervisor, and the Việt Nam wall clock for time-machine."""

from dataclasses import dataclass
from datetime import date, datetime

from app.clock import VN
from app.extensions import db


def vn(*parts) -> datetime:
    """A Việt Nam wall-clock moment (aware)."""
    return datetime(*parts, tzinfo=VN)


@dataclass
class World:
    case_id: str
    counsellor_id: str
    supervisor_id: str


def make_world(app, make_user, kind: str = "both", **case_changes) -> World:
    """A case at TA-02 (opened 2/3/2026) with its counsellor; a supervisor of commune 03295."""
    from app.auth.models import User
    from app.cases import services
    from app.units.queries import by_code

    counsellor = make_user("counsellor", "TA-02")
    supervisor = make_user("supervisor", "03295")
    with app.test_request_context():
        actor = db.session.get(User, counsellor.id)
        data = {
            "kind": kind,
            "unit_id": by_code("TA-02").id,
            "sex": "female",
            "age_band": "30_44",
            "ethnic_code": "03",
            "disability": False,
            "poverty_status": "poor",
            "risk_level": "medium",
            "opened_on": date(2026, 3, 2),
            "full_name": "Lò Thị Bảo Vệ",
            "birth_year": 1990,
        }
        data.update(case_changes)
        case = services.create_case(data, actor=actor)
        db.session.commit()
        world = World(case.id, counsellor.id, supervisor.id)
        db.session.remove()
    return world


def user(user_id):
    from app.auth.models import User

    return db.session.get(User, user_id)


def case(case_id):
    from app.cases.models import Case

    return db.session.get(Case, case_id)
