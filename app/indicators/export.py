"""The Excel report (openpyxl), laid out like an official report (Decree 30/2020 style): the issuing
body and the national motto, the title, unit and period, the indicator table with targets, achievement
and rate, the case-derived figures, the narrative sections and the signature block."""

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select

from ..extensions import db
from ..units.queries import scope_ids
from ..web.filters import date_vn
from ..web.xlsx import keep_text
from .derived import threshold
from .export_layout import merged, official_heading, signature, table_row
from .export_sheets import add_sheets
from .models import ReportingCycle, Submission
from .rules import DISAGGREGATION_LABELS, DISAGGREGATION_OPTIONS

COLUMNS = 6  # TT, indicator, unit, target, achieved, rate


def cell_value(figure_value):
    """What a figure puts in its cell: the number, or an empty cell when there is none."""
    return "" if figure_value is None else figure_value


def workbook(report, tables) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Báo cáo")
    _heading(sheet, report)
    row = _indicator_table(sheet, report, start=9)
    row = _derived(sheet, tables, row + 1)
    row = _narrative(sheet, report, row + 1)
    signature(sheet, row + 1)
    for letter, width in zip("ABCDEF", (6, 60, 12, 14, 14, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    add_sheets(book, report)  # the budget and the registry stock, on sheets of their own
    for each in book.worksheets:
        print_setup(each)
    out = BytesIO()
    keep_text(book)  # names and narratives typed by people never run as formulas
    book.save(out)
    return out.getvalue()


def print_setup(sheet) -> None:
    """Printed as an official report is filed: A4 portrait, one page wide, margins, heading rows repeated,
    the page number in the footer."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    sheet.print_options.horizontalCentered = True
    if sheet.max_row > 8:
        sheet.print_title_rows = "1:3"  # the national motto and the unit on every page
    sheet.oddFooter.center.text = _("Trang &P / &N")


def _heading(sheet, report) -> None:
    official_heading(sheet, report.root.name)
    merged(sheet, 4, _("BÁO CÁO"), bold=True, size=14)
    merged(
        sheet,
        5,
        _(
            "Kết quả thực hiện Dự án 8 “Thực hiện bình đẳng giới và giải quyết những vấn đề cấp thiết "
            "đối với phụ nữ và trẻ em”"
        ),
        bold=True,
    )
    merged(sheet, 6, _("Đơn vị: %(unit)s", unit=report.root.name))
    period = _("Năm %(year)d (số liệu đến ngày %(day)s)", year=report.year, day=date_vn(report.period_end))
    merged(sheet, 7, _("Kỳ báo cáo: %(period)s", period=period), italic=True)


def _indicator_table(sheet, report, start: int) -> int:
    a, b = (report.plan.phase_start, report.plan.phase_end) if report.plan else (2021, 2025)
    target_label = _("Chỉ tiêu năm") if report.target_year else _("Chỉ tiêu giai đoạn %(a)d-%(b)d", a=a, b=b)
    headers = [_("TT"), _("Chỉ tiêu"), _("Đơn vị tính"), target_label, _("Thực hiện"), _("Tỷ lệ đạt (%)")]
    table_row(sheet, start, headers, bold=True)
    row = start
    for item in report.rows:
        row += 1
        ind, total = item.indicator, item.total
        table_row(
            sheet,
            row,
            [
                ind.code,
                _(ind.short_name),
                _(ind.unit_label),
                cell_value(total.target),
                cell_value(total.achieved),
                cell_value(total.rate),
            ],
            bold=ind.parent_code is None,
        )
        row = _breakdown_rows(sheet, row, ind, total)
        for figure in item.communes:
            if figure.unit.id != report.root.id:  # a commune's own report has no rows below it
                row += 1
                table_row(
                    sheet,
                    row,
                    [
                        "",
                        f"   {figure.unit.name}",
                        _(ind.unit_label),
                        cell_value(figure.target),
                        cell_value(figure.achieved),
                        cell_value(figure.rate),
                    ],
                    italic=True,
                )
                row = _breakdown_rows(sheet, row, ind, figure)
    return row + 1


def _breakdown_rows(sheet, row: int, ind, figure) -> int:
    """Below a line, one row per part of its breakdown (by sex, by ethnic group, by age band) in the indicator's
    disaggregations, the number in the "achieved" column; a percentage's parts are counts of its numerator."""
    for dim in ind.disaggregation or []:
        parts = (figure.breakdown or {}).get(dim)
        if not parts:
            continue
        for option, label in DISAGGREGATION_OPTIONS[dim]:
            if option in parts:
                row += 1
                text = f"      {DISAGGREGATION_LABELS[dim]}: {label}"
                unit = "" if ind.is_percent else _(ind.unit_label)
                table_row(sheet, row, ["", text, unit, "", parts[option], ""], italic=True)
    return row


def _derived(sheet, tables, row: int) -> int:
    merged(sheet, row, _("SỐ LIỆU TỪ HỒ SƠ (tự tính; ô nhỏ hơn ngưỡng được ẩn)"), bold=True)
    row += 1
    merged(
        sheet,
        row,
        _(
            "Ghi chú: “<%(n)d” là số nhỏ hơn %(n)d, được ẩn để không nhận ra người được hỗ trợ; “x” là "
            "ô được ẩn thêm để không tính ngược ra ô nhỏ từ tổng.",
            n=threshold(),
        ),
        italic=True,
    )
    sheet.row_dimensions[row].height = 48  # the note wraps over three lines
    for table in tables:
        row += 1
        sheet.cell(row=row, column=2, value=str(table.title)).font = Font(bold=True)
        if not table.available:
            sheet.cell(row=row, column=3, value=_("chưa có dữ liệu"))
            continue
        row += 1
        headers = ["", ""] + [str(c) for c in table.col_labels] + ([_("Cộng")] if table.row_totals else [])
        if table.amounts is not None:
            headers.append(_("Số tiền đã giải ngân (đ)"))
        table_row(sheet, row, headers, bold=True)
        for i, label in enumerate(table.row_labels):
            row += 1
            values = ["", label] + [table.show(c) for c in table.cells[i]]
            values += [table.show(table.row_totals[i])] if table.row_totals else []
            values += [table.show_amount(i)] if table.amounts is not None else []
            table_row(sheet, row, values)
        row += 1
        values = ["", _("Tổng cộng")] + [table.show(c) for c in table.col_totals]
        values += [table.show(table.grand)] if table.grand is not None else []
        values += [table.show_amount(None)] if table.amounts is not None else []
        table_row(sheet, row, values, bold=True)
    return row + 1


def narrative(report) -> dict:
    """Results, difficulties and recommendations of the year's reports of the unit's communes."""
    units = list(scope_ids(report.root))
    subs = list(
        db.session.scalars(
            select(Submission)
            .join(ReportingCycle)
            .where(
                ReportingCycle.year == report.year,
                Submission.unit_id.in_(units),
                Submission.status.in_(("submitted", "confirmed", "locked")),
            )
            .order_by(ReportingCycle.round.desc())
        )
    )
    seen: set[str] = set()
    sections: dict[str, list[str]] = {"results": [], "difficulties": [], "recommendations": []}
    # The unit's own report (the district's) first, the update round before the preliminary, then by commune
    # code: the same workbook every time (the order of ids is random).
    subs.sort(key=lambda sub: (sub.unit_id != report.root.id, sub.cycle.round != "update", sub.unit.code))
    for sub in subs:
        if sub.unit_id in seen:
            continue  # the update round first; the preliminary only where no update was sent
        seen.add(sub.unit_id)
        for key in sections:
            text = getattr(sub, key)
            if text:
                own = len(units) == 1 or sub.unit_id == report.root.id
                sections[key].append(text if own else f"{sub.unit.name}: {text}")
    return sections


def _narrative(sheet, report, row: int) -> int:
    titles = {
        "results": _("I. KẾT QUẢ ĐẠT ĐƯỢC"),
        "difficulties": _("II. KHÓ KHĂN, VƯỚNG MẮC"),
        "recommendations": _("III. ĐỀ XUẤT, KIẾN NGHỊ"),
    }
    for key, texts in narrative(report).items():
        row += 1
        sheet.cell(row=row, column=1, value=titles[key]).font = Font(bold=True)
        for text in texts or [_("(không có)")]:
            row += 1
            sheet.merge_cells(f"A{row}:F{row}")
            sheet[f"A{row}"].value = text
            sheet[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    return row + 1
