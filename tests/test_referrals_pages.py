"""The referral pages as pages: htmx fragments, the admin's way to the agency map, the slip, no caching."""

import re

from markup_support import unlabelled
from test_cases_support import audit_actions
from test_referrals_support import AGENCY, as_user, setup_referral


def test_list_filter_and_status_panel_answer_htmx_with_fragments(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    fragment = client.get("/referrals/?status=sent", headers={"HX-Request": "true", "HX-Target": "referral-lists"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="referral-lists"') and referral_id in html
    assert fragment.headers["Cache-Control"] == "no-store" and "HX-Target" in fragment.headers["Vary"]
    empty = client.get("/referrals/?status=completed").get_data(as_text=True)
    assert referral_id not in empty
    boosted = client.get(f"/referrals/{referral_id}", headers={"HX-Request": "true"})
    assert boosted.get_data(as_text=True).lstrip().startswith("<!doctype html>")  # only the target decides
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    panel = officer.post(
        f"/referrals/{referral_id}/acknowledge", headers={"HX-Request": "true", "HX-Target": "referral-status"}
    )
    text = panel.get_data(as_text=True)
    assert panel.status_code == 200 and text.lstrip().startswith("<section") and 'id="referral-status"' in text
    assert "0912 345 678" not in text  # the status panel never carries the packet


def test_the_slip_is_printable_and_each_print_is_recorded(app, client, make_user, login, unit):
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    slip = client.post(f"/referrals/{referral_id}/print").get_data(as_text=True)
    assert "PHIẾU CHUYỂN GỬI" in slip and 'class="print-only"' in slip and "no-print" in slip
    assert "Lò Thị Mai" not in slip and "0912 345 678" in slip
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.post(f"/referrals/{referral_id}/print")
    assert [a for a, _, _ in audit_actions(app, case_id)].count("referral.print") == 2
    assert client.get(f"/referrals/{referral_id}/print").status_code == 405  # a print is always recorded


def test_the_admin_reaches_the_agency_map_from_the_menu(app, make_user, login):
    admin = as_user(app, make_user, login, "admin", "11")
    assert "/referrals/agency-map" in admin.get("/admin/users").get_data(as_text=True)
    assert admin.get("/referrals/").status_code == 403


def test_inbox_and_outbox_page_through_every_referral_keeping_the_filter(
    app, client, make_user, login, unit, monkeypatch
):
    from test_referrals_support import send

    from app.web import paging

    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    case_id, first, _ = setup_referral(app, client, make_user, login, unit)
    for n in range(2, 6):  # five referrals of the case, sent one after another (newest first on the lists)
        assert send(client, case_id, unit(AGENCY).id, key=f"k-{n}" + "1" * 30).status_code == 303
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    for who, arg in ((officer, "page"), (client, "sent_page")):
        seen, page, url = [], 1, "/referrals/?status=sent"
        while url:
            html = who.get(url).get_data(as_text=True)
            rows = re.findall(r'<td><a href="/referrals/([0-9a-f-]{36})"', unlabelled(html))
            assert 1 <= len(rows) <= 2, html
            seen += rows
            assert f"Trang {page}" in html
            nxt = re.search(rf'href="(/referrals/\?[^"]*{arg}={page + 1}[^"]*)">Trang sau', html)
            url = nxt.group(1).replace("&amp;", "&") if nxt else None
            if url:
                assert "status=sent" in url
            page += 1
        assert len(seen) == 5 and len(set(seen)) == 5 and first == seen[-1], (who, seen)
    assert officer.get("/referrals/?page=abc").status_code == 200  # not a number: the first page
