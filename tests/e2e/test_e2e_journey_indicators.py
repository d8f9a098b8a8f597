"""Journey: the district opens the yearly reporting round, a commune reporter fills in and submits the
commune's report, and the district reviewer confirms it; then the district officer opens the district's own
report, finds it prefilled from the confirmed commune report, sends it to the province, and the province
reviewer confirms it and looks at the commune on the dashboard."""

import re

import pytest
from e2e_support import check_page, settle, sign_in, sign_out
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# The district level ended on 30/06/2025 (units reference data): a commune reporting to the district and the
# district reporting to the province are rounds before the reform, when Xã Quài Tở (03295) and Xã Mường Mùn
# (03268) still reported to Tuần Giáo. Each device has its own round, so that each finds the district's report
# of its round not started yet and its commune's the only confirmed one.
COMMUNES = {"desktop": "03295", "phone": "03268"}
COMMUNE_NAMES = {"03295": "Xã Quài Tở", "03268": "Xã Mường Mùn"}
YEARS = {"desktop": 2024, "phone": 2023}
ROUND_LABEL = "Báo cáo sơ bộ (ước cả năm)"


@pytest.fixture(autouse=True)
def _needs_indicators(server):
    if "indicators.start" not in server.app.view_functions:
        pytest.skip("the indicator reports (indicators.start) are not built yet")


@pytest.fixture
def plan_2022_in_force(server):
    """The journey is set in 2023–2024, while the 2022 plan was in force: active for the test, archived again
    after it, as `setup` leaves it (the services refuse every change to an archived plan)."""
    from app.extensions import db
    from app.indicators import plans

    def set_status(status: str) -> None:
        with server.app.app_context():
            plans.reference().status = status
            db.session.commit()

    set_status("active")
    yield
    set_status("archived")


def _choose_round(page, year: int):
    """Show the queue of the year's preliminary round (htmx swaps the queue; the form works without it too)."""
    page.locator("#f-cycle").select_option(label=f"{year} · {ROUND_LABEL}")
    # When that round is already shown, the text is there before htmx swaps the queue: wait for the swap to end,
    # or a click that follows lands on a link being replaced and goes nowhere (seen in CI).
    settle(page)
    expect(page.locator("#report-queue")).to_contain_text(f"{year} · {ROUND_LABEL}")


def test_commune_report_submitted_and_confirmed_then_the_district_report(
    page, server, device, shot, plan_2022_in_force
):
    year = YEARS[device]
    reviewer = server.make_user("district_reviewer", "099")
    reporter = server.make_user("reporter", COMMUNES[device])
    officer = server.make_user("reporter", "099")  # the district Women's Union officer
    province = server.make_user("district_reviewer", "11")  # the province Women's Union

    # The 2021-2025 plan is archived (read-only): its rounds of those years are history, opened here as they
    # were then, by the service; the reports page no longer opens a round of an archived plan.
    from app.extensions import db
    from app.indicators import services

    with server.app.test_request_context():
        services.open_cycle(year, "preliminary", actor="test")
        db.session.commit()
    sign_in(page, server, reviewer)
    page.goto(server.url + "/indicators/reports")
    check_page(page, device, "reports, district")
    expect(page.locator("#f-cycle option", has_text=str(year))).to_have_count(1)
    shot(page, "round-opened")
    sign_out(page)

    sign_in(page, server, reporter)
    page.goto(server.url + "/indicators/reports")
    _choose_round(page, year)
    check_page(page, device, "reports, commune")
    page.locator("#commune-reports").get_by_role("button", name="Lập báo cáo").first.click()
    # The form is a new page: counting its fields before it has loaded counts none, and the report went unfilled.
    expect(page).to_have_url(re.compile(r"/indicators/submissions/[0-9a-f-]{36}$"))
    expect(page.get_by_role("button", name="Gửi lên huyện")).to_be_visible()
    # The button shows while the page may still be arriving: count the fields of the whole form.
    page.wait_for_load_state("load")
    numbers = page.locator("main input[type=number]")
    for i in range(numbers.count()):
        if numbers.nth(i).is_enabled() and numbers.nth(i).is_visible():
            numbers.nth(i).fill(str(2 + i % 5))
    commune_ct7 = page.locator("#CT7-actual-value").input_value()
    check_page(page, device, "report form")
    shot(page, "report-filled")
    page.get_by_role("button", name="Gửi lên huyện").click()
    expect(page.get_by_text("Đã gửi báo cáo lên huyện.")).to_be_visible()
    report_url = page.url
    assert re.search(r"/indicators/submissions/[0-9a-f-]{36}$", report_url)
    check_page(page, device, "report sent")
    shot(page, "report-sent")
    sign_out(page)

    sign_in(page, server, reviewer)
    page.goto(report_url)
    page.locator("summary", has_text="Xác nhận báo cáo").click()  # first tap: what confirming means
    page.get_by_role("button", name="Đồng ý xác nhận báo cáo").click()
    expect(page.get_by_text("Đã xác nhận báo cáo.")).to_be_visible()
    check_page(page, device, "report confirmed")
    shot(page, "report-confirmed")
    sign_out(page)

    # The district officer: the district's report starts from the commune's confirmed figures.
    sign_in(page, server, officer)
    page.goto(server.url + "/indicators/reports")
    _choose_round(page, year)
    expect(page.locator("#district-reports")).to_contain_text(f"10/09/{year}")
    check_page(page, device, "reports, district officer")
    page.locator("#district-reports").get_by_role("button", name="Lập báo cáo").click()
    expect(page.locator("#district-coverage")).to_contain_text("1/19 xã")
    expect(page.locator("#CT7-actual-value")).to_have_value(commune_ct7)
    expect(page.locator("#CT7-actual-value-communes")).to_have_text(f"Tổng các xã đã xác nhận: {commune_ct7}")
    page.get_by_label("Kết quả đạt được").fill("Huyện tổng hợp kết quả các xã (thử nghiệm).")
    check_page(page, device, "district report prefilled")
    shot(page, "district-report-prefilled")
    page.get_by_role("button", name="Gửi lên tỉnh").click()
    expect(page.get_by_text("Đã gửi báo cáo lên tỉnh.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"trễ \d+ ngày"))).to_be_visible()  # due 10/09 of the year: late now
    district_url = page.url
    assert re.search(r"/indicators/submissions/[0-9a-f-]{36}$", district_url) and district_url != report_url
    check_page(page, device, "district report sent")
    shot(page, "district-report-sent")
    sign_out(page)

    # The district's own reviewer reads it but has nothing to decide: the province does.
    sign_in(page, server, reviewer)
    page.goto(district_url)
    expect(page.get_by_role("heading", name="Báo cáo của Huyện Tuần Giáo")).to_be_visible()
    expect(page.get_by_role("button", name="Đồng ý xác nhận báo cáo")).to_have_count(0)
    sign_out(page)

    sign_in(page, server, province)
    page.goto(server.url + "/indicators/reports")
    _choose_round(page, year)
    page.locator("#district-reports").get_by_role("link", name=re.compile(r"^Xem ")).click()
    expect(page).to_have_url(district_url)
    check_page(page, device, "district report, province")
    page.locator("summary", has_text="Xác nhận báo cáo").click()  # first tap: what confirming means
    page.get_by_role("button", name="Đồng ý xác nhận báo cáo").click()
    expect(page.get_by_text("Đã xác nhận báo cáo.")).to_be_visible()
    expect(page.locator("main .kv .badge").first).to_have_text("Đã xác nhận")
    check_page(page, device, "district report confirmed")
    shot(page, "district-report-confirmed")

    # The dashboard: the province picks the commune; htmx swaps the figures and keeps the focus on the select.
    name = COMMUNE_NAMES[COMMUNES[device]]
    page.goto(server.url + f"/indicators/?year={year}")
    expect(page.locator("#ind-CT7 table")).to_contain_text("Tỉnh Điện Biên")
    page.locator("#f-unit").focus()  # as a person choosing with the keyboard or a tap
    page.locator("#f-unit").select_option(label=name)
    expect(page.locator("#ind-CT7 table")).not_to_contain_text("Tỉnh Điện Biên")
    expect(page.locator("#ind-CT7 tbody tr")).to_have_count(1)
    expect(page.locator("#ind-CT7 tbody")).to_contain_text(name)
    expect(page.locator("#f-unit")).to_be_focused()
    check_page(page, device, "dashboard, one commune")
    shot(page, "dashboard-one-commune")
