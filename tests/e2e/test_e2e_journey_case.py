"""Journey: a counsellor records a domestic-violence case, adds consent, a safety plan and a follow-up; the case
is theirs alone (another commune's counsellor gets "not found"), and quick exit leaves nothing behind."""

import pytest
from e2e_support import go_nav, sign_in
from journeys import SURVIVORS, record_dv_case
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _needs_cases(server):
    if "cases.create" not in server.app.view_functions:
        pytest.skip("the case pages (cases.create) are not built yet")


def test_counsellor_records_a_dv_case_with_consent_safety_plan_and_followup(page, server, device, shot):
    counsellor = server.make_user("counsellor", "TA-02")
    sign_in(page, server, counsellor)
    case_url = record_dv_case(page, server, device, shot)
    survivor = SURVIVORS[device]

    go_nav(page, "Hồ sơ")
    expect(page.locator("main").get_by_text(survivor).first).to_be_visible()  # listed with the name, for its owner
    shot(page, "listed")

    page.get_by_role("button", name="Thoát nhanh").click()
    expect(page).to_have_title("Mẹo nấu ăn hằng ngày")
    page.go_back()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert survivor not in page.locator("body").inner_text()
    page.goto(case_url)
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert survivor not in page.locator("body").inner_text()

    # A counsellor of another commune cannot open it, even with its address.
    other = server.make_user("counsellor", "TA-05")
    sign_in(page, server, other)
    response = page.goto(case_url)
    assert response.status == 404
    assert survivor not in page.locator("body").inner_text()
    shot(page, "other-commune-refused")
