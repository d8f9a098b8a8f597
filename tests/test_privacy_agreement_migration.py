"""Migration 2500: transfer agreements recorded per agency before it become agreements of each service that
agency runs (Decree 356/2025 Art. 7: one per receiving service), and a referral to any of them is covered."""

import re
import uuid
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db

MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "2500_agreement_per_service.py"


def _before() -> str:
    """The revision the migration follows (re-pointed when others land migrations first)."""
    return re.search(r"^down_revision = '([^']+)'", MIGRATION.read_text(), re.M).group(1)


def _ids(app, *codes) -> list[str]:
    with app.app_context():
        found = [
            db.session.scalar(
                sa.text("SELECT id FROM unit WHERE code = :c UNION SELECT id FROM directory_service WHERE code = :c"),
                {"c": c},
            )
            for c in codes
        ]
        db.session.remove()
    return found


def test_an_agency_agreement_becomes_one_per_service_of_that_agency_and_covers_each(app):
    from app.privacy import services

    health, police = _ids(app, "AG-SYT-11", "AG-CAX-03295")
    protection, verification, police_service = _ids(app, "SV-SYT-BTXH", "SV-SYT-XMNN", "SV-CAX-03295")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", _before()])
    try:
        assert result.exit_code == 0, result.output + repr(result.exception)
        with app.app_context():
            for agency, reference in ((health, "05/2026/SYT"), (police, "09/2026/CAX")):
                db.session.execute(
                    sa.text(
                        "INSERT INTO privacy_agreement (id, agency_id, reference, signed_on, valid_from, valid_to, "
                        "scope, created_at) VALUES (:id, :agency, :ref, :day, :day, NULL, 'Phạm vi', :at)"
                    ),
                    {
                        "id": str(uuid.uuid4()),
                        "agency": agency,
                        "ref": reference,
                        "day": date(2026, 2, 1),
                        "at": "2026-02-01 08:00:00",
                    },
                )
            db.session.commit()
            db.session.remove()
    finally:
        result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.app_context():
        rows = db.session.execute(
            sa.text("SELECT service_id, agency_id, reference, valid_from, scope FROM privacy_agreement")
        ).all()
        by_service = {r[0]: (r[1], r[2], str(r[3]), r[4]) for r in rows}
        assert len(rows) == 3 and by_service == {
            protection: (health, "05/2026/SYT", "2026-02-01", "Phạm vi"),
            verification: (health, "05/2026/SYT", "2026-02-01", "Phạm vi"),
            police_service: (police, "09/2026/CAX", "2026-02-01", "Phạm vi"),
        }
        for service_id in (protection, verification, police_service):
            assert services.live_agreement(service_id) is not None
        db.session.remove()
