"""The impact dossier (form 10 with annex 02a) as files for the authority: PDF (fpdf2, DejaVu Sans, which has
every Vietnamese letter) and DOCX (python-docx), made in memory from one saved version, with the national
heading. The same content as the printable page (templates/privacy/dossier_print.html)."""

from flask_babel import gettext as _

from . import reference_data as ref
from .models import DossierVersion

FONT_DIR = "/usr/share/fonts/truetype/dejavu"


def _lines(dossier: DossierVersion) -> list[tuple[str, str]]:
    """(kind, text) in reading order: kind is title, heading, meta or text."""
    reasons = dict(ref.DOSSIER_REASONS)
    meta = " · ".join(
        [
            _("Phiên bản %(n)d", n=dossier.version),
            str(reasons.get(dossier.reason, dossier.reason)),
            _("lập ngày %(d)s", d=dossier.completed_on.strftime("%d/%m/%Y")),
            _("bắt đầu xử lý từ %(d)s", d=dossier.processing_started_on.strftime("%d/%m/%Y")),
        ]
    )
    lines = [
        ("national", _("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        ("motto", _("Độc lập - Tự do - Hạnh phúc")),
        ("meta", _("Mẫu số 10")),
        ("title", _("Hồ sơ đánh giá tác động xử lý dữ liệu cá nhân")),
        ("meta", meta),
    ]
    for key, label in ref.DOSSIER_SECTIONS:
        lines += [("heading", str(label)), ("text", dossier.sections.get(key, ""))]
    facts = dossier.facts or {}
    if facts:
        lines.append(("heading", _("Phụ lục: thông tin lấy từ hệ thống ngày %(d)s", d=facts.get("on", ""))))
        lines += [
            ("text", f"{_('Căn cứ')}: {facts.get('legal_basis', '')}"),
            ("text", f"{_('Mục đích xử lý (theo sổ đồng ý)')}: " + "; ".join(_(p) for p in facts.get("purposes", []))),
        ]
        lines += [("text", f"{_(name)}: {_(items)}") for name, items in facts.get("categories", [])]
        lines += [
            (
                "text",
                f"{_('Bên nhận dữ liệu (danh bạ dịch vụ)')}: "
                + "; ".join(f"{r['name']} ({_agreement(r)})" for r in facts.get("recipients", [])),
            )
        ]
        lines += [
            ("text", f"{_(label)}: {_('%(n)d tháng', n=months)} {_(start)}")
            for label, start, months, _basis in facts.get("retention", [])
            if months
        ]
        lines += [("text", f"{_('Biện pháp bảo vệ')}: " + "; ".join(_(s) for s in facts.get("safeguards", [])))]
    return lines


def _agreement(recipient: dict) -> str:
    if recipient["agreement"]:
        return _("thoả thuận số %(ref)s", ref=recipient["agreement"])
    return _("chưa có thoả thuận chuyển giao")


def to_pdf(dossier: DossierVersion) -> bytes:
    """The dossier version as an A4 PDF, in memory."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_title(_("Hồ sơ đánh giá tác động xử lý dữ liệu cá nhân"))
    pdf.add_font("DejaVu", "", f"{FONT_DIR}/DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", f"{FONT_DIR}/DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    styles = {
        "national": (11, True, "C"),
        "motto": (11, False, "C"),
        "title": (15, True, "C"),
        "meta": (10, False, "C"),
        "heading": (13, True, "L"),
        "text": (11, False, "L"),
    }
    for kind, text in _lines(dossier):
        size, bold, align = styles[kind]
        if kind in ("title", "heading"):
            pdf.ln(3)
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(pdf.epw, size * 0.55, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def to_docx(dossier: DossierVersion) -> bytes:
    """The dossier version as a Word document, in memory (officials edit and sign it)."""
    from io import BytesIO

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    doc.core_properties.title = _("Hồ sơ đánh giá tác động xử lý dữ liệu cá nhân")
    for kind, text in _lines(dossier):
        if kind == "title":
            doc.add_heading(text, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "heading":
            doc.add_heading(text, level=1)
        else:
            para = doc.add_paragraph()
            run = para.add_run(text)
            run.bold = kind == "national"
            if kind in ("national", "motto", "meta"):
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
