"""The agency sees who sent a referral (name and work phone) only when the counsellor agreed; the slip the same."""

import re

from sqlalchemy import select
from test_referrals_support import AGENCY, as_user, setup_referral

from app.extensions import db

PHONE = "0215 3862 999"


def test_the_sender_is_named_with_a_work_phone_only_after_agreeing(app, client, make_user, login, unit):
    from app.audit.models import AuditEntry

    _, referral_id, counsellor = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    page = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert counsellor.username not in page and "chưa đồng ý công khai" in page

    refused = client.post("/referrals/my-contact", data={"share": "y"})
    assert refused.status_code == 200 and "Hãy nhập số điện thoại công việc trước." in refused.get_data(as_text=True)
    assert client.post("/referrals/my-contact", data={"work_phone": PHONE, "share": "y"}).status_code == 303
    page = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert counsellor.username in page and PHONE in page and 'href="tel:02153862999"' in page
    slip = officer.post(f"/referrals/{referral_id}/print").get_data(as_text=True)
    assert counsellor.username in slip and PHONE in slip

    assert client.post("/referrals/my-contact", data={"work_phone": PHONE}).status_code == 303  # share unticked
    page = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert PHONE not in page and counsellor.username not in page
    with app.app_context():
        details = db.session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "referral.sender_contact")
        ).all()
        assert len(details) == 2 and not any(re.search(r"0215\D?3862\D?999", d) for d in details)
        db.session.remove()
