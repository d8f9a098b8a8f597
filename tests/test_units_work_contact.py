"""A unit's work contact: the admin sets the office's phone (a number of the national plan, refused beside the
field otherwise) and a note; reference loaders leave it alone; both sides of a referral see the other's office
contact, an agency's tombstone only while the outcome stays."""

import json
import re

import pytest
from sqlalchemy import select
from test_referrals_support import AGENCY, OTHER_AGENCY, as_user, setup_referral, withdraw_share_consent

from app.extensions import db
from app.web.phone import is_vietnamese_phone

OFFICE = "0215 3862 999"  # a fixed line of Điện Biên (area code 215)
NO_CONTACT = "Đơn vị chưa có số liên hệ công việc"


@pytest.mark.parametrize(
    "number",
    ["0215 3862 999", "0215.3862.999", "(0215) 3862-999", "024 3825 1234", "0912 345 678", "+84 912 345 678",
     "1800 1567", "1900 123456", "0389999999"],
)  # fmt: skip
def test_numbers_of_the_national_plan_pass(number):
    assert is_vietnamese_phone(number)


@pytest.mark.parametrize(
    "number",
    ["", "12345", "0215 3862 99", "0215 3862 9999", "0112 345 678", "01912345678", "+1 202 555 0100",
     "0912-345-678 ext 2", "0912 345 678; DROP", "０９１２３４５６７８", "111", "1800 12345"],
)  # fmt: skip
def test_other_numbers_are_refused(number):
    assert not is_vietnamese_phone(number)


def _edit(admin, unit_id, **contact):
    data = {"name": "Điểm tin cậy bản Co Phát", "valid_from": "", "valid_to": "", **contact}
    return admin.post(f"/admin/units/{unit_id}", data=data)


def _contact(app, code):
    from app.units.queries import by_code

    with app.app_context():
        unit = by_code(code)
        found = (unit.work_phone, unit.work_note)
        db.session.remove()
    return found


def _admin(app, make_user, login):
    admin = app.test_client()
    login(admin, make_user("admin", "11"))
    return admin


def _set_contact(app, code, phone, note=None):
    from app.units.queries import by_code

    with app.app_context():
        unit = by_code(code)
        unit.work_phone, unit.work_note = phone, note
        db.session.commit()
        db.session.remove()


def test_the_admin_sets_a_work_contact_and_a_bad_number_is_refused_beside_the_field(app, make_user, login, unit):
    from app.audit.models import AuditEntry

    admin, target = _admin(app, make_user, login), unit("TA-02")
    name = target.name
    page = admin.get(f"/admin/units/{target.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*type="tel"[^>]*name="work_phone"|<input[^>]*name="work_phone"[^>]*type="tel"', page)

    refused = _edit(admin, target.id, name=name, work_phone="0215 386", work_note="Thứ 2–6, 7h30–17h")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Số điện thoại không hợp lệ" in html
    assert 'id="work_phone-error"' in html and 'value="0215 386"' in html and 'value="Thứ 2–6, 7h30–17h"' in html
    assert _contact(app, "TA-02") == (None, None)

    saved = _edit(admin, target.id, name=name, work_phone=f"  {OFFICE} ", work_note="Thứ 2–6, 7h30–17h")
    assert saved.status_code == 303
    assert _contact(app, "TA-02") == (OFFICE, "Thứ 2–6, 7h30–17h")
    assert f'value="{OFFICE}"' in admin.get(f"/admin/units/{target.id}").get_data(as_text=True)

    assert _edit(admin, target.id, name=name, work_phone="", work_note="").status_code == 303  # cleared
    assert _contact(app, "TA-02") == (None, None)
    with app.app_context():
        details = db.session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "unit.update").order_by(AuditEntry.seq)
        ).all()
        db.session.remove()
    assert [json.loads(d)["contact_changed"] for d in details] == [True, True]  # a unit change, ids and flags only
    assert not any(re.search(r"3862\D?999", str(d)) for d in details)


def test_the_reference_loaders_leave_the_admins_contact_alone(app):
    from app.directory import services as directory
    from app.units import services as units

    _set_contact(app, "TA-02", OFFICE, "Thứ 2–6")
    _set_contact(app, AGENCY, "0215 3844 111")
    with app.app_context():
        units.load_reference()
        directory.load_reference()
        db.session.commit()
        db.session.remove()
    assert _contact(app, "TA-02") == (OFFICE, "Thứ 2–6")
    assert _contact(app, AGENCY) == ("0215 3844 111", None)


def test_each_side_sees_the_other_offices_work_contact_and_another_agency_gets_404(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    page = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    contact = _section(page)
    assert "Liên hệ nơi chuyển" in contact and unit("TA-02").name in contact and NO_CONTACT in contact

    _set_contact(app, "TA-02", OFFICE, "Thứ 2–6, 7h30–17h")
    _set_contact(app, AGENCY, "+84 215 3844 111")
    contact = _section(officer.get(f"/referrals/{referral_id}").get_data(as_text=True))
    assert 'href="tel:02153862999"' in contact and OFFICE in contact and "Thứ 2–6, 7h30–17h" in contact
    slip = officer.post(f"/referrals/{referral_id}/print").get_data(as_text=True)
    assert 'href="tel:02153862999"' in slip

    mine = _section(client.get(f"/referrals/{referral_id}").get_data(as_text=True))
    assert "Liên hệ cơ quan nhận" in mine and unit(AGENCY).name in mine and 'href="tel:+842153844111"' in mine

    stranger = as_user(app, make_user, login, "agency_officer", OTHER_AGENCY)
    refused = stranger.get(f"/referrals/{referral_id}")
    assert refused.status_code == 404 and OFFICE not in refused.get_data(as_text=True)


def test_a_tombstone_shows_the_sending_office_only_while_the_outcome_stays(app, client, make_user, login, unit):
    _set_contact(app, "TA-02", OFFICE)
    _, declined_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.post(f"/referrals/{declined_id}/decline", data={"reason": "Không thuộc chức năng", "confirm": "yes"})
    html = officer.get(f"/referrals/{declined_id}").get_data(as_text=True)
    assert "Cơ quan đã từ chối chuyển gửi này ngày" in html and OFFICE in _section(html)


def test_a_tombstone_after_a_withdrawn_consent_names_no_sending_office(app, client, make_user, login, unit):
    _set_contact(app, "TA-02", OFFICE)
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    assert withdraw_share_consent(app, client, case_id).status_code == 303
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Người được hỗ trợ đã rút lại sự đồng ý ngày" in html
    assert OFFICE not in html and "Liên hệ nơi chuyển" not in html and unit("TA-02").name not in html


def _section(html: str) -> str:
    found = re.search(r'<section class="card" aria-labelledby="office-contact-title".*?</section>', html, re.S)
    assert found, "no office contact on the page"
    return found.group(0)


def test_the_service_refuses_a_bad_number_too(app):
    """Defence in depth: a caller that skips the form (a script, a future API) cannot store a bad number."""
    from app.services import ServiceError
    from app.units import services
    from app.units.queries import by_code

    with app.app_context():
        unit = by_code("TA-02")
        with pytest.raises(ServiceError) as refused:
            services.update_unit(
                unit, name=unit.name, valid_from=None, valid_to=None, disabled=False, work_phone="12345", actor=None
            )
        assert refused.value.field == "work_phone"
        db.session.rollback()
        db.session.remove()


def test_the_demo_offices_have_an_illustrative_line_and_an_admin_set_one_is_kept(app):
    """`make run` shows the contact cards filled: the demo gives its trusted addresses and Sở Y tế a work line
    of the national plan that reaches no one (a subscriber number never starts with 0), and seeding again
    keeps a line an admin set."""
    from app.demo import DEMO_OFFICE_LINES, seed
    from app.units.queries import by_code

    with app.test_request_context():
        by_code("AG-SYT-11").work_phone = OFFICE  # set by the admin before the demo is seeded
        db.session.commit()
        seed(2)
        db.session.commit()
        for code, (phone, note) in DEMO_OFFICE_LINES.items():
            unit = by_code(code)
            assert is_vietnamese_phone(phone) and len(note) <= 120
            assert unit.work_phone == (OFFICE if code == "AG-SYT-11" else phone)
            assert national_subscriber(phone).startswith("0")
        db.session.remove()


def national_subscriber(phone: str) -> str:
    """The subscriber part of a fixed line: what follows 0 and the three-digit area code."""
    return "".join(ch for ch in phone if ch.isdigit())[4:]
