"""A unit's work contact on the referral pages, at 360 px and on a desktop: the agency officer sees "Liên hệ nơi
chuyển" with the sending unit's office phone as a tel: link, the counsellor the receiving agency's; a very long
agency name (and an unbreakable code in it) wraps on the pages and in the agency pickers, with no horizontal
scrolling."""

import re

import pytest
from e2e_support import check_page, check_phone, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.e2e

LONG = (
    "Trung tâm Công tác xã hội và Bảo trợ trẻ em tỉnh Điện Biên — Cơ sở trợ giúp xã hội tổng hợp "
    "(TTCTXHDIENBIENCOSOTROGIUPXAHOITONGHOPKHUVUCMIENNUI2025)"
)
SENDER_PHONE, AGENCY_PHONE = "0215 3862 999", "1800 1567"
NOTE = "Thứ 2–6, 7h30–11h30 và 13h30–17h"


@pytest.fixture
def offices(demo):
    """The demo's open referrals: the officer's agency gets a very long name, both offices a work contact; all
    put back after the test (the demo server serves the other browser tests)."""
    from app.referrals.models import OPEN_STATUSES, Referral
    from app.units.models import Unit
    from app.units.queries import by_code

    officer, counsellor = demo.cast["agency_officer"], demo.cast["counsellor"]

    def prepare():
        from app.extensions import db

        agency = by_code(officer.unit_code)
        inbox = db.session.scalars(
            select(Referral).where(
                Referral.agency_id == agency.id,
                Referral.status.in_(OPEN_STATUSES),
                Referral.packet_destroyed_at.is_(None),
            )
        ).first()
        sender_unit = by_code(counsellor.unit_code)
        outbox = db.session.scalars(select(Referral).where(Referral.sender_unit_id == sender_unit.id)).first()
        units = {inbox.sender_unit, outbox.successor_agency or outbox.agency, agency}
        saved = {u.id: (u.name, u.work_phone, u.work_note) for u in units}
        inbox.sender_unit.work_phone, inbox.sender_unit.work_note = SENDER_PHONE, NOTE
        agency.name = LONG
        receiver = outbox.successor_agency or outbox.agency
        receiver.work_phone = AGENCY_PHONE
        db.session.commit()
        return {"inbox": inbox.id, "outbox": outbox.id, "sender": inbox.sender_unit.name, "case": outbox.case_id,
                "receiver": receiver.name, "saved": saved}  # fmt: skip

    found = demo.query(prepare)
    yield found

    def restore():
        from app.extensions import db

        for unit_id, (name, phone, note) in found["saved"].items():
            unit = db.session.get(Unit, unit_id)
            unit.name, unit.work_phone, unit.work_note = name, phone, note
        db.session.commit()

    demo.query(restore)


def test_the_agency_officer_sees_the_sending_office_and_nothing_overflows(page, demo, device, offices, shot):
    sign_in(page, demo, demo.cast["agency_officer"])
    page.goto(f"{demo.url}/referrals/{offices['inbox']}")
    contact = page.locator("#office-contact")
    expect(contact.get_by_role("heading", name="Liên hệ nơi chuyển")).to_be_visible()
    expect(contact).to_contain_text(offices["sender"])
    expect(contact).to_contain_text(NOTE)
    link = contact.get_by_role("link", name=SENDER_PHONE)
    expect(link).to_have_attribute("href", "tel:02153862999")
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    check_page(page, device, "agency sees the sending office")
    shot(page, "agency-office-contact")
    page.goto(f"{demo.url}/referrals/")
    check_phone(page, device)


def test_the_counsellor_sees_the_receiving_office_and_the_long_names_wrap(page, demo, device, offices, shot):
    sign_in(page, demo, demo.cast["counsellor"])
    page.goto(f"{demo.url}/referrals/{offices['outbox']}")
    contact = page.locator("#office-contact")
    expect(contact.get_by_role("heading", name="Liên hệ cơ quan nhận")).to_be_visible()
    expect(contact).to_contain_text(offices["receiver"])
    expect(contact.get_by_role("link", name=AGENCY_PHONE)).to_have_attribute("href", "tel:18001567")
    check_page(page, device, "counsellor sees the receiving office")
    shot(page, "counsellor-office-contact")
    # the lists and the agency pickers (by service, and the consent's agency) with the long name in them
    for path in ("/referrals/", f"/referrals/case/{offices['case']}/new", f"/cases/{offices['case']}"):
        response = page.goto(demo.url + path)
        assert response.status < 400, path
        check_phone(page, device)
    picker = page.goto(f"{demo.url}/referrals/case/{offices['case']}/new")
    assert picker.status < 400
    assert re.search("TTCTXHDIENBIEN", page.content())  # the long name is among the choices
    check_phone(page, device)
