"""The agency's side: exactly the chosen fields on every route, scope, withdrawal, answers, print, audit."""

from datetime import timedelta

from sqlalchemy import select
from test_cases_support import audit_actions
from test_referrals_support import (
    AGENCY,
    CHOSEN_VALUES,
    OTHER_AGENCY,
    UNCHOSEN_VALUES,
    as_user,
    setup_referral,
)

from app import clock
from app.extensions import db


def _no_unchosen(html: str, where: str) -> None:
    for value in UNCHOSEN_VALUES:
        assert value not in html, f"{where}: an unchosen value leaked: {value}"


def _case_code(app, case_id):
    from app.cases.models import Case

    with app.app_context():
        code = db.session.get(Case, case_id).code
        db.session.remove()
    return code


def test_the_agency_sees_exactly_the_chosen_fields_on_every_referral_route(app, client, make_user, login, unit):
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    code = _case_code(app, case_id)
    pages = {
        "inbox": officer.get("/referrals/"),
        "inbox fragment": officer.get("/referrals/", headers={"HX-Request": "true", "HX-Target": "referral-lists"}),
        "detail": officer.get(f"/referrals/{referral_id}"),
        "status fragment": officer.get(
            f"/referrals/{referral_id}", headers={"HX-Request": "true", "HX-Target": "referral-status"}
        ),
        "print": officer.post(f"/referrals/{referral_id}/print"),
        "acknowledge": officer.post(f"/referrals/{referral_id}/acknowledge", follow_redirects=True),
        "decline with bad input": officer.post(f"/referrals/{referral_id}/decline", data={"reason": ""}),
        "accept htmx": officer.post(
            f"/referrals/{referral_id}/accept", headers={"HX-Request": "true", "HX-Target": "referral-status"}
        ),
        "service": officer.post(
            f"/referrals/{referral_id}/services",
            data={"kind": "vocational_training", "delivered_on": clock.today().isoformat(), "notes": "Lớp may"},
            follow_redirects=True,
        ),
        "complete": officer.post(
            f"/referrals/{referral_id}/complete", data={"feedback": "Đã học xong khoá may"}, follow_redirects=True
        ),
        "case page": officer.get(f"/cases/{case_id}"),
        "case list": officer.get("/cases/"),
        "case search": officer.post("/cases/", data={"q": "Lò Thị Mai"}),
        "update form": officer.get(f"/referrals/{referral_id}/update"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 403, 404), (name, response.status_code)
        _no_unchosen(html, name)
        if name != "case page":  # (that error page echoes the URL the officer typed, in the language form)
            assert case_id not in html, f"{name}: the case is named"
        assert code not in html, f"{name}: the case is named"
    detail = pages["detail"].get_data(as_text=True)
    for value in CHOSEN_VALUES:
        assert value in detail, value
    assert "Xin hỗ trợ học nghề" in detail  # the message
    assert pages["print"].status_code == 200 and "0912 345 678" in pages["print"].get_data(as_text=True)
    for name in ("case page", "case list", "case search", "update form"):
        assert pages[name].status_code in (403, 404), name
    assert "Lớp may" in pages["complete"].get_data(as_text=True)


def test_every_action_is_audited_with_ids_only(app, client, make_user, login, unit):
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.get(f"/referrals/{referral_id}")
    officer.post(f"/referrals/{referral_id}/print")
    officer.post(f"/referrals/{referral_id}/acknowledge")
    officer.post(f"/referrals/{referral_id}/accept")
    officer.post(
        f"/referrals/{referral_id}/services",
        data={"kind": "vocational_training", "delivered_on": clock.today().isoformat(), "notes": "Lớp may"},
    )
    officer.post(f"/referrals/{referral_id}/complete", data={"feedback": "Đã học xong khoá may"})
    stranger = as_user(app, make_user, login, "agency_officer", OTHER_AGENCY)
    assert stranger.get(f"/referrals/{referral_id}").status_code == 404
    entries = audit_actions(app, case_id)
    actions = [a for a, _, _ in entries]
    for action in (
        "referral.send",
        "referral.open",
        "referral.print",
        "referral.acknowledged",
        "referral.accepted",
        "referral.service",
        "referral.completed",
    ):
        assert action in actions, action
    all_entries = audit_actions(app)
    assert any(a == "access.denied" and "referral" in d for a, _, d in all_entries)
    for _, _, detail in all_entries:
        for value in UNCHOSEN_VALUES + CHOSEN_VALUES + ("Lớp may", "khoá may", "học nghề"):
            assert value not in detail
    # the feedback reaches the sender: on the case page's referral panel and as words on its timeline
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Đã học xong khoá may" in page and "Cơ quan hoàn thành và gửi phản hồi" in page


def test_another_agency_and_another_commune_are_denied(app, client, make_user, login, unit):
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    for role, code in (
        ("agency_officer", OTHER_AGENCY),
        ("agency_officer", "AG-SYT-11"),
        ("counsellor", "TA-03"),
        ("district_reviewer", "099"),
        ("reporter", "03295"),
        ("admin", "11"),
    ):
        other = as_user(app, make_user, login, role, code)
        listing = other.get("/referrals/")
        assert listing.status_code in (200, 403)
        _no_unchosen(listing.get_data(as_text=True), code)
        assert referral_id not in listing.get_data(as_text=True)
        for method, path in (
            ("get", ""),
            ("post", "/print"),
            ("post", "/acknowledge"),
            ("post", "/accept"),
            ("post", "/withdraw"),
            ("get", "/update"),
        ):
            response = getattr(other, method)(f"/referrals/{referral_id}{path}")
            assert response.status_code in (403, 404), (code, path, response.status_code)
            _no_unchosen(response.get_data(as_text=True), f"{code} {path}")


def test_withdraw_removes_access_on_the_next_request(app, client, make_user, login, unit):
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert "0912 345 678" in officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    response = client.post(f"/referrals/{referral_id}/withdraw")
    assert response.status_code == 303
    after = officer.get(f"/referrals/{referral_id}")
    html = after.get_data(as_text=True)
    assert after.status_code == 200 and "đã rút chuyển gửi này" in html
    for value in CHOSEN_VALUES[:2] + ("Xin hỗ trợ học nghề",):
        assert value not in html
    assert officer.post(f"/referrals/{referral_id}/print").status_code in (404, 200)
    assert "0912 345 678" not in officer.post(f"/referrals/{referral_id}/print").get_data(as_text=True)
    assert officer.post(f"/referrals/{referral_id}/accept").status_code == 404
    assert ("referral.print", "denied") in [(a, r) for a, r, _ in audit_actions(app, case_id)]
    sender_view = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "đã bị huỷ" in sender_view  # withdrawing destroys the packet (packets die with the referral)
    assert ("referral.open", "withdrawn") in [(a, r) for a, r, _ in audit_actions(app, case_id)]


def test_withdraw_with_destroy_shreds_the_packet_key_and_says_so(app, client, make_user, login, unit):
    from app.referrals.models import Referral

    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    client.post(f"/referrals/{referral_id}/withdraw", data={"destroy": "y"})
    with app.app_context():
        r = db.session.get(Referral, referral_id)
        assert r.packet_destroyed_at is not None
        assert all(p.content_enc is None and p.wrapped_dek is None and p.is_erased for p in r.packets)
        db.session.remove()
    html = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "đã bị huỷ" in html and "0912 345 678" not in html
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert "đã bị huỷ" in officer.get(f"/referrals/{referral_id}").get_data(as_text=True)


def test_decline_needs_a_reason_and_keeps_the_page(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    bad = officer.post(
        f"/referrals/{referral_id}/decline",
        data={"reason": ""},
        headers={"HX-Request": "true", "HX-Target": "referral-status"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and html.lstrip().startswith("<section") and 'id="reason-error"' in html
    declined = officer.post(
        f"/referrals/{referral_id}/decline", data={"reason": "Không thuộc chức năng", "confirm": "yes"}
    )
    assert declined.status_code == 303
    sender = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Bị từ chối" in sender and "Không thuộc chức năng" in sender
    # a declined referral cannot be accepted afterwards
    officer.post(f"/referrals/{referral_id}/accept")
    from app.referrals.models import Referral

    with app.app_context():
        assert db.session.get(Referral, referral_id).status == "declined"
        db.session.remove()


def test_declining_is_confirmed_on_a_step_that_says_what_the_sender_sees_and_what_is_destroyed(
    app, client, make_user, login, unit
):
    from app.referrals.models import Referral

    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    with app.app_context():
        shared = len(db.session.get(Referral, referral_id).latest_packet.fields)
        db.session.remove()
    for headers in ({}, {"HX-Request": "true", "HX-Target": "referral-status"}):
        asked = officer.post(
            f"/referrals/{referral_id}/decline", data={"reason": "Không thuộc chức năng"}, headers=headers
        )
        html = asked.get_data(as_text=True)
        assert asked.status_code == 200 and "Xác nhận từ chối chuyển gửi" in html
        assert f"sẽ bị huỷ ngay: {shared}." in html and "Không thuộc chức năng" in html
        assert 'name="confirm" value="yes"' in html and "Không hoàn tác được" in html
        assert html.lstrip().startswith("<section") == bool(headers)  # htmx swaps the status panel only
        with app.app_context():
            assert db.session.get(Referral, referral_id).status == "sent"  # nothing happened yet
            db.session.remove()
    short = officer.post(f"/referrals/{referral_id}/decline", data={"reason": "Khg"}).get_data(as_text=True)
    assert "Vui lòng ghi lý do từ chối." in short and "Xác nhận từ chối" not in short  # refused before the step
    done = officer.post(f"/referrals/{referral_id}/decline", data={"reason": "Không thuộc chức năng", "confirm": "yes"})
    assert done.status_code == 303
    late = officer.post(f"/referrals/{referral_id}/decline", data={"reason": "Không thuộc chức năng"})
    assert late.status_code == 404 and "Xác nhận từ chối" not in late.get_data(as_text=True)  # no step once done
    assert [a for a, _, _ in audit_actions(app, case_id)].count("referral.declined") == 1


def test_accepting_and_acknowledging_take_a_second_explained_tap(app, client, make_user, login, unit):
    import re

    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    blocks = re.findall(r'<details class="confirm[^"]*"[^>]*>.*?</details>', html, re.S)
    accept = [b for b in blocks if "/accept" in b]
    acknowledge = [b for b in blocks if "/acknowledge" in b]
    assert len(accept) == 1 and "Sau khi nhận không từ chối được nữa" in accept[0] and "<summary>" in accept[0]
    assert len(acknowledge) == 1 and "Không hoàn tác được" in acknowledge[0]
    assert html.count("Đồng ý nhận xử lý") == 1  # the button that acts is only inside the fold


def test_services_cannot_be_recorded_before_accepting_nor_in_the_future(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    early = officer.post(
        f"/referrals/{referral_id}/services",
        data={"kind": "medical", "delivered_on": clock.today().isoformat()},
        follow_redirects=True,
    )
    assert early.status_code == 200 and "Hãy nhận chuyển gửi trước" in early.get_data(as_text=True)
    officer.post(f"/referrals/{referral_id}/accept")
    future = officer.post(
        f"/referrals/{referral_id}/services",
        data={"kind": "medical", "delivered_on": (clock.today() + timedelta(days=3)).isoformat(), "notes": "giữ lại"},
    )
    html = future.get_data(as_text=True)
    assert future.status_code == 200 and 'id="delivered_on-error"' in html and "giữ lại" in html


def test_the_service_date_defaults_to_vietnams_today_and_refuses_a_day_before_the_referral_was_sent(
    app, client, make_user, login, unit
):
    """The "record a service" form shows today in Việt Nam (clock.today) in its date field; the user may change
    it; a day before the referral was sent, or in the future, is refused beside the field and what was typed kept."""
    import re

    from app.referrals.models import Referral

    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    with app.app_context():
        sent_on = clock.local_date(db.session.get(Referral, referral_id).sent_at)
        db.session.remove()
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    url = f"/referrals/{referral_id}"
    assert officer.post(f"{url}/accept").status_code == 303
    today = clock.today()
    page = officer.get(url).get_data(as_text=True)
    field = re.search(r'<input[^>]*\bid="delivered_on"[^>]*>', page)
    assert field and f'value="{today.isoformat()}"' in field.group(0), "the date field shows Việt Nam's today"
    hx = {"HX-Request": "true", "HX-Target": "referral-status"}
    before = (sent_on - timedelta(days=1)).isoformat()
    for headers in ({}, hx):
        refused = officer.post(
            f"{url}/services", data={"kind": "medical", "delivered_on": before, "notes": "giữ lại"}, headers=headers
        )
        html = refused.get_data(as_text=True)
        error = re.search(r'<p class="field-error" id="delivered_on-error" role="alert">([^<]*)</p>', html)
        assert refused.status_code == 200 and error, headers
        assert error.group(1) == f"Ngày cung cấp không được trước ngày gửi chuyển gửi ({sent_on:%d/%m/%Y}).", headers
        kept = re.search(r'<input[^>]*\bid="delivered_on"[^>]*>', html)
        assert kept and f'value="{before}"' in kept.group(0) and "giữ lại" in html, headers
    with app.app_context():
        assert not db.session.get(Referral, referral_id).delivered
        db.session.remove()
    chosen = officer.post(f"{url}/services", data={"kind": "medical", "delivered_on": sent_on.isoformat()})
    assert chosen.status_code == 303, "the day it was sent is allowed"
    with app.app_context():
        assert [d.delivered_on for d in db.session.get(Referral, referral_id).delivered] == [sent_on]
        db.session.remove()


def test_an_answer_the_referrals_state_refuses_is_said_on_the_status_panel_htmx_swaps(
    app, client, make_user, login, unit
):
    """htmx swaps only the status panel: the refusal is in it. It was flashed with a redirect, which brought back
    the panel without it (the click seemed to do nothing) while it waited for the next whole page."""
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    hx = {"HX-Request": "true", "HX-Target": "referral-status"}
    url = f"/referrals/{referral_id}"
    early = officer.post(f"{url}/complete", data={"feedback": "Đã học xong khoá may"}, headers=hx)
    unaccepted = officer.post(
        f"{url}/services", data={"kind": "medical", "delivered_on": clock.today().isoformat()}, headers=hx
    )
    refusals = [
        (early, "Chỉ hoàn thành được chuyển gửi đã nhận."),
        (unaccepted, "Hãy nhận chuyển gửi trước khi ghi dịch vụ đã cung cấp."),
    ]
    assert officer.post(f"{url}/accept").status_code == 303  # e.g. a colleague, in another tab
    refusals += [
        (officer.post(f"{url}/acknowledge", headers=hx), "Chuyển gửi này đã được xác nhận."),
        (officer.post(f"{url}/accept", headers=hx), "Chỉ nhận được chuyển gửi đang chờ xử lý."),
        (
            officer.post(f"{url}/decline", data={"reason": "Không thuộc chức năng"}, headers=hx),
            "Chỉ từ chối được chuyển gửi đang chờ xử lý.",
        ),
    ]
    for answer, message in refusals:
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and html.lstrip().startswith("<section"), message
        assert 'id="referral-status"' in html and f'role="alert" tabindex="-1" data-autofocus>{message}</div>' in html
    page = officer.get(url).get_data(as_text=True)  # said once: nothing left over for the next page
    assert not [m for _, m in refusals if m in page]
    # Without JavaScript the refusal is still said at the top of the page the redirect leads to.
    again = officer.post(f"{url}/accept", follow_redirects=True).get_data(as_text=True)
    assert again.count("Chỉ nhận được chuyển gửi đang chờ xử lý.") == 1


def test_packets_are_stored_encrypted_under_their_own_key(app, client, make_user, login, unit):
    from app.cases.models import Case
    from app.referrals.models import Referral

    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    with app.app_context():
        r = db.session.get(Referral, referral_id)
        packet = r.latest_packet
        assert packet.wrapped_dek and packet.wrapped_dek != db.session.get(Case, case_id).wrapped_dek
        assert b"0912" not in packet.content_enc
        assert sorted(packet.fields) == sorted(["age_band", "phone", "incident"])
        raw = db.session.execute(select(Referral.__table__)).all()
        assert "Xin hỗ trợ" not in repr(raw)
        db.session.remove()
