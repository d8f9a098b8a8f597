"""The rights desk's documents as files, through the shared writer (app/web/documents.py): the acknowledgement
given to the person and the breach notification to the authority (form 08, Decree 356/2025 Art. 28–29). Each
file is opened (pypdf, python-docx) and read back for the national heading, the title or form number and the
record's own fields; each is never cached, audited, and out of reach of anyone outside the page's permission."""

import io
import json
import re
import unicodedata
from datetime import UTC, datetime

import time_machine
from docx import Document as Word
from pypdf import PdfReader
from sqlalchemy import select
from test_cases_support import audit_actions

from app import clock
from app.extensions import db
from app.rights.models import Breach, RightsRequest

NATIONAL = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _flat(value: str) -> str:
    # one space for every run of white space: the PDF wraps long lines anywhere
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value))


def pdf_text(data: bytes) -> str:
    return _flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> tuple[list[str], str]:
    """The first paragraphs (the heading) and the whole text, table cells included."""
    doc = Word(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [f"{r.cells[0].text}: {r.cells[1].text}" for t in doc.tables for r in t.rows]
    return paragraphs, _flat("\n".join(paragraphs + cells))


def _file(client, url: str, mimetype: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == mimetype
    assert response.headers["Cache-Control"] == "no-store" and "attachment" in response.headers["Content-Disposition"]
    return response.data


def _formats(app, action: str) -> list[str]:
    return sorted(json.loads(detail)["format"] for name, _result, detail in audit_actions(app) if name == action)


def test_the_acknowledgement_downloads_as_pdf_and_docx_with_the_pages_words(
    app, client, counsellor, case_id, make_user, login
):
    data = {"kind": "correct", "channel": "in_person", "identity_check": "cccd", "details": "Sửa năm sinh"}
    assert client.post(f"/rights/cases/{case_id}/new", data=data).status_code in (302, 303)
    with app.app_context():
        req = db.session.scalar(select(RightsRequest))
        rights_id, code = req.id, req.case.code
        received, due = clock.local(req.received_at), clock.local(req.answer_due_at)
    url = f"/rights/{rights_id}/acknowledgement"
    page = client.get(url).get_data(as_text=True)
    assert f"{url}.pdf" in page and f"{url}.docx" in page
    expected = [
        "Giấy xác nhận đã nhận yêu cầu",
        f"ngày {received:%d/%m/%Y}: Chỉnh sửa dữ liệu",
        f"chậm nhất ngày {due:%d/%m/%Y}",
        f"Mã số để hỏi lại: {code}.",
        f"Ngày {clock.today():%d/%m/%Y}",
    ]
    for line in expected[1:4]:
        assert line in _flat(page), line
    text_pdf = pdf_text(_file(client, f"{url}.pdf", "application/pdf"))
    paragraphs, text_docx = docx_text(_file(client, f"{url}.docx", DOCX))
    assert paragraphs[:2] == [NATIONAL, MOTTO]
    for body in (text_pdf, text_docx):
        assert NATIONAL in body and MOTTO in body
        for line in expected:
            assert line in body, line
    assert text_pdf.index(NATIONAL) < text_pdf.index("Giấy xác nhận") < text_pdf.index(code)
    assert client.get(f"{url}.txt").status_code == 404
    assert _formats(app, "rights.acknowledgement_file") == ["docx", "pdf"]
    # Another commune's counsellor and the data-protection officer (who never reads the case) get nothing.
    for role, unit_code in (("counsellor", "TA-03"), ("dpo", "11")):
        other = app.test_client()
        login(other, make_user(role, unit_code))
        for fmt in ("pdf", "docx"):
            assert other.get(f"{url}.{fmt}").status_code in (403, 404), (role, fmt)
    assert _formats(app, "rights.acknowledgement_file") == ["docx", "pdf"]


def test_form_08_is_filled_from_the_breach_record_as_page_pdf_and_docx(app, make_user, login):
    officer, user = app.test_client(), make_user("dpo", "11")
    with app.app_context():
        from app.auth.models import User

        db.session.get(User, user.id).display_name = "Phạm Thị Bảo Vệ"
        db.session.commit()
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), tick=False):
        login(officer, user)
        created = officer.post(
            "/rights/breaches/new",
            data={
                "kind": "unauthorised_access",
                "detected_at": "2026-12-01T08:15",
                "persons_affected": "1234",
                "description": "Tài khoản tư vấn viên bị dùng từ máy lạ",
                "measures": "Khoá tài khoản, đổi mật khẩu, rà nhật ký truy cập",
            },
        )
        assert created.status_code == 303
        url = created.headers["Location"]
        assert officer.post(url, data={"step": "contain"}).status_code == 303
    with app.app_context():
        breach = db.session.scalar(select(Breach))
        breach.notified_at = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)
        contained = clock.local(breach.contained_at)
        db.session.commit()
    login(officer, user)
    expected = [
        "Mẫu số 08",
        "THÔNG BÁO VI PHẠM QUY ĐỊNH BẢO VỆ DỮ LIỆU CÁ NHÂN",
        "Luật 91/2025/QH15 Điều 23; Nghị định 356/2025 Điều 28–29",
        "Truy cập trái phép",
        "Phát hiện lúc: 01/12/2026 08:15",
        f"Đã khắc phục: {contained:%d/%m/%Y %H:%M}",
        "Đã thông báo cơ quan: 02/12/2026 09:30",
        "Số người bị ảnh hưởng: 1.234",
        "Tài khoản tư vấn viên bị dùng từ máy lạ",
        "Khoá tài khoản, đổi mật khẩu, rà nhật ký truy cập",
        "Phạm Thị Bảo Vệ",
    ]
    assert f"{url}/notice" in officer.get(url).get_data(as_text=True)
    page = _flat(re.sub(r"<[^>]+>", " ", officer.get(f"{url}/notice").get_data(as_text=True)))
    text_pdf = pdf_text(_file(officer, f"{url}/notice.pdf", "application/pdf"))
    paragraphs, text_docx = docx_text(_file(officer, f"{url}/notice.docx", DOCX))
    assert paragraphs[:3] == [NATIONAL, MOTTO, "Mẫu số 08"]
    for line in expected[:4] + expected[8:]:
        assert line in page, line
    for body in (text_pdf, text_docx):
        assert NATIONAL in body and MOTTO in body
        for line in expected:
            assert line in body, line
    assert officer.get(f"{url}/notice.xlsx").status_code == 404
    assert _formats(app, "breach.notice") == ["docx", "html", "pdf"]
    # A counsellor and the officer of a district below (its register only) never reach it.
    for role, unit_code in (("counsellor", "TA-02"), ("dpo", "099")):
        other = app.test_client()
        login(other, make_user(role, unit_code))
        for suffix in ("", ".pdf", ".docx"):
            assert other.get(f"{url}/notice{suffix}").status_code in (403, 404), (role, suffix)
