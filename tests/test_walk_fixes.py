"""Small defects found by walking the demo as its users (a counsellor on a phone, an agency, a reviewer)."""

import re


def _legend(html: str, text: str) -> str:
    match = re.search(r"<legend>\s*" + re.escape(text) + r"(.*?)</legend>", html, re.S)
    assert match, f"no legend {text!r}"
    return match.group(1)


def test_the_referral_form_marks_the_services_asked_for_as_required(client, case_id):
    # Sending without a service is refused ("Vui lòng chọn ít nhất một dịch vụ đề nghị."): the form says so
    # before, with the same star as the other required fields.
    html = client.get(f"/referrals/case/{case_id}/new").get_data(as_text=True)
    assert re.search(r'class="required"', _legend(html, "Dịch vụ đề nghị"))


BACK = re.compile(r'<a href="/statistics/\?year=(\d{4})">Quay lại Thống kê</a>')


def test_the_statistics_tables_link_back_to_the_statistics_page_of_their_year(client, make_user, login):
    # A reviewer opened "Xem bảng số liệu năm 2026" from the statistics page and had no way back but the menu.
    login(client, make_user("district_reviewer", "099"))
    hub = client.get("/statistics/")
    assert hub.status_code == 200
    for path in ("/protection/statistics", "/statistics/monthly"):
        for year in (None, 2025):
            response = client.get(path, query_string={"year": year} if year else {})
            assert response.status_code == 200, path
            back = BACK.findall(response.get_data(as_text=True))
            assert back, f"{path}: no link back to the statistics page"
            if year:
                assert back == [str(year)], path


def test_the_livelihood_excel_download_does_not_show_a_printer(client, make_user, login):
    # "Tải Excel" carried the printer icon of "In phiếu chuyển gửi": a reviewer read it as printing. The other
    # downloads (statistics, indicators) are plain buttons.
    login(client, make_user("district_reviewer", "099"))
    html = client.get("/livelihood/overview").get_data(as_text=True)
    button = re.search(r"<button[^>]*>((?:(?!</button>).)*Tải Excel)\s*</button>", html, re.S)
    assert button, "no 'Tải Excel' button"
    assert not re.search(r"#i-print\b", button.group(1))


def test_returning_a_plan_to_the_counsellor_says_returned_not_signed(app, case_id, make_user, login):
    # "Trả lại cho tư vấn viên" answered "Đã ghi nhận ký duyệt." (sign-off recorded): the supervisor could not
    # tell from the message that the plan went back rather than through.
    supervisor = app.test_client()
    login(supervisor, make_user("supervisor", "03295"))
    page = supervisor.post(
        f"/supervision/case/{case_id}/sign-off",
        data={"kind": "safety_plan", "decision": "returned", "signoff-reason": "Thiếu số điện thoại người tin cậy"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã trả lại cho tư vấn viên." in page
    assert "Đã ghi nhận ký duyệt." not in page


def test_the_agency_reads_a_referral_with_a_link_back_to_its_list(app, client, make_user, login, unit):
    # The agency officer's list sits in the phone's "Danh mục" menu: the referral page itself now leads back.
    from test_referrals_support import AGENCY, as_user, setup_referral

    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    agency = as_user(app, make_user, login, "agency_officer", AGENCY)
    html = agency.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert re.search(r'<a href="/referrals/">Quay lại danh sách chuyển gửi</a>', html)
    sender = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Quay lại danh sách chuyển gửi" not in sender  # the sender's page leads to the case instead


def test_the_agency_officers_one_page_is_in_the_top_row_not_a_menu_of_one(app, make_user, login):
    # The agency officer's only item besides the work queue, its referrals, sat alone behind "Danh mục".
    from test_referrals_support import AGENCY, as_user

    agency = as_user(app, make_user, login, "agency_officer", AGENCY)
    html = agency.get("/referrals/").get_data(as_text=True)
    nav = re.search(r'<nav class="nav".*?</nav>', html, re.S).group(0)
    assert re.search(r'<a class="nav-top" href="/referrals/" aria-current="page">', nav)
    assert "Danh mục" not in nav
    counsellor = as_user(app, make_user, login, "counsellor", "TA-02").get("/cases/").get_data(as_text=True)
    assert "Danh mục" in re.search(r'<nav class="nav".*?</nav>', counsellor, re.S).group(0)  # several: a menu
