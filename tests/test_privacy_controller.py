"""The controller's duties (Law 91/2025/QH15, Decree 356/2025/NĐ-CP; legal-2026.md §5): the versioned
sensitive-data notice named by every consent, the impact dossier and its clocks in the officer's work queue,
transfer agreements warning on a referral, the retention schedule and the monthly job, the processing register,
and who may open these pages."""

import io
import json
import unicodedata
from datetime import date, timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select
from test_referrals_support import AGENCY, add_share_consent, send

from app import clock
from app.extensions import db


@pytest.fixture
def reference(app):
    """Notice version 1 and the proposed retention schedule, as `setup` loads them."""
    from app.privacy.services import load_reference

    with app.app_context():
        load_reference()
        db.session.commit()


@pytest.fixture
def officer(app, make_user, login, reference):
    """A data-protection officer of the province, signed in on a client of its own."""
    client = app.test_client()
    login(client, make_user("dpo", "11"))
    return client


def _consent(client, case_id, **changes):
    data = {
        "consent-purpose": "services",
        "consent-method": "verbal_with_witness",
        "consent-given_by": "self",
        "consent-witness": "Trưởng bản",
        "consent-given_on": clock.today().isoformat(),
        "consent-language": "hmong",
    }
    data.update(changes)
    return client.post(f"/cases/{case_id}/consents", data=data)


def _consents(app, case_id):
    from app.cases.models import Consent

    with app.app_context():
        rows = [
            (c.notice_id, c.language, c.method, c.witness)
            for c in db.session.scalars(select(Consent).where(Consent.case_id == case_id).order_by(Consent.created_at))
        ]
        db.session.remove()
        return rows


def _notices(app):
    from app.privacy.models import PrivacyNotice

    with app.app_context():
        rows = [
            (n.id, n.version, n.valid_from, n.valid_to)
            for n in db.session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version))
        ]
        db.session.remove()
        return rows


def _actions(app, prefix):
    from app.audit.models import AuditEntry

    with app.app_context():
        rows = [
            (e.action, json.loads(e.detail or "{}"))
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
            if e.action.startswith(prefix)
        ]
    return [(action, {k: v for k, v in detail.items() if k != "ip"}) for action, detail in rows]


def test_every_consent_names_the_notice_version_read_and_a_new_version_never_changes_an_old_one(
    app, client, counsellor, case_id, officer
):
    ((v1, *_),) = _notices(app)
    assert _consent(client, case_id).status_code == 303
    assert _consents(app, case_id) == [(v1, "hmong", "verbal_with_witness", "Trưởng bản")]
    # the officer publishes version 2 from tomorrow; version 1 ends then and its text stays as it was
    tomorrow = clock.today() + timedelta(days=1)
    bad = officer.post(
        "/privacy/notices",
        data={
            "valid_from": (clock.today() - timedelta(days=1)).isoformat(),
            "text_vi": "Bản mới",
            "text_plain": "Dễ hiểu",
        },
    )
    assert bad.status_code == 200 and "Ngày áp dụng không được ở quá khứ" in bad.get_data(as_text=True)
    assert (
        officer.post(
            "/privacy/notices",
            data={
                "valid_from": tomorrow.isoformat(),
                "text_vi": "Thông báo mới",
                "text_plain": "Câu ngắn, dễ hiểu.",
                "change_note": "Thêm cơ quan nhận",
            },
        ).status_code
        == 303
    )
    (_, _, _, v1_end), (v2, version, start, end) = _notices(app)
    assert v1_end == tomorrow and (version, start, end) == (2, tomorrow, None)
    assert ("privacy.notice_publish", {"version": 2, "valid_from": tomorrow.isoformat()}) in _actions(
        app, "privacy.notice"
    )
    # a consent of today names version 1, and naming version 2 for today is refused beside the field
    refused = _consent(client, case_id, **{"consent-notice_id": v2})
    assert refused.status_code == 200
    assert "Phiên bản thông báo này không áp dụng vào ngày đồng ý" in refused.get_data(as_text=True)
    assert len(_consents(app, case_id)) == 1
    # the case page shows the evidence, with a link to the version read
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/privacy/notices/{v1}" in page and "Phiên bản 1" in page and "tiếng H&#39;Mông" in page
    # the counsellor reads the notice aloud from its page; the officer's pages are not theirs
    notice = client.get("/privacy/notice").get_data(as_text=True)
    assert "Chúng tôi ghi thông tin của chị/em" in notice
    assert client.get("/privacy/notices").status_code == 403
    from app.privacy.services import notice_on

    with app.app_context():
        assert notice_on(tomorrow).text_plain == "Câu ngắn, dễ hiểu." and notice_on(clock.today()).version == 1


def test_the_dossier_clocks_reach_the_officers_work_queue(app, officer):
    # no dossier yet: 60 days from 1/1/2026 (the law's first day) ran out on 2/3/2026
    queue = officer.get("/work/").get_data(as_text=True)
    assert "Lập hồ sơ đánh giá tác động xử lý dữ liệu cá nhân (60 ngày)" in queue and "quá hạn" in queue
    sections = {
        key: f"Nội dung mục {key}"
        for key in (
            "controller",
            "purposes",
            "subjects",
            "processing",
            "transfers",
            "risks",
            "measures",
            "consequences",
        )
    }
    incomplete = officer.post(
        "/privacy/dossier", data=dict(sections, reason="initial", risks="", processing_started_on="2026-01-01")
    )
    assert incomplete.status_code == 200 and "Nội dung mục purposes" in incomplete.get_data(as_text=True)
    assert (
        officer.post(
            "/privacy/dossier", data=dict(sections, reason="initial", processing_started_on="2026-01-01")
        ).status_code
        == 303
    )
    queue = officer.get("/work/").get_data(as_text=True)
    assert "(60 ngày)" not in queue and "Cập nhật định kỳ hồ sơ đánh giá tác động (6 tháng)" in queue
    # a reorganisation: 10 days to update the dossier
    assert (
        officer.post(
            "/privacy/dossier/reorganisations",
            data={"occurred_on": clock.today().isoformat(), "description": "Sáp nhập xã"},
        ).status_code
        == 303
    )
    queue = officer.get("/work/").get_data(as_text=True)
    assert "sau khi tổ chức lại (10 ngày)" in queue and "còn 10 ngày" in queue
    from app.privacy.models import DossierVersion

    with app.app_context():
        (dossier,) = db.session.scalars(select(DossierVersion))
        assert dossier.facts["recipients"] and dossier.sections["risks"] == "Nội dung mục risks"
        dossier_id = dossier.id
    printed = officer.get(f"/privacy/dossier/{dossier_id}").get_data(as_text=True)
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in printed and "Mẫu số 10" in printed
    pdf = officer.get(f"/privacy/dossier/{dossier_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Cache-Control"] == "no-store"
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nội dung mục risks" in text
    assert "Mẫu số 10" in text and "Phòng Văn hóa - Xã hội" in text  # the recipients, from the directory
    docx = Document(io.BytesIO(officer.get(f"/privacy/dossier/{dossier_id}.docx").data))
    paragraphs = "\n".join(p.text for p in docx.paragraphs)
    assert "6. Đánh giá tác động, rủi ro và khả năng xảy ra (mẫu 02a)" in paragraphs
    assert "Nội dung mục measures" in paragraphs
    # the update answers the reorganisation
    assert (
        officer.post(
            "/privacy/dossier", data=dict(sections, reason="reorganisation", processing_started_on="2026-01-01")
        ).status_code
        == 303
    )
    assert "(10 ngày)" not in officer.get("/work/").get_data(as_text=True)


def test_dossier_clock_edges_count_calendar_days(app, reference):
    from app.deadlines import due_at
    from app.privacy import rules

    start = clock.start_of_day(date(2026, 12, 7))
    assert due_at(rules.DOSSIER_REORGANISATION, start) == clock.end_of_day(date(2026, 12, 17))
    assert due_at(rules.DOSSIER_FIRST, start) == clock.end_of_day(date(2027, 2, 5))  # Tết does not stop it
    assert due_at(rules.DOSSIER_REVIEW, clock.start_of_day(date(2026, 8, 31))) == clock.end_of_day(date(2027, 2, 28))


def _service_id(app, code):
    from app.directory.queries import by_code

    with app.app_context():
        found = by_code(code).id
        db.session.remove()
    return found


def _agreement(officer, service_id, reference, **changes):
    data = {
        "service_id": service_id,
        "reference": reference,
        "signed_on": clock.today().isoformat(),
        "valid_from": clock.today().isoformat(),
        "valid_to": (clock.today() + timedelta(days=365)).isoformat(),
        "scope": "Nhóm tuổi, điện thoại, sự việc; để hỗ trợ học nghề",
    }
    data.update(changes)
    return officer.post("/privacy/agreements", data=data)


def test_a_referral_to_a_service_without_a_live_agreement_warns_and_the_audit_says_so(
    app, client, counsellor, case_id, unit, officer
):
    add_share_consent(client, case_id, unit(AGENCY).id)
    confirm = send(client, case_id, unit(AGENCY).id, confirm="")
    assert 'id="no-agreement"' in confirm.get_data(as_text=True)
    service = _service_id(app, "SV-PVHXH-03295")  # the service of AGENCY that covers the case
    bad = _agreement(officer, service, "")
    assert bad.status_code == 200 and "Vui lòng nhập" in bad.get_data(as_text=True)
    agency_only = _agreement(officer, unit(AGENCY).id, "12/2026/TTCG")  # an agency is no longer a choice
    assert agency_only.status_code == 200 and 'id="service_id-error"' in agency_only.get_data(as_text=True)
    assert _agreement(officer, service, "12/2026/TTCG").status_code == 303
    ((action, detail),) = _actions(app, "privacy.agreement_record")
    assert detail == {"agency_id": unit(AGENCY).id, "service_id": service}
    confirm = send(client, case_id, unit(AGENCY).id, confirm="")
    assert confirm.status_code == 200 and 'id="no-agreement"' not in confirm.get_data(as_text=True)
    assert send(client, case_id, unit(AGENCY).id).status_code == 303
    sent = [d for a, d in _actions(app, "referral.send")]
    assert sent[-1]["agreement"] is True and sent[-1]["service_id"] == service
    register = officer.get("/privacy/register").get_data(as_text=True)
    assert "12/2026/TTCG" in register and "Hồ sơ vụ việc đã đóng" in register


def test_an_agreement_covers_one_service_not_every_service_of_its_agency(app, officer):
    """Sở Y tế runs two services: an agreement for social protection does not cover trafficking verification."""
    from app.directory.models import Service
    from app.privacy import services
    from app.privacy.facts import services_without_agreement

    protection, verification = _service_id(app, "SV-SYT-BTXH"), _service_id(app, "SV-SYT-XMNN")
    assert _agreement(officer, protection, "05/2026/SYT").status_code == 303
    with app.app_context():
        assert services.live_agreement(protection).reference == "05/2026/SYT"
        assert services.live_agreement(verification) is None
        missing = {r["id"] for r in services_without_agreement()}
        assert verification in missing and protection not in missing
        closed = db.session.scalar(select(Service).where(Service.valid_to.is_not(None)))
        assert closed.id not in missing  # only live services are receivers
    page = officer.get("/privacy/agreements").get_data(as_text=True)
    assert "Xác minh nạn nhân bị mua bán" in page.split('id="agreements-missing"')[1].split("</section>")[0]


def test_the_monthly_job_lists_cases_past_retention_for_a_decision_and_deletes_nothing(
    app, client, counsellor, case_id, officer
):
    from app.cases.models import Case
    from app.privacy.models import RetentionReview, RetentionRule

    bad = officer.post(
        "/privacy/retention", data={"record_type": "closed_case", "closed_case-months": "0", "closed_case-basis": "x"}
    )
    assert bad.status_code == 200 and "closed_case-months-error" in bad.get_data(as_text=True)
    assert (
        officer.post(
            "/privacy/retention",
            data={
                "record_type": "closed_case",
                "closed_case-months": "24",
                "closed_case-basis": "Quyết định của Hội LHPN tỉnh",
            },
        ).status_code
        == 303
    )
    assert ("privacy.retention_set", {"record_type": "closed_case", "before": 60, "months": 24}) in _actions(
        app, "privacy.retention"
    )
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.status, case.closed_on = "closed", clock.today() - timedelta(days=800)
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0 and "closed_case=1" in result.output
    assert "closed_case=0" in runner.invoke(args=["retention", "run"]).output  # once only
    queue = officer.get("/work/").get_data(as_text=True)
    assert "Hồ sơ quá thời hạn lưu trữ chờ quyết định" in queue
    with app.app_context():
        (review,) = db.session.scalars(select(RetentionReview))
        review_id = review.id
        assert db.session.get(Case, case_id).erased_at is None  # nothing deleted
        assert db.session.scalar(select(RetentionRule.months).where(RetentionRule.record_type == "closed_case")) == 24
    no_date = officer.post(
        "/privacy/retention/reviews", data={"review_id": review_id, "decision": "keep", "reason": "Đang có vụ án"}
    )
    assert "Tiếp tục lưu cần một ngày xem lại" in no_date.get_data(as_text=True)
    assert (
        officer.post(
            "/privacy/retention/reviews",
            data={
                "review_id": review_id,
                "decision": "keep",
                "reason": "Đang có vụ án",
                "keep_until": (clock.today() + timedelta(days=180)).isoformat(),
            },
        ).status_code
        == 303
    )
    assert "Hồ sơ quá thời hạn lưu trữ chờ quyết định" not in officer.get("/work/").get_data(as_text=True)
    assert "closed_case=0" in runner.invoke(args=["retention", "run"]).output  # kept: not listed again yet


def test_the_officer_reaches_the_controller_pages_but_no_case_and_the_admin_none(
    app, client, counsellor, case_id, officer, make_user, login
):
    for path in (
        "/privacy/",
        "/privacy/notices",
        "/privacy/dossier",
        "/privacy/agreements",
        "/privacy/retention",
        "/privacy/retention/reviews",
        "/privacy/register",
        "/privacy/notice",
    ):
        assert officer.get(path).status_code == 200, path
    assert officer.get(f"/cases/{case_id}").status_code in (403, 404)
    admin = app.test_client()
    login(admin, make_user("admin", "11"))
    for path in ("/privacy/", "/privacy/notices", "/privacy/register", "/privacy/notice"):
        assert admin.get(path).status_code == 403, path


def test_pages_answer_in_english(app, officer):
    officer.set_cookie("lang", "en")
    page = officer.get("/privacy/").get_data(as_text=True)
    assert '<html lang="en">' in page and "impact assessment" in page.lower()


HOSTILE = ("", "\x00", "٣", "<script>alert(1)</script>", "x" * 20000, "2026-02-30", "-1", "9" * 30, "' OR 1=1 --")


def test_bad_input_to_every_officer_form_answers_a_message_never_a_5xx(app, officer):
    forms = {
        "/privacy/notices": ("valid_from", "text_vi", "text_plain", "change_note"),
        "/privacy/dossier": ("reason", "processing_started_on", "controller", "risks"),
        "/privacy/dossier/reorganisations": ("occurred_on", "description"),
        "/privacy/dossier/sent": ("dossier_id", "sent_on"),
        "/privacy/agreements": ("agency_id", "reference", "signed_on", "valid_from", "valid_to", "scope"),
        "/privacy/agreements/end": ("agreement_id", "ended_on"),
        "/privacy/retention": ("record_type", "closed_case-months", "closed_case-basis"),
        "/privacy/retention/reviews": ("review_id", "decision", "keep_until", "reason"),
    }
    for path, names in forms.items():
        for value in HOSTILE:
            answer = officer.post(path, data=dict.fromkeys(names, value))
            assert answer.status_code in (200, 303, 400, 404, 413), (path, value[:20], answer.status_code)
            assert "<script>alert(1)</script>" not in answer.get_data(as_text=True), path
    from app.privacy.models import PrivacyNotice, TransferAgreement

    with app.app_context():
        assert db.session.scalar(select(TransferAgreement.id)) is None
        assert [n.version for n in db.session.scalars(select(PrivacyNotice))] == [1]
