"""The survivor's copy (a view/copy request): the case's data about the survivor as a printable page, a PDF and
a DOCX, with no third party and not the reporter (Law 91/2025 Art. 15(2)(a)). Each third-party field carries a
marker; the test opens each file and looks for the markers and for the survivor's own data.

The case also has a referral (completed by the agency), protection records (a perpetrator, an incident, a
measure, a no-contact order with a breach and an exception contact, a support regime), a livelihood plan
(returned with a reviewer's comment, approved, paid, visited) and a follow-up: their identity fields, staff
notes and comments carry markers too, while what they say about the survivor must be in the copy."""

import io
import json
import os
import re
import unicodedata
from datetime import date

import pytest
from docx import Document
from protection_support import vn
from pypdf import PdfReader
from sqlalchemy import select
from test_cases_support import new_case
from test_referrals_support import AGENCY, add_share_consent, referral_id_from, send

from app import clock
from app.extensions import db
from app.rights.models import RightsRequest

PERPETRATOR = "Quàng Văn Bạo"
REPORTER = "Lường Thị Tin"
GUARDIAN = "Cầm Văn Giám"
WITNESS = "Vì Thị Chứng"
PERPETRATOR_2 = "Hoàng Văn Độc"  # the perpetrator as a protection record, with his phone and address
OFFICER = "Đinh Văn Nhận"  # the agency officer who took the referral on (staff of another body)
OWN = (
    "Lò Thị Mai",
    "011223344556",
    "Bản Sáng, nhà thứ ba",
    # the referral: status, services, the names of the fields shared (never their values)
    "Đã hoàn thành",
    "Mô tả sự việc",
    # protection: the survivor's own account (the perpetrator only as "người gây bạo lực"), measure, order, regime
    "Tôi bị người gây bạo lực đuổi ra khỏi nhà lúc nửa đêm",
    "Triệu tập người có hành vi bạo lực",
    "cấm người gây bạo lực tiếp xúc với bạn",
    "01/12/2026 – 03/12/2026",
    "Nhu cầu thiết yếu",
    # livelihood: activity, amounts, the disbursement
    "Nuôi gà thả vườn",
    "12.000.000 đ",
    "10.000.000 đ",
    "4.000.000 đ",
    # the follow-up
    "Hẹn khám sức khoẻ, tránh gặp người gây bạo lực",
)
THIRD = (
    PERPETRATOR,
    REPORTER,
    GUARDIAN,
    WITNESS,
    "chồng cũ",
    "hỏi mua gà giống",
    "family_or_neighbour",
    "Người thân, hàng xóm báo tin",
    PERPETRATOR_2,
    "0987 111 222",  # his phone
    "Bản Hiểm Nguy",  # his address
    "GHICHU-NGUOIGAY",  # the note on him
    "GHICHU-BIENPHAP",  # staff note on a measure
    "GHICHU-LENHCAM",  # staff note on the order
    "GHICHU-VIPHAM",  # a breach of the order
    "GHICHU-NGOAILE",  # an exception contact with him
    "GHICHU-CHEDO",  # staff note on a support regime
    "GHICHU-LOINHAN",  # the sender's message to the agency
    "GHICHU-DICHVU",  # the agency's notes on a service given
    "GHICHU-PHANHOI",  # the agency's feedback to the sender
    OFFICER,
    "GHICHU-NHANXET",  # the reviewer's comment on the livelihood plan
    "PCGHICHU01",  # the disbursement's receipt number
    "GHICHU-THAM",  # monitoring-visit notes
    "GHICHU-KETQUA",  # the follow-up's outcome notes
)


def _nfc(text: str) -> str:
    # one space for every run of white space: the PDF wraps long lines anywhere
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def _records(app, client, case_id, make_user, unit) -> None:
    """A referral, protection records, a livelihood plan and a follow-up, each with markers in its fields."""
    from app.auth.models import User
    from app.cases.models import Case
    from app.livelihood import services as livelihood
    from app.protection import services as protection
    from app.referrals import services as referrals
    from app.referrals.models import Referral

    assert (
        client.post(
            f"/cases/{case_id}/followups",
            data={
                "followup-due_on": "2026-12-20",
                "followup-purpose": f"Hẹn khám sức khoẻ, tránh gặp {PERPETRATOR_2}",
                "followup-assignee_id": "",
            },
        ).status_code
        == 303
    )
    add_share_consent(client, case_id, unit(AGENCY).id)
    referral_id = referral_id_from(send(client, case_id, unit(AGENCY).id, message="GHICHU-LOINHAN"))
    officer = make_user("agency_officer", AGENCY)
    reviewer = make_user("district_reviewer", "099")
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        counsellor = db.session.get(User, case.created_by_id)
        agent = db.session.get(User, officer.id)
        agent.display_name = OFFICER
        referral = db.session.get(Referral, referral_id)
        referrals.accept(referral, actor=agent)
        referrals.record_service(
            referral,
            {"kind": "vocational_training", "delivered_on": clock.today(), "notes": "GHICHU-DICHVU"},
            actor=agent,
        )
        referrals.complete(referral, "GHICHU-PHANHOI đã xong", actor=agent)

        person = protection.add_perpetrator(
            case,
            {
                "sex": "male",
                "age_band": "30_44",
                "relation": "husband",
                "full_name": PERPETRATOR_2,
                "phone": "0987 111 222",
                "address": "Bản Hiểm Nguy",
                "note": "GHICHU-NGUOIGAY",
            },
            actor=counsellor,
        )
        protection.add_incident(
            case,
            {
                "occurred_on": date(2026, 11, 30),
                "place_type": "home",
                "forms": ["physical"],
                "perpetrator_ids": [person.id],
                "description": f"Tôi bị {PERPETRATOR_2} đuổi ra khỏi nhà lúc nửa đêm",
            },
            actor=counsellor,
        )
        protection.add_measure(
            case,
            {
                "measure": "summon",
                "decided_by": "commune_chair",
                "decided_on": date(2026, 12, 1),
                "note": "GHICHU-BIENPHAP",
            },
            actor=counsellor,
        )
        order = protection.request_order(
            case,
            {
                "requested_by": "victim",
                "decider": "commune_chair",
                "requested_at": vn(2026, 12, 1, 7, 0),
                "perpetrator_id": person.id,
                "note": "GHICHU-LENHCAM",
            },
            actor=counsellor,
        )
        protection.decide_order(
            order,
            {"outcome": "granted", "decided_at": vn(2026, 12, 1, 8, 0), "end_on": date(2026, 12, 3)},
            actor=counsellor,
        )
        protection.add_breach(
            order, {"occurred_at": vn(2026, 12, 1, 9, 0), "description": "GHICHU-VIPHAM"}, actor=counsellor
        )
        protection.request_exception(
            order,
            {
                "reason": "funeral",
                "starts_at": vn(2026, 12, 2, 8, 0),
                "ends_at": vn(2026, 12, 2, 10, 0),
                "form09_on": date(2026, 12, 1),
                "note": "GHICHU-NGOAILE",
            },
            actor=counsellor,
        )
        protection.grant_entitlement(
            case,
            {
                "regime": "essential_needs",
                "responsible_body": "health_dept",
                "granted_on": date(2026, 12, 1),
                "note": "GHICHU-CHEDO",
            },
            actor=counsellor,
        )

        plan = livelihood.create_plan(
            case,
            {
                "activity": "livestock",
                "description": "Nuôi gà thả vườn",
                "amount_requested": 12_000_000,
                "start_on": date(2026, 12, 1),
                "end_on": date(2027, 11, 30),
            },
            actor=counsellor,
        )
        livelihood.submit_plan(plan, actor=counsellor)
        critic = db.session.get(User, reviewer.id)
        livelihood.decide(plan, "return", actor=critic, comment="GHICHU-NHANXET")
        livelihood.submit_plan(plan, actor=counsellor)
        livelihood.decide(plan, "approve", actor=critic, amount=10_000_000)
        today = clock.today()
        livelihood.disburse(
            plan,
            {"amount": 4_000_000, "paid_on": today, "payment_form": "cash", "receipt_number": "PCGHICHU01"},
            actor=counsellor,
            today=today,
        )
        livelihood.record_visit(
            plan,
            {"visited_on": today, "progress": "on_track", "problems": "GHICHU-THAM", "support_needed": "GHICHU-THAM 2"},
            actor=counsellor,
            today=today,
        )
        db.session.commit()
        db.session.remove()
    from app.cases.models import FollowUp

    with app.app_context():
        followup_id = db.session.scalar(
            select(FollowUp.id).where(FollowUp.case_id == case_id, FollowUp.source.is_(None))
        )
        db.session.remove()
    assert (
        client.post(
            f"/cases/{case_id}/followups/{followup_id}",
            data={f"outcome-{followup_id}-status": "done", f"outcome-{followup_id}-outcome": "GHICHU-KETQUA"},
        ).status_code
        == 303
    )


@pytest.fixture
def copy_request(app, client, counsellor, unit, make_user):
    case_id = new_case(
        client,
        unit("TA-02").id,
        perpetrator=f"Chồng — {PERPETRATOR}",
        perpetrator_relation="chồng cũ",
        reported_by=REPORTER,
        report_channel="family_or_neighbour",
        guardian_name=GUARDIAN,
        incident=f"Bị {PERPETRATOR} đánh; {REPORTER.upper()} gọi cho hội phụ nữ",
    )
    _records(app, client, case_id, make_user, unit)
    assert client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "services",
            "consent-method": "verbal_with_witness",
            "consent-given_by": "self",
            "consent-given_on": "2026-03-02",
            "consent-witness": WITNESS,
        },
    ).status_code in (200, 303)
    assert (
        client.post(
            f"/rights/cases/{case_id}/new", data={"kind": "view_copy", "channel": "in_person", "identity_check": "cccd"}
        ).status_code
        == 303
    )
    with app.app_context():
        rights_id = db.session.scalar(select(RightsRequest.id))
        db.session.remove()
    return rights_id


def _check(text: str) -> None:
    text = _nfc(text)
    for own in OWN:
        assert own in text, own
    for other in THIRD:
        assert other.lower() not in text.lower(), other


def test_the_printable_copy_holds_the_survivors_data_and_no_one_elses(app, client, copy_request):
    page = client.get(f"/rights/{copy_request}/copy")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _check(html)
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Bị người gây bạo lực đánh" in html
    with app.app_context():
        req = db.session.get(RightsRequest, copy_request)
        assert req.copy_made_at is not None
        db.session.remove()
    assert "Bản sao đã tạo" in client.get(f"/rights/{copy_request}").get_data(as_text=True)


def test_the_pdf_opens_and_holds_the_survivors_data_and_no_one_elses(client, copy_request):
    response = client.get(f"/rights/{copy_request}/copy.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store" and "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    _check(text)
    assert "BẢN SAO DỮ LIỆU CÁ NHÂN" in _nfc(text)


def test_the_docx_opens_and_holds_the_survivors_data_and_no_one_elses(client, copy_request):
    response = client.get(f"/rights/{copy_request}/copy.docx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    doc = Document(io.BytesIO(response.data))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    _check("\n".join(parts))


def test_every_copy_is_audited_and_nothing_is_kept(app, client, copy_request, tmp_path):
    from test_cases_support import audit_actions

    for suffix in ("", ".pdf", ".docx"):
        assert client.get(f"/rights/{copy_request}/copy{suffix}").status_code == 200
    formats = [
        json.loads(detail)["format"] for action, _result, detail in audit_actions(app) if action == "rights.copy"
    ]
    assert formats == ["html", "pdf", "docx"]
    with app.app_context():
        instance = app.instance_path
    for root, _dirs, files in os.walk(instance):
        assert not any(f.endswith((".pdf", ".docx")) for f in files), root


def test_only_the_cases_counsellors_get_a_copy_and_only_for_a_view_request(app, client, copy_request, make_user, login):
    officer = app.test_client()
    login(officer, make_user("dpo", "099"))
    assert officer.get(f"/rights/{copy_request}/copy.pdf").status_code in (403, 404)
    outsider = app.test_client()
    login(outsider, make_user("counsellor", "TA-03"))
    assert outsider.get(f"/rights/{copy_request}/copy").status_code == 404
    with app.app_context():
        case_id = db.session.get(RightsRequest, copy_request).case_id
        db.session.remove()
    client.post(
        f"/rights/cases/{case_id}/new", data={"kind": "delete", "channel": "in_person", "identity_check": "cccd"}
    )
    with app.app_context():
        other = db.session.scalar(select(RightsRequest.id).where(RightsRequest.kind == "delete"))
        db.session.remove()
    assert client.get(f"/rights/{other}/copy.docx").status_code == 404


def test_the_copy_of_a_closed_case_says_why_it_was_closed(app, client, copy_request, counsellor):
    """The closure reason is sealed with the case (migration 2950) and is the survivor's own data: the copy
    gives it, in words, not as a code."""
    from app.auth.models import User
    from app.cases import services as cases
    from app.cases.models import Case

    with app.test_request_context():
        request_row = db.session.get(RightsRequest, copy_request)
        case = db.session.get(Case, request_row.case_id)
        cases.close_case(case, "moved_away", actor=db.session.get(User, counsellor.id), note="Chuyển đi tỉnh khác")
        db.session.commit()
        db.session.remove()
    html = _nfc(client.get(f"/rights/{copy_request}/copy").get_data(as_text=True))
    assert "Lý do đóng hồ sơ" in html and "Chuyển nơi ở khỏi địa bàn" in html
    assert "moved_away" not in html
