"""The closing report of the archived 2021–2025 plan as an Excel file in the official layout: opened by openpyxl
and by LibreOffice headless, its cells the page's figures (targets against results, year by year)."""

from io import BytesIO

import pytest
from indicators_helpers import in_force, indicator, registry_entry, unit
from openpyxl import load_workbook
from statistics_support import soffice_rows

from app.extensions import db


@pytest.mark.slow  # LibreOffice headless converts the file: 5–15 s depending on the machine's load
def test_the_closing_report_of_the_archived_plan_downloads_in_the_official_layout(
    app, client, make_user, login, tmp_path
):
    from app.indicators import plans, services

    with app.test_request_context():
        for _ in range(3):
            registry_entry("03295")  # three communication teams founded in 2023: CT1 counts 3 from 2023 on
        with in_force():
            services.set_target(indicator("CT1", plans.reference()), unit("099"), None, 5, actor="test")
            services.save_budget_line(
                None,
                unit("099"),
                {"component": "II", "activity_code": "II.4", "year": 2024, "source": "central"}
                | {"planned": 2_000_000, "allocated": 1_500_000, "disbursed": 1_234_567, "note": ""},
                actor="test",
                plan=plans.reference(),
            )
        db.session.commit()
        plan_id = plans.reference().id
    login(client, make_user("district_reviewer", "099"))
    page = client.get(f"/indicators/plans/{plan_id}/closing").get_data(as_text=True)
    assert f"/indicators/plans/{plan_id}/closing.xlsx" in page
    response = client.get(f"/indicators/plans/{plan_id}/closing.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "tong-ket-da8-2021-2025-099.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    flat = [str(v) for r in rows for v in r if v is not None]
    assert "HUYỆN TUẦN GIÁO" in flat and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "BÁO CÁO TỔNG KẾT" in flat
    summary = next(f for f in flat if f.startswith("Đạt "))
    assert "THỦ TRƯỞNG ĐƠN VỊ" in flat and summary.startswith("Đạt 0 trên") and summary in page  # as the page says
    header = next(r for r in rows if r[0] == "TT")
    assert list(header) == [
        "TT",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Chỉ tiêu cả giai đoạn",
        "2021",
        "2022",
        "2023",
        "2024",
    ] + [
        "2025",
        "Kết quả cuối kỳ",
        "Tỷ lệ đạt (%)",
        "Đánh giá",
    ]
    ct1 = next(r for r in rows if str(r[1]).startswith("CT1."))
    # target 5 for the phase; 0 teams in 2021–2022, 3 from 2023; 3 at the end: 60 %, not met
    assert ct1[3:] == [5, 0, 0, 3, 3, 3, 3, 60.0, "Chưa đạt"]
    assert sheet.cell(row=rows.index(ct1) + 1, column=4).number_format == "#,##0"
    budget = {r[1]: r[3] for r in rows if r[1] and "(đồng)" in str(r[1])}
    assert budget == {
        "Tổng mức vốn theo kế hoạch (đồng)": 12_380_000_000,
        "Được giao (đồng)": 1_500_000,
        "Đã giải ngân (đồng)": 1_234_567,
    }
    assert "Tỷ lệ giải ngân (%)" in flat and "1234567" not in page  # the page writes 1.234.567
    # LibreOffice opens it and reads the same cells
    read = soffice_rows(response.data, tmp_path)
    line = next(r for r in read if r and r[1].startswith("CT1."))
    assert line[3:12] == ["5", "0", "0", "3", "3", "3", "3", "60.0", "Chưa đạt"]
    assert any("BÁO CÁO TỔNG KẾT" in cell for r in read for cell in r)
