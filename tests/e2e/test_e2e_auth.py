"""Journeys: signing in with TOTP (enrolled before, or through the UI), changing one's password, user admin."""

import pyotp
import pytest
from e2e_support import check_page, go_nav, sign_in, sign_out, totp_code
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "mua-lua-chin-tren-ban-mong"


def test_login_with_totp_then_change_password(page, server, device, shot):
    user = server.make_user("counsellor", "TA-02")
    page.goto(server.url + "/auth/login")
    check_page(page, device, "login")
    sign_in(page, server, user, shot=shot)
    check_page(page, device, "start page")
    shot(page, "start-page")

    page.locator("footer").get_by_role("link", name="Tài khoản").click()
    expect(page.get_by_role("heading", name="Tài khoản của tôi")).to_be_visible()
    check_page(page, device, "account")
    page.get_by_role("link", name="Đổi mật khẩu").click()
    page.get_by_label("Mật khẩu hiện tại").fill(user.password)
    page.get_by_label("Mật khẩu mới (ít nhất 10 ký tự)").fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill("khong-giong-nhau-dau")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    # Refused beside the field, with what was typed kept (passwords are never echoed back).
    expect(page.get_by_text("Hai mật khẩu mới không giống nhau.")).to_be_visible()
    check_page(page, device, "password error")
    shot(page, "password-mismatch")

    page.get_by_label("Mật khẩu hiện tại").fill(user.password)
    page.get_by_label("Mật khẩu mới (ít nhất 10 ký tự)").fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    shot(page, "password-changed")

    sign_out(page)
    sign_in(page, server, user, password=NEW_PASSWORD)
    shot(page, "signed-in-with-new-password")


def test_enrol_totp_through_the_ui(page, server, device, shot):
    user = server.make_user("counsellor", "TA-02", totp=False)
    page.goto(server.url + "/auth/login")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.locator("#password").fill(user.password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Bật xác thực hai bước")).to_be_visible()
    check_page(page, device, "totp setup")
    page.get_by_text("Không quét được? Nhập khóa bằng tay").click()
    secret = page.locator("code.secret").inner_text().strip()
    shot(page, "enrol")
    page.get_by_label("Mã xác thực 6 số").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Bật xác thực").click()
    expect(page.locator(".field-error")).to_be_visible()
    check_page(page, device, "totp setup error")
    user.totp_secret = secret
    page.get_by_label("Mã xác thực 6 số").fill(totp_code(user))
    page.get_by_role("button", name="Bật xác thực").click()
    expect(page.get_by_text("Đã bật xác thực hai bước.")).to_be_visible()
    # Ten recovery codes, shown this once; the user goes on when they have copied them.
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    check_page(page, device, "recovery codes")
    shot(page, "enrolled")
    page.get_by_role("link", name="Tôi đã chép xong, tiếp tục").click()
    sign_out(page)
    sign_in(page, server, user)  # the enrolled secret is now asked for at every sign-in


def test_admin_creates_a_user_and_disables_them(page, server, device, shot):
    admin = server.make_user("admin", "099")
    new_name = f"canbo{admin.username[-6:]}"
    sign_in(page, server, admin)
    go_nav(page, "Người dùng")
    check_page(page, device, "users")
    page.get_by_role("link", name="Thêm người dùng").click()
    expect(page.get_by_role("button", name="Tạo tài khoản")).to_be_visible()  # the form, not the list left behind
    check_page(page, device, "new user")
    page.get_by_role("button", name="Tạo tài khoản").click()  # empty: refused field by field
    expect(page.locator(".form-errors")).to_be_visible()
    check_page(page, device, "new user errors")
    shot(page, "empty-form-refused")

    page.get_by_label("Tên đăng nhập").fill(new_name)
    page.get_by_label("Tên hiển thị").fill("Cán bộ thử nghiệm")
    page.get_by_label("Mật khẩu ban đầu (ít nhất 10 ký tự)").fill("mat-khau-ban-dau-dai")
    # A reporter: no case content, so no second person is needed (a case reader's account waits for an
    # approval and sets its own password by a one-time link: tests/test_auth_separation.py).
    page.get_by_label("Vai trò").select_option("reporter")
    page.get_by_label("Đơn vị").select_option(index=2)
    shot(page, "filled")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_text("Đã tạo tài khoản.")).to_be_visible()
    expect(page.get_by_role("heading", name=new_name)).to_be_visible()
    check_page(page, device, "user detail")
    shot(page, "created")

    page.get_by_role("button", name="Khóa tài khoản (kết thúc mọi phiên)").click()
    expect(page.get_by_text("Đã khóa tài khoản; mọi phiên đã kết thúc.")).to_be_visible()
    expect(page.get_by_role("button", name="Mở khóa tài khoản")).to_be_visible()
    shot(page, "disabled")
    sign_out(page)

    # The disabled account cannot sign in, and the message does not say why (no account probing).
    page.get_by_label("Tên đăng nhập").fill(new_name)
    page.locator("#password").fill("mat-khau-ban-dau-dai")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible()
    check_page(page, device, "login refused")
    shot(page, "disabled-user-refused")
