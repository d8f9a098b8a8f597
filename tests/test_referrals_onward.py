"""Onward referral: an agency that took a referral on passes it to another live service only within the
survivor's consent and only with fields it received; the original counsellor sees the chain and each hop's
outcome; a confirmation step names the receiver and the count of what is shared."""

from sqlalchemy import select
from test_cases_support import audit_actions
from test_referrals_support import AGENCY, add_share_consent, as_user, setup_referral

from app import clock
from app.extensions import db

ONWARD = "AG-CAX-03295"  # Công an xã Quài Tở


def _service_id(app, code):
    from app.directory.queries import by_code

    with app.app_context():
        found = by_code(code).id
        db.session.remove()
    return found


def _accepted(app, client, make_user, login, unit):
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert officer.post(f"/referrals/{referral_id}/accept").status_code == 303
    return case_id, referral_id, officer


def test_onward_only_within_consent_and_only_fields_received(app, client, make_user, login, unit):
    from app.referrals.models import Referral

    case_id, referral_id, officer = _accepted(app, client, make_user, login, unit)
    police = _service_id(app, "SV-CAX-03295")
    form = officer.get(f"/referrals/{referral_id}/forward").get_data(as_text=True)
    assert police not in form  # no consent to share with the commune police yet
    beyond = officer.post(
        f"/referrals/{referral_id}/forward",
        data={
            "service_id": police,
            "fields": ["phone"],
            "idempotency_key": "onward-0000000000000001",
            "confirm": "yes",
        },
    )
    assert beyond.status_code == 200 and "chưa đồng ý chia sẻ" in beyond.get_data(as_text=True)

    add_share_consent(client, case_id, unit(ONWARD).id)
    data = {
        "service_id": police,
        "fields": ["phone", "incident"],
        "idempotency_key": "onward-0000000000000002",
        "message": "Đề nghị hỗ trợ an ninh",
    }
    more = officer.post(
        f"/referrals/{referral_id}/forward", data=dict(data, fields=["phone", "full_name"], confirm="yes")
    )
    assert more.status_code == 200 and "Chỉ chuyển tiếp được thông tin cơ quan đã nhận" in more.get_data(as_text=True)
    confirm = officer.post(f"/referrals/{referral_id}/forward", data=data).get_data(as_text=True)
    assert "2 thông tin sẽ được chia sẻ với Công an xã Quài Tở" in confirm
    assert officer.post(f"/referrals/{referral_id}/forward", data=dict(data, confirm="yes")).status_code == 303
    with app.app_context():
        onward = db.session.scalar(select(Referral).where(Referral.parent_id == referral_id))
        assert onward.agency.code == ONWARD and onward.packets[0].fields == ["phone", "incident"]
        assert onward.packets[0].content["values"]["phone"] == "0912 345 678"
        onward_id = onward.id
        db.session.remove()
    police_officer = as_user(app, make_user, login, "agency_officer", ONWARD)
    page = police_officer.get(f"/referrals/{onward_id}").get_data(as_text=True)
    assert "0912 345 678" in page and "Lò Thị Mai" not in page  # the name was never shared
    assert police_officer.post(f"/referrals/{onward_id}/accept").status_code == 303

    chain = client.get(f"/referrals/{referral_id}").get_data(as_text=True).split('id="referral-chain"')[1]
    assert f"/referrals/{onward_id}" in chain and "Công an xã Quài Tở" in chain and "Đã nhận xử lý" in chain
    assert client.get(f"/referrals/{onward_id}").status_code == 200  # the original counsellor follows the hop
    assert "referral.forward" in [a for a, _, _ in audit_actions(app, case_id)]


def test_a_referral_not_yet_taken_on_cannot_be_forwarded(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert officer.get(f"/referrals/{referral_id}/forward").status_code == 404
    assert "Chuyển tiếp đến dịch vụ khác" not in officer.get(f"/referrals/{referral_id}").get_data(as_text=True)


def _forward_details(app, referral_id):
    import json

    from app.audit.models import AuditEntry

    with app.app_context():
        rows = [
            json.loads(e.detail or "{}")
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
            if e.action == "referral.forward" and e.object_id == referral_id
        ]
        db.session.remove()
    return rows


def test_an_onward_referral_to_a_service_without_an_agreement_warns_and_the_audit_says_so(
    app, client, make_user, login, unit
):
    """Decree 356/2025 Art. 7: the agency's onward referral is a transfer too; the confirmation step warns when
    the receiving service has no live agreement, and the audit entry records whether one covered it."""
    case_id, referral_id, officer = _accepted(app, client, make_user, login, unit)
    add_share_consent(client, case_id, unit(ONWARD).id)
    police = _service_id(app, "SV-CAX-03295")
    data = {"service_id": police, "fields": ["phone"], "idempotency_key": "onward-0000000000000010"}
    confirm = officer.post(f"/referrals/{referral_id}/forward", data=data).get_data(as_text=True)
    assert 'id="no-agreement"' in confirm and "Nghị định 356/2025/NĐ-CP Điều 7" in confirm
    assert officer.post(f"/referrals/{referral_id}/forward", data=dict(data, confirm="yes")).status_code == 303
    (first,) = _forward_details(app, referral_id)
    assert first["agreement"] is False and first["service_id"] == police

    dpo = as_user(app, make_user, login, "dpo", "11")
    today = clock.today().isoformat()
    agreement = {"reference": "07/2026/CAX", "signed_on": today, "valid_from": today, "scope": "Điện thoại; an ninh"}
    assert dpo.post("/privacy/agreements", data=dict(agreement, service_id=police)).status_code == 303
    data = dict(data, idempotency_key="onward-0000000000000011")
    confirm = officer.post(f"/referrals/{referral_id}/forward", data=data).get_data(as_text=True)
    assert "Xác nhận chuyển tiếp" in confirm and 'id="no-agreement"' not in confirm
    assert officer.post(f"/referrals/{referral_id}/forward", data=dict(data, confirm="yes")).status_code == 303
    _, second = _forward_details(app, referral_id)
    assert second["agreement"] is True and second["service_id"] == police
