"""The Excel report opens with openpyxl and holds the same figures as the dashboard; also per commune."""

from io import BytesIO

import pytest
from indicators_helpers import registry_entry, unit
from markup_support import unlabelled
from openpyxl import load_workbook

from app.extensions import db


def _cells(content: bytes) -> list[list]:
    sheet = load_workbook(BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _row(rows, first: str, second: str) -> list:
    return next(r for r in rows if (r[0] or "") == first and (r[1] or "").strip() == second)


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_export_holds_the_dashboards_figures(app, client, make_user, login):
    from indicators_helpers import indicator

    from app.indicators import figures, services

    with app.test_request_context():
        for _ in range(3):
            registry_entry("03295")
        registry_entry("03268")
        registry_entry("03295", "savings_group", total=20, women=12, linked=4, livelihood=2)
        services.set_target(indicator("CT1"), unit("03295"), None, 5, actor="test")
        db.session.commit()
        report = figures.build(unit("099"), 2025)  # the district's last year (it has no figures of 2026)
    reviewer = make_user("district_reviewer", "099")
    login(client, reviewer)
    response = client.get("/indicators/export.xlsx?year=2025")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _cells(response.data)
    flat = [str(v) for r in rows for v in r if v is not None]
    assert "BÁO CÁO" in flat and "Đơn vị: Huyện Tuần Giáo" in flat and "THỦ TRƯỞNG ĐƠN VỊ" in flat
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in flat and "III. ĐỀ XUẤT, KIẾN NGHỊ" in flat
    html = client.get("/indicators/?year=2025").get_data(as_text=True)
    for item in report.rows:
        code, total = item.indicator.code, item.total
        line = _row(rows, code, item.indicator.short_name)
        assert line[3:6] == [total.target, total.achieved, total.rate], code  # an empty cell reads as None
        assert f'id="ind-{code.replace(".", "-")}"' in html
    ct1 = _row(rows, "CT1", "Tổ truyền thông cộng đồng")
    assert ct1[3:6] == [85, 4, round(100 * 4 / 85, 1)]
    quai_to = _row(rows, "", "Xã Quài Tở")  # the first commune row below CT1
    assert quai_to[3:5] == [5, 3]
    assert "4,7%" in html and ">85<" in html  # the same CT1 figures on the dashboard


def test_the_export_per_commune_and_its_refusals(app, client, make_user, login):
    with app.test_request_context():
        registry_entry("03295")
        registry_entry("03268")
        db.session.commit()
        quai_to, muong_mun = unit("03295").id, unit("03268").id
    reviewer = make_user("district_reviewer", "099")
    login(client, reviewer)
    rows = _cells(client.get(f"/indicators/export.xlsx?year=2025&commune={quai_to}").data)
    assert any(r[0] == "Đơn vị: Xã Quài Tở" for r in rows)
    assert _row(rows, "CT1", "Tổ truyền thông cộng đồng")[4] == 1
    client.post("/auth/logout")
    reporter = make_user("reporter", "03295")
    login(client, reporter)
    assert client.get("/indicators/export.xlsx?year=2025").status_code == 200
    assert client.get(f"/indicators/export.xlsx?commune={muong_mun}").status_code == 404
    client.post("/auth/logout")
    login(client, make_user("counsellor", "TA-02"))
    assert client.get("/indicators/export.xlsx").status_code == 403


def _sheet(content: bytes, title: str) -> list[list]:
    book = load_workbook(BytesIO(content))
    return [[c.value for c in row] for row in book[title].iter_rows()] if title in book.sheetnames else None


def _money(value) -> str:
    from app.web.filters import money

    return money(value)


def _rate(value) -> str:
    from app.web.filters import number

    return "—" if value in (None, "") else f"{number(value)}%"


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_export_holds_the_budget_and_the_registry_stock_of_the_screens(app, client, make_user, login):
    from datetime import date

    from indicators_helpers import dashboard_rows

    with app.test_request_context():
        registry_entry("03295")
        registry_entry("03295", total=12, women=7)
        registry_entry("03295", "savings_group", total=20, women=12, linked=4, livelihood=2)
        registry_entry("03268", "leaders_of_change_club", total=15, women=9)
        registry_entry("03268", status="dissolved", ended_on=date(2024, 5, 1))  # not maintained: not counted
        db.session.commit()
        # The 2022 plan's money of 2024 and 2025: history (its pages are read-only now), recorded by the service.
        from app.indicators import services

        for year, component, source, planned, allocated, disbursed in (
            (2024, "II", "central", 2400000000, 2200000000, 1900000000),
            (2024, "I", "local", 300000000, 300000000, 120000000),
            (2025, "II", "central", 2600000000, 2500000000, 1750000000),
        ):
            services.save_budget_line(
                None,
                unit("099"),
                {
                    "component": component,
                    "activity_code": "II.4" if component == "II" else None,
                    "year": year,
                    "source": source,
                    "planned": planned,
                    "allocated": allocated,
                    "disbursed": disbursed,
                    "note": "",
                },
                actor="test",
            )
        db.session.commit()
    login(client, make_user("district_reviewer", "099"))
    year = 2025  # the district's last year: it has no figures of 2026 (abolished on 1/7/2025)
    content = client.get(f"/indicators/export.xlsx?year={year}").data

    # Budget: every line, the sums per year and per source, the total and the plan's envelope, as on the screen.
    budget = _sheet(content, "Ngân sách")
    screen = unlabelled(client.get("/indicators/budget").get_data(as_text=True))
    lines = [r for r in budget if isinstance(r[0], int)]
    assert [(r[1], r[2], r[5], r[6], r[7]) for r in lines] == [
        (2024, "I", 300_000_000, 300_000_000, 120_000_000),
        (2024, "II", 2_400_000_000, 2_200_000_000, 1_900_000_000),
        (2025, "II", 2_600_000_000, 2_500_000_000, 1_750_000_000),
    ]
    for r in lines:
        assert (
            f'<td class="right">{_money(r[5])}</td><td class="right">{_money(r[6])}</td>'
            f'<td class="right">{_money(r[7])}</td>\n      <td class="right">{_rate(r[8])}</td>'
        ) in screen
    years = {r[1]: r[5:9] for r in budget if str(r[2] or "").startswith("Cộng năm")}
    assert years == {
        2024: [2_700_000_000, 2_500_000_000, 2_020_000_000, 80.8],
        2025: [2_600_000_000, 2_500_000_000, 1_750_000_000, 70.0],
    }
    for y, (planned, allocated, disbursed, rate) in years.items():
        assert (
            f'<tr><th>{y}</th><th>Cộng năm</th><td></td><td class="right">{_money(planned)}</td>'
            f'<td class="right">{_money(allocated)}</td><td class="right">{_money(disbursed)}</td>'
            f'<td class="right">{_rate(rate)}</td></tr>'
        ) in screen
    sources = {r[4]: r[5:9] for r in budget if r[2] == "Cộng nguồn"}
    assert sources == {
        "Ngân sách trung ương": [5_000_000_000, 4_700_000_000, 3_650_000_000, 77.7],
        "Ngân sách địa phương": [300_000_000, 300_000_000, 120_000_000, 40.0],
    }
    for label, (planned, _a, disbursed, rate) in sources.items():
        assert (f'<tr><td>{label}</td><td class="right">{_money(planned)}</td>') in screen
    total = next(r for r in budget if r[2] == "Tổng cộng")
    assert total[5:9] == [5_300_000_000, 5_000_000_000, 3_770_000_000, 75.4]
    envelope = {r[2]: r[5] for r in budget if r[2] and r[5] is not None and not isinstance(r[0], int)}
    assert envelope["Tổng mức vốn theo kế hoạch giai đoạn 2021-2025"] == 12_380_000_000
    assert envelope["Còn chưa lập kế hoạch"] == 12_380_000_000 - 5_300_000_000
    assert "12.380.000.000 đ" in screen and f"còn {_money(7_080_000_000)} chưa lập" in screen
    assert "75,4%" in screen and "75,4" in str(_rate(total[8]))

    # Registry: models maintained at the period end, by kind (as on the registry screen) and by commune (as the
    # dashboard's stock figures per commune).
    stock = _sheet(content, "Sổ mô hình")
    by_kind = {r[0]: r[1:6] for r in stock if r[0] and isinstance(r[1], int) and r[6] is None}
    assert by_kind["Tổ truyền thông cộng đồng"] == [2, 22, 13, 13, 8]
    assert by_kind["CLB Thủ lĩnh của sự thay đổi"] == [1, 15, 9, 9, 4]
    registry_screen = unlabelled(client.get("/indicators/registry").get_data(as_text=True))
    for label, (count, members, women, minority, meetings) in by_kind.items():
        if count:
            assert (
                f'<tr><td>{label}</td><td class="right">{count}</td><td class="right">{members}</td>'
                f'<td class="right">{women}</td><td class="right">{minority}</td>'
                f'<td class="right">{meetings}</td></tr>'
            ) in registry_screen
    header = next(r for r in stock if r[0] == "Xã")
    communes = {
        r[0]: dict(zip(header[1:], r[1:], strict=True))
        for r in stock
        if r[0] and r[0].startswith(("Xã ", "Thị trấn ", "Tổng cộng"))
    }
    dashboard = client.get(f"/indicators/?year={year}").get_data(as_text=True)
    for code, kind in (
        ("CT1", "Tổ truyền thông cộng đồng"),
        ("CT2", "Tổ tiết kiệm vay vốn thôn bản"),
        ("CT6", "CLB Thủ lĩnh của sự thay đổi"),
    ):
        shown = dashboard_rows(dashboard, code)
        for name in ("Xã Quài Tở", "Xã Mường Mùn"):
            assert str(communes[name][kind]) == shown[name][1], (code, name)
        assert str(communes["Tổng cộng (Huyện Tuần Giáo)"][kind]) == shown["Huyện Tuần Giáo"][1]
    assert communes["Xã Quài Tở"]["Cộng"] == 3 and communes["Tổng cộng (Huyện Tuần Giáo)"]["Cộng"] == 4


def test_the_commune_export_has_its_registry_and_no_district_budget(app, client, make_user, login):
    with app.test_request_context():
        registry_entry("03295")
        registry_entry("03268")
        db.session.commit()
        quai_to = unit("03295").id
    login(client, make_user("district_reviewer", "099"))
    client.post(
        "/indicators/budget",
        data={
            "component": "II",
            "activity_code": "",
            "year": "2026",
            "source": "central",
            "planned": "1",
            "allocated": "1",
            "disbursed": "0",
        },
    )
    content = client.get(f"/indicators/export.xlsx?year=2025&commune={quai_to}").data
    assert _sheet(content, "Ngân sách") is None  # the district's money is not the commune's
    stock = _sheet(content, "Sổ mô hình")
    assert any(r[0] == "Đơn vị: Xã Quài Tở" for r in stock)
    header = next(r for r in stock if r[0] == "Xã")
    rows = [r for r in stock if r[0] and r[0].startswith(("Xã Quài", "Xã Mường", "Tổng cộng"))]
    assert len(rows) == 1 and dict(zip(header, rows[0], strict=True))["Tổ truyền thông cộng đồng"] == 1
    assert _sheet(client.get("/indicators/export.xlsx?year=2026").data, "Ngân sách") is not None
