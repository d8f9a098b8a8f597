"""Sending a referral: consent gating (expiry, withdrawal), the emergency basis, and every refusal leaving nothing."""

import re
from datetime import timedelta

from test_cases_support import audit_actions
from test_referrals_support import (
    AGENCY,
    CHOSEN,
    add_share_consent,
    referral_count,
    referral_id_from,
    send,
    withdraw_share_consent,
)

from app import clock
from app.extensions import db


def _referral(app, referral_id):
    from app.referrals.models import Referral

    with app.app_context():
        r = db.session.get(Referral, referral_id)
        data = {
            "status": r.status,
            "basis": r.legal_basis,
            "consent_id": r.consent_id,
            "review": r.needs_review,
            "reason": r.emergency_reason,
            "packets": len(r.packets),
            "services": r.services,
        }
        db.session.remove()
    return data


def test_the_form_offers_current_agencies_and_every_field_with_labels(client, case_id, unit):
    html = client.get(f"/referrals/case/{case_id}/new").get_data(as_text=True)
    assert "Phòng Văn hóa - Xã hội xã Quài Tở" in html and "Sở Y tế tỉnh Điện Biên" in html
    assert "LĐ-TB&amp;XH" not in html and "Lao động - Thương binh" not in html  # closed on 1/7/2025
    for label in (
        "Họ và tên",
        "Số điện thoại",
        "Mô tả sự việc",
        "Cách liên lạc an toàn",
        "Nhóm tuổi",
        "Trợ cấp khó khăn ban đầu",
        "Hỗ trợ vay vốn",
    ):
        assert label in html
    assert 'name="idempotency_key"' in html and 'type="checkbox" name="fields"' in html


def test_without_consent_sending_is_refused_beside_the_agency_and_nothing_is_made(app, client, case_id, unit):
    response = send(client, case_id, unit(AGENCY).id)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Chưa có sự đồng ý còn hiệu lực" in html
    assert 'id="service_id-error"' in html
    assert 'value="Xin hỗ trợ học nghề"' in html or "Xin hỗ trợ học nghề" in html  # what was typed is kept
    assert 'id="fields-phone" checked' in html
    assert referral_count(app) == 0


def test_consent_for_another_agency_does_not_cover(app, client, case_id, unit):
    add_share_consent(client, case_id, unit("AG-SYT-11").id)
    assert send(client, case_id, unit(AGENCY).id).status_code == 200
    assert referral_count(app) == 0


def test_an_expired_consent_does_not_cover(app, client, case_id, unit):
    today = clock.today()
    add_share_consent(
        client, case_id, unit(AGENCY).id, given_on=today - timedelta(days=100), expires_on=today - timedelta(days=1)
    )
    response = send(client, case_id, unit(AGENCY).id)
    assert response.status_code == 200 and "Chưa có sự đồng ý còn hiệu lực" in response.get_data(as_text=True)
    assert referral_count(app) == 0


def test_a_withdrawn_consent_does_not_cover(app, client, case_id, unit):

    add_share_consent(client, case_id, unit(AGENCY).id)
    withdraw_share_consent(app, client, case_id)
    assert send(client, case_id, unit(AGENCY).id).status_code == 200
    assert referral_count(app) == 0


def test_with_a_valid_consent_the_referral_records_it(app, client, case_id, unit):
    add_share_consent(client, case_id, unit(AGENCY).id)
    referral_id = referral_id_from(send(client, case_id, unit(AGENCY).id))
    data = _referral(app, referral_id)
    assert data["status"] == "sent" and data["basis"] == "consent" and data["consent_id"] and not data["review"]
    assert data["packets"] == 1 and data["services"] == ["vocational_training", "initial_allowance"]
    sent = [d for a, _, d in audit_actions(app, case_id) if a == "referral.send"]
    assert len(sent) == 1 and '"basis": "consent"' in sent[0] and not re.search(r"0912\D?345\D?678", sent[0])


def test_the_emergency_basis_needs_a_reason_and_is_flagged_for_review(app, client, case_id, unit):
    no_reason = send(client, case_id, unit(AGENCY).id, emergency="y", emergency_reason="")
    assert no_reason.status_code == 200 and 'id="emergency_reason-error"' in no_reason.get_data(as_text=True)
    assert referral_count(app) == 0
    referral_id = referral_id_from(
        send(
            client,
            case_id,
            unit(AGENCY).id,
            emergency="y",
            emergency_reason="Bị đe doạ giết, cần nơi tạm lánh ngay tối nay",
        )
    )
    data = _referral(app, referral_id)
    assert data["basis"] == "emergency" and data["review"] and data["consent_id"] is None
    assert data["reason"].startswith("Bị đe doạ")
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Cần rà soát" in page and "Điều 19" in page
    outbox = client.get("/referrals/").get_data(as_text=True)
    assert "cần rà soát" in outbox, outbox[outbox.find("<main") :][:3000]
    detail = [d for a, _, d in audit_actions(app, case_id) if a == "referral.send"][0]
    assert '"basis": "emergency"' in detail and "đe doạ" not in detail


def test_a_consent_recorded_afterwards_completes_the_review_of_an_emergency_referral(app, client, case_id, unit):
    from test_referrals_support import OTHER_AGENCY

    referral_id = referral_id_from(
        send(client, case_id, unit(AGENCY).id, emergency="y", emergency_reason="Bị đe doạ, cần nơi tạm lánh ngay")
    )
    add_share_consent(client, case_id, unit(OTHER_AGENCY).id)  # another agency: still to be reviewed
    assert _referral(app, referral_id)["review"]
    assert "Khi người được hỗ trợ đồng ý" in client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    add_share_consent(client, case_id, unit(AGENCY).id)
    data = _referral(app, referral_id)
    assert not data["review"] and data["consent_id"] and data["basis"] == "emergency"  # the basis stays on record
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Cần rà soát" not in page and "Đã rà soát" in page
    assert "cần rà soát" not in client.get("/referrals/").get_data(as_text=True)
    assert "referral.reviewed" in [a for a, _, _ in audit_actions(app, case_id)]
    timeline = client.get(f"/cases/{case_id}").get_data(as_text=True).split('id="case-timeline"')[1]
    assert "Rà soát chuyển gửi khẩn cấp" in timeline


def test_no_field_chosen_is_refused_beside_the_checklist(app, client, case_id, unit):
    add_share_consent(client, case_id, unit(AGENCY).id)
    response = send(client, case_id, unit(AGENCY).id, fields=[])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="fields-error"' in html and "ít nhất một thông tin" in html
    assert referral_count(app) == 0


def test_a_disabled_agency_is_refused(app, client, case_id, unit):
    from app.units.models import Unit

    agency_id = unit(AGENCY).id
    add_share_consent(client, case_id, agency_id)
    with app.app_context():
        db.session.get(Unit, agency_id).disabled = True
        db.session.commit()
    try:
        response = send(client, case_id, agency_id)
        assert response.status_code == 200 and 'id="service_id-error"' in response.get_data(as_text=True)
        assert referral_count(app) == 0
    finally:
        with app.app_context():
            db.session.get(Unit, agency_id).disabled = False
            db.session.commit()


def test_a_closed_agency_is_refused_with_its_successor_offered(app, client, case_id, unit):
    old = unit("AG-LDTBXH-099").id
    consent = client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "share_with_agency",
            "consent-agency_id": old,
            "consent-method": "signed",
            "consent-given_by": "self",
            "consent-given_on": clock.today().isoformat(),
        },
    )
    assert consent.status_code == 200 and 'id="consent-agency_id-error"' in consent.get_data(as_text=True)
    response = send(client, case_id, old)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and referral_count(app) == 0
    assert "Phòng LĐ-TB&amp;XH huyện Tuần Giáo đã giải thể từ 01/07/2025; thay thế: Sở Y tế tỉnh Điện Biên" in html


def test_double_click_makes_one_referral(app, client, case_id, unit):
    add_share_consent(client, case_id, unit(AGENCY).id)
    first = send(client, case_id, unit(AGENCY).id, key="same-key-twice-000000000000000")
    second = send(client, case_id, unit(AGENCY).id, key="same-key-twice-000000000000000")
    assert referral_id_from(first) == referral_id_from(second)
    assert referral_count(app) == 1
    assert [a for a, _, _ in audit_actions(app, case_id)].count("referral.send") == 1


def test_a_closed_or_erased_case_cannot_be_referred(app, client, case_id, unit):
    add_share_consent(client, case_id, unit(AGENCY).id)
    client.post(f"/cases/{case_id}/close", data={"close-reason": "goals_met"})
    response = send(client, case_id, unit(AGENCY).id)
    assert response.status_code == 200 and "Hồ sơ đã đóng" in response.get_data(as_text=True)
    assert referral_count(app) == 0


def test_only_the_counsellors_of_the_case_may_send(app, client, case_id, unit, make_user, login):
    add_share_consent(client, case_id, unit(AGENCY).id)
    for role, code in (("counsellor", "TA-03"), ("agency_officer", AGENCY), ("district_reviewer", "099")):
        other = app.test_client()
        login(other, make_user(role, code))
        assert other.get(f"/referrals/case/{case_id}/new").status_code in (403, 404)
        assert send(other, case_id, unit(AGENCY).id).status_code in (403, 404)
    assert referral_count(app) == 0


def test_the_case_page_shows_the_referrals_panel(app, client, case_id, unit):
    add_share_consent(client, case_id, unit(AGENCY).id)
    referral_id_from(send(client, case_id, unit(AGENCY).id))
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="case-referrals"' in page and "Phòng Văn hóa - Xã hội" in page
    assert "Chuyển gửi đến cơ quan" in page  # the timeline words and the send button
    assert CHOSEN


def test_the_checklist_offers_every_field_of_the_three_tiers():
    from app.cases.models import Case
    from app.referrals.fields import SHAREABLE

    tiers = set(Case.SUMMARY_FIELDS) | set(Case.IDENTITY_FIELDS) | set(Case.NARRATIVE_FIELDS)
    # unit_id is left out on purpose: the sending unit is always named on a referral
    assert set(SHAREABLE) == tiers - {"unit_id"}


def test_sending_is_confirmed_on_a_page_of_its_own_that_counts_what_is_shared(app, client, case_id, unit):
    add_share_consent(client, case_id, unit(AGENCY).id)
    first = send(client, case_id, unit(AGENCY).id, confirm="")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and referral_count(app) == 0
    assert "3 thông tin của người được hỗ trợ sẽ được chia sẻ với Phòng Văn hóa - Xã hội xã Quài Tở" in html
    assert 'name="confirm" value="yes"' in html and 'name="fields" value="phone"' in html
    refused = send(client, case_id, unit(AGENCY).id, confirm="", fields=[])
    assert refused.status_code == 200 and 'id="fields-error"' in refused.get_data(as_text=True)
    assert referral_id_from(send(client, case_id, unit(AGENCY).id)) and referral_count(app) == 1
