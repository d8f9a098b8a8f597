"""Journey: the data-protection officer finds the impact dossier overdue in the work queue, saves its first
version from the dossier page (the system's facts shown beside it), records the transfer agreement with a
receiving service, shortens one retention period, and prints the processing register that now names both."""

import pytest
from e2e_support import check_page, go_nav, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# A receiving service of the directory, as the picker names it ("service — agency").
SERVICE = {
    "desktop": "Bảo trợ xã hội, hỗ trợ nạn nhân (Sở Y tế Điện Biên) — Sở Y tế tỉnh Điện Biên",
    "phone": "Trợ giúp pháp lý miễn phí — Trung tâm Trợ giúp pháp lý nhà nước tỉnh Điện Biên",
}
REFERENCE = {"desktop": "07/2026/TTCG-CA", "phone": "08/2026/TTCG-VHXH"}


def test_the_officer_keeps_the_dossier_the_agreements_and_the_retention_schedule(page, server, device, shot):
    officer = server.make_user("dpo", "11")
    sign_in(page, server, officer)
    page.goto(server.url + "/work/")
    work = page.locator("main")
    if not server.query(_has_dossier):  # the phone run finds the desktop run's dossier already saved
        expect(work).to_contain_text("Lập hồ sơ đánh giá tác động xử lý dữ liệu cá nhân (60 ngày)")
    shot(page, "work-queue")

    go_nav(page, "Bảo vệ dữ liệu")
    expect(page.get_by_role("heading", name="Nghĩa vụ bảo vệ dữ liệu cá nhân")).to_be_visible()
    check_page(page, device, "privacy overview")
    page.locator("main").get_by_role("link", name="Hồ sơ đánh giá tác động", exact=True).click()
    expect(page.locator("#dossier-facts")).to_be_visible()
    check_page(page, device, "impact dossier")
    for field in page.locator("#dossier-new ~ form textarea, form[action$='/privacy/dossier'] textarea").all():
        if not field.input_value():
            field.fill("Nội dung do cán bộ bảo vệ dữ liệu soạn")
    page.get_by_role("button", name="Lưu phiên bản mới").click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu phiên bản mới của hồ sơ đánh giá tác động")
    expect(page.locator("#dossier-clocks")).to_contain_text("Cập nhật định kỳ (6 tháng)")
    shot(page, "dossier-saved")

    page.goto(server.url + "/privacy/agreements")
    page.get_by_label("Dịch vụ nhận dữ liệu (theo danh bạ)").select_option(label=SERVICE[device])
    page.get_by_label("Số văn bản thoả thuận").fill(REFERENCE[device])
    page.get_by_label("Ngày ký").fill("2026-11-02")
    page.get_by_label("Hiệu lực từ ngày").fill("2026-11-02")
    page.get_by_label("Phạm vi: dữ liệu nào, cho mục đích gì").fill("Nhóm tuổi, sự việc; để bảo vệ an toàn")
    check_page(page, device, "agreements")
    page.locator("#agreement-new ~ form, form[action$='/privacy/agreements']").get_by_role("button", name="Lưu").click()
    expect(page.locator("main table")).to_contain_text(REFERENCE[device])
    shot(page, "agreement")

    page.goto(server.url + "/privacy/retention")
    months = page.locator("#closed_case-months")
    months.fill("48")
    page.locator("#closed_case-basis").fill("Quyết định của Hội LHPN tỉnh")
    page.locator("section", has=page.locator("#retention-closed_case")).get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu thời hạn lưu trữ")
    expect(page.locator("#closed_case-months")).to_have_value("48")
    check_page(page, device, "retention")

    page.goto(server.url + "/privacy/register")
    register = page.locator("article")
    expect(register).to_contain_text("Sổ ghi chép hoạt động xử lý dữ liệu")
    expect(register).to_contain_text(REFERENCE[device])
    expect(register).to_contain_text("48 tháng")
    check_page(page, device, "register")
    shot(page, "register")


def _has_dossier():
    from sqlalchemy import select

    from app.extensions import db
    from app.privacy.models import DossierVersion

    return db.session.scalar(select(DossierVersion.id).limit(1)) is not None
