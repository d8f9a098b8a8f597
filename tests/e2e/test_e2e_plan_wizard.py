"""Journey: the province's reviewer makes the next plan from a copy of the archived 2021-2025 plan (step 1), adds
a quarterly reporting cycle due in working days and a target, meets a refusal beside the field with the input
kept (step 2), and activates the plan (step 3); on a phone at 360 px as on a desktop."""

import pytest
from e2e_support import check_page, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHASES = {"desktop": (2031, 2035), "phone": (2036, 2040)}  # one plan per device: phases never overlap


def test_the_province_copies_edits_and_activates_a_plan(page, server, device):
    start, end = PHASES[device]
    province = server.make_user("district_reviewer", "11")
    sign_in(page, server, province)
    page.goto(server.url + "/indicators/plans")
    check_page(page, device, "plans")
    expect(page.locator("#plan-list")).to_contain_text("Đã lưu trữ")  # the 2021-2025 plan

    # Step 1: a copy of the 2021-2025 plan for the new phase.
    form = page.locator("#plan-new")
    form.get_by_label("Tạo từ").select_option(index=1)
    form.get_by_label("Tên kế hoạch").fill(f"Kế hoạch Dự án 8 giai đoạn {start}-{end}")
    form.get_by_label("Từ năm").fill(str(start))
    form.get_by_label("Đến năm").fill(str(end))
    form.get_by_label("Tổng mức vốn (đồng)").fill("15000000000")
    form.get_by_role("button", name="Tạo kế hoạch").click()
    expect(page.locator("#plan-status")).to_contain_text("Đang soạn")
    expect(page.locator("#plan-summary")).to_contain_text("15.000.000.000 đ")
    expect(page.locator("#plan-indicator-table")).to_contain_text("CT7")
    check_page(page, device, "plan, draft")

    # Step 2: a quarterly cycle 10 working days after the quarter; a refusal keeps what was typed.
    cycle = page.locator("#cycle-form")
    cycle.get_by_label("Tần suất").select_option("quarterly")
    cycle.get_by_label("Đợt báo cáo").select_option("quarter")
    cycle.get_by_label("Cấp gửi").select_option("middle")
    cycle.get_by_label("Hạn: số ngày làm việc sau khi hết kỳ").fill("10")
    cycle.get_by_role("button", name="Thêm kỳ báo cáo").click()
    expect(page.locator("#rule-level-error")).to_contain_text("xã báo cáo thẳng lên tỉnh")
    expect(page.locator("#cycle-form #rule-working_days")).to_have_value("10")
    page.locator("#cycle-form").get_by_label("Cấp gửi").select_option("commune")
    page.locator("#cycle-form").get_by_role("button", name="Thêm kỳ báo cáo").click()
    expect(page.locator("#plan-cycle-table")).to_contain_text("10 ngày làm việc sau khi hết kỳ")

    # Step 3: in force; the copy's definitions now belong to the reports of its years.
    page.locator("#plan-actions").get_by_role("button", name="Áp dụng kế hoạch").click()
    expect(page.locator("#plan-status")).to_contain_text("Đang áp dụng")
    expect(page.locator("#plan-history-list")).to_contain_text("Áp dụng kế hoạch")
    check_page(page, device, "plan, active")
