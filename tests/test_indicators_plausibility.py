"""Plausibility warnings: shown beside the field and to the reviewer, never blocking; hard errors still refuse."""

from datetime import date

import pytest
from indicators_helpers import full_report_form, indicator, registry_entry, sent_report, typed_values, unit
from sqlalchemy import select

from app.extensions import db


def _cycle(year, round_):
    from app.indicators import services

    return services.open_cycle(year, round_, actor="test")


def _report(cycle, code, overrides: dict, *, send=True):
    """A report of commune `code` with 5 everywhere (CT5: 5/8) except `overrides` {(code, kind): (value, den)}."""
    from app.indicators import services

    values = typed_values(cycle)
    for (ind_code, kind), (value, den) in overrides.items():
        values[(indicator(ind_code).id, kind)] = (value, den, {})
    sub = services.start_submission(cycle, unit(code), actor="test")
    services.save_draft(sub, values, {}, actor="test")
    if send:
        services.submit(sub, actor="test")
    return sub, values


def _warnings(sub, values=None):
    from app.indicators import plausibility

    stored = {(v.indicator_id, v.value_kind): (v.value, v.denominator, v.breakdown) for v in sub.values}
    return plausibility.warnings(sub, values or stored)


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_full_year_figure_many_times_last_years_and_far_above_the_target(app):
    from app.indicators import services

    with app.test_request_context():
        _report(_cycle(2023, "update"), "03295", {("CT7", "actual"): (2, None)})
        services.set_target(indicator("CT8"), unit("03295"), 2024, 3, actor="test")
        sub, _ = _report(
            _cycle(2024, "preliminary"),
            "03295",
            {
                ("CT7", "actual"): (1, None),
                ("CT7", "estimate"): (7, None),  # 3.5× last year's 2
                ("CT8", "actual"): (2, None),
                ("CT8", "estimate"): (7, None),
            },
            send=False,
        )  # target 3
        found = _warnings(sub)
        assert any("Gấp hơn 3 lần số năm trước (2)" in m for m in found["CT7-estimate-value"])
        assert "CT7-actual-value" not in found  # to date, not the full year: never compared with last year
        assert any("Vượt xa chỉ tiêu (3)" in m for m in found["CT8-estimate-value"])
        assert "CT8-actual-value" not in found
        sub2, values = _report(_cycle(2024, "update"), "03268", {("CT7", "actual"): (6, None)}, send=False)
        assert "CT7-actual-value" not in _warnings(sub2)  # Mường Mùn had no 2023 report: nothing to compare


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_estimates_and_the_update_against_the_preliminary_round(app):
    with app.test_request_context():
        sub, _ = _report(
            _cycle(2024, "preliminary"),
            "03295",
            {
                ("CT7", "actual"): (4, None),
                ("CT7", "estimate"): (3, None),
                ("CT5", "actual"): (3, 10),
                ("CT5", "estimate"): (5, 10),
            },
        )
        assert any(m == "Số ước cả năm (3) nhỏ hơn số đã thực hiện (4)." for m in _warnings(sub)["CT7-estimate-value"])
        update = _cycle(2024, "update")
        low, values = _report(update, "03295", {("CT7", "actual"): (2, None), ("CT5", "actual"): (9, 10)}, send=False)
        found = _warnings(low)
        assert found["CT7-actual-value"] == ["Thấp hơn số đã báo cáo đến thời điểm báo cáo sơ bộ (4)."]
        assert found["CT5-actual-value"] == ["Khác xa tỷ lệ ước trong báo cáo sơ bộ (50%)."]
        values[(indicator("CT7").id, "actual")] = (9, None, {})  # typed now, not stored: far from the estimate
        assert _warnings(low, values)["CT7-actual-value"] == ["Khác xa số ước cả năm trong báo cáo sơ bộ (3)."]
        values[(indicator("CT7").id, "actual")] = (4, None, {})
        values[(indicator("CT5").id, "actual")] = (6, 10, {})
        assert _warnings(low, values) == {}


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_stock_figure_that_no_longer_matches_the_registry(app):
    with app.test_request_context():
        registry_entry("03295")
        sub, _ = _report(_cycle(2024, "update"), "03295", {})
        assert "derived-CT1" not in _warnings(sub)
        registry_entry("03295", founded_on=date(2024, 6, 1))  # registered after sending
        db.session.flush()
        assert _warnings(sub)["derived-CT1"] == ["Sổ mô hình hiện nay cho số khác (2): sổ đã thay đổi sau khi gửi."]


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_district_sees_figures_that_differ_from_its_communes(app):
    from app.indicators import district

    with app.test_request_context():
        cycle = _cycle(2024, "preliminary")
        registry_entry("03295")
        sent_report(cycle, "03295", value=4, confirm_by="reviewer")
        registry_entry("03268")  # after Quài Tở sent its report: the district's registry counts 2
        from app.indicators import services

        sub = services.start_submission(cycle, unit("099"), actor="test")
        communes = district.aggregate(district.coverage(cycle, unit("099")).confirmed)
        from app.indicators import plausibility

        stored = {(v.indicator_id, v.value_kind): (v.value, v.denominator, v.breakdown) for v in sub.values}
        assert plausibility.warnings(sub, stored, communes).get("CT7-actual-value") is None  # prefilled = sum
        stored[(indicator("CT7").id, "actual")] = (6, None, {})
        found = plausibility.warnings(sub, stored, communes)
        assert found["CT7-actual-value"] == ["Khác tổng các xã đã xác nhận (4)."]
        assert found["derived-CT1"] == ["Khác tổng các xã đã xác nhận (1)."]


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_warnings_never_block_and_the_reviewer_sees_them_beside_the_field(app, client, make_user, login):
    from app.indicators.models import ReportingCycle, Submission

    with app.test_request_context():
        _report(_cycle(2023, "update"), "03295", {("CT7", "actual"): (1, None)})
        cycle = _cycle(2024, "preliminary")
        db.session.commit()
        cycle_id = cycle.id
    reporter = make_user("reporter", "03295")
    login(client, reporter)
    with app.app_context():
        client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": unit("03295").id})
        sub_id = db.session.scalar(select(Submission.id).where(Submission.cycle_id == cycle_id))
        form = full_report_form(db.session.get(ReportingCycle, cycle_id))
    url = f"/indicators/submissions/{sub_id}"
    form["CT7-estimate-value"] = "9"
    page = client.post(url, data=dict(form, action="save"), follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Gấp hơn 3 lần số năm trước (1)" in html  # beside the field while typing
    assert 'aria-describedby="CT7-estimate-value-warning-1"' in html
    # A hard error still refuses, and the warning stays beside its own field.
    bad = dict(form, **{"CT5-actual-value": "9", "CT5-actual-denominator": "8"})
    html = client.post(url, data=dict(bad, action="submit")).get_data(as_text=True)
    assert "tỷ lệ không được vượt quá 100%" in html and "Gấp hơn 3 lần số năm trước (1)" in html
    assert client.post(url, data=dict(form, action="submit")).status_code == 303  # sent despite the warning
    client.post("/auth/logout")
    login(client, make_user("district_reviewer", "099"))
    html = client.get(url).get_data(as_text=True)
    assert "Số liệu cần kiểm tra" in html and "1 cảnh báo" in html
    assert "Gấp hơn 3 lần số năm trước (1)" in html and "Xác nhận báo cáo" in html
    with app.app_context():
        assert db.session.get(Submission, sub_id).status == "submitted"
