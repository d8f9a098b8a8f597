"""The survivor's copy (a view/copy request): the case's data about the survivor as a printable page, a PDF and
a DOCX, with no third party and not the reporter (Law 91/2025 Art. 15(2)(a)). Each third-party field carries a
marker; the test opens each file and looks for the markers and for the survivor's own data."""

import io
import json
import os
import unicodedata

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select
from test_cases_support import new_case

from app.extensions import db
from app.rights.models import RightsRequest

PERPETRATOR = "Quàng Văn Bạo"
REPORTER = "Lường Thị Tin"
GUARDIAN = "Cầm Văn Giám"
WITNESS = "Vì Thị Chứng"
OWN = ("Lò Thị Mai", "011223344556", "Bản Sáng, nhà thứ ba")
THIRD = (
    PERPETRATOR,
    REPORTER,
    GUARDIAN,
    WITNESS,
    "chồng cũ",
    "hỏi mua gà giống",
    "family_or_neighbour",
    "Người thân, hàng xóm báo tin",
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture
def copy_request(app, client, counsellor, unit):
    case_id = new_case(
        client,
        unit("TA-02").id,
        perpetrator=f"Chồng — {PERPETRATOR}",
        perpetrator_relation="chồng cũ",
        reported_by=REPORTER,
        report_channel="family_or_neighbour",
        guardian_name=GUARDIAN,
        incident=f"Bị {PERPETRATOR} đánh; {REPORTER.upper()} gọi cho hội phụ nữ",
    )
    assert client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "services",
            "consent-method": "verbal_with_witness",
            "consent-given_by": "self",
            "consent-given_on": "2026-03-02",
            "consent-witness": WITNESS,
        },
    ).status_code in (200, 303)
    assert (
        client.post(
            f"/rights/cases/{case_id}/new", data={"kind": "view_copy", "channel": "in_person", "identity_check": "cccd"}
        ).status_code
        == 303
    )
    with app.app_context():
        rights_id = db.session.scalar(select(RightsRequest.id))
        db.session.remove()
    return rights_id


def _check(text: str) -> None:
    text = _nfc(text)
    for own in OWN:
        assert own in text, own
    for other in THIRD:
        assert other.lower() not in text.lower(), other


def test_the_printable_copy_holds_the_survivors_data_and_no_one_elses(app, client, copy_request):
    page = client.get(f"/rights/{copy_request}/copy")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _check(html)
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Bị […] đánh" in html
    with app.app_context():
        req = db.session.get(RightsRequest, copy_request)
        assert req.copy_made_at is not None
        db.session.remove()
    assert "Bản sao đã tạo" in client.get(f"/rights/{copy_request}").get_data(as_text=True)


def test_the_pdf_opens_and_holds_the_survivors_data_and_no_one_elses(client, copy_request):
    response = client.get(f"/rights/{copy_request}/copy.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store" and "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    _check(text)
    assert "BẢN SAO DỮ LIỆU CÁ NHÂN" in _nfc(text)


def test_the_docx_opens_and_holds_the_survivors_data_and_no_one_elses(client, copy_request):
    response = client.get(f"/rights/{copy_request}/copy.docx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    doc = Document(io.BytesIO(response.data))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    _check("\n".join(parts))


def test_every_copy_is_audited_and_nothing_is_kept(app, client, copy_request, tmp_path):
    from test_cases_support import audit_actions

    for suffix in ("", ".pdf", ".docx"):
        assert client.get(f"/rights/{copy_request}/copy{suffix}").status_code == 200
    formats = [
        json.loads(detail)["format"] for action, _result, detail in audit_actions(app) if action == "rights.copy"
    ]
    assert formats == ["html", "pdf", "docx"]
    with app.app_context():
        instance = app.instance_path
    for root, _dirs, files in os.walk(instance):
        assert not any(f.endswith((".pdf", ".docx")) for f in files), root


def test_only_the_cases_counsellors_get_a_copy_and_only_for_a_view_request(app, client, copy_request, make_user, login):
    officer = app.test_client()
    login(officer, make_user("dpo", "099"))
    assert officer.get(f"/rights/{copy_request}/copy.pdf").status_code in (403, 404)
    outsider = app.test_client()
    login(outsider, make_user("counsellor", "TA-03"))
    assert outsider.get(f"/rights/{copy_request}/copy").status_code == 404
    with app.app_context():
        case_id = db.session.get(RightsRequest, copy_request).case_id
        db.session.remove()
    client.post(
        f"/rights/cases/{case_id}/new", data={"kind": "delete", "channel": "in_person", "identity_check": "cccd"}
    )
    with app.app_context():
        other = db.session.scalar(select(RightsRequest.id).where(RightsRequest.kind == "delete"))
        db.session.remove()
    assert client.get(f"/rights/{other}/copy.docx").status_code == 404
