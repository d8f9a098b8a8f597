"""A referral over time: packet versions and immutability, consent withdrawal, erasure, overdue
acknowledgement in working days, and a merged agency readable only once an admin maps it."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from test_cases_support import INTAKE, audit_actions
from test_referrals_support import AGENCY, as_user, referral_count, send, setup_referral, withdraw_share_consent

from app import clock
from app.extensions import db


def _edit_case(app, client, case_id, **changes):
    from app.cases.models import Case

    with app.app_context():
        version = db.session.get(Case, case_id).version
        unit_id = db.session.get(Case, case_id).unit_id
        db.session.remove()
    data = dict(INTAKE, unit_id=unit_id, version=str(version))
    data.update(changes)
    response = client.post(f"/cases/{case_id}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def test_later_case_edits_never_change_a_packet_and_an_update_is_a_new_version(app, client, make_user, login, unit):
    from app.referrals.models import Referral

    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    _edit_case(app, client, case_id, phone="0987 654 321", incident="Sự việc đã được cập nhật")
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "0912 345 678" in html and "0987 654 321" not in html and "cập nhật" not in html.split("referral-packet")[1]

    form = client.get(f"/referrals/{referral_id}/update").get_data(as_text=True)
    assert 'id="fields-phone" checked' in form and 'id="fields-full_name" checked' not in form
    data = {"idempotency_key": "update-key-00000000000000000001", "fields": ["phone", "incident"], "message": "Số mới"}
    assert client.post(f"/referrals/{referral_id}/update", data=data).status_code == 303
    assert client.post(f"/referrals/{referral_id}/update", data=data).status_code == 303  # double-click
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "0987 654 321" in html and "Phiên bản 2" in html and "30–44 tuổi" not in html
    with app.app_context():
        r = db.session.get(Referral, referral_id)
        assert [p.number for p in r.packets] == [1, 2]
        assert r.packets[0].content["values"]["phone"] == "0912 345 678"  # version 1 untouched
        db.session.remove()
    none_chosen = client.post(
        f"/referrals/{referral_id}/update", data={"idempotency_key": "update-key-00000000000000000002", "fields": []}
    )
    assert none_chosen.status_code == 200 and 'id="fields-error"' in none_chosen.get_data(as_text=True)
    assert "referral.update" in [a for a, _, _ in audit_actions(app, case_id)]


def test_withdrawing_the_consent_withdraws_the_open_referrals_to_that_agency(app, client, make_user, login, unit):
    from app.referrals.models import Referral

    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    response = withdraw_share_consent(app, client, case_id)
    assert response.status_code == 303
    with app.app_context():
        r = db.session.get(Referral, referral_id)
        assert r.status == "withdrawn" and r.withdraw_cause == "consent_withdrawn"
        db.session.remove()
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert "0912 345 678" not in officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "sự đồng ý chia sẻ với cơ quan đã bị rút" in client.get(f"/referrals/{referral_id}").get_data(as_text=True)


def test_a_refused_withdraw_or_destroy_is_said_even_when_the_panel_draws_no_form(app, client, make_user, login, unit):
    """The consent was withdrawn (in another tab): the referral is withdrawn and its packet destroyed, so the
    status panel htmx swaps draws neither the withdraw nor the destroy form. A refused tap on the stale page put
    its message on that form's field, drawn nowhere: the tap seemed to do nothing."""

    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    hx = {"HX-Request": "true", "HX-Target": "referral-status"}
    url = f"/referrals/{referral_id}"
    # While the form is drawn, the refusal stays beside its field (no flash besides it).
    early = client.post(f"{url}/destroy", headers=hx).get_data(as_text=True)
    refused_early = "Hãy rút chuyển gửi trước khi huỷ gói thông tin."
    assert f'role="alert">{refused_early}</p>' in early and early.count(refused_early) == 1
    withdrawn = withdraw_share_consent(app, client, case_id)
    assert withdrawn.status_code == 303
    refusals = [
        (client.post(f"{url}/withdraw", data={"destroy": "y"}, headers=hx), "Chuyển gửi này đã kết thúc hoặc đã rút."),
        (client.post(f"{url}/destroy", headers=hx), "Gói thông tin đã bị huỷ trước đó."),
    ]
    for answer, message in refusals:
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and html.lstrip().startswith("<section"), message
        assert 'id="referral-status"' in html and "/withdraw" not in html and "/destroy" not in html
        assert f'role="alert" tabindex="-1" data-autofocus>{message}</div>' in html, message
        assert html.count(message) == 1
    page = client.get(url).get_data(as_text=True)  # said once: nothing left over for the next page
    assert not [m for _, m in refusals if m in page]
    # Without JavaScript the refusal is said once at the top of the page the redirect leads to.
    again = client.post(f"{url}/withdraw")
    assert again.status_code == 303 and again.headers["Location"].endswith(url)
    assert client.get(url).get_data(as_text=True).count("Chuyển gửi này đã kết thúc hoặc đã rút.") == 1


def test_one_property_says_when_the_sender_panel_draws_a_withdraw_or_destroy_form(app, client, make_user, login, unit):
    """Referral.sender_may_withdraw_or_destroy is the rule both the status panel and the sender's refusal follow:
    open → the withdraw form; closed with its packet → the destroy form; packet gone → no form."""
    from app.referrals.models import OPEN_STATUSES, STATUSES, Referral

    destroyed_at = datetime(2026, 1, 2, tzinfo=UTC)
    for status in STATUSES:
        for destroyed in (None, destroyed_at):
            referral = Referral(status=status, packet_destroyed_at=destroyed)
            assert referral.sender_may_withdraw_or_destroy == (status in OPEN_STATUSES or destroyed is None)
    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    form = re.compile(r'<form method="post" action="/referrals/[0-9a-f-]+/(withdraw|destroy)"')
    for expected in (True, False):
        with app.app_context():
            assert db.session.get(Referral, referral_id).sender_may_withdraw_or_destroy is expected
            db.session.remove()
        assert bool(form.search(client.get(f"/referrals/{referral_id}").get_data(as_text=True))) is expected
        if expected:
            assert withdraw_share_consent(app, client, case_id).status_code == 303


def test_erasing_the_case_withdraws_open_referrals_and_destroys_every_packet(app, client, make_user, login, unit):
    from app.cases import services as case_services
    from app.cases.models import Case
    from app.referrals.models import Referral

    case_id, open_id, counsellor = setup_referral(app, client, make_user, login, unit)
    done_id = send(client, case_id, unit(AGENCY).id, key="second-referral-key-000000000000").headers["Location"]
    done_id = done_id.rsplit("/", 1)[-1]
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    officer.post(f"/referrals/{done_id}/accept")
    officer.post(f"/referrals/{done_id}/complete", data={"feedback": "Đã hỗ trợ xong"})
    with app.test_request_context():
        from app.auth.models import User

        case_services.erase_case(db.session.get(Case, case_id), db.session.get(User, counsellor.id))
        db.session.commit()
        db.session.remove()
    with app.app_context():
        open_r, done_r = db.session.get(Referral, open_id), db.session.get(Referral, done_id)
        assert open_r.status == "withdrawn" and open_r.packet_destroyed_at is not None
        # The delivered referral stays as a tombstone (code, dates, outcome); its packet is gone with the case.
        assert done_r.status == "completed" and done_r.packet_destroyed_at is not None and done_r.case_erased_at
        assert all(p.content_enc is None and p.is_erased for p in done_r.packets)
        db.session.remove()
    assert "0912 345 678" not in client.get(f"/referrals/{done_id}").get_data(as_text=True)
    assert "đã bị huỷ" in officer.get(f"/referrals/{done_id}").get_data(as_text=True)
    assert "đã bị huỷ" in officer.get(f"/referrals/{open_id}").get_data(as_text=True)


def test_acknowledgement_falls_due_after_working_days_and_urgent_the_same_day(app):
    from app.clock import VN as LOCAL_TZ
    from app.deadlines import add_working_days
    from app.referrals.services import ack_due

    friday = datetime(2026, 3, 6, 10, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    assert add_working_days(friday.date(), 2).isoformat() == "2026-03-10"  # Friday + 2 working days = Tuesday
    with app.app_context():
        due = ack_due(friday, "normal")
        assert due.astimezone(LOCAL_TZ).date().isoformat() == "2026-03-10"
        urgent = ack_due(friday, "urgent")
        assert urgent.astimezone(LOCAL_TZ).date().isoformat() == "2026-03-06"
        app.config["REFERRAL_ACK_WORKING_DAYS"] = 3
        try:
            assert ack_due(friday, "normal").astimezone(LOCAL_TZ).date().isoformat() == "2026-03-11"
        finally:
            app.config["REFERRAL_ACK_WORKING_DAYS"] = 2
    from app.referrals.models import Referral

    r = Referral(status="sent", ack_due_at=due)
    assert not r.is_overdue(datetime(2026, 3, 9, 12, 0, tzinfo=LOCAL_TZ))  # Monday: within time
    assert r.is_overdue(datetime(2026, 3, 11, 0, 1, tzinfo=LOCAL_TZ))  # Wednesday: late
    r.status = "acknowledged"
    assert not r.is_overdue(datetime(2026, 3, 11, 0, 1, tzinfo=LOCAL_TZ))


def test_overdue_acknowledgement_is_flagged_to_both_sides(app, client, make_user, login, unit):
    from app.referrals.models import Referral

    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    with app.app_context():
        r = db.session.get(Referral, referral_id)
        r.sent_at -= timedelta(days=10)
        r.ack_due_at -= timedelta(days=10)
        db.session.commit()
        db.session.remove()
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert "Quá hạn xác nhận" in officer.get("/referrals/").get_data(as_text=True)
    assert "Quá hạn xác nhận" in client.get("/referrals/").get_data(as_text=True)
    officer.post(f"/referrals/{referral_id}/acknowledge")
    assert "Quá hạn xác nhận" not in officer.get("/referrals/").get_data(as_text=True)


def _second_person_approves(app, make_user, login):
    """The province's reviewer approves the pending mapping with a fresh second factor (app/approvals)."""
    import pyotp

    from app.approvals.models import ApprovalRequest

    reviewer = make_user("district_reviewer", "11", totp=True)
    client = app.test_client()
    login(client, reviewer)
    assert client.post("/auth/totp", data={"code": pyotp.TOTP(reviewer.totp_secret).now()}).status_code == 302
    with app.app_context():
        approval_id = db.session.scalar(select(ApprovalRequest.id).where(ApprovalRequest.status == "pending"))
        db.session.remove()
    assert client.post(f"/approvals/{approval_id}", data={"decision": "approve"}).status_code == 200


def test_a_merged_agency_is_readable_by_the_new_one_only_once_the_admin_maps_it(app, client, make_user, login, unit):
    from app.units.models import Unit, UnitLineage

    _, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    old_id, new_id = unit(AGENCY).id, unit("AG-SYT-11").id
    with app.app_context():  # the old office closes and the unit lineage says it became the new one
        db.session.get(Unit, old_id).valid_to = clock.today() - timedelta(days=1)
        db.session.add(UnitLineage(old_id=old_id, new_id=new_id, effective=clock.today()))
        db.session.commit()
    try:
        new_officer = as_user(app, make_user, login, "agency_officer", "AG-SYT-11")
        assert new_officer.get(f"/referrals/{referral_id}").status_code == 404  # lineage alone grants nothing
        assert referral_id not in new_officer.get("/referrals/").get_data(as_text=True)
        admin = as_user(app, make_user, login, "admin", "11")
        assert admin.get(f"/referrals/{referral_id}").status_code == 403  # the admin never reads referrals
        page = admin.get("/referrals/agency-map").get_data(as_text=True)
        # the phone in any spacing (not "0912" alone: a unit id on the page can hold those four hex digits)
        assert not re.search(r"0912\D?345\D?678", page)
        same = admin.post("/referrals/agency-map", data={"old_agency_id": old_id, "new_agency_id": old_id})
        assert same.status_code == 200 and 'id="new_agency_id-error"' in same.get_data(as_text=True)
        assert (
            admin.post("/referrals/agency-map", data={"old_agency_id": old_id, "new_agency_id": new_id}).status_code
            == 303
        )
        assert new_officer.get(f"/referrals/{referral_id}").status_code == 404  # until a second person approves
        _second_person_approves(app, make_user, login)
        html = new_officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
        assert "0912 345 678" in html
        assert referral_id in new_officer.get("/referrals/").get_data(as_text=True)
        other = as_user(app, make_user, login, "agency_officer", "AG-CA-11")
        assert other.get(f"/referrals/{referral_id}").status_code == 404
        from app.referrals.models import AgencyMapping

        with app.app_context():
            mapping_id = db.session.scalar(select(AgencyMapping.id))
            db.session.remove()
        assert admin.post(f"/referrals/agency-map/{mapping_id}/delete").status_code == 303
        assert new_officer.get(f"/referrals/{referral_id}").status_code == 404
        actions = [a for a, _, _ in audit_actions(app)]
        assert "referral.map_agency" in actions and "referral.unmap_agency" in actions
    finally:
        with app.app_context():
            db.session.get(Unit, old_id).valid_to = None
            for row in db.session.scalars(select(UnitLineage).where(UnitLineage.old_id == old_id)):
                db.session.delete(row)
            db.session.commit()
    assert referral_count(app) == 1


def test_the_demo_seeder_adds_referrals_in_each_state(app, client, make_user, login, unit):
    from app.cases.demo import seed as seed_cases
    from app.referrals.demo import seed
    from app.referrals.models import Referral

    with app.test_request_context():
        assert seed() == 0  # no cases: nothing
        seed_cases(40)
        made = seed()
        db.session.commit()
        statuses = set(db.session.scalars(select(Referral.status)))
        assert made == 8 and statuses >= {"sent", "acknowledged", "accepted", "completed", "declined", "withdrawn"}
        assert seed() == 0  # only once
        db.session.remove()
    officer = as_user(app, make_user, login, "agency_officer", "AG-SYT-11")  # the demo refers to Sở Y tế
    html = officer.get("/referrals/").get_data(as_text=True)
    assert html.count("CG-") >= 8 and "Quá hạn xác nhận" in html
