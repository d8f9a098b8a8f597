"""The export for the national domestic-violence database (Decree 110/2025): de-identified records in the
structure of the versioned mapping file, for a province reviewer only, after step-up, audited."""

import json
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from protection_support import vn
from statistics_support import WITHDRAWN, build_dataset, soffice_rows

from app.extensions import db

IDENTIFYING = ("Lò Thị Bảo Vệ", "1990")


@pytest.fixture
def dataset(app, make_user):
    return build_dataset(app, make_user)


def _export(app, year, quarter):
    from app.statistics import national
    from app.units.queries import by_code

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        export = national.build(by_code("11"), year, quarter)
        content = national.workbook(export)
        db.session.remove()
    return export, content


def test_every_field_of_the_mapping_is_exported_and_nothing_else(app, dataset):
    from app.statistics import national

    export, _content = _export(app, 2026, 0)
    mapping = json.loads(national.MAPPING_FILE.read_text(encoding="utf-8"))
    names = [f["name"] for f in mapping["fields"]]
    assert len(names) == len(set(names))
    assert export.records and all(list(r) == names for r in export.records)
    assert all({"name", "type", "source", "transform", "vi"} <= set(f) for f in mapping["fields"])
    assert mapping["version"] == "1.1"


def test_the_records_of_the_year_by_hand(app, dataset):
    export, _content = _export(app, 2026, 0)
    # 2026 incidents: cases 0–6; case 6 withdrew its consent for statistics: 6 records, 1 left out
    assert len(export.records) == 6 and export.left_out == 1 and export.period == "2026"
    first = export.records[0]  # case 0: the earliest incident (5/3/2026)
    assert {k: v for k, v in first.items() if not k.endswith("_ref")} == {
        "period": "2026",
        "province_code": "11",
        "commune_code": "03295",
        "incident_month": "2026-03",
        "date_approximate": 0,
        "place_type": "home",
        "form_physical": 1,
        "form_psychological": 1,
        "form_sexual": 0,
        "form_economic": 0,
        "sexual_kind": "",
        "forced_marriage": 0,
        "reported_to_police": 0,
        "perpetrators_male": 1,
        "perpetrators_female": 0,
        "perpetrators_unknown_sex": 0,
        "perpetrator_relations": "husband",
        "victim_sex": "female",
        "victim_age_group": "16_59",
        "victim_ethnicity": "minority",
        "victim_disability": 0,
        "victim_poverty": "poor",
        "case_kind": "dv",
        "case_opened_month": "2026-03",
        "case_status": "open",
        "case_closed_month": "",
        "measures": "stop_violence",
        "orders_granted": 1,
    }
    child = export.records[4]  # case 4: a girl of 12–15, sexual and physical violence by a parent
    assert (child["victim_age_group"], child["form_sexual"], child["perpetrator_relations"], child["measures"]) == (
        "under_16",
        1,
        "parent",
        "medical",
    )
    assert (child["sexual_kind"], child["forced_marriage"]) == ("rape", 0)  # the sub-form of 1.1
    assert [r["sexual_kind"] for r in export.records].count("") == 5
    assert [r["victim_sex"] for r in export.records] == ["female"] * 5 + ["male"]
    assert len({r["record_ref"] for r in export.records}) == 6 and all(
        len(r["record_ref"]) == 20 for r in export.records
    )


def test_a_quarter_holds_its_own_incidents_and_the_same_references(app, dataset):
    year, _ = _export(app, 2026, 0)
    quarter, _ = _export(app, 2026, 2)
    # April–June: cases 1–6, case 6 left out
    assert quarter.period == "2026-Q2" and len(quarter.records) == 5 and quarter.left_out == 1
    assert {r["record_ref"] for r in quarter.records} < {r["record_ref"] for r in year.records}
    assert quarter.records[0]["measures"] == "stop_violence" and quarter.records[0]["orders_granted"] == 0


def test_nothing_identifying_is_in_the_file(app, dataset):
    from app.cases.models import Case
    from app.protection.models import Incident

    _export_, content = _export(app, 2026, 0)
    book = load_workbook(BytesIO(content))
    texts = {
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None
    }
    with app.app_context():
        ids = set(db.session.scalars(db.select(Case.id))) | set(db.session.scalars(db.select(Incident.id)))
        codes = set(db.session.scalars(db.select(Case.code)))
    assert not any(value in text for text in texts for value in (*IDENTIFYING, *ids, *codes))
    assert not any(t.startswith("2026-03-0") for t in texts)  # no exact day of an incident


def test_the_file_names_its_mapping_version_and_opens_in_libreoffice(app, dataset, tmp_path):
    from app.statistics import national

    export, content = _export(app, 2026, 0)
    sheet = load_workbook(BytesIO(content)).active
    header = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, max_row=11, values_only=True)}
    assert header["mapping_version"] == "1.1" and header["mapping_file"] == "national_db_mapping_v1.json"
    assert header["records"] == 6 and header["left_out_not_in_statistics"] == 1
    names = [
        c
        for c in next(
            sheet.iter_rows(min_row=national.HEADER_ROWS + 1, max_row=national.HEADER_ROWS + 1, values_only=True)
        )
    ]
    assert names == national.field_names()
    rows = soffice_rows(content, tmp_path)
    assert rows[2][:2] == ["mapping_version", "1.1"]
    assert rows[national.HEADER_ROWS][:2] == ["record_ref", "victim_ref"]
    assert len([r for r in rows[national.HEADER_ROWS + 1 :] if r and r[0]]) == 6


def test_only_a_province_reviewer_exports_after_step_up_and_it_is_audited(app, dataset, make_user, login):
    from sqlalchemy import select

    from app.audit.models import AuditEntry

    province = make_user("district_reviewer", "11")
    with time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        client = app.test_client()
        login(client, make_user("district_reviewer", "099"))
        assert client.get("/statistics/national-db").status_code == 403
        assert client.get("/statistics/national-db.xlsx?year=2026&quarter=0").status_code == 403
        client = app.test_client()
        login(client, make_user("monitor", "11"))
        assert client.get("/statistics/national-db.xlsx?year=2026&quarter=0").status_code == 403
        client = app.test_client()
        login(client, province)
        page = client.get("/statistics/national-db").get_data(as_text=True)
        assert "record_ref" in page and "1.1" in page
        response = client.get("/statistics/national-db.xlsx?year=2026&quarter=2")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="csdl-quoc-gia-blgd-11-2026-Q2.xlsx"'
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "statistics.national_export")).one()
        detail = json.loads(entry.detail)
        assert {k: detail[k] for k in ("period", "records", "left_out", "mapping_version")} == {
            "period": "2026-Q2",
            "records": 5,
            "left_out": 1,
            "mapping_version": "1.1",
        }


def test_the_export_asks_for_a_fresh_second_factor(app, make_user, login, monkeypatch):
    from datetime import timedelta

    import pyotp

    from app.auth import stepup

    client = app.test_client()
    reviewer = make_user("district_reviewer", "11", totp=True)
    login(client, reviewer)
    assert client.post("/auth/totp", data={"code": pyotp.TOTP(reviewer.totp_secret).now()}).status_code == 302
    real = stepup.utcnow
    monkeypatch.setattr(stepup, "utcnow", lambda: real() + timedelta(minutes=6))
    assert client.get("/statistics/national-db").status_code == 200, "the page itself holds no record"
    response = client.get("/statistics/national-db.xlsx?year=2026&quarter=0")
    assert response.status_code == 303
    assert "/auth/step-up?next=/statistics/national-db.xlsx" in response.headers["Location"]


def test_a_bad_period_is_refused_beside_the_field(app, make_user, login):
    client = app.test_client()
    login(client, make_user("district_reviewer", "11"))
    response = client.get("/statistics/national-db.xlsx?year=1999&quarter=7")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count("Vui lòng chọn một mục trong danh sách.") == 2


def test_withdrawn_consent_is_left_out(app, dataset):
    from app.statistics import national

    export, _ = _export(app, 2026, 0)
    with app.test_request_context():
        withdrawn = national.pseudonym("case", dataset.case_ids[WITHDRAWN])
    assert withdrawn not in {r["victim_ref"] for r in export.records}


def test_a_case_kept_out_of_the_statistics_is_left_out(app, dataset):
    """A restriction of processing takes a case out of the figures (case_record.in_statistics, kept by the
    privacy area): its records stay home even with a valid consent."""
    from app.cases.models import Case

    with app.app_context():
        db.session.get(Case, dataset.case_ids[0]).in_statistics = False
        db.session.commit()
    export, _ = _export(app, 2026, 0)
    assert len(export.records) == 5 and export.left_out == 2
