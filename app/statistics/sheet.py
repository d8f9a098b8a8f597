"""What every workbook of this package shares with the indicator report (app/indicators/export_layout.py):
the official heading, boxed rows, the signature block, A4 printing; here also the suppressed tables."""

from io import BytesIO

from flask_babel import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..indicators.derived import Table, threshold
from ..indicators.export import print_setup
from ..indicators.export_layout import merged, official_heading, signature, table_row
from ..web.xlsx import keep_text

COUNT = "#,##0"  # whole numbers; Excel and LibreOffice show the reader's own thousands separator
RIGHT = Alignment(horizontal="right", vertical="top", wrap_text=True)

__all__ = [
    "merged",
    "official_heading",
    "signature",
    "table_row",
    "heading",
    "suppression_note",
    "write_table",
    "finish",
    "letter",
    "table_font",
]


def letter(column: int) -> str:
    return get_column_letter(column)


def heading(sheet, unit_name: str, lines: list[tuple[str, dict]], last: str) -> int:
    """The issuing body and national motto, then one merged line each; the next free row."""
    official_heading(sheet, unit_name, last)
    row = 4
    for text, style in lines:
        merged(sheet, row, text, last=last, **style)
        row += 1
    return row + 1


def suppression_note(sheet, row: int, last: str) -> int:
    merged(
        sheet,
        row,
        _(
            "Ghi chú: “<%(n)d” là số nhỏ hơn %(n)d, được ẩn để không nhận ra người bị bạo lực; “x” là ô "
            "được ẩn thêm để không tính ngược ra ô nhỏ từ tổng.",
            n=threshold(),
        ),
        italic=True,
        last=last,
    )
    sheet.row_dimensions[row].height = 32
    return row + 1


def cell_value(table: Table, cell):
    """The number for a cell shown, the suppression mark (text) for a hidden one."""
    return cell.value if not cell.suppressed else table.show(cell)


def write_table(
    sheet,
    row: int,
    table: Table,
    *,
    first_header: str,
    number_rows: bool = True,
    extra: list | None = None,
    extra_header: str | None = None,
) -> int:
    """One suppressed table: header, a numbered line per row, the total line; the next free row.

    `extra` adds a column of plain (never suppressed) values after the table's own, e.g. the number of
    trusted addresses operating, which counts places, not people."""
    headers = [_("TT"), first_header] + [str(c) for c in table.col_labels]
    headers += [_("Cộng")] if table.row_totals is not None else []
    headers += [extra_header] if extra is not None else []
    table_row(sheet, row, headers, bold=True)
    for i, label in enumerate(table.row_labels):
        row += 1
        values = [i + 1 if number_rows else "", str(label)] + [cell_value(table, c) for c in table.cells[i]]
        values += [cell_value(table, table.row_totals[i])] if table.row_totals is not None else []
        values += [extra[i]] if extra is not None else []
        table_row(sheet, row, values)
        _number_cells(sheet, row, len(values))
    row += 1
    values = ["", _("Tổng cộng")] + [cell_value(table, c) for c in table.col_totals]
    values += [cell_value(table, table.grand)] if table.grand is not None else []
    values += [sum(extra)] if extra is not None else []
    table_row(sheet, row, values, bold=True)
    _number_cells(sheet, row, len(values))
    return row + 1


def _number_cells(sheet, row: int, width: int) -> None:
    for column in range(3, width + 1):
        cell = sheet.cell(row=row, column=column)
        cell.alignment = RIGHT
        if isinstance(cell.value, int):
            cell.number_format = COUNT


def finish(book, *, landscape: bool = False) -> bytes:
    """Print setup of every sheet, typed text kept as text, the file's bytes."""
    for each in book.worksheets:
        print_setup(each)
        if landscape:
            each.page_setup.orientation = "landscape"
    keep_text(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def table_font() -> Font:
    return Font(bold=True)
