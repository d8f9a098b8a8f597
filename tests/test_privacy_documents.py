"""One document writer (app/web/documents.py) for the files officials receive: the survivor's copy, the impact
dossier and the processing register come out of it as a PDF and a DOCX with the national heading. The files
are opened (pypdf, python-docx) and read back, field by field."""

import io
import unicodedata

import pytest
from docx import Document as Word
from pypdf import PdfReader

from app import clock

NATIONAL = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def pdf_text(data: bytes) -> str:
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def docx_parts(data: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """The paragraphs (headings included) and the two-column table rows of a Word file."""
    doc = Word(io.BytesIO(data))
    rows = [(r.cells[0].text, r.cells[1].text) for t in doc.tables for r in t.rows]
    return [p.text for p in doc.paragraphs], rows


@pytest.fixture
def officer(app, make_user, login):
    from app.extensions import db
    from app.privacy.services import load_reference

    with app.app_context():
        load_reference()
        db.session.commit()
    client = app.test_client()
    login(client, make_user("dpo", "11"))
    return client


def test_the_writer_puts_the_national_heading_title_and_every_field_in_both_files(app):
    from app.web.documents import Document, Section, to_docx, to_pdf

    section = Section("Phần một")
    section.add("Số người", "1.234")
    section.add("Bỏ qua", "")  # an empty value is left out, not printed as a blank row
    section.text("Diễn giải", "Đoạn văn có dấu: Quàng Thị Ơn, Điện Biên")
    empty = Section("Phần không có gì")
    document = Document(title="Tài liệu thử", form="Mẫu số 08", subtitle=["Ngày 07/12/2026"], sections=[section, empty])
    with app.test_request_context():
        pdf, docx = to_pdf(document), to_docx(document)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in (NATIONAL, MOTTO, "Mẫu số 08", "Tài liệu thử", "Ngày 07/12/2026", "Phần một", "Số người: 1.234"):
        assert expected in text, expected
    assert "Quàng Thị Ơn, Điện Biên" in text and "Bỏ qua" not in text and "Phần không có gì" not in text
    assert text.index(NATIONAL) < text.index("Tài liệu thử") < text.index("Phần một")
    paragraphs, rows = docx_parts(docx)
    assert paragraphs[:2] == [NATIONAL, MOTTO] and "Tài liệu thử" in paragraphs and "Mẫu số 08" in paragraphs
    assert rows == [("Số người", "1.234")]
    assert "Diễn giải" in paragraphs and "Đoạn văn có dấu: Quàng Thị Ơn, Điện Biên" in paragraphs
    assert "Phần không có gì" not in paragraphs
    assert Word(io.BytesIO(docx)).core_properties.title == "Tài liệu thử"


def test_the_processing_register_downloads_as_pdf_and_docx_with_its_fields(app, officer):
    page = officer.get("/privacy/register").get_data(as_text=True)
    assert "/privacy/register.pdf" in page and "/privacy/register.docx" in page
    pdf = officer.get("/privacy/register.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store" and "attachment" in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data)
    today = clock.today().strftime("%d/%m/%Y")
    for expected in (
        NATIONAL,
        "Sổ ghi chép hoạt động xử lý dữ liệu",
        today,
        "Luật 91/2025/QH15; Nghị định 356/2025/NĐ-CP",  # legal basis
        "Thông tin định danh (mã hoá)",  # what
        "Hồ sơ vụ việc đã đóng: 60 tháng",  # retention, from the schedule
        "Phòng Văn hóa - Xã hội",  # who receives: the directory
        "chưa có thoả thuận chuyển giao",
    ):
        assert expected in text, expected
    docx = officer.get("/privacy/register.docx")
    assert docx.status_code == 200 and docx.headers["Content-Type"].endswith("wordprocessingml.document")
    paragraphs, rows = docx_parts(docx.data)
    assert paragraphs[:2] == [NATIONAL, MOTTO] and "Sổ ghi chép hoạt động xử lý dữ liệu" in paragraphs
    values = dict(rows)
    assert values["Căn cứ"] == "Luật 91/2025/QH15; Nghị định 356/2025/NĐ-CP"
    assert values["Hồ sơ vụ việc đã đóng"] == "60 tháng từ ngày đóng hồ sơ"
    assert any("Phòng Văn hóa - Xã hội" in label for label, _ in rows)
    assert officer.get("/privacy/register.odt").status_code == 404


def test_the_register_files_are_the_officers_only(app, officer, make_user, login):
    for role, unit in (("admin", "11"), ("counsellor", "TA-02"), ("supervisor", "03295")):
        other = app.test_client()
        login(other, make_user(role, unit))
        for fmt in ("pdf", "docx"):
            assert other.get(f"/privacy/register.{fmt}").status_code == 403, (role, fmt)
