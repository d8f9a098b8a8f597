"""Steps shared by the journeys: recording a domestic-violence case with consent and a follow-up."""

import re
from datetime import timedelta

from e2e_support import check_page, go_nav, open_section
from playwright.sync_api import expect

from app import clock

# One survivor per device size: the same name and birth year twice would (rightly) stop at the duplicate check.
SURVIVORS = {"desktop": "Lò Thị Hoa", "phone": "Quàng Thị Mai"}
PHONES = {
    "Lò Thị Hoa": "0912 345 678",
    "Quàng Thị Mai": "0987 654 321",
    "Vàng Thị Sua": "0978 111 222",
    "Giàng Thị Dợ": "0978 333 444",
}
SAFETY_PLAN = "Khi có nguy hiểm, chị sang nhà bà Lường Thị Ơn ở bản bên và gọi trưởng bản."


def choose_first(select) -> None:
    """Pick the first real option of a select left on its blank "— Chọn —" entry."""
    if not select.input_value():
        select.select_option(index=1)


def fill_dv_intake(page, *, name: str, birth_date: str = "1994-03-08", kind: str = "dv"):
    """Fill the intake form of a domestic-violence (or trafficking) case (by field id: labels share words)."""
    form = page.locator("main form[method=post]").first
    form.locator("#kind").select_option(kind)
    choose_first(form.locator("#unit_id"))
    if not form.locator("#opened_on").input_value():
        form.locator("#opened_on").fill(clock.today().isoformat())
    form.locator("#sex").select_option(index=1)
    form.locator("#age_band").select_option("30_44")
    choose_first(form.locator("#ethnic_code"))
    choose_first(form.locator("#poverty_status"))
    form.get_by_label("Họ và tên").fill(name)
    form.locator("#birth_date").fill(birth_date)
    form.locator("#phone").fill(PHONES.get(name, ""))
    if kind == "dv":
        form.locator("input[name=dv_acts]").first.check()
    form.locator("#safety_plan").fill(SAFETY_PLAN)
    return form


def record_dv_case(page, server, device, shot) -> str:
    """As a signed-in counsellor: intake, then consent to services and a follow-up. Returns the case URL."""
    go_nav(page, "Hồ sơ")
    check_page(page, device, "case list")
    shot(page, "case-list")
    page.locator("main a[href$='/cases/new']").first.click()
    expect(page.get_by_role("heading", name="Tiếp nhận hồ sơ mới")).to_be_visible()
    check_page(page, device, "intake form")
    form = fill_dv_intake(page, name=SURVIVORS[device])
    shot(page, "intake-filled")
    form.get_by_role("button", name="Lưu hồ sơ").click()
    # Another journey on the same server may have recorded this survivor already: the duplicate check then asks
    # the counsellor to confirm, as a real user would after looking at the possible duplicate's code.
    heading = page.get_by_role("heading", name=re.compile(r"Hồ sơ TG-\d{4}-\d+"))
    confirm = page.get_by_label("Tôi đã kiểm tra: đây không phải hồ sơ trùng")
    expect(heading.or_(confirm)).to_be_visible()
    if confirm.is_visible():
        confirm.check()
        page.get_by_role("button", name="Lưu hồ sơ").click()
    expect(heading).to_be_visible()
    open_section(page, "case-narrative")
    expect(page.get_by_text(SAFETY_PLAN)).to_be_visible()
    case_url = page.url
    check_page(page, device, "case page")
    shot(page, "case-recorded")

    open_section(page, "case-consents")
    consents = page.locator("#case-consents")
    consents.locator("summary", has_text="Ghi nhận sự đồng ý").click()
    consents.get_by_label("Mục đích").select_option("services")
    consents.get_by_label("Hình thức").select_option("signed")
    consents.get_by_label("Ngày đồng ý").fill(clock.today().isoformat())
    consents.get_by_role("button", name="Lưu").click()
    expect(page.locator("#case-consents").get_by_text("Còn hiệu lực")).to_be_visible()
    check_page(page, device, "consent recorded")
    shot(page, "consent-recorded")

    open_section(page, "case-followups")
    followups = page.locator("#case-followups")
    followups.locator("summary", has_text="Lên lịch theo dõi").click()
    followups.get_by_label("Ngày hẹn theo dõi").fill((clock.today() + timedelta(days=7)).isoformat())
    followups.get_by_label("Nội dung theo dõi").fill("Gọi điện hỏi thăm theo giờ đã hẹn")
    followups.get_by_role("button", name="Lên lịch").click()
    expect(page.locator("#case-followups").get_by_text("Gọi điện hỏi thăm theo giờ đã hẹn")).to_be_visible()
    check_page(page, device, "follow-up scheduled")
    shot(page, "followup-scheduled")
    return case_url
