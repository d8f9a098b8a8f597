"""The service directory: dated services with successors, referral by need within the survivor's commune, the
closed-service refusal with its one-click successor, consent lists the same services, open referrals of a
closed service move to the successor without rewriting history, and the admin's directory pages."""

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from test_referrals_support import AGENCY, add_share_consent, referral_count, send

from app.extensions import db


def _service(code):
    from app.directory.queries import by_code

    service = by_code(code)
    assert service is not None, code
    return service


def test_the_2022_services_closed_on_their_real_dates_and_name_live_successors(ctx, unit):
    from app.directory.queries import offered
    from app.units.queries import by_code

    labour = _service("SV-LDTBXH-099")
    assert labour.closed_on == date(2025, 7, 1) and labour.is_live(date(2025, 6, 30))
    assert not labour.is_live() and labour.live_successor().code == "SV-SYT-BTXH"
    assert labour.live_successor().unit.code == "AG-SYT-11"
    for code in ("SV-TTYT-099", "SV-CA-099", "SV-TAND-099", "SV-HLHPN-099"):
        assert not _service(code).is_live() and _service(code).live_successor() is not None, code
    near = {s.code for s in offered(by_code("TA-02"))}  # a trusted address of old Quài Tở, now xã Quài Tở
    assert {"SV-PVHXH-03295", "SV-CAX-03295", "SV-TYT-03295", "SV-SYT-BTXH", "SV-TTYT-KV-TG"} <= near
    assert not near & {"SV-LDTBXH-099", "SV-PVHXH-03268", "SV-CAX-03268", "SV-TTYT-099"}
    before = {s.code for s in offered(by_code("TA-02"), on=date(2025, 3, 1))}
    assert "SV-LDTBXH-099" in before and "SV-SYT-BTXH" not in before  # the directory as it stood then
    assert {s.code for s in offered(by_code("TA-02"), kind="health")} == {"SV-TYT-03295", "SV-TTYT-KV-TG"}
    assert [s.code for s in offered(by_code("TA-02"), query="so y te xac minh")] == ["SV-SYT-XMNN"]


def test_an_old_link_to_the_closed_office_explains_and_switches_in_one_click(app, client, case_id, unit):
    sở_y_tế, labour = _ids(app, "SV-SYT-BTXH", "SV-LDTBXH-099")
    page = client.get(f"/referrals/case/{case_id}/new?agency_id={unit('AG-LDTBXH-099').id}").get_data(as_text=True)
    assert "Phòng LĐ-TB&amp;XH huyện Tuần Giáo đã giải thể từ 01/07/2025; thay thế: Sở Y tế tỉnh Điện Biên" in page
    switch = f"/referrals/case/{case_id}/new?service={sở_y_tế}"
    assert f'href="{switch}"' in page
    switched = client.get(switch).get_data(as_text=True)
    assert f'<option selected value="{sở_y_tế}">' in switched and "đã giải thể" not in switched
    add_share_consent(client, case_id, unit("AG-SYT-11").id)
    refused = send(client, case_id, "", service_id=labour)
    assert refused.status_code == 200 and "đã giải thể từ 01/07/2025" in refused.get_data(as_text=True)
    assert referral_count(app) == 0
    sent = send(client, case_id, "", service_id=sở_y_tế, key="k-" + "2" * 30)
    assert sent.status_code == 303 and referral_count(app) == 1


def test_a_service_outside_the_survivors_commune_is_refused(app, client, case_id, unit):
    add_share_consent(client, case_id, unit(AGENCY).id)
    [elsewhere] = _ids(app, "SV-PVHXH-03268")
    response = send(client, case_id, "", service_id=elsewhere)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="service_id-error"' in html
    assert "không phục vụ địa bàn của người được hỗ trợ" in html and referral_count(app) == 0


def test_the_picker_offers_services_by_need_and_finds_names_without_diacritics(client, case_id):
    police = client.get(
        f"/referrals/case/{case_id}/new?kind=police", headers={"HX-Request": "true", "HX-Target": "service-picker"}
    ).get_data(as_text=True)
    assert police.lstrip().startswith('<div id="service-picker">')
    assert "Công an xã Quài Tở" in police and "Trạm Y tế" not in police and "Công an xã Mường Mùn" not in police
    found = client.get(f"/referrals/case/{case_id}/new?q=tram+y+te").get_data(as_text=True)
    assert "Trạm Y tế xã Quài Tở" in found.split('id="service-picker"')[1]
    assert "Sở Y tế" not in found.split('id="service-picker"')[1].split("</select>")[0]


def test_consent_lists_the_same_live_services(client, case_id, unit):
    form = client.get(f"/cases/{case_id}?form=consent").get_data(as_text=True)
    assert unit("AG-SYT-11").id in form and unit(AGENCY).id in form and unit("AG-CAX-03295").id in form
    assert unit("AG-LDTBXH-099").id not in form and unit("AG-PVHXH-03268").id not in form


def _old_referral(case_id, agency_id, sender_unit_id, status):
    from app.referrals.models import Referral

    sent = datetime(2025, 6, 20, 9, tzinfo=UTC)
    referral = Referral(
        code=f"CG-2025-{secrets.token_hex(3).upper()}",
        case_id=case_id,
        agency_id=agency_id,
        sender_unit_id=sender_unit_id,
        services=["essential_needs"],
        status=status,
        legal_basis="consent",
        idempotency_key=secrets.token_hex(8),
        sent_at=sent,
        ack_due_at=sent + timedelta(days=2),
    )
    db.session.add(referral)
    return referral


def test_open_referrals_of_a_closed_office_go_to_its_successor_without_rewriting_history(
    app, client, case_id, unit, make_user, login
):
    from app.audit.models import AuditEntry
    from app.directory.services import map_open_referrals
    from app.referrals.models import Referral

    old, new = unit("AG-LDTBXH-099").id, unit("AG-SYT-11").id
    with app.test_request_context():
        open_one = _old_referral(case_id, old, unit("TA-02").id, "accepted")
        done = _old_referral(case_id, old, unit("TA-02").id, "completed")
        db.session.flush()
        assert map_open_referrals(actor="test") == 1 and map_open_referrals(actor="test") == 0  # once
        db.session.commit()
        open_id, done_id = open_one.id, done.id
        db.session.remove()
    with app.app_context():
        moved, kept = db.session.get(Referral, open_id), db.session.get(Referral, done_id)
        assert (moved.agency_id, moved.successor_agency_id) == (old, new)  # addressee as sent, handled by Sở Y tế
        assert (kept.agency_id, kept.successor_agency_id) == (old, None)
        assert db.session.scalar(
            select(AuditEntry.seq).where(AuditEntry.action == "referral.successor", AuditEntry.object_id == open_id)
        )
        db.session.remove()
    officer = app.test_client()
    login(officer, make_user("agency_officer", "AG-SYT-11"))
    inbox = officer.get("/referrals/").get_data(as_text=True)
    assert f"/referrals/{open_id}" in inbox and f"/referrals/{done_id}" not in inbox
    assert officer.get(f"/referrals/{open_id}").status_code == 200
    assert officer.get(f"/referrals/{done_id}").status_code == 404


def test_the_admin_keeps_the_directory_and_closing_needs_a_successor(app, make_user, login, unit):
    admin = app.test_client()
    login(admin, make_user("admin", "11"))
    listing = admin.get("/directory/?q=phong+lao+dong").get_data(as_text=True)
    assert "Phòng LĐ-TB&amp;XH huyện Tuần Giáo" in listing and "Đã ngừng 01/07/2025" in listing
    assert "Trạm Y tế" not in listing
    data = {
        "code": "SV-THU-NGHIEM",
        "name": "Nhà tạm lánh thử nghiệm",
        "kind": "shelter",
        "unit_id": unit("AG-CTXH-11").id,
        "areas": [unit("2025-03295").id],
        "languages": ["vi", "hmong"],
        "accepts": ["dv"],
        "valid_from": "2026-01-01",
    }
    assert admin.post("/directory/new", data=data).status_code == 303
    service = _in_app(app, lambda: _service("SV-THU-NGHIEM").id)
    closing = dict(data, valid_to="2026-11-30")
    refused = admin.post(f"/directory/{service}", data=closing)
    assert refused.status_code == 200 and "cần có dịch vụ thay thế" in refused.get_data(as_text=True)
    closing["successor_id"] = _in_app(app, lambda: _service("SV-CTXH-TAMLANH").id)
    assert admin.post(f"/directory/{service}", data=closing).status_code == 303
    assert _in_app(app, lambda: _service("SV-THU-NGHIEM").is_live()) is False
    counsellor = app.test_client()
    login(counsellor, make_user("counsellor", "TA-02"))
    assert counsellor.get("/directory/").status_code == 403
    from app.units.queries import unit_choices

    with app.test_request_context():  # unit pickers mark closed units
        labels = dict(unit_choices())
        db.session.remove()
    assert labels[unit("099").id] == "Huyện Tuần Giáo (099) — ngừng 7/2025"
    assert labels[unit("2025-03295").id] == "Xã Quài Tở (2025-03295)"


def _ids(app, *codes):
    return _in_app(app, lambda: [_service(code).id for code in codes])


def _in_app(app, fn):
    with app.app_context():
        value = fn()
        db.session.remove()
    return value
