"""The Excel report's second and third sheets, in the same official layout as the first: the budget (lines by
year and component, by source, against the plan's 12.380.000.000 đ) and the registry stock (models established
and maintained at the period end, by kind and by commune). The figures come from the same functions as the
budget and registry screens, so the sheets and the screens cannot disagree."""

from flask_babel import gettext as _
from openpyxl.styles import Font

from ..units.queries import scope_ids
from ..web.filters import date_vn
from . import queries, services
from .export_layout import merged, official_heading, signature, table_row
from .forms import MODEL_KIND_LABELS, SOURCE_LABELS
from .models import BUDGET_SOURCES

MONEY = "#,##0"  # whole đồng; Excel shows the reader's own thousands separator


def add_sheets(book, report) -> None:
    """The budget sheet where the unit has budget lines (a district, a province; a commune only if it has
    its own), then the registry sheet."""
    summary = services.budget_summary(scope_ids(report.root), report.plan)
    if summary["lines"] or report.root.kind != "commune":
        _budget(book.create_sheet(_("Ngân sách")), report, summary)
    _registry(book.create_sheet(_("Sổ mô hình")), report)


def _heading(sheet, report, title: str, last: str) -> None:
    official_heading(sheet, report.root.name, last)
    merged(sheet, 4, title, bold=True, size=14, last=last)
    merged(sheet, 5, _("Đơn vị: %(unit)s", unit=report.root.name), last=last)


def _budget(sheet, report, summary) -> None:
    _heading(sheet, report, _("BÁO CÁO TÌNH HÌNH NGÂN SÁCH DỰ ÁN 8"), "I")
    merged(sheet, 6, _("Đơn vị tính: đồng"), italic=True, last="I")
    headers = [
        _("TT"),
        _("Năm"),
        _("Nội dung (hợp phần)"),
        _("Mã hoạt động"),
        _("Nguồn vốn"),
        _("Kế hoạch"),
        _("Được giao"),
        _("Đã giải ngân"),
        _("Tỷ lệ giải ngân (%)"),
    ]
    row = 8
    table_row(sheet, row, headers, bold=True)
    for number, line in enumerate(summary["lines"], start=1):
        row += 1
        table_row(
            sheet,
            row,
            [
                number,
                line.year,
                line.component,
                line.activity_code or "",
                str(SOURCE_LABELS[line.source]),
                line.planned,
                line.allocated,
                line.disbursed,
                _blank(summary["line_rate"][line.id]),
            ],
        )
    for year, sums in summary["by_year"].items():
        row += 1
        table_row(sheet, row, ["", year, _("Cộng năm %(year)d", year=year), "", "", *_sums(sums)], bold=True)
    for source in BUDGET_SOURCES:
        if source in summary["by_source"]:
            row += 1
            table_row(
                sheet,
                row,
                ["", "", _("Cộng nguồn"), "", str(SOURCE_LABELS[source]), *_sums(summary["by_source"][source])],
                italic=True,
            )
    row += 1
    table_row(sheet, row, ["", "", _("Tổng cộng"), "", "", *_sums(summary["totals"])], bold=True)
    for line in range(9, row + 1):
        for column in "FGH":
            sheet[f"{column}{line}"].number_format = MONEY
    row += 2
    a, b = (report.plan.phase_start, report.plan.phase_end) if report.plan else (2021, 2025)
    envelope = [
        (_("Tổng mức vốn theo kế hoạch giai đoạn %(a)d-%(b)d", a=a, b=b), summary["envelope"]),
        (_("Kế hoạch đã lập các năm"), summary["totals"]["planned"]),
        (_("Còn chưa lập kế hoạch"), summary["unplanned"]),
    ]
    for label, amount in envelope:
        sheet.cell(row=row, column=3, value=label).font = Font(bold=True)
        cell = sheet.cell(row=row, column=6, value=_blank(amount))
        cell.number_format = MONEY
        row += 1
    signature(sheet, row + 1)
    for letter, width in zip("ABCDEFGHI", (5, 7, 24, 12, 22, 17, 17, 17, 12), strict=True):
        sheet.column_dimensions[letter].width = width


def _sums(sums: dict) -> list:
    return [sums["planned"], sums["allocated"], sums["disbursed"], _blank(sums["rate"])]


def _blank(value):
    return "" if value is None else value


def _registry(sheet, report) -> None:
    kinds = list(MODEL_KIND_LABELS)
    last = "ABCDEFGHI"[min(len(kinds) + 1, 8)]
    _heading(sheet, report, _("SỐ MÔ HÌNH ĐƯỢC THÀNH LẬP VÀ DUY TRÌ"), last)
    merged(
        sheet,
        6,
        _(
            "Mô hình đang hoạt động đến ngày %(day)s (theo sổ mô hình)",
            day=date_vn(queries.stock_day(report.root, report.period_end)),
        ),
        italic=True,
        last=last,
    )
    row = 8
    table_row(
        sheet,
        row,
        [_("Loại mô hình"), _("Số mô hình"), _("Thành viên"), _("Nữ"), _("DTTS"), _("Buổi sinh hoạt")],
        bold=True,
    )
    # The models of the whole unit read once; each commune's line picks its own (no query per commune).
    day = queries.stock_day(report.root, report.period_end)  # a unit ended in the year: its last day
    entries = queries.active_entries(scope_ids(report.root), day)
    totals = queries.registry_totals(scope_ids(report.root), day, entries)
    for kind in kinds:
        t = totals.get(kind, {"count": 0, "members": 0, "women": 0, "ethnic_minority": 0, "meetings": 0})
        row += 1
        table_row(
            sheet,
            row,
            [str(MODEL_KIND_LABELS[kind]), t["count"], t["members"], t["women"], t["ethnic_minority"], t["meetings"]],
        )
    row += 2
    table_row(sheet, row, [_("Xã"), *(str(MODEL_KIND_LABELS[k]) for k in kinds), _("Cộng")], bold=True)
    for commune in report.communes:
        counts = queries.registry_totals(scope_ids(commune), day, entries)
        values = [counts.get(k, {}).get("count", 0) for k in kinds]
        row += 1
        table_row(sheet, row, [commune.name, *values, sum(values)])
    if report.root.kind != "commune":
        values = [totals.get(k, {}).get("count", 0) for k in kinds]
        row += 1
        table_row(sheet, row, [_("Tổng cộng (%(unit)s)", unit=report.root.name), *values, sum(values)], bold=True)
    signature(sheet, row + 2)
    sheet.column_dimensions["A"].width = 34
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 16
