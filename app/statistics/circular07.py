"""The domestic-violence statistics in the fields of Circular 07/2017/TT-BVHTTDL, for one unit and one year,
and the same as an Excel report in the circular's table layout.

Sections (each a table with one row per commune of the unit, its total line last):
I.   cases by form of violence (a case counts once per form: the columns are not parts of one whole);
II.  perpetrators by sex;
III. victims under 16 / women 16–59 / 60 and over (a victim counts in at most one group);
IV.  protective and support measures applied (Law 13/2022/QH15 Art. 22);
V.   no-contact orders by deciding authority (Art. 25 commune chair, Art. 26 court);
VI.  trusted addresses operating, and the victims they received (cases of domestic violence opened at a
     trusted address in the year).

Sections I, II, IV and V are the protection area's own tables (app/protection/stats.py), so that the screen
and the file cannot disagree; III and VI read the case's demographic fields, through `source` only.
Every cell counting people is suppressed as the indicator figures are (app/indicators/derived.py). A file
leaves the system, so an export is suppressed for nobody's benefit: every cell below the threshold is
hidden, whoever asks (on screen a unit's own counsellors see their figures in clear).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select

from ..extensions import db
from ..indicators.derived import Table, protect
from ..protection import stats
from ..units.models import Unit
from ..units.queries import merged_olds, scope_ids
from ..web.filters import date_vn
from . import sheet as xl
from . import source

DV_KINDS = ("dv", "both")
AGE_GROUPS = stats.AGE_GROUPS  # (source.UNDER_16, …): the groups and words of app/cases/reference_data.py
# The protection area's tables that are fields of the circular, in the circular's order, with their headings.
PROTECTION_SECTIONS = (
    ("forms", _l("I. Số vụ bạo lực gia đình theo hình thức bạo lực")),
    ("perpetrator_sex", _l("II. Số người gây bạo lực gia đình theo giới tính")),
)
LATER_SECTIONS = (
    ("measures", _l("IV. Số lượt biện pháp bảo vệ, hỗ trợ đã áp dụng (Luật 13/2022, Điều 22)")),
    ("orders", _l("V. Số quyết định cấm tiếp xúc theo thẩm quyền (Luật 13/2022, Điều 25, 26)")),
)
AGE_TITLE = _l("III. Số người bị bạo lực gia đình theo nhóm tuổi")
ADDRESS_TITLE = _l("VI. Địa chỉ tin cậy đang hoạt động và số người bị bạo lực được tiếp nhận")


@dataclass
class Report:
    root: Unit
    year: int
    communes: list[Unit]
    sections: list[tuple[str, Table]]  # (heading, suppressed table), in the circular's order
    addresses: list[int]  # trusted addresses operating in the year, per commune (places: never suppressed)


def _bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def victims_by_age(units: list[str], communes: list[Unit], year: int) -> Table:
    """Victims with an incident in the year by the circular's age groups (a victim in at most one group).

    Additive: the groups do not overlap, so each commune's line has its total."""
    counts = source.victims_by_group(units, year)
    return stats.commune_table("age_groups", AGE_TITLE, communes, list(AGE_GROUPS), counts, additive=True)


def _addresses(commune: Unit, year: int) -> list[Unit]:
    start, end = _bounds(year)
    ids = list(scope_ids(commune))
    found = db.session.scalars(
        select(Unit).where(Unit.id.in_(ids), Unit.kind == "trusted_address", Unit.disabled.is_(False))
    )
    return [u for u in found if u.exists_between(start, end)]


def trusted_addresses(communes: list[Unit], year: int) -> tuple[Table, list[int]]:
    """Victims received by the trusted addresses of each commune in the year, and how many addresses operated."""
    per_commune = [_addresses(c, year) for c in communes]
    every = [a.id for found in per_commune for a in found]
    received = source.opened_in_year(every, DV_KINDS, year)
    counts = {(a.id, "received"): received.get(a.id, 0) for found in per_commune for a in found}
    table = stats.commune_table(
        "trusted_addresses",
        ADDRESS_TITLE,
        communes,
        [("received", _l("Số người bị bạo lực được tiếp nhận"))],
        counts,
        additive=False,
    )
    # An address and its successor (the same address, under the new commune from 1/7/2025) operate as one.
    return table, [len(found) - _pairs_in(found) for found in per_commune]


def _pairs_in(found: list[Unit]) -> int:
    """How many addresses of `found` have their successor in `found` too (both existed in the year of the merger)."""
    ids = {a.id for a in found}
    olds = {old for new, olds in merged_olds().items() if new in ids for old in olds}
    return len(olds & ids)


def build(root: Unit, year: int, viewer_units: frozenset = frozenset()) -> Report:
    """Every section for the root's communes and the year, suppressed for a viewer who knows `viewer_units`
    (a file: nobody — the default)."""
    communes = stats.communes_of(root, year)
    units = list(scope_ids(root))
    protection = {t.key: t for t in stats.tables(root, year, viewer_units=viewer_units)}
    ages = protect(victims_by_age(units, communes, year), viewer_units)
    addresses, operating = trusted_addresses(communes, year)
    sections = [(str(title), protection[key]) for key, title in PROTECTION_SECTIONS]
    sections.append((str(AGE_TITLE), ages))
    sections += [(str(title), protection[key]) for key, title in LATER_SECTIONS]
    sections.append((str(ADDRESS_TITLE), protect(addresses, viewer_units)))
    return Report(root, year, communes, sections, operating)


def workbook(report: Report) -> bytes:
    """The report as the circular lays it out: heading, unit, period, the sections, the signatures."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("TT 07-2017")
    width = 2 + max(len(t.col_labels) + (1 if t.row_totals is not None else 0) for _, t in report.sections)
    last = xl.letter(max(width, 6))
    start, end = _bounds(report.year)
    row = xl.heading(
        sheet,
        report.root.name,
        [
            (_("BÁO CÁO THỐNG KÊ SỐ LIỆU VỀ PHÒNG, CHỐNG BẠO LỰC GIA ĐÌNH"), {"bold": True, "size": 14}),
            (_("(Các chỉ tiêu theo Thông tư 07/2017/TT-BVHTTDL; tính từ hồ sơ vụ việc)"), {"italic": True}),
            (_("Đơn vị báo cáo: %(unit)s", unit=report.root.name), {}),
            (
                _(
                    "Kỳ báo cáo: năm %(year)d (từ ngày %(start)s đến ngày %(end)s)",
                    year=report.year,
                    start=date_vn(start),
                    end=date_vn(end),
                ),
                {"italic": True},
            ),
            (_("Đơn vị tính: vụ, người, quyết định, địa chỉ"), {"italic": True}),
        ],
        last,
    )
    row = xl.suppression_note(sheet, row, last)
    for title, table in report.sections:
        row += 1
        sheet.cell(row=row, column=1, value=title).font = xl.table_font()
        row += 1
        extra = report.addresses if table.key == "trusted_addresses" else None
        row = xl.write_table(
            sheet,
            row,
            table,
            first_header=_("Xã"),
            extra=extra,
            extra_header=_("Số địa chỉ tin cậy đang hoạt động") if extra is not None else None,
        )
    xl.signature(sheet, row + 1)
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 26
    for column in range(3, width + 2):
        sheet.column_dimensions[xl.letter(column)].width = 13
    return xl.finish(book, landscape=True)
