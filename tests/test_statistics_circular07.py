"""The Circular 07/2017/TT-BVHTTDL statistics: counted from the coded fields of a small dataset whose every
figure is stated by hand below, suppressed for a file that leaves the system, written as the circular's
Excel report and opened by openpyxl and by LibreOffice headless."""

import json
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from protection_support import vn
from statistics_support import build_dataset, soffice_rows

from app.extensions import db

# By hand, from statistics_support.CASES (2026, commune Quài Tở = its only row, so the total line is the same).
# Case 6 withdrew its consent for statistics: it is in no figure (PDP Law 91/2025, app/privacy).
CLEAR = {
    # physical: cases 0,1,2,4,5; psychological: 0,3; sexual: 4; economic: 2 (case 7's incident is in 2025)
    "forms": ["5", "2", "1", "1"],
    # perpetrators of 2026 incidents: female 3; male 0,1,2,4,5; unknown none; total 6
    "perpetrator_sex": ["1", "5", "0", "6"],
    # under 16: case 4; women 16–59: 0,1,2,3; 60 and over: 5
    "age_groups": ["1", "4", "1", "6"],
    # stop the violence twice (0,1), summon once (2), medical care once (4): 4 measures, other columns 0
    "measures": ["2", "1", "0", "0", "1", "0", "0", "0", "0", "0", "4"],
    "orders": ["1", "0", "1"],  # one commune chair's order (case 0), no court order
    "trusted_addresses": ["6"],  # DV cases opened at TA-02 in 2026: 0–5 (7 opened in 2025, 8 is trafficking)
}
# The same suppressed (threshold 5, nobody's own unit): below 5 is "<5"; nothing else can be worked back, since
# every line holding a hidden cell has either a hidden total or at least two cells sharing a hidden rest
# (perpetrators: female and unknown share 6 - 5 = 1, either could be 0 or 1).
SUPPRESSED = {
    "forms": ["5", "<5", "<5", "<5"],
    "perpetrator_sex": ["<5", "5", "<5", "6"],
    "age_groups": ["<5", "<5", "<5", "6"],
    "measures": ["<5"] * 11,
    "orders": ["<5", "<5", "<5"],
    "trusted_addresses": ["6"],
}


@pytest.fixture
def dataset(app, make_user):
    return build_dataset(app, make_user)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield
        db.session.remove()


def _report(viewer_units=frozenset()):
    from app.statistics import circular07
    from app.units.queries import by_code

    return circular07.build(by_code("03295"), 2026, viewer_units=viewer_units)


def _shown(report) -> dict:
    found = {}
    for _title, table in report.sections:
        row = [table.show(c) for c in table.cells[0]]
        row += [table.show(table.row_totals[0])] if table.row_totals is not None else []
        found[table.key] = row
    return found


def test_the_counts_of_the_dataset_are_those_stated_by_hand(app, dataset, request_ctx):
    from app.units.queries import by_code, scope_ids

    report = _report(viewer_units=frozenset(scope_ids(by_code("03295"))))
    assert _shown(report) == CLEAR
    assert report.addresses == [1]  # TA-02 is the commune's one trusted address


def test_a_file_is_suppressed_whoever_asks(app, dataset, request_ctx):
    report = _report()
    assert _shown(report) == SUPPRESSED
    totals = {t.key: [t.show(c) for c in t.col_totals] for _title, t in report.sections}
    assert totals["forms"] == ["5", "<5", "<5", "<5"]  # one commune: the total line is the commune's line
    assert [t.key for _title, t in report.sections] == [
        "forms",
        "perpetrator_sex",
        "age_groups",
        "measures",
        "orders",
        "trusted_addresses",
    ]


def test_the_age_groups_agree_with_the_protection_screen(app, dataset, request_ctx):
    """The file takes its victims by age through app/statistics/source.py; the screen counts them itself."""
    from app.protection import stats
    from app.units.queries import by_code, scope_ids

    own = frozenset(scope_ids(by_code("03295")))
    screen = {t.key: t for t in stats.tables(by_code("03295"), 2026, own)}["age_groups"]
    assert [c.value for c in screen.cells[0]] == [1, 4, 1]


def _workbook(app, dataset):
    from app.statistics import circular07

    with app.test_request_context():
        content = circular07.workbook(_report())
        db.session.remove()
    return content


def _row_of(sheet, label: str, after: str) -> list:
    """The values of the first row labelled `label` (column B) below the row whose column A is `after`."""
    seen = False
    for row in sheet.iter_rows(values_only=True):
        seen = seen or (row[0] == after)
        if seen and row[1] == label:
            return list(row)
    raise AssertionError(f"no row {label!r} after {after!r}")


def test_the_excel_report_has_the_circulars_layout_and_the_suppressed_figures(app, dataset):
    sheet = load_workbook(BytesIO(_workbook(app, dataset))).active
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Độc lập - Tự do - Hạnh phúc" in texts
    assert "BÁO CÁO THỐNG KÊ SỐ LIỆU VỀ PHÒNG, CHỐNG BẠO LỰC GIA ĐÌNH" in texts
    assert any("Thông tư 07/2017/TT-BVHTTDL" in t for t in texts)
    assert "Kỳ báo cáo: năm 2026 (từ ngày 01/01/2026 đến ngày 31/12/2026)" in texts
    assert "NGƯỜI LẬP BIỂU" in texts and "THỦ TRƯỞNG ĐƠN VỊ" in texts
    forms = _row_of(sheet, "Xã Quài Tở", "I. Số vụ bạo lực gia đình theo hình thức bạo lực")
    assert forms[:6] == [1, "Xã Quài Tở", 5, "<5", "<5", "<5"]
    sexes = _row_of(sheet, "Tổng cộng", "II. Số người gây bạo lực gia đình theo giới tính")
    assert sexes[2:6] == ["<5", 5, "<5", 6]
    ages = _row_of(sheet, "Xã Quài Tở", "III. Số người bị bạo lực gia đình theo nhóm tuổi")
    assert ages[2:6] == ["<5", "<5", "<5", 6]
    places = _row_of(sheet, "Xã Quài Tở", "VI. Địa chỉ tin cậy đang hoạt động và số người bị bạo lực được tiếp nhận")
    assert places[2:4] == [6, 1]  # 6 received, 1 address operating
    numbers = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, int) and c.column > 2]
    assert numbers and all(c.number_format == "#,##0" for c in numbers)
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
    assert "Lò Thị Bảo Vệ" not in texts


def test_libreoffice_opens_the_excel_report(app, dataset, tmp_path):
    rows = soffice_rows(_workbook(app, dataset), tmp_path)
    flat = [c for row in rows for c in row]
    assert "BÁO CÁO THỐNG KÊ SỐ LIỆU VỀ PHÒNG, CHỐNG BẠO LỰC GIA ĐÌNH" in flat
    quai_to = [row for row in rows if len(row) > 5 and row[1] == "Xã Quài Tở"]
    assert quai_to[0][2:6] == ["5", "<5", "<5", "<5"]  # section I as LibreOffice reads it


def test_the_export_route_audits_and_sends_the_file(app, dataset, make_user, login):
    from sqlalchemy import select

    from app.audit.models import AuditEntry

    client = app.test_client()
    monitor = make_user("monitor", "11")
    with time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        login(client, monitor)
        response = client.get("/statistics/circular-07.xlsx?year=2026")
        hub = client.get("/statistics/?year=2026").get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="thong-ke-blgd-tt07-11-2026.xlsx"'
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet["A6"].value == "Đơn vị báo cáo: Tỉnh Điện Biên"
    assert "/statistics/circular-07.xlsx?year=2026" in hub
    assert hub.count('id="statistics-monthly"') == 1 and "<title>Thống kê · Tin Cậy</title>" in hub
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "statistics.export")).one()
        detail = json.loads(entry.detail)
        assert detail["output"] == "circular07" and detail["year"] == 2026


def test_a_counsellor_sees_the_hub_but_downloads_no_file(app, make_user, login):
    client = app.test_client()
    login(client, make_user("counsellor", "TA-02"))
    hub = client.get("/statistics/")
    assert hub.status_code == 200 and "circular-07.xlsx" not in hub.get_data(as_text=True)
    assert client.get("/statistics/circular-07.xlsx").status_code == 403


def test_a_district_report_has_a_line_per_commune_adding_up_to_its_total(app, dataset, request_ctx):
    from app.statistics import circular07
    from app.units.queries import by_code, scope_ids

    district = by_code("099")
    report = circular07.build(district, 2026, viewer_units=frozenset(scope_ids(district)))
    forms = dict(report.sections)[str(circular07.PROTECTION_SECTIONS[0][1])]
    lines = {label: [c.value for c in row] for label, row in zip(forms.row_labels, forms.cells, strict=True)}
    assert len(lines) > 1 and "Xã Mường Mùn" in lines
    assert lines["Xã Quài Tở"] == [5, 2, 1, 1]
    assert all(values == [0, 0, 0, 0] for label, values in lines.items() if label != "Xã Quài Tở")
    assert [c.value for c in forms.col_totals] == [5, 2, 1, 1]
    places = report.sections[-1][1]
    assert [c.value for c in places.col_totals] == [6] and sum(report.addresses) >= 2  # TA-02, TA-03 at least


def test_the_age_headers_are_the_reference_datas_words(app, dataset):
    """The workbook's age columns carry the one label set of app/cases/reference_data.py: an en dash, no spaces,
    "Từ 60 tuổi trở lên" (not "16-59", "16 – 59", "60+" or a bare "Từ 60 tuổi")."""
    sheet = load_workbook(BytesIO(_workbook(app, dataset))).active
    header = next(row for row in sheet.iter_rows(values_only=True) if "Dưới 16 tuổi" in row)
    assert [c for c in header if isinstance(c, str) and "tuổi" in c] == [
        "Dưới 16 tuổi",
        "Phụ nữ 16–59 tuổi",
        "Từ 60 tuổi trở lên",
    ]
