"""Packets die with consent: withdrawing the consent a referral relied on, a declined, completed or withdrawn
referral, and the case's erasure each destroy every packet's data key. The agency keeps a tombstone (code,
dates, outcome, why) and its next page view says why; the raw rows hold no ciphertext and no wrapped key, and
the erasure ledger refuses those ids even if an older backup brings the keys back."""

import sqlalchemy as sa
from test_referrals_support import AGENCY, CHOSEN_VALUES, as_user, send, setup_referral, withdraw_share_consent

from app import clock
from app.extensions import db

PHONE = CHOSEN_VALUES[0]


def _raw_packets(app, referral_id):
    """The packet rows as the database holds them (no model, no decryption)."""
    with app.app_context():
        rows = db.session.execute(
            sa.text("SELECT id, content_enc, wrapped_dek, erased_at FROM referral_packet WHERE referral_id = :r"),
            {"r": referral_id},
        ).all()
        db.session.remove()
    assert rows
    return rows


def _assert_destroyed(app, referral_id, cause, *, whole):
    from app.crypto.records import current_keyring
    from app.referrals.models import Referral

    for packet_id, content, wrapped, erased_at in _raw_packets(app, referral_id):
        assert content is None and wrapped is None and erased_at is not None, "packet ciphertext or key kept"
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.packet_destroyed_at is not None and referral.packet_destroyed_cause == cause
        assert referral.code and referral.sent_at  # the tombstone
        assert referral.is_erased == whole
        ledger = current_keyring().erased_ids
        assert {p.id for p in referral.packets} <= ledger, "an older backup could bring the packet key back"
        db.session.remove()


def test_withdrawn_consent_destroys_open_and_closed_packets_and_the_agency_is_told(app, client, make_user, login, unit):
    case_id, open_id, _ = setup_referral(app, client, make_user, login, unit)
    done_id = send(client, case_id, unit(AGENCY).id, key="second-referral-key-000000000000").headers["Location"]
    done_id = done_id.rsplit("/", 1)[-1]
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert PHONE in officer.get(f"/referrals/{open_id}").get_data(as_text=True)
    officer.post(f"/referrals/{done_id}/accept")
    officer.post(f"/referrals/{done_id}/complete", data={"feedback": "Đã hỗ trợ xong khoá học"})

    # The withdrawal's confirmation step says how many referrals would lose what was shared (the open one; the
    # completed one already has no packet).
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "1 chuyển gửi dựa vào sự đồng ý này sẽ mất gói thông tin đã chia sẻ." in page
    assert withdraw_share_consent(app, client, case_id).status_code == 303
    _assert_destroyed(app, open_id, "consent_withdrawn", whole=True)
    assert "dựa vào sự đồng ý này" not in client.get(f"/cases/{case_id}").get_data(as_text=True)
    with app.app_context():
        from app.referrals.models import Referral

        done = db.session.get(Referral, done_id)
        assert done.packet_destroyed_cause == "completed" and done.is_erased  # the outcome goes with the consent
        db.session.remove()
    for referral_id in (open_id, done_id):
        page = officer.get(f"/referrals/{referral_id}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert PHONE not in html and "Đã hỗ trợ xong khoá học" not in html
    html = officer.get(f"/referrals/{open_id}").get_data(as_text=True)
    assert f"Người được hỗ trợ đã rút lại sự đồng ý ngày {clock.today():%d/%m/%Y}" in html
    assert "CG-" in html  # the referral code stays on the tombstone


def test_a_declined_referral_keeps_no_packet_but_the_sender_keeps_the_reason(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.post(f"/referrals/{referral_id}/decline", data={"reason": "Không thuộc chức năng", "confirm": "yes"})
    _assert_destroyed(app, referral_id, "declined", whole=False)
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert PHONE not in html and "Cơ quan đã từ chối chuyển gửi này ngày" in html
    sender = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Không thuộc chức năng" in sender and PHONE not in sender


def test_a_completed_referral_keeps_no_packet_and_both_sides_keep_the_outcome(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.post(f"/referrals/{referral_id}/accept")
    officer.post(f"/referrals/{referral_id}/complete", data={"feedback": "Đã học xong khoá may"})
    _assert_destroyed(app, referral_id, "completed", whole=False)
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert PHONE not in html and "Chuyển gửi này đã hoàn thành ngày" in html and "Đã học xong khoá may" in html
    assert "Đã học xong khoá may" in client.get(f"/referrals/{referral_id}").get_data(as_text=True)


def test_a_withdrawn_referral_keeps_no_packet(app, client, make_user, login, unit):
    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    assert client.post(f"/referrals/{referral_id}/withdraw").status_code == 303
    _assert_destroyed(app, referral_id, "withdrawn", whole=False)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert PHONE not in html and "Đơn vị gửi đã rút chuyển gửi này ngày" in html


def test_erasing_the_case_destroys_every_packet_and_the_agency_is_told(app, client, make_user, login, unit):
    from app.auth.models import User
    from app.cases import services as case_services
    from app.cases.models import Case

    case_id, open_id, counsellor = setup_referral(app, client, make_user, login, unit)
    done_id = send(client, case_id, unit(AGENCY).id, key="second-referral-key-000000000000").headers["Location"]
    done_id = done_id.rsplit("/", 1)[-1]
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.post(f"/referrals/{done_id}/accept")
    officer.post(f"/referrals/{done_id}/complete", data={"feedback": "Đã hỗ trợ xong khoá học"})
    with app.test_request_context():
        case_services.erase_case(db.session.get(Case, case_id), db.session.get(User, counsellor.id))
        db.session.commit()
        db.session.remove()
    _assert_destroyed(app, open_id, "case_erased", whole=True)
    _assert_destroyed(app, done_id, "completed", whole=True)
    for referral_id in (open_id, done_id):
        html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
        assert PHONE not in html and "Đã hỗ trợ xong khoá học" not in html
    assert "Hồ sơ của người được hỗ trợ đã bị xoá theo yêu cầu ngày" in officer.get(f"/referrals/{open_id}").get_data(
        as_text=True
    )
