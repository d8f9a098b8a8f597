"""The layout every sheet of the Excel report shares, as in an official report (Decree 30/2020 style): the
issuing body beside the national motto, merged title lines, boxed table rows and the signature block."""

from flask_babel import gettext as _
from openpyxl.styles import Alignment, Border, Font, Side

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def merged(sheet, row: int, text: str, *, bold=False, italic=False, size=12, first="A", last="F") -> None:
    """One line of text across the columns first..last, centred."""
    sheet.merge_cells(f"{first}{row}:{last}{row}")
    cell = sheet[f"{first}{row}"]
    cell.value = text
    cell.font = Font(bold=bold, italic=italic, size=size)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def official_heading(sheet, unit_name: str, last: str = "F") -> None:
    """The issuing body (left) and the national motto (right), on the first two lines."""
    merged(sheet, 1, unit_name.upper(), bold=True, last="B")
    merged(sheet, 1, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), bold=True, first="C", last=last)
    merged(sheet, 2, _("Độc lập - Tự do - Hạnh phúc"), bold=True, first="C", last=last)


# Style objects made once: a new Font and Alignment per cell was a third of an export's time.
ROW_FONTS = {(bold, italic): Font(bold=bold, italic=italic) for bold in (False, True) for italic in (False, True)}
ROW_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


def table_row(sheet, row: int, values: list, *, bold=False, italic=False) -> None:
    """One boxed row of a table, from column A."""
    font = ROW_FONTS[(bold, italic)]
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = BOX
        cell.font = font
        cell.alignment = ROW_ALIGNMENT


def signature(sheet, row: int) -> None:
    """The recipients (left) and the two signatures: who drew up the report, the head of the unit."""
    sheet.cell(row=row, column=1, value=_("Nơi nhận:")).font = Font(bold=True, italic=True)
    merged(sheet, row, _("NGƯỜI LẬP BIỂU"), bold=True, first="B", last="B")
    merged(sheet, row, _("THỦ TRƯỞNG ĐƠN VỊ"), bold=True, first="D", last="F")
    merged(sheet, row + 1, _("(Ký, ghi rõ họ tên)"), italic=True, first="B", last="B")
    merged(sheet, row + 1, _("(Ký tên, đóng dấu)"), italic=True, first="D", last="F")
    sheet.cell(row=row + 1, column=1, value=_("- Như trên;"))
    sheet.cell(row=row + 2, column=1, value=_("- Lưu: VT."))
