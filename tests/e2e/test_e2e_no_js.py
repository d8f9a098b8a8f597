"""Without JavaScript (old phones, scripts blocked, htmx not loaded): the main forms still submit and validate."""

import re

import pytest
from e2e_support import check_phone, totp_code
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def nojs(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_login_validates_and_signs_in_without_javascript(nojs, server, device, shot):
    page = nojs
    user = server.make_user("counsellor", "TA-02")
    page.goto(server.url + "/auth/login")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#username-error")).to_have_text("Vui lòng nhập mục này.")
    expect(page.locator("#password-error")).to_have_text("Vui lòng nhập mục này.")
    expect(page.locator("#username")).to_have_attribute("aria-invalid", "true")
    check_phone(page, device)
    shot(page, "empty-login-refused")

    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.locator("#password").fill("sai-mat-khau-roi-nhe")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(user.username)  # what was typed is kept

    page.locator("#password").fill(user.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã xác thực 6 số").fill("12")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("#code-error")).to_be_visible()
    shot(page, "bad-code-refused")
    page.get_by_label("Mã xác thực 6 số").fill(totp_code(user))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("nav.nav")).to_be_visible()
    shot(page, "signed-in")

    page.goto(server.url + "/auth/password")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator("#current-error")).to_have_text("Vui lòng nhập mục này.")
    check_phone(page, device)

    page.locator("footer").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_quick_exit_works_without_javascript(nojs, server):
    user = server.make_user("counsellor", "TA-02")
    page = nojs
    page.goto(server.url + "/auth/login")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.locator("#password").fill(user.password)
    page.get_by_role("button", name="Đăng nhập").click()
    # The login page has the button too: leave from the half-open session's page, not the one being left.
    expect(page.get_by_label("Mã xác thực 6 số")).to_be_visible()
    page.get_by_role("button", name="Thoát nhanh").click()
    expect(page).to_have_title("Mẹo nấu ăn hằng ngày")
    page.goto(server.url + "/auth/totp")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()  # the half-open session is gone


def test_case_intake_validates_without_javascript(nojs, server, device, shot):
    if "cases.create" not in server.app.view_functions:
        pytest.skip("the case intake form (cases.create) is not built yet")
    from journeys import fill_dv_intake

    page = nojs
    user = server.make_user("counsellor", "TA-02")
    page.goto(server.url + "/auth/login")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.locator("#password").fill(user.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã xác thực 6 số").fill(totp_code(user))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("nav.nav")).to_be_visible()  # signed in: going on at once would cancel the sign-in
    page.goto(server.url + "/cases/new")
    # Everything the browser can check is right; the server refuses a birth date in the future.
    name = {"desktop": "Lường Thị Xuân", "phone": "Cà Thị Duyên"}[device]
    form = fill_dv_intake(page, name=name, birth_date="2099-01-01")
    form.get_by_role("button", name="Lưu hồ sơ").click()
    expect(page.locator("#birth_date-error")).to_be_visible()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value(name)  # what was typed is kept
    check_phone(page, device)
    shot(page, "intake-refused")
    page.locator("#birth_date").fill("1990-05-01")
    page.get_by_role("button", name="Lưu hồ sơ").click()
    expect(page.get_by_role("heading", name=re.compile(r"Hồ sơ TG-"))).to_be_visible()  # saved without JavaScript
    shot(page, "intake-saved")
