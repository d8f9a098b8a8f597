"""Journey: a counsellor refers a domestic-violence case to the social-affairs office with three chosen fields;
the agency officer sees exactly those fields and nothing else of the case, acknowledges, accepts, records a
service and completes with feedback, which the counsellor then reads on the case.

Phòng LĐ-TB&XH huyện Tuần Giáo closed with the district level on 30/06/2025 (units reference data); its
social-affairs work passed to the Phòng Văn hóa - Xã hội of each commune, so the referral goes to that of
Quài Tở, the counsellor's commune.
"""

import re

import pytest
from e2e_support import check_page, open_section, sign_in, sign_out
from journeys import PHONES, SAFETY_PLAN, SURVIVORS, record_dv_case
from playwright.sync_api import expect

from app import clock

pytestmark = pytest.mark.e2e

AGENCY_CODE = "AG-PVHXH-03295"
AGENCY = "Phòng Văn hóa - Xã hội xã Quài Tở"
SHARED = {"full_name": "Họ và tên", "phone": "Số điện thoại", "age_band": "Nhóm tuổi"}
FEEDBACK = "Đã hỗ trợ học nghề may tại Trung tâm GDNN, chị đã nhập học."


@pytest.fixture(autouse=True)
def _needs_referrals(server):
    if "referrals.create" not in server.app.view_functions:
        pytest.skip("the referral pages (referrals.create) are not built yet")


def test_referral_shares_exactly_the_chosen_fields_and_comes_back_completed(page, server, device, shot):
    counsellor = server.make_user("counsellor", "TA-02")
    officer = server.make_user("agency_officer", AGENCY_CODE)
    survivor = SURVIVORS[device]
    sign_in(page, server, counsellor)
    case_url = record_dv_case(page, server, device, shot)

    # Consent to share with this agency, then the referral with three fields ticked.
    consents = page.locator("#case-consents")
    consents.locator("summary", has_text="Ghi nhận sự đồng ý").click()
    consents.get_by_label("Mục đích").select_option("share_with_agency")
    consents.get_by_label("Cơ quan được chia sẻ").select_option(label=AGENCY)
    consents.get_by_label("Hình thức").select_option("signed")
    consents.get_by_label("Ngày đồng ý").fill(clock.today().isoformat())
    consents.get_by_role("button", name="Lưu").click()
    expect(page.locator("#case-consents li", has_text=AGENCY)).to_be_visible()
    shot(page, "consent-to-share")

    open_section(page, "case-referrals")
    page.get_by_role("link", name="Chuyển gửi đến cơ quan").click()
    expect(page.get_by_role("heading", name=re.compile("Chuyển gửi hồ sơ"))).to_be_visible()
    check_page(page, device, "referral form")
    page.locator("#service_id").select_option(label=AGENCY)
    page.locator("input[name=services]").first.check()
    page.locator("#fields-code").uncheck()  # ticked by default on a new referral; this journey shares three
    for name in SHARED:
        page.locator(f"#fields-{name}").check()
    shot(page, "referral-filled")
    page.get_by_role("button", name="Gửi chuyển gửi").click()
    expect(page.get_by_role("heading", name=re.compile("Xác nhận gửi chuyển gửi"))).to_be_visible()
    page.get_by_role("button", name="Xác nhận gửi").click()
    expect(page.get_by_role("heading", name="Thông tin được chia sẻ")).to_be_visible()
    check_page(page, device, "referral sent")
    shot(page, "referral-sent")
    sign_out(page)

    # The agency officer: the inbox, then the packet with exactly the three fields.
    sign_in(page, server, officer)
    check_page(page, device, "agency inbox")
    shot(page, "agency-inbox")
    page.locator("main a[href*='/referrals/']").first.click()
    packet = page.locator("#referral-packet")
    expect(packet).to_be_visible()
    # The packet shows while the page may still be arriving: what is read once below (and checked absent) is
    # the whole page.
    page.wait_for_load_state("load")
    assert sorted(packet.locator("dt").all_inner_texts()) == sorted(SHARED.values())
    expect(packet).to_contain_text(survivor)
    expect(packet).to_contain_text(PHONES[survivor])
    body = page.locator("body").inner_text()
    assert SAFETY_PLAN not in body and "08/03/1994" not in body  # not chosen: never shown
    assert case_url.rsplit("/", 1)[-1] not in page.content()  # the agency never learns the case's address
    check_page(page, device, "agency reads packet")
    shot(page, "agency-reads-packet")

    status = page.locator("#referral-status")
    # each answer is two taps: the first says what the sender will see, the second sends it
    status.locator("summary", has_text="Xác nhận đã nhận").click()
    expect(status.get_by_text("Nơi gửi sẽ thấy cơ quan bạn đã nhận")).to_be_visible()
    status.get_by_role("button", name="Gửi xác nhận đã nhận").click()
    expect(status.locator("summary", has_text="Xác nhận đã nhận")).to_have_count(0)  # swapped in by htmx
    status.locator("summary", has_text="Nhận xử lý").click()
    status.get_by_role("button", name="Đồng ý nhận xử lý").click()
    expect(status.locator("summary", has_text="Nhận xử lý")).to_have_count(0)
    expect(status.locator("summary", has_text="Ghi dịch vụ đã cung cấp")).to_be_visible()
    status.get_by_label("Dịch vụ đã cung cấp").select_option(index=1)
    status.get_by_label("Ngày cung cấp").fill(clock.today().isoformat())  # required: without it nothing was saved
    status.get_by_role("button", name="Lưu").click()
    # The form's own label and summary read "Dịch vụ đã cung cấp" before htmx swaps the answer in (and after a
    # refusal too): wait for the new status, or the next tap opens a <details> about to be replaced.
    expect(status.locator(".badge").first).to_have_text("Đã cung cấp dịch vụ")
    expect(page.locator("#referral-status").get_by_text("Dịch vụ đã cung cấp").first).to_be_visible()
    check_page(page, device, "service recorded")
    shot(page, "service-recorded")
    status = page.locator("#referral-status")
    status.locator("summary", has_text="Hoàn thành và gửi phản hồi").click()
    status.get_by_label("Phản hồi cho đơn vị gửi").fill(FEEDBACK)
    status.get_by_role("button", name="Hoàn thành").click()
    expect(page.locator("#referral-status").get_by_text(FEEDBACK)).to_be_visible()
    check_page(page, device, "completed")
    shot(page, "completed")
    sign_out(page)

    # Back at the commune: the counsellor reads the agency's feedback on the case.
    sign_in(page, server, counsellor)
    page.goto(case_url)
    open_section(page, "case-referrals")
    expect(page.locator("#case-referrals").get_by_text(FEEDBACK)).to_be_visible()
    shot(page, "feedback-on-case")
