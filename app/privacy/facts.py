"""The system's own facts for the impact dossier and the processing register: purposes, data categories,
recipients (the directory's services and their agreements), retention and safeguards — read, never typed."""

from sqlalchemy import func, select

from .. import clock
from ..cases.models import Case
from ..cases.reference_data import CONSENT_PURPOSES
from ..directory.models import Service
from ..extensions import db
from . import reference_data as ref
from .services import live_agreement, notice_label, notice_on, retention_rules


def recipients() -> list[dict]:
    """Every live service of the directory (run by a current agency), with its agreement (or none)."""
    today = clock.today()
    services = sorted(
        (s for s in db.session.scalars(select(Service)) if s.is_live(today)), key=lambda s: (s.unit.name, s.name)
    )
    rows = []
    for service in services:
        agreement = live_agreement(service.id, today)
        rows.append(
            {
                "id": service.id,
                "name": service.name,
                "agency": service.unit.name,
                "agreement": agreement.reference if agreement else "",
                "until": agreement.valid_to.isoformat() if agreement and agreement.valid_to else "",
            }
        )
    return rows


def services_without_agreement() -> list[dict]:
    return [r for r in recipients() if not r["agreement"]]


def snapshot() -> dict:
    """The facts as they stand today (JSON: saved with each dossier version as it was)."""
    today = clock.today()
    notice = notice_on(today)
    rules = retention_rules()
    live_cases = db.session.scalar(select(func.count()).select_from(Case).where(Case.erased_at.is_(None))) or 0
    return {
        "on": today.isoformat(),
        "notice": notice_label(notice) if notice else "",
        "purposes": [str(label) for _, label in CONSENT_PURPOSES],
        "categories": [[str(name), str(items)] for name, items in ref.DATA_CATEGORIES],
        "subjects": live_cases,
        "recipients": recipients(),
        "retention": [
            [
                str(label),
                str(start),
                rules[code].months if code in rules else None,
                rules[code].basis if code in rules else "",
            ]
            for code, label, start, _ in ref.RECORD_TYPES
        ],
        "safeguards": [str(s) for s in ref.SAFEGUARDS],
        "legal_basis": ref.LAW,
    }
