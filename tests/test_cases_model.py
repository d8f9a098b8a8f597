"""The case model seals identity and narrative fields and indexes searched ones."""

from datetime import date

from sqlalchemy import select

from app.crypto.blind import fold_diacritics
from app.crypto.records import blind_hash
from app.extensions import db
from app.units.queries import by_code


def test_case_fields_round_trip_and_are_indexed(app, ctx):
    from app.cases.models import NAME_INDEXES, Case

    case = Case(
        code="TG-2026-9001",
        kind="dv",
        unit_id=by_code("TA-02").id,
        sex="female",
        age_band="30_44",
        ethnic_code="03",
        poverty_status="poor",
        opened_on=date(2026, 1, 5),
    )
    case.full_name = "Lò Thị Mai"
    case.birth_year = 1990
    case.safe_contact = {"channel": "phone", "window": "8-10h", "code_word": "mua lúa"}
    case.refresh_blind_indexes()
    db.session.add(case)
    db.session.commit()
    db.session.expunge_all()
    loaded = db.session.scalar(select(Case).where(Case.code == "TG-2026-9001"))
    assert loaded.full_name == "Lò Thị Mai"
    assert loaded.safe_contact["code_word"] == "mua lúa"
    fold = NAME_INDEXES[1]
    commune = by_code("03295").id  # TA-02 serves Quài Tở: its indexes use the commune's keys
    assert loaded.bidx_name_fold == blind_hash("case_record", fold, "lo thi mai", scope=commune)
    assert loaded.bidx_name_fold != blind_hash("case_record", fold, "lo thi mai")
    assert fold_diacritics("Lò Thị Mai") == "lo thi mai"
    assert loaded.bidx_name_year is not None
    raw = db.session.execute(select(Case.full_name_enc)).scalar()
    assert b"Mai" not in raw
