"""The closing report of a plan as an Excel file in the official layout (export_layout): the issuing body and the
national motto, the title, the plan and its phase, one row per indicator with the phase target, the result of each
year, the result at the end of the phase, the rate and whether it was met, the budget against the envelope, and
the signature block."""

from io import BytesIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..web.xlsx import keep_text
from .export import print_setup
from .export_layout import merged, official_heading, signature, table_row

STATE_LABELS = {"met": _l("Đạt"), "not_met": _l("Chưa đạt"), "unknown": "—"}
WHOLE, ONE_DECIMAL = "#,##0", "#,##0.0"


def _number(value):
    return "" if value is None else value


def workbook(plan, root, rows, years, budget) -> bytes:
    """The closing report: `rows` are plans.ClosingRow, `years` [(year, {code: result})], `budget` the totals."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Tổng kết")
    columns = 4 + len(years) + 3  # TT, indicator, unit, phase target, the years, result, rate, assessment
    last = get_column_letter(columns)
    official_heading(sheet, root.name, last=last)
    merged(sheet, 4, _("BÁO CÁO TỔNG KẾT"), bold=True, size=14, last=last)
    merged(sheet, 5, plan.title, bold=True, last=last)
    merged(
        sheet,
        6,
        _(
            "Giai đoạn %(a)d–%(b)d · phiên bản %(v)d · đơn vị: %(unit)s",
            a=plan.phase_start,
            b=plan.phase_end,
            v=plan.version,
            unit=root.name,
        ),
        last=last,
    )
    met, counted = sum(1 for r in rows if r.state == "met"), sum(1 for r in rows if r.state != "unknown")
    merged(
        sheet,
        7,
        _("Đạt %(met)d trên %(counted)d chỉ tiêu có số liệu và chỉ tiêu giao.", met=met, counted=counted),
        italic=True,
        last=last,
    )
    header = [_("TT"), _("Chỉ tiêu"), _("Đơn vị tính"), _("Chỉ tiêu cả giai đoạn")]
    header += [str(year) for year, _values in years]
    header += [_("Kết quả cuối kỳ"), _("Tỷ lệ đạt (%)"), _("Đánh giá")]
    table_row(sheet, 9, header, bold=True)
    row = 10
    for number, line in enumerate(rows, start=1):
        ind = line.indicator
        values = [number, f"{ind.code}. {ind.short_name}", ind.unit_label, _number(line.target)]
        values += [_number(by_code.get(ind.code)) for _year, by_code in years]
        values += [_number(line.achieved), _number(line.rate), str(STATE_LABELS[line.state])]
        table_row(sheet, row, values, bold=not ind.parent_code)
        for column in range(4, columns):  # numbers stay numbers; shown with the grouping of the reader's locale
            cell = sheet.cell(row=row, column=column)
            cell.number_format = WHOLE if isinstance(cell.value, int) else ONE_DECIMAL
        row += 1
    row += 1
    table_row(sheet, row, [_("Kinh phí"), _("Tổng mức vốn theo kế hoạch (đồng)"), "", plan.budget_total], bold=True)
    for label, key in ((_("Được giao (đồng)"), "allocated"), (_("Đã giải ngân (đồng)"), "disbursed")):
        row += 1
        table_row(sheet, row, ["", label, "", budget[key]])
    row += 1
    table_row(sheet, row, ["", _("Tỷ lệ giải ngân (%)"), "", _number(budget["rate"])])
    for each in range(row - 3, row + 1):
        sheet.cell(row=each, column=4).number_format = WHOLE if each < row else ONE_DECIMAL
    signature(sheet, row + 2)
    widths = [6, 48, 12, 14] + [10] * len(years) + [14, 12, 12]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    print_setup(sheet)
    sheet.page_setup.orientation = "landscape"  # a column per year: wider than a portrait page
    out = BytesIO()
    keep_text(book)
    book.save(out)
    return out.getvalue()
