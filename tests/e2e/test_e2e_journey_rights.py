"""Journey: a survivor asks at the trusted address to see her data. The counsellor records the request (how
identity was checked), opens the printable copy (the survivor's name on it, the perpetrator nowhere), downloads
it as PDF, and records the answer; the request shows the copy produced and its answered state."""

import io
import pathlib
import unicodedata

import pytest
from e2e_support import check_page, open_section, sign_in
from journeys import SURVIVORS, record_dv_case
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PERPETRATOR = {"desktop": "Quàng Văn Dữ", "phone": "Lò Văn Hung"}


def test_a_request_to_see_ones_data_is_received_copied_and_answered(page, server, device, shot):
    from pypdf import PdfReader

    counsellor = server.make_user("counsellor", "TA-02")
    sign_in(page, server, counsellor)
    case_url = record_dv_case(page, server, device, shot)

    page.goto(case_url + "/edit")
    page.locator("#perpetrator").fill(PERPETRATOR[device])
    page.get_by_role("button", name="Lưu hồ sơ").click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu hồ sơ")

    open_section(page, "case-rights")
    page.locator("#case-rights").get_by_role("link", name="Ghi nhận yêu cầu của người được hỗ trợ").click()
    page.get_by_label("Người được hỗ trợ yêu cầu").select_option("view_copy")
    page.get_by_label("Nhận yêu cầu qua").select_option("in_person")
    page.get_by_label("Đã xác minh người yêu cầu bằng cách").select_option("cccd")
    check_page(page, device, "rights request form")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Đã ghi nhận yêu cầu")
    expect(page.locator("main dl")).to_contain_text("Đã nhận")
    request_url = page.url
    shot(page, "received")

    page.get_by_role("link", name="Bản sao dữ liệu cho người yêu cầu").click()
    copy = page.locator("#survivor-copy")
    expect(copy).to_contain_text("BẢN SAO DỮ LIỆU CÁ NHÂN")
    expect(copy).to_contain_text(SURVIVORS[device])
    expect(copy).not_to_contain_text(PERPETRATOR[device])
    check_page(page, device, "survivor copy")
    shot(page, "copy")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải PDF").click()
    reader = PdfReader(io.BytesIO(pathlib.Path(download.value.path()).read_bytes()))
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))
    assert SURVIVORS[device] in text and PERPETRATOR[device] not in text

    page.goto(request_url)
    expect(page.locator("main dl")).to_contain_text("Bản sao đã tạo")
    answer = page.locator("form", has=page.get_by_role("heading", name="Trả lời"))
    answer.get_by_label("Đã làm gì cho người yêu cầu").fill("Đã đưa bản sao in cho chị tại địa chỉ tin cậy")
    page.once("dialog", lambda dialog: dialog.accept())
    answer.get_by_role("button", name="Lưu câu trả lời").click()
    expect(page.locator("main dl")).to_contain_text("Đã trả lời")
    expect(page.locator("main dl")).to_contain_text("Đã đưa bản sao in cho chị")
    check_page(page, device, "rights request answered")
    shot(page, "answered")
