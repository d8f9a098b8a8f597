"""A consent's method, giver and language, and a service's kind, status and dates are sealed with the case
(issue 14 item 9): in clear, "given by the guardian" said the survivor is a child and the language of the
explanation said the ethnic group — what the sealed profile hides — and a service's kind and dates singled out
every demo case beside its trusted address. The bytes on disk hold none of them (the SQLite file and its WAL,
PostgreSQL's heap files after a checkpoint), their ciphertexts have one length whatever the values, the case
page still shows them, and migration 2740 carries existing values across and back."""

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from helpers import postgres_heap_bytes, sqlite_file_bytes
from protection_support import case, make_world, user, vn

from app.extensions import db

MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "2740_consent_service_sealed.py"
CONSENT = {"purpose": "services", "method": "thumbprint", "given_by": "child_and_guardian", "language": "hmong"}
PLAIN_CONSENT = {"purpose": "statistics", "method": "signed", "given_by": "self", "language": "vi"}
SERVICE = {"kind": "legal_aid", "status": "in_progress", "start_on": date(2026, 8, 19), "end_on": date(2026, 9, 23)}
SHORT_SERVICE = {"kind": "shelter", "status": "planned"}
# What a stolen file must not show of them (dates as SQLite stores them: ISO text).
SECRETS = (b"thumbprint", b"child_and_guardian", b"hmong", b"legal_aid", b"in_progress", b"2026-08-19", b"2026-09-23")


def _raw() -> bytes | None:
    """What the database wrote: the SQLite file with its WAL, or PostgreSQL's heap files of the two tables."""
    if db.engine.dialect.name == "sqlite":
        return sqlite_file_bytes(db.engine.url.database)
    return postgres_heap_bytes(("case_consent", "case_service"))


def _add(world=None, *, case_id: str = "", counsellor_id: str = "") -> None:
    from app.cases import services

    if world is not None:
        case_id, counsellor_id = world.case_id, world.counsellor_id
    counsellor, record = user(counsellor_id), case(case_id)
    for consent in (CONSENT, PLAIN_CONSENT):
        services.record_consent(record, {**consent, "given_on": date(2026, 3, 2)}, actor=counsellor)
    for service in (SERVICE, SHORT_SERVICE):
        services.add_service(record, service, actor=counsellor)
    db.session.commit()


def _read(world) -> tuple[list, list]:
    from app.cases.models import CaseService, Consent

    consents = db.session.scalars(sa.select(Consent).where(Consent.case_id == world.case_id)).all()
    services = db.session.scalars(sa.select(CaseService).where(CaseService.case_id == world.case_id)).all()
    return (
        sorted((c.purpose, c.method, c.given_by, c.language) for c in consents),
        sorted((s.kind, s.status, s.start_on, s.end_on) for s in services),
    )


EXPECTED = (
    sorted((c["purpose"], c["method"], c["given_by"], c["language"]) for c in (CONSENT, PLAIN_CONSENT)),
    sorted((s["kind"], s["status"], s.get("start_on"), s.get("end_on")) for s in (SERVICE, SHORT_SERVICE)),
)


def test_consent_manner_and_service_codes_are_not_on_disk_and_seal_to_one_length(app, make_user, fresh_files):
    world = make_world(app, make_user)
    with app.test_request_context():
        before = _raw()
        if before is None:
            pytest.skip("the PostgreSQL test role is not a superuser: its heap files cannot be read")
        _add(world)
        for table, gone, sealed in (
            ("case_consent", {"method", "given_by", "language"}, "manner_enc"),
            ("case_service", {"kind", "status", "start_on", "end_on"}, "codes_enc"),
        ):
            columns = {c["name"] for c in sa.inspect(db.session.connection()).get_columns(table)}
            assert not columns & gone and sealed in columns
            lengths = db.session.execute(sa.text(f"SELECT {sealed} FROM {table}")).scalars().all()
            assert len(lengths) >= 2 and len({len(bytes(b)) for b in lengths}) == 1, f"{table}: lengths differ"
        after = _raw()
        assert _read(world) == EXPECTED  # the models open them
        db.session.remove()
    for secret in SECRETS:  # the rows were written, their codes are not there in clear
        assert after.count(secret) == before.count(secret), f"{secret!r} on disk in clear"
    assert after.count(b"services") >= before.count(b"services")  # (the purpose stays: the consent checks read it)


def test_the_case_page_shows_the_sealed_values(app, client, counsellor, case_id):
    with app.test_request_context():
        _add(case_id=case_id, counsellor_id=counsellor.id)
        db.session.remove()
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    for words in ("Điểm chỉ", "H&#39;Mông", "Trợ giúp pháp lý", "Nơi tạm lánh"):
        assert words in page or words.replace("&#39;", "'") in page, words


def _before() -> str:
    return re.search(r"^down_revision = '([^']+)'", MIGRATION.read_text(), re.M).group(1)


@time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False)
def test_the_migration_seals_existing_values_and_goes_back(app, make_user):
    from app.cases import services as case_services

    live, erased = make_world(app, make_user), make_world(app, make_user)
    with app.test_request_context():
        _add(live)
        _add(erased)
        case_services.erase_case(case(erased.case_id), user(erased.counsellor_id))
        db.session.commit()
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", _before()])
    try:
        assert result.exit_code == 0, result.output + repr(result.exception)
        with app.app_context():
            consents = db.session.execute(
                sa.text("SELECT case_id, method, given_by, language FROM case_consent WHERE case_id IN (:a, :b)"),
                {"a": live.case_id, "b": erased.case_id},
            ).all()
            assert sorted(tuple(c[1:]) for c in consents if c[0] == live.case_id) == [
                ("signed", "self", "vi"),
                ("thumbprint", "child_and_guardian", "hmong"),
            ]
            # the erased case's come back empty: its key is gone
            assert {tuple(c[1:]) for c in consents if c[0] == erased.case_id} == {("", "", None)}
            services = db.session.execute(
                sa.text("SELECT kind, status, start_on, end_on FROM case_service WHERE case_id = :c"),
                {"c": live.case_id},
            ).all()
            assert sorted((s[0], s[1], str(s[2]), str(s[3])) for s in services) == [
                ("legal_aid", "in_progress", "2026-08-19", "2026-09-23"),
                ("shelter", "planned", "None", "None"),
            ]
            db.session.remove()
    finally:
        result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.test_request_context():
        assert _read(live) == EXPECTED
        db.session.remove()
