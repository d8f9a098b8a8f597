"""One writer for the documents officials receive as files: a title and sections in, a PDF (fpdf2, DejaVu Sans:
Vietnamese needs a Unicode TTF) and a DOCX (python-docx, for officials who edit and sign) out, both with the
national heading on top. Made in memory for one download and never stored.

The survivor's copy (app/rights/copy.py), the impact-assessment dossier (app/privacy/documents.py) and the
processing register (app/privacy/documents.py) describe *what* they hold as a `Document`; only this module
knows *how* a PDF or a Word file is laid out, so the three look alike and a fix to the layout reaches all.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from flask_babel import gettext as _

FONT_DIR = "/usr/share/fonts/truetype/dejavu"

MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class SectionLike(Protocol):
    title: str
    rows: list[tuple[str, str]]  # (label, value): a two-column table in Word, "label: value" lines in the PDF
    paragraphs: list[tuple[str, str]]  # (heading, text) for longer text; an empty heading prints none


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, label: str, value) -> None:
        if value not in (None, "", [], {}):
            self.rows.append((label, str(value)))

    def text(self, heading: str, value) -> None:
        if value:
            self.paragraphs.append((heading, str(value)))


@dataclass
class Document:
    title: str
    sections: Sequence[SectionLike]
    form: str = ""  # the official form's number above the title ("Mẫu số 10"), if any
    subtitle: list[str] = field(default_factory=list)  # centred lines under the title
    intro: list[str] = field(default_factory=list)  # paragraphs before the first section
    author: str = ""  # the unit that issues it (file properties)
    large: bool = False  # large type (the survivor's copy: read by people with poor sight or little schooling)


def national_heading() -> tuple[str, str]:
    """The national heading every official document starts with."""
    return _("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"), _("Độc lập - Tự do - Hạnh phúc")


def _printed(document: Document) -> list[SectionLike]:
    return [s for s in document.sections if s.rows or s.paragraphs]


def to_pdf(document: Document) -> bytes:
    """The document as an A4 PDF, in memory."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_title(document.title)
    if document.author:
        pdf.set_author(document.author)
    pdf.add_font("DejaVu", "", f"{FONT_DIR}/DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", f"{FONT_DIR}/DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    body = 12 if document.large else 11

    def write(text: str, size: int = body, bold: bool = False, align: str = "L") -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(pdf.epw, size * 0.55, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    national, motto = national_heading()
    write(national, 11, bold=True, align="C")
    write(motto, 11, align="C")
    pdf.ln(4)
    if document.form:
        write(document.form, 10, align="C")
    write(document.title, 15, bold=True, align="C")
    for line in document.subtitle:
        write(line, 10 if not document.large else 12, align="C")
    if document.intro:
        pdf.ln(3)
    for line in document.intro:
        write(line)
    for section in _printed(document):
        pdf.ln(3)
        write(section.title, body + 2, bold=True)
        for label, value in section.rows:
            write(f"{label}: {value}")
        for heading, text in section.paragraphs:
            if heading:
                write(heading, body, bold=True)
            write(text)
    return bytes(pdf.output())


def to_docx(document: Document) -> bytes:
    """The document as a Word file, in memory."""
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Word()
    if document.large:
        doc.styles["Normal"].font.size = Pt(13)
    doc.core_properties.title = document.title
    if document.author:
        doc.core_properties.author = document.author
    national, motto = national_heading()
    for text, bold in ((national, True), (motto, False)):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run(text).bold = bold
    if document.form:
        doc.add_paragraph(document.form).alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_heading(document.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in document.subtitle:
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in document.intro:
        doc.add_paragraph(line)
    for section in _printed(document):
        doc.add_heading(section.title, level=1)
        if section.rows:
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in section.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, value
        for heading, text in section.paragraphs:
            if heading:
                doc.add_heading(heading, level=2)
            doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


WRITERS = {"pdf": to_pdf, "docx": to_docx}


def download(document: Document, fmt: str, filename: str):
    """The (body, status, headers) of one file download: never cached, always an attachment."""
    return (
        WRITERS[fmt](document),
        200,
        {
            "Content-Type": MIMETYPES[fmt],
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
        },
    )
