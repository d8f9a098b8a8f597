"""The Excel report opens with openpyxl and holds the same figures as the dashboard; also per commune."""

from io import BytesIO

from indicators_helpers import registry_entry, unit
from openpyxl import load_workbook

from app.extensions import db


def _cells(content: bytes) -> list[list]:
    sheet = load_workbook(BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _row(rows, first: str, second: str) -> list:
    return next(r for r in rows if (r[0] or "") == first and (r[1] or "").strip() == second)


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
        report = figures.build(unit("099"), 2026)
    reviewer = make_user("district_reviewer", "099")
    login(client, reviewer)
    response = client.get("/indicators/export.xlsx?year=2026")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _cells(response.data)
    flat = [str(v) for r in rows for v in r if v is not None]
    assert "BÁO CÁO" in flat and "Đơn vị: Huyện Tuần Giáo" in flat and "THỦ TRƯỞNG ĐƠN VỊ" in flat
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in flat and "III. ĐỀ XUẤT, KIẾN NGHỊ" in flat
    html = client.get("/indicators/?year=2026").get_data(as_text=True)
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
    rows = _cells(client.get(f"/indicators/export.xlsx?year=2026&commune={quai_to}").data)
    assert any(r[0] == "Đơn vị: Xã Quài Tở" for r in rows)
    assert _row(rows, "CT1", "Tổ truyền thông cộng đồng")[4] == 1
    client.post("/auth/logout")
    reporter = make_user("reporter", "03295")
    login(client, reporter)
    assert client.get("/indicators/export.xlsx?year=2026").status_code == 200
    assert client.get(f"/indicators/export.xlsx?commune={muong_mun}").status_code == 404
    client.post("/auth/logout")
    login(client, make_user("counsellor", "TA-02"))
    assert client.get("/indicators/export.xlsx").status_code == 403
