"""Issue 20 on the server: irreversible actions take a second, explained step that works without JavaScript."""

import re


def _confirm_blocks(html: str) -> list[str]:
    return re.findall(r'<details class="confirm[^"]*"[^>]*>.*?</details>', html, re.S)


def test_consent_withdrawal_is_a_second_step_that_says_what_happens(client, counsellor, case_id, unit):
    agency = unit("AG-SYT-11").id  # a live service: consent lists no closed office
    client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "share_with_agency",
            "consent-agency_id": agency,
            "consent-method": "signed",
            "consent-given_by": "self",
            "consent-given_on": "2026-01-05",
        },
    )
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    blocks = [b for b in _confirm_blocks(html) if "/withdraw" in b and "/consents/" in b]
    assert len(blocks) == 1
    block = blocks[0]
    # the first tap opens this; the explanation and the button that acts are inside, nowhere else
    assert "cơ quan nhận không xem được thông tin nữa" in block and "không hoàn tác được" in block
    assert "Đồng ý ghi nhận rút lại" in block and "<summary>" in block
    assert html.count("Đồng ý ghi nhận rút lại") == 1


def _age_session(app, user_id, minutes: int):
    """Make the user's session look idle for `minutes` (as if the phone slept with the form open)."""
    from datetime import timedelta

    from sqlalchemy import update

    from app.auth.models import UserSession
    from app.extensions import db, utcnow

    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id)
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()
        db.session.remove()


def test_a_form_sent_after_the_session_ran_out_comes_back_after_signing_in(app, client, counsellor, unit):
    client.get("/cases/new")
    _age_session(app, counsellor.id, 60)
    sent = client.post(
        "/cases/new",
        data={
            "_draft": "case-intake",
            "full_name": "Lò Thị KHONGMAT",
            "unit_id": unit("TA-02").id,
            "incident": "Đã kể lại đầy đủ",
        },
    )
    assert sent.status_code == 302 and "/auth/login" in sent.headers["Location"]
    assert "next=/cases/new" in sent.headers["Location"].replace("%2F", "/")
    assert client.get("/cases/").status_code == 302  # the session stays ended
    login_page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/cases/new"' in login_page
    again = client.post(
        "/auth/login", data={"username": counsellor.username, "password": counsellor.password, "next": "/cases/new"}
    )
    assert again.headers["Location"].endswith("/cases/new")
    page = client.get("/cases/new").get_data(as_text=True)
    assert "Lò Thị KHONGMAT" in page and "Đã khôi phục nội dung" in page


def test_a_session_ended_on_purpose_keeps_nothing(app, client, counsellor):
    client.post("/auth/logout")
    sent = client.post("/cases/new", data={"_draft": "case-intake", "full_name": "Lò Thị KHONGGIU"})
    assert sent.status_code == 302 and "next=" not in sent.headers["Location"]
    from sqlalchemy import func, select

    from app.extensions import db
    from app.web.models import FormDraft

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0
        db.session.remove()


def test_quick_exit_flag_ends_the_session_at_the_next_contact(app, client, counsellor):
    """Offline, the beacon is lost: the flag app.js left in the browser ends the session at the next request."""
    from sqlalchemy import select

    from app.auth.models import UserSession
    from app.extensions import db

    assert client.get("/cases/").status_code == 200
    client.set_cookie("tincay_qx", "1")
    back = client.get("/cases/")
    assert back.status_code == 302 and "/auth/login" in back.headers["Location"]
    assert "tincay_qx=;" in back.headers.get("Set-Cookie", "")  # the flag is cleared with it
    client.delete_cookie("tincay_qx")
    assert client.get("/cases/").status_code == 302  # still ended
    with app.app_context():
        reasons = db.session.scalars(select(UserSession.revoked_reason).where(UserSession.user_id == counsellor.id))
        assert list(reasons) == ["quick_exit"]
        db.session.remove()


def test_quick_exit_goes_to_another_site_by_default(app, client, counsellor):
    from app.config import BaseConfig

    assert BaseConfig.QUICK_EXIT_URL.startswith("https://") and "tincay" not in BaseConfig.QUICK_EXIT_URL
    app.config["QUICK_EXIT_URL"] = "https://thoitiet.example/ha-noi"
    try:
        # without JavaScript: the session ends, then a refresh (a redirect would break the CSP's form-action)
        left = client.post("/auth/quick-exit")
        html = left.get_data(as_text=True)
        assert left.status_code == 200 and 'content="0;url=https://thoitiet.example/ha-noi"' in html
        assert "form-action 'self'" in left.headers["Content-Security-Policy"]
        assert client.get("/cases/").status_code == 302
    finally:
        app.config["QUICK_EXIT_URL"] = ""


def test_quick_exit_button_names_its_destination(client, counsellor):
    html = client.get("/cases/").get_data(as_text=True)
    assert re.search(r'<form [^>]*data-quick-exit[^>]*data-exit-url="/n"', html)


def test_a_breakdown_with_an_error_comes_back_open(app, client, make_user, login, plan_2022_in_force):
    """The error sits in a folded breakdown: that <details> comes back open (app.js then focuses the field)."""
    from test_indicators_cycle import _cycle, _submission, full_report_form_for

    cycle_id = _cycle(app)
    reporter = make_user("reporter", "03295")
    login(client, reporter)
    from indicators_helpers import unit

    with app.app_context():
        quai_to = unit("03295").id
    client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": quai_to})
    url = f"/indicators/submissions/{_submission(app, cycle_id, '03295').id}"
    form = full_report_form_for(app, cycle_id)
    form["CT8-actual-ethnic_group-thai"], form["CT8-actual-ethnic_group-mong"] = "4", "3"
    html = client.post(url, data=dict(form, action="save")).get_data(as_text=True)
    opened = re.findall(r"<details( open)?><summary>([^<]+)</summary>(.*?)</details>", html, re.S)
    with_error = [(o, body) for o, _, body in opened if 'aria-invalid="true"' in body]
    assert with_error and all(o == " open" for o, _ in with_error)
    assert any(o == "" for o, _, body in opened if 'aria-invalid="true"' not in body)  # the others stay folded


def test_small_fixes_on_the_forms(app, client, counsellor, case_id):
    from app import clock

    intake = client.get("/cases/new").get_data(as_text=True)
    assert re.search(rf'id="opened_on"[^>]*value="{clock.today().isoformat()}"', intake)  # today by default
    consent = client.get(f"/cases/{case_id}/consents/new").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*autocomplete="off"[^>]*name="consent-witness"|name="consent-witness"[^>]*'
        r'autocomplete="off"',
        consent,
    )
    followup = client.get(f"/cases/{case_id}/followups/new").get_data(as_text=True)
    assert re.search(
        r'autocomplete="off"[^>]*name="followup-purpose"|name="followup-purpose"[^>]*autocomplete="off"', followup
    )
    referral = client.get(f"/referrals/case/{case_id}/new").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="fields" value="code" id="fields-code" checked>', referral)


def test_the_favicon_is_a_small_icon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    assert len(icon.data) < 1000


def test_a_province_reviewer_is_never_called_huyen(app, client, make_user, login):
    from app.auth.forms import role_label
    from app.units.queries import by_code

    reviewer = make_user("district_reviewer", "11")
    login(client, reviewer)
    page = client.get("/auth/account").get_data(as_text=True)
    assert "Cán bộ Hội LHPN tỉnh (xét duyệt)" in page and "huyện (xét duyệt)" not in page
    with app.app_context():
        assert role_label("district_reviewer", by_code("099")) == "Cán bộ Hội LHPN huyện (xét duyệt)"
        assert "huyện" not in role_label("district_reviewer", by_code("11"))


def test_the_audit_list_reads_in_words_and_filters_by_them(app, client, make_user, login):
    admin = make_user("admin", "11")
    login(client, admin)
    page = client.get("/audit/").get_data(as_text=True)
    assert re.search(r"<td[^>]*>Đăng nhập vào hệ thống <code class=\"muted\">auth.login</code></td>", page)
    assert '<option value="auth.login">Đăng nhập vào hệ thống</option>' in page  # the filter is a list of words
    assert '<option value="note.withdraw">Rút ghi chú (giữ trong lịch sử)</option>' in page
    chosen = client.get("/audit/?action=user.create").get_data(as_text=True)
    assert '<code class="muted">user.create</code>' in chosen
    assert '<code class="muted">auth.login</code>' not in chosen
    client.post("/lang", data={"lang": "en", "next": "/audit/"})
    english = client.get("/audit/").get_data(as_text=True)
    assert "Signed in <code" in english and '<option value="auth.login">Signed in</option>' in english


def test_the_excel_report_prints_on_a4_and_explains_its_hidden_cells(client, make_user, login):
    from io import BytesIO

    from openpyxl import load_workbook

    login(client, make_user("district_reviewer", "099"))
    book = load_workbook(BytesIO(client.get("/indicators/export.xlsx?year=2026").data))
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "portrait"
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in sheet.oddFooter.center.text
    texts = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert any("“x” là ô được ẩn thêm" in t for t in texts)


def test_indicator_descriptions_read_in_english(client, make_user, login):
    login(client, make_user("monitor", "11"))
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/indicators/").get_data(as_text=True)
    assert "Set up and keep running 85 community communication teams" in page
    assert "Thành lập và duy trì hoạt động của 85 tổ" not in page


def test_ct4_counts_the_trusted_address_of_quai_to(app, client, make_user, login):
    from indicators_helpers import dashboard_rows

    make_user("district_reviewer", "099", username="huyen.hoi")
    make_user("reporter", "03295", username="baocao.quaito")
    from app.extensions import db
    from app.indicators import demo

    with app.test_request_context():
        demo.seed()
        db.session.commit()
    login(client, make_user("monitor", "11"))
    rows = dashboard_rows(client.get("/indicators/?year=2025").get_data(as_text=True), "CT4")
    assert rows["Xã Quài Tở"][1] not in ("0", "—")  # TA-02 is there


def test_table_cells_carry_their_column_label_from_the_server(client, counsellor, case_id):
    """The phone's card layout reads each cell's label from data-label: written on the server, so it is there
    with JavaScript off too (app.js only labels rows an htmx swap brings in)."""
    html = client.get("/cases/").get_data(as_text=True)
    table = re.search(r'<table class="data[^"]*"[^>]*>.*?</table>', html, re.S).group(0)
    heads = [
        re.sub(r"<[^>]+>|\s+", " ", h).strip()
        for h in re.findall(r"<th[^>]*>(.*?)</th>", table.split("</thead>")[0], re.S)
    ]
    body = table.split("</thead>")[1]
    cells = re.findall(r"<td\b[^>]*>", body)
    assert cells and all("data-label=" in c for c in cells)
    labels = [re.search(r'data-label="([^"]*)"', c).group(1) for c in cells[: len(heads)]]
    assert labels == [h.replace("&amp;", "&").replace("&", "&amp;") for h in heads]


def test_table_labels_follow_colspan_and_rowspan_and_keep_given_ones():
    from markupsafe import Markup

    from app.web.table_labels import label_tables

    html = str(
        label_tables(
            Markup(
                '<table class="data"><thead><tr><th rowspan="2">Mã</th><th colspan="2">Số &amp; tiền</th></tr>'
                '<tr><th>Nam</th><th>Nữ</th></tr></thead><tbody><tr><td>A</td><td data-label="x">1</td>'
                """<td hx-vals='{"a":">"}'>2</td></tr></tbody><tfoot><tr><th>Tổng</th><td colspan="2">3</td></tr>"""
                "</tfoot></table><table><tr><td>k</td></tr></table>"
            )
        )
    )
    assert str(label_tables("<table>")) == "&lt;table&gt;"  # a plain string is escaped, never trusted
    assert '<td data-label="Mã">A</td>' in html and '<td data-label="x">1</td>' in html
    assert """<td hx-vals='{"a":">"}' data-label="Số &amp; tiền · Nữ">2</td>""" in html
    assert '<th data-label="Mã">Tổng</th>' in html and '<td colspan="2" data-label="Số &amp; tiền · Nam">' in html
    assert "<td>k</td>" in html  # not a data table


def _village(app, code, name, parent_code):
    from app.extensions import db
    from app.units.queries import by_code
    from app.units.services import create_unit

    with app.app_context():
        village = create_unit(code=code, kind="village", name=name, parent=by_code(parent_code), actor="test")
        db.session.commit()
        village_id = village.id
        db.session.remove()
    return village_id


def test_no_village_list_is_said_plainly_and_loaded_villages_of_the_commune_served_are_offered(
    app, client, counsellor, unit
):
    """There is no official village list in the reference data: the intake form says so instead of offering an
    empty list; villages an administrator loads under the commune of the counsellor's trusted address appear."""
    empty = client.get("/cases/new").get_data(as_text=True)
    assert 'name="village_id"' not in empty and "Chưa có danh sách thôn, bản" in empty
    shell = client.get("/offline/")
    assert shell.status_code == 200 and 'name="unit_id"' in shell.get_data(as_text=True)
    assert 'name="village_id"' not in shell.get_data(as_text=True)
    here = _village(app, "TEST-VL-01", "Bản Thử Nghiệm Một", "03295")  # Quài Tở, the commune of TA-02
    _village(app, "TEST-VL-02", "Bản Xã Khác", "03268")  # another commune: not served
    form = client.get("/cases/new").get_data(as_text=True)
    assert 'name="village_id"' in form and "Bản Thử Nghiệm Một" in form and "Bản Xã Khác" not in form
    from test_cases_support import new_case

    from app.cases.models import Case
    from app.extensions import db

    case_id = new_case(client, unit("TA-02").id, village_id=here)
    with app.app_context():
        assert db.session.get(Case, case_id).village_id == here
        db.session.remove()
