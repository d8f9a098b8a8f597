"""Shared helpers for the referral tests (no tests here): a case with known values, consent, sending."""

import re
from datetime import date, timedelta

from sqlalchemy import select
from test_cases_support import new_case

from app import clock

AGENCY = "AG-PVHXH-03295"  # Phòng Văn hóa - Xã hội xã Quài Tở: current since 1/7/2025
OTHER_AGENCY = "AG-CAX-03295"  # another agency of the same commune (Công an xã Quài Tở)
CHOSEN = ["age_band", "phone", "incident"]
# Values of the case that are NOT chosen: none may appear on any page the agency reaches.
UNCHOSEN_VALUES = (
    "Lò Thị Mai",
    "011223344556",
    "Bản Sáng, nhà thứ ba",
    "Quàng Văn B",
    "Tạm lánh tại nhà văn hoá",
    "hỏi mua gà giống",
    "8-10 giờ sáng",
)
CHOSEN_VALUES = ("0912 345 678", "Bị đánh ngày 1/3 sau khi say rượu", "30–44 tuổi")


def add_share_consent(client, case_id, agency_id, given_on=None, expires_on=None) -> None:
    data = {
        "consent-purpose": "share_with_agency",
        "consent-agency_id": agency_id,
        "consent-method": "signed",
        "consent-given_by": "self",
        "consent-given_on": (given_on or clock.today()).isoformat(),
    }
    if expires_on:
        data["consent-expires_on"] = expires_on.isoformat()
    response = client.post(f"/cases/{case_id}/consents", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def withdraw_share_consent(app, client, case_id):
    """Withdraw, today, the case's (only) consent through its form; returns the answer."""
    from app.cases.models import Consent
    from app.extensions import db

    with app.app_context():
        consent_id = db.session.scalar(select(Consent.id).where(Consent.case_id == case_id))
        db.session.remove()
    return client.post(
        f"/cases/{case_id}/consents/{consent_id}/withdraw",
        data={f"withdraw-{consent_id}-withdrawn_on": clock.today().isoformat()},
    )


def send(client, case_id, agency_id, fields=CHOSEN, key="k-" + "1" * 30, **extra):
    data = {
        "idempotency_key": key,
        "agency_id": agency_id,
        "services": ["vocational_training", "initial_allowance"],
        "urgency": "normal",
        "message": "Xin hỗ trợ học nghề",
        "fields": list(fields),
        "confirm": "yes",
    }  # the confirmation step (tested in test_referrals_sending)
    data.update(extra)
    return client.post(f"/referrals/case/{case_id}/new", data=data)


def referral_id_from(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return re.search(r"/referrals/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def referral_count(app) -> int:
    from app.extensions import db
    from app.referrals.models import Referral, ReferralPacket

    with app.app_context():
        n = len(db.session.scalars(select(Referral.id)).all())
        assert len(db.session.scalars(select(ReferralPacket.id)).all()) >= n
        db.session.remove()
    return n


def setup_referral(app, client, make_user, login, unit, fields=CHOSEN, agency=AGENCY):
    """A counsellor of TA-02 with a case, a consent and a referral to `agency`; returns (case_id, referral_id,
    counsellor)."""
    counsellor = make_user("counsellor", "TA-02")
    login(client, counsellor)
    case_id = new_case(client, unit("TA-02").id)
    add_share_consent(client, case_id, unit(agency).id)
    referral_id = referral_id_from(send(client, case_id, unit(agency).id, fields=fields))
    return case_id, referral_id, counsellor


def as_user(app, make_user, login, role, unit_code):
    client = app.test_client()
    login(client, make_user(role, unit_code))
    return client


def yesterday() -> date:
    return clock.today() - timedelta(days=1)
