"""A restriction of processing freezes every write to the case, in every area, until it is lifted.

Each blocked action is tried through its own page while the restriction is in force: the refusal is the one
Vietnamese message beside the form's field, what the user typed is still in the form, nothing was written,
and the refusal is in the audit trail with the action named. After the lifting the same posts go through.
(Edit, referral and statistics: tests/test_rights_answers.py.)"""

import re

import pytest
from sqlalchemy import func, select
from test_cases_support import audit_actions
from test_referrals_support import AGENCY, add_share_consent, as_user, setup_referral

from app.extensions import db

MESSAGE = "Hồ sơ đang bị hạn chế xử lý theo yêu cầu của người có dữ liệu"
ONWARD = "AG-CAX-03295"


def _rights_request(app, client, case_id, kind):
    response = client.post(
        f"/rights/cases/{case_id}/new", data={"kind": kind, "channel": "in_person", "identity_check": "cccd"}
    )
    assert response.status_code == 303
    from app.rights.models import RightsRequest

    with app.app_context():
        rid = db.session.scalar(
            select(RightsRequest.id)
            .where(RightsRequest.case_id == case_id, RightsRequest.kind == kind)
            .order_by(RightsRequest.received_at.desc())
        )
        db.session.remove()
    return rid


def restrict(app, client, case_id) -> str:
    rid = _rights_request(app, client, case_id, "restrict")
    assert client.post(f"/rights/{rid}/restrict").status_code == 303
    return rid


def lift(client, rid) -> None:
    assert client.post(f"/rights/{rid}/lift", data={"reason": "survivor_asked"}).status_code == 303


def count(app, model, **where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        n = db.session.scalar(stmt)
        db.session.remove()
    return n


def refused_beside(response, field_id: str, kept: str | None = None) -> None:
    """The refusal: status 200 (the form again), the message in the field's own error element, input kept."""
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    beside = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    assert beside is not None and MESSAGE in beside.group(1), html[:200]
    if kept:
        assert kept in html


def refusals(app, case_id) -> list[str]:
    import json

    return [
        json.loads(detail)["action"] if isinstance(detail, str) else detail["action"]
        for action, result, detail in audit_actions(app, case_id)
        if action == "case.restricted_refusal" and result == "refused"
    ]


@pytest.fixture
def frozen(app, client, counsellor, case_id):
    """A case with one open follow-up and one service, then restricted on the survivor's request."""
    from app.cases.models import CaseService, FollowUp

    assert (
        client.post(
            f"/cases/{case_id}/followups",
            data={"followup-due_on": "2026-12-20", "followup-purpose": "Gọi hỏi thăm", "followup-assignee_id": ""},
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/cases/{case_id}/services", data={"service-kind": "counselling", "service-status": "planned"}
        ).status_code
        == 303
    )
    with app.app_context():
        followup_id = db.session.scalar(select(FollowUp.id).where(FollowUp.case_id == case_id))
        service_id = db.session.scalar(select(CaseService.id).where(CaseService.case_id == case_id))
        db.session.remove()
    rid = restrict(app, client, case_id)
    return {"case_id": case_id, "rid": rid, "followup_id": followup_id, "service_id": service_id}


def test_adding_a_note_is_refused(app, client, frozen):
    from app.cases.models import CaseNote

    case_id = frozen["case_id"]
    response = client.post(f"/cases/{case_id}/notes", data={"note-body": "Ghi chú không được mất"})
    refused_beside(response, "note-body", kept="Ghi chú không được mất")
    assert count(app, CaseNote, case_id=case_id) == 0
    assert refusals(app, case_id) == ["note.add"]


def test_recording_a_consent_is_refused(app, client, frozen):
    from app.cases.models import Consent

    case_id = frozen["case_id"]
    response = client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "statistics",
            "consent-method": "signed",
            "consent-given_by": "self",
            "consent-given_on": "2026-03-05",
            "consent-note": "Ký trước mặt tư vấn viên",
        },
    )
    refused_beside(response, "consent-purpose", kept="Ký trước mặt tư vấn viên")
    assert count(app, Consent, case_id=case_id) == 0
    assert refusals(app, case_id) == ["consent.record"]


def test_adding_or_changing_a_service_is_refused(app, client, frozen):
    from app.cases.models import CaseService

    case_id = frozen["case_id"]
    response = client.post(
        f"/cases/{case_id}/services",
        data={"service-kind": "shelter", "service-status": "planned", "service-start_on": "2026-12-10"},
    )
    refused_beside(response, "service-kind", kept="2026-12-10")
    sid = frozen["service_id"]
    changed = client.post(f"/cases/{case_id}/services/{sid}", data={f"service-{sid}-status": "done"})
    refused_beside(changed, f"service-{sid}-status")
    with app.app_context():
        assert [s.status for s in db.session.scalars(select(CaseService))] == ["planned"]
        db.session.remove()
    assert refusals(app, case_id) == ["service.add", "service.update"]


def test_scheduling_or_completing_a_follow_up_is_refused(app, client, frozen):
    from app.cases.models import FollowUp

    case_id, fid = frozen["case_id"], frozen["followup_id"]
    response = client.post(
        f"/cases/{case_id}/followups",
        data={"followup-due_on": "2026-12-28", "followup-purpose": "Thăm tại nhà", "followup-assignee_id": ""},
    )
    refused_beside(response, "followup-due_on", kept="Thăm tại nhà")
    done = client.post(
        f"/cases/{case_id}/followups/{fid}",
        data={f"outcome-{fid}-status": "done", f"outcome-{fid}-outcome": "Đã gọi được"},
    )
    refused_beside(done, f"outcome-{fid}-outcome", kept="Đã gọi được")
    with app.app_context():
        assert [f.status for f in db.session.scalars(select(FollowUp))] == ["open"]
        db.session.remove()
    assert refusals(app, case_id) == ["followup.schedule", "followup.done"]


def test_closing_the_case_is_refused(app, client, frozen):
    from app.cases.models import Case

    case_id = frozen["case_id"]
    response = client.post(
        f"/cases/{case_id}/close", data={"close-reason": "goals_met", "close-note": "Đã ổn định, vẫn đóng"}
    )
    refused_beside(response, "close-reason", kept="Đã ổn định, vẫn đóng")
    with app.app_context():
        assert db.session.get(Case, case_id).status == "open"
        db.session.remove()
    assert refusals(app, case_id) == ["case.close"]


def test_a_protection_record_is_refused(app, client, frozen):
    from app.protection.models import Incident

    case_id = frozen["case_id"]
    response = client.post(
        f"/protection/cases/{case_id}/incidents",
        data={
            "incident-occurred_on": "2026-11-30",
            "incident-place_type": "home",
            "incident-forms": ["physical"],
            "incident-description": "Lời kể được giữ lại",
        },
    )
    refused_beside(response, "incident-occurred_on", kept="Lời kể được giữ lại")
    assert count(app, Incident, case_id=case_id) == 0
    assert refusals(app, case_id) == ["protection.add_incident"]


def test_a_livelihood_plan_is_refused(app, client, frozen):
    from test_livelihood_support import draft

    from app.livelihood.models import LivelihoodPlan

    case_id = frozen["case_id"]
    response = draft(client, case_id, description="Nuôi gà thả vườn")
    refused_beside(response, "description", kept="Nuôi gà thả vườn")
    assert count(app, LivelihoodPlan, case_id=case_id) == 0
    assert refusals(app, case_id) == ["livelihood.create_plan"]


def test_an_agencys_onward_referral_is_refused(app, client, make_user, login, unit):
    from app.referrals.models import Referral

    case_id, referral_id, _ = setup_referral(app, client, make_user, login, unit)
    officer = as_user(app, make_user, login, "agency_officer", AGENCY)
    assert officer.post(f"/referrals/{referral_id}/accept").status_code == 303
    add_share_consent(client, case_id, unit(ONWARD).id)
    with app.app_context():
        from app.directory.queries import by_code

        police = by_code("SV-CAX-03295").id
        db.session.remove()
    rid = restrict(app, client, case_id)
    data = {"service_id": police, "fields": ["phone"], "idempotency_key": "onward-restricted-000001", "confirm": "yes"}
    response = officer.post(f"/referrals/{referral_id}/forward", data=data)
    refused_beside(response, "service_id")
    assert count(app, Referral, parent_id=referral_id) == 0
    assert refusals(app, case_id) == ["referral.forward"]

    lift(client, rid)
    assert officer.post(f"/referrals/{referral_id}/forward", data=data).status_code == 303
    assert count(app, Referral, parent_id=referral_id) == 1


def test_once_lifted_every_action_goes_through_again(app, client, frozen):
    from app.cases.models import Case, CaseNote, Consent
    from app.livelihood.models import LivelihoodPlan
    from app.protection.models import Incident

    case_id, fid, sid = frozen["case_id"], frozen["followup_id"], frozen["service_id"]
    assert client.post(f"/cases/{case_id}/notes", data={"note-body": "Trước khi gỡ"}).status_code == 200
    lift(client, frozen["rid"])

    assert client.post(f"/cases/{case_id}/notes", data={"note-body": "Sau khi gỡ"}).status_code == 303
    assert (
        client.post(
            f"/cases/{case_id}/consents",
            data={
                "consent-purpose": "statistics",
                "consent-method": "signed",
                "consent-given_by": "self",
                "consent-given_on": "2026-03-05",
            },
        ).status_code
        == 303
    )
    assert (
        client.post(f"/cases/{case_id}/services", data={"service-kind": "shelter", "service-status": "planned"})
    ).status_code == 303
    assert client.post(f"/cases/{case_id}/services/{sid}", data={f"service-{sid}-status": "done"}).status_code == 303
    assert (
        client.post(
            f"/cases/{case_id}/followups/{fid}",
            data={f"outcome-{fid}-status": "done", f"outcome-{fid}-outcome": "Đã gọi được"},
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/protection/cases/{case_id}/incidents",
            data={"incident-occurred_on": "2026-11-30", "incident-place_type": "home", "incident-forms": ["physical"]},
        ).status_code
        == 303
    )
    from test_livelihood_support import draft

    assert draft(client, case_id).status_code == 303
    assert client.post(f"/cases/{case_id}/close", data={"close-reason": "goals_met"}).status_code == 303
    assert count(app, CaseNote, case_id=case_id) == 1 and count(app, Consent, case_id=case_id) == 1
    assert count(app, Incident, case_id=case_id) == 1 and count(app, LivelihoodPlan, case_id=case_id) == 1
    with app.app_context():
        assert db.session.get(Case, case_id).status == "closed"
        db.session.remove()
    assert refusals(app, case_id) == ["note.add"]  # only the one tried before the lifting


def test_the_guard_answers_through_the_processing_restricted_signal(app, ctx):
    """Without a receiver answering `processing_restricted` (no restriction), the guard lets everything pass;
    with one answering, it refuses with the one message (the rights desk is that receiver)."""
    from app import events
    from app.cases.restriction import ProcessingRestricted, ensure_processing_allowed

    ensure_processing_allowed("no-such-case", "note.add", actor=None)

    def always(case_id):
        return "restricted"

    events.processing_restricted.connect(always)
    try:
        with pytest.raises(ProcessingRestricted) as raised:
            ensure_processing_allowed("no-such-case", "note.add", actor=None, field="body")
        assert str(raised.value) == MESSAGE and raised.value.field == "body"
        assert raised.value.after_rollback  # the audit entry is written again after the savepoint's rollback
    finally:
        events.processing_restricted.disconnect(always)


def test_a_restriction_stops_the_supervisors_sign_off_and_its_return_reason(
    app, client, counsellor, case_id, make_user, login
):
    """The supervisor's decision on the high-risk safety plan (and a return's reason, free text that may name
    people, sealed into the case) is processing of the case like a closure: refused beside the reason while the
    restriction is in force, what was typed kept, nothing written, audited; after the lifting it goes through."""
    from app.supervision.models import CaseSignOff

    rid = restrict(app, client, case_id)
    supervisor = app.test_client()
    login(supervisor, make_user("supervisor", "03295"))
    typed = "Kế hoạch chưa nói chị Lò Thị Hoa ở bản Sáng có nhận cho tạm lánh không"
    answer = supervisor.post(
        f"/supervision/case/{case_id}/sign-off",
        data={"kind": "safety_plan", "decision": "returned", "signoff-reason": typed},
    )
    refused_beside(answer, "signoff-reason", kept=typed)
    approved = supervisor.post(
        f"/supervision/case/{case_id}/sign-off", data={"kind": "safety_plan", "decision": "approved"}
    )
    assert approved.status_code in (200, 303)
    assert count(app, CaseSignOff, case_id=case_id) == 0
    assert refusals(app, case_id).count("supervision.safety_plan_returned") == 1
    assert refusals(app, case_id).count("supervision.safety_plan_approved") == 1
    lift(client, rid)
    again = supervisor.post(
        f"/supervision/case/{case_id}/sign-off",
        data={"kind": "safety_plan", "decision": "returned", "signoff-reason": typed},
    )
    assert again.status_code == 303 and count(app, CaseSignOff, case_id=case_id) == 1
