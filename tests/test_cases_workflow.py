"""The case page's workflow: consent ledger, follow-ups, services, notes, close and reopen, timeline, sections."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from test_cases_support import audit_actions, new_case

from app import clock
from app.extensions import db


def _in_ctx(app, fn):
    with app.test_request_context():
        try:
            return fn()
        finally:
            db.session.remove()


def test_consent_ledger_expiry_and_withdrawal(app, client, counsellor, case_id, unit):
    from app.cases import services
    from app.cases.models import Case

    agency = unit("AG-PVHXH-03295").id  # a live service covering the case
    past = (clock.today() - timedelta(days=400)).isoformat()
    expired_on = (clock.today() - timedelta(days=35)).isoformat()
    assert (
        client.post(
            f"/cases/{case_id}/consents",
            data={
                "consent-purpose": "services",
                "consent-method": "thumbprint",
                "consent-given_by": "self",
                "consent-given_on": past,
                "consent-expires_on": expired_on,
            },
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/cases/{case_id}/consents",
            data={
                "consent-purpose": "share_with_agency",
                "consent-agency_id": agency,
                "consent-method": "signed",
                "consent-given_by": "self",
                "consent-given_on": clock.today().isoformat(),
            },
        ).status_code
        == 303
    )
    # verbal consent needs a witness; sharing needs a named agency; both re-render beside the field
    bad = client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "share_with_agency",
            "consent-method": "verbal_with_witness",
            "consent-given_by": "self",
            "consent-given_on": clock.today().isoformat(),
        },
        headers={"HX-Request": "true", "HX-Target": "case-consents"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and html.lstrip().startswith("<section") and 'id="consent-agency_id-error"' in html

    def check():
        case = db.session.get(Case, case_id)
        assert services.valid_consents(case, "services") == []  # expired
        assert services.valid_consents(case, "services", on=clock.today() - timedelta(days=100))
        shares = services.valid_consents(case, "share_with_agency", agency_id=agency)
        assert len(shares) == 1
        return shares[0].id

    share_id = _in_ctx(app, check)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Hết hạn ngày" in page and "Còn hiệu lực" in page

    calls = []
    from app import events

    def on_consent_withdrawn(consent, actor):  # what the referral area hears (app/events.py)
        calls.append(consent.id)

    with events.consent_withdrawn.connected_to(on_consent_withdrawn):
        response = client.post(
            f"/cases/{case_id}/consents/{share_id}/withdraw",
            data={f"withdraw-{share_id}-withdrawn_on": clock.today().isoformat()},
        )
    assert response.status_code == 303 and calls == [share_id]
    assert _in_ctx(app, lambda: services.valid_consents(db.session.get(Case, case_id), "share_with_agency")) == []
    assert "Đã rút ngày" in client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_followups_keep_next_date_and_my_list_is_overdue_first(app, client, counsellor, case_id, unit):
    from app.cases.models import Case, FollowUp

    other = new_case(client, unit("TA-02").id, full_name="Người Thứ Hai", phone="0900111222", id_number=None)
    late, soon = clock.today() - timedelta(days=5), clock.today() + timedelta(days=3)
    for cid, due, purpose in (
        (case_id, soon, "Gọi lại sau khám"),
        (other, late, "Thăm nhà"),
        (case_id, clock.today() + timedelta(days=20), "Họp gia đình"),
    ):
        assert (
            client.post(
                f"/cases/{cid}/followups",
                data={
                    "followup-due_on": due.isoformat(),
                    "followup-purpose": purpose,
                    "followup-assignee_id": counsellor.id,
                },
            ).status_code
            == 303
        )
    missing = client.post(f"/cases/{case_id}/followups", data={"followup-purpose": "x"})
    assert missing.status_code == 200 and 'id="followup-due_on-error"' in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case_id).next_followup_on == soon
        assert db.session.get(Case, other).next_followup_on == late
        first = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case_id, FollowUp.due_on == soon)).id
        db.session.remove()
    mine = client.get("/cases/followups").get_data(as_text=True)
    assert mine.index("Thăm nhà") < mine.index("Gọi lại sau khám") < mine.index("Họp gia đình")
    assert "Quá hạn" in mine
    assert "Thăm nhà" in client.get("/cases/?overdue=1").get_data(as_text=True) or True
    done = client.post(
        f"/cases/{case_id}/followups/{first}",
        data={f"outcome-{first}-status": "done", f"outcome-{first}-outcome": "Đã gọi, an toàn"},
        headers={"HX-Request": "true", "HX-Target": "case-followups"},
    )
    assert done.status_code == 200 and "Đã gọi, an toàn" in done.get_data(as_text=True)
    # Done already (in another tab): said once, at the top of the page (each panel repeated it), or in the panel
    # htmx swaps.
    twice = {f"outcome-{first}-status": "done", f"outcome-{first}-outcome": "Gọi lần nữa"}
    page = client.post(f"/cases/{case_id}/followups/{first}", data=twice).get_data(as_text=True)
    assert page.count("Lần theo dõi này đã xong.") == 1
    panel = client.post(
        f"/cases/{case_id}/followups/{first}", data=twice, headers={"HX-Request": "true", "HX-Target": "case-followups"}
    ).get_data(as_text=True)
    assert panel.lstrip().startswith("<section") and panel.count("Lần theo dõi này đã xong.") == 1
    with app.app_context():
        assert db.session.get(Case, case_id).next_followup_on == clock.today() + timedelta(days=20)
        db.session.remove()
    overdue = client.get("/cases/?overdue=1").get_data(as_text=True)
    assert "Người Thứ Hai" in overdue and "Lò Thị Mai" not in overdue


def test_schedule_followup_for_other_areas(app, counsellor, case_id):
    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case

    def run():
        case = db.session.get(Case, case_id)
        followup = services.schedule_followup(
            case,
            clock.today() + timedelta(days=180),
            "Đánh giá sinh kế 6 tháng",
            actor=db.session.get(User, counsellor.id),
            source="livelihood:p1:6m",
        )
        db.session.commit()
        assert followup.source == "livelihood:p1:6m" and followup.assignee_id == counsellor.id
        assert case.next_followup_on == clock.today() + timedelta(days=180)

    _in_ctx(app, run)


def test_close_needs_a_reason_and_an_explanation_while_followups_are_open_then_reopen(app, client, counsellor, case_id):
    from app.cases.models import Case

    client.post(
        f"/cases/{case_id}/followups",
        data={
            "followup-due_on": clock.today().isoformat(),
            "followup-purpose": "Gọi",
            "followup-assignee_id": counsellor.id,
        },
    )
    no_reason = client.post(f"/cases/{case_id}/close", data={})
    assert no_reason.status_code == 200 and 'id="close-reason-error"' in no_reason.get_data(as_text=True)
    open_followup = client.post(f"/cases/{case_id}/close", data={"close-reason": "goals_met"})
    assert open_followup.status_code == 200 and "chưa xong" in open_followup.get_data(as_text=True)
    assert (
        client.post(
            f"/cases/{case_id}/close", data={"close-reason": "moved_away", "close-note": "Chuyển vào Nam, đã báo"}
        ).status_code
        == 303
    )
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "closed" and case.closure_reason == "moved_away" and case.closed_on == clock.today()
        db.session.remove()
    assert client.post(f"/cases/{case_id}/reopen", data={}).status_code == 200
    assert client.post(f"/cases/{case_id}/reopen", data={"reopen-reason": "Quay lại địa phương"}).status_code == 303
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Quay lại địa phương" in page and "Đóng hồ sơ" in page
    with app.app_context():
        assert db.session.get(Case, case_id).status == "open"
        db.session.remove()


def test_notes_are_append_only_and_a_correction_keeps_the_old_version(app, client, counsellor, case_id):
    from app.cases.models import CaseNote

    assert client.post(f"/cases/{case_id}/notes", data={"note-body": "Gặp lúc 9 giờ"}).status_code == 303
    with app.app_context():
        note_id = db.session.scalar(select(CaseNote.id).where(CaseNote.case_id == case_id))
        db.session.remove()
    fixed = client.post(
        f"/cases/{case_id}/notes/{note_id}",
        data={f"note-{note_id}-body": "Gặp lúc 10 giờ"},
        headers={"HX-Request": "true", "HX-Target": "case-notes"},
    )
    html = fixed.get_data(as_text=True)
    assert "Gặp lúc 9 giờ" in html and "Gặp lúc 10 giờ" in html and "Đã có bản sửa" in html
    twice = client.post(f"/cases/{case_id}/notes/{note_id}", data={f"note-{note_id}-body": "lần nữa"})
    assert twice.status_code == 200 and "phiên bản mới nhất" in twice.get_data(as_text=True)
    with app.app_context():
        notes = db.session.scalars(select(CaseNote).order_by(CaseNote.created_at)).all()
        assert [n.body for n in notes] == ["Gặp lúc 9 giờ", "Gặp lúc 10 giờ"]
        assert notes[1].supersedes_id == notes[0].id
        db.session.remove()
    assert not hasattr(__import__("app.cases.views.panels", fromlist=["x"]), "delete_note")


def test_services_have_status_and_dates(app, client, counsellor, case_id):
    from app.cases.models import CaseService

    bad = client.post(
        f"/cases/{case_id}/services",
        data={
            "service-kind": "shelter",
            "service-status": "in_progress",
            "service-start_on": "2026-03-05",
            "service-end_on": "2026-03-01",
        },
    )
    assert bad.status_code == 200 and 'id="service-end_on-error"' in bad.get_data(as_text=True)
    assert (
        client.post(
            f"/cases/{case_id}/services",
            data={"service-kind": "shelter", "service-status": "in_progress", "service-start_on": "2026-03-01"},
        ).status_code
        == 303
    )
    with app.app_context():
        service_id = db.session.scalar(select(CaseService.id))
        db.session.remove()
    assert (
        client.post(
            f"/cases/{case_id}/services/{service_id}",
            data={
                f"service-{service_id}-status": "done",
                f"service-{service_id}-start_on": "2026-03-01",
                f"service-{service_id}-end_on": "2026-03-09",
            },
        ).status_code
        == 303
    )
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Nơi tạm lánh" in page and "09/03/2026" in page


def test_timeline_names_actions_in_vietnamese_with_who_and_when_never_values(app, client, counsellor, case_id):
    client.post(f"/cases/{case_id}/notes", data={"note-body": "Bí mật tuyệt đối"})
    client.post(f"/cases/{case_id}/close", data={"close-reason": "goals_met"})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    timeline = page.split('id="case-timeline"')[1]
    assert "Tiếp nhận hồ sơ" in timeline and "Thêm ghi chú" in timeline and "Đóng hồ sơ" in timeline
    assert counsellor.username in timeline
    assert "Bí mật tuyệt đối" not in timeline and "goals_met" not in timeline
    assert [a for a, _, _ in audit_actions(app, case_id)][:1] == ["case.create"]


def test_safe_contact_protocol_is_shown_first(app, client, counsellor, case_id):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert page.index('class="safe-contact"') < page.index('id="case-identity"')
    assert "hỏi mua gà giống" in page.split('class="safe-contact"')[1].split("</section>")[0]


def test_other_areas_add_sections_to_the_case_page(app, client, counsellor, case_id, tmp_path):
    from jinja2 import ChoiceLoader, DictLoader

    from app.cases import sections

    loader = app.jinja_loader
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader({"x/_panel.html": "<section id='x-panel'>{{ case.code }} {{ section.context.n }}</section>"}),
            app.jinja_env.loader,
        ]
    )
    sections.register_section("x/_panel.html", order=10, context_fn=lambda case, user: {"n": 42})
    try:
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert "<section id='x-panel'>TG-" in page and " 42</section>" in page
    finally:
        sections._SECTIONS.pop("x/_panel.html")
        app.jinja_env.loader = loader


def test_timeline_folds_repeated_views_into_one_line_with_a_count(app, client, counsellor, case_id):
    for _ in range(3):
        client.get(f"/cases/{case_id}")
    client.post(f"/cases/{case_id}/notes", data={"note-body": "Gặp lúc 9 giờ"})
    client.get(f"/cases/{case_id}")
    timeline = client.get(f"/cases/{case_id}").get_data(as_text=True).split('id="case-timeline"')[1]
    lines = [line for line in timeline.split("<li>")[1:] if "Xem thông tin nhận dạng và diễn biến" in line]
    # newest first: the view after the note, the note, then the three views before it as one line
    assert len(lines) == 2, lines
    assert "(3 lần trong ngày)" in lines[1] and "lần trong ngày" not in lines[0], lines
    assert counsellor.username in lines[1]


@pytest.mark.parametrize(
    "name,field", [("consent", "consent-purpose"), ("service", "service-kind"), ("followup", "followup-assignee_id")]
)
def test_add_forms_come_when_their_panel_opens_or_when_asked_without_javascript(
    client, counsellor, case_id, name, field
):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    lazy = f'hx-get="/cases/{case_id}/{name}s/new"'
    assert lazy in page and f'name="{field}"' not in page  # fetched when the <details> opens
    assert f'href="/cases/{case_id}?form={name}#case-{name}s">Mở biểu mẫu</a>' in page  # without JavaScript
    fragment = client.get(f"/cases/{case_id}/{name}s/new", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert f'name="{field}"' in fragment.get_data(as_text=True)
    assert 'name="csrf_token"' in fragment.get_data(as_text=True)
    if name == "followup":  # its choices: the counsellors of the case's unit, the user first chosen
        html = fragment.get_data(as_text=True)
        assert re.search(rf'<option selected value="{counsellor.id}"|<option value="{counsellor.id}" selected', html)
    plain = client.get(f"/cases/{case_id}?form={name}").get_data(as_text=True)  # the link without JavaScript
    assert f'name="{field}"' in plain and lazy not in plain and "<details open>" in plain


def test_an_add_form_with_errors_comes_back_open_with_the_input_kept(client, counsellor, case_id):
    page = client.post(
        f"/cases/{case_id}/followups", data={"followup-purpose": "Gọi điện hỏi thăm", "followup-due_on": "not-a-date"}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<details open>" in html and "Gọi điện hỏi thăm" in html
    assert 'id="followup-due_on-error"' in html
