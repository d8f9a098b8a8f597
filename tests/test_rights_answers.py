"""A survivor's request carried out on the record: a correction keeps the old value (sealed) with who, when and
which request; a restriction freezes referral, edit and statistics until lifted (and the lifting is recorded);
an erasure request erases the case only with no legal hold in force and a supervisor's sign-off as second
person with step-up; under a hold it is refused with the coded reason."""

import time
from datetime import date

import pyotp
import pytest
from sqlalchemy import select, text
from test_cases_support import audit_actions

from app.extensions import db
from app.rights.models import CaseCorrection, ErasureSignOff, LegalHold, Restriction, RightsRequest


def _request(app, client, case_id, kind):
    assert (
        client.post(
            f"/rights/cases/{case_id}/new", data={"kind": kind, "channel": "in_person", "identity_check": "cccd"}
        ).status_code
        == 303
    )
    with app.app_context():
        rid = db.session.scalar(
            select(RightsRequest.id).where(RightsRequest.kind == kind).order_by(RightsRequest.received_at.desc())
        )
        db.session.remove()
    return rid


def _case(app, case_id):
    from app.cases.models import Case

    with app.app_context():
        case = db.session.get(Case, case_id)
        values = {
            "full_name": case.full_name,
            "in_statistics": case.in_statistics,
            "erased": case.is_erased,
            "birth_date": case.birth_date,
        }
        db.session.remove()
    return values


# --- corrections ----------------------------------------------------------------------------------------


def test_a_correction_goes_through_the_edit_path_and_keeps_the_old_value_sealed(app, client, counsellor, case_id):
    rid = _request(app, client, case_id, "correct")
    empty = client.post(f"/rights/{rid}/correct", data={"field": "full_name", "text_value": " "})
    assert empty.status_code == 200 and "Vui lòng nhập giá trị đúng." in empty.get_data(as_text=True)
    done = client.post(f"/rights/{rid}/correct", data={"field": "full_name", "text_value": "Lò Thị Mây"})
    assert done.status_code == 303
    assert (
        client.post(f"/rights/{rid}/correct", data={"field": "birth_date", "date_value": "1990-05-04"}).status_code
        == 303
    )
    assert _case(app, case_id)["full_name"] == "Lò Thị Mây"
    assert _case(app, case_id)["birth_date"] == date(1990, 5, 4)
    with app.app_context():
        rows = db.session.scalars(select(CaseCorrection).order_by(CaseCorrection.corrected_at)).all()
        assert [(r.field, r.request_id, r.corrected_by_id) for r in rows] == [
            ("full_name", rid, counsellor.id),
            ("birth_date", rid, counsellor.id),
        ]
        assert rows[0].previous == {"value": "Lò Thị Mai"} and rows[1].previous == {"value": None}
        raw = db.session.execute(text("SELECT * FROM rights_correction")).all()
        assert "Lò Thị Mai".encode() not in repr(raw).encode() and "Lò Thị Mai" not in repr(raw)
        db.session.remove()
    actions = [a for a, _r, _d in audit_actions(app, case_id)]
    assert actions.count("rights.correct") == 2 and actions.count("case.edit") >= 2
    for page in (client.get(f"/rights/{rid}"), client.get(f"/cases/{case_id}")):
        html = page.get_data(as_text=True)
        assert "Lịch sử chỉnh sửa" in html and "Trước đây: Lò Thị Mai" in html


def test_a_correction_needs_a_correction_request_and_a_new_value(app, client, counsellor, case_id):
    rid = _request(app, client, case_id, "view_copy")
    page = client.post(
        f"/rights/{rid}/correct", data={"field": "phone", "text_value": "0912 000 999"}, follow_redirects=True
    )
    assert "Chỉ sửa dữ liệu theo yêu cầu chỉnh sửa." in page.get_data(as_text=True)
    rid = _request(app, client, case_id, "correct")
    same = client.post(f"/rights/{rid}/correct", data={"field": "full_name", "text_value": "Lò Thị Mai"})
    assert "Giá trị mới giống giá trị đang lưu." in same.get_data(as_text=True)


# --- restriction ---------------------------------------------------------------------------------------


def _figure(app, case_id) -> int:
    """The survivors counted for the case's trusted address in the derived figures of its year."""
    from app.cases.models import Case
    from app.indicators.derived import trusted_address_support

    with app.app_context():
        case = db.session.get(Case, case_id)
        table = trusted_address_support(frozenset({case.unit_id}), case.opened_on.year)
        db.session.remove()
    return table.grand.value


def _referral_refusal(app, case_id) -> str | None:
    from app.cases.models import Case
    from app.referrals.services import check_sending
    from app.services import ServiceError

    with app.test_request_context():
        try:
            check_sending(db.session.get(Case, case_id), {}, actor=None)
        except ServiceError as exc:
            return str(exc)
        finally:
            db.session.remove()
    return None


def test_a_restriction_freezes_referral_edit_and_statistics_until_lifted(app, client, counsellor, case_id):
    counted = _figure(app, case_id)
    rid = _request(app, client, case_id, "restrict")
    assert client.post(f"/rights/{rid}/restrict").status_code == 303
    assert "không sửa, không ghi thêm, không chuyển gửi" in client.get(f"/cases/{case_id}").get_data(as_text=True)

    assert "hạn chế xử lý" in (_referral_refusal(app, case_id) or "")
    from test_cases_support import INTAKE

    edit = client.get(f"/cases/{case_id}/edit").get_data(as_text=True)
    import re

    version = re.search(r'name="version"[^>]*value="(\d+)"', edit) or re.search(
        r'value="(\d+)"[^>]*name="version"', edit
    )
    refused = client.post(
        f"/cases/{case_id}/edit",
        data=dict(INTAKE, unit_id=_unit_of(app, case_id), version=version.group(1), full_name="Lò Thị Khác"),
    )
    assert refused.status_code == 200
    assert "Hồ sơ đang bị hạn chế xử lý theo yêu cầu của người có dữ liệu" in refused.get_data(as_text=True)
    assert _case(app, case_id)["full_name"] == "Lò Thị Mai"
    assert _figure(app, case_id) == counted - 1 and _case(app, case_id)["in_statistics"] is False

    bare = client.post(f"/rights/{rid}/lift", data={"reason": ""})
    assert bare.status_code == 200 and "Vui lòng chọn một mục." in bare.get_data(as_text=True)
    assert client.post(f"/rights/{rid}/lift", data={"reason": "survivor_asked"}).status_code == 303
    with app.app_context():
        row = db.session.scalar(select(Restriction))
        assert row.lifted_at is not None and row.lift_reason == "survivor_asked" and row.lifted_by_id == counsellor.id
        db.session.remove()
    assert _figure(app, case_id) == counted
    assert "hạn chế" not in _referral_refusal(app, case_id), "the next check (which service) speaks now"
    assert "rights.restriction_lift" in [a for a, _r, _d in audit_actions(app, case_id)]


def _unit_of(app, case_id):
    from app.cases.models import Case

    with app.app_context():
        unit_id = db.session.get(Case, case_id).unit_id
        db.session.remove()
    return unit_id


def test_lifting_keeps_a_withdrawn_statistics_consent_out_and_a_correction_still_works(
    app, client, counsellor, case_id
):
    client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": "statistics",
            "consent-method": "signed",
            "consent-given_by": "self",
            "consent-given_on": "2026-03-02",
        },
    )
    rid = _request(app, client, case_id, "restrict")
    client.post(f"/rights/{rid}/restrict")
    fix = _request(app, client, case_id, "correct")
    assert (
        client.post(f"/rights/{fix}/correct", data={"field": "phone", "text_value": "0912 111 222"}).status_code == 303
    ), "a correction asked by the survivor is not frozen"
    from app.cases.models import Consent
    from app.cases.services import withdraw_consent

    with app.test_request_context():
        from app.auth.models import User

        consent = db.session.scalar(select(Consent).where(Consent.purpose == "statistics"))
        withdraw_consent(consent, actor=db.session.get(User, counsellor.id))
        db.session.commit()
        db.session.remove()
    client.post(f"/rights/{rid}/lift", data={"reason": "survivor_asked"})
    assert _case(app, case_id)["in_statistics"] is False


# --- legal holds and erasure --------------------------------------------------------------------------


def test_a_hold_needs_its_ground_and_an_end_for_retention(app, client, counsellor, case_id):
    page = client.post(f"/rights/cases/{case_id}/holds", data={"kind": "retention", "reason": "Lưu 5 năm"})
    assert page.status_code == 200 and "Thời hạn lưu trữ cần ngày hết hạn." in page.get_data(as_text=True)
    past = client.post(
        f"/rights/cases/{case_id}/holds", data={"kind": "court_order", "ends_on": "2020-01-01", "reason": "QĐ 12/2026"}
    )
    assert "Ngày kết thúc không được ở quá khứ." in past.get_data(as_text=True)
    assert (
        client.post(
            f"/rights/cases/{case_id}/holds",
            data={"kind": "criminal_proceeding", "reason": "Vụ án số 7/2026, Công an tỉnh"},
        ).status_code
        == 303
    )
    with app.app_context():
        raw = db.session.execute(text("SELECT * FROM rights_legal_hold")).all()
        assert "Vụ án số 7/2026" not in repr(raw)
        db.session.remove()
    assert "Vụ án số 7/2026" in client.get(f"/rights/cases/{case_id}/holds").get_data(as_text=True)


def test_erasure_under_a_hold_is_refused_with_the_coded_reason(app, client, counsellor, case_id):
    client.post(
        f"/rights/cases/{case_id}/holds",
        data={"kind": "court_order", "ends_on": "2099-06-30", "reason": "Quyết định cấm tiếp xúc của toà án"},
    )
    rid = _request(app, client, case_id, "delete")
    assert client.post(f"/rights/{rid}/erase").status_code == 303
    with app.app_context():
        req = db.session.get(RightsRequest, rid)
        assert req.status == "refused" and req.refusal_code == "legal_hold"
        assert "Quyết định của toà án còn hiệu lực" in req.answer and "30/06/2099" in req.answer
        assert db.session.scalar(select(ErasureSignOff)) is None
        db.session.remove()
    assert _case(app, case_id)["erased"] is False


@pytest.fixture
def supervisor(app, make_user, login):
    """A supervisor of commune 03295 (which holds TA-02), signed in with a fresh second factor."""
    user = make_user("supervisor", "03295", totp=True)
    browser = app.test_client()
    login(browser, user)
    assert browser.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302
    return browser, user


def test_erasure_needs_a_supervisors_sign_off_with_step_up_then_erases(
    app, client, counsellor, case_id, supervisor, make_user, login, monkeypatch
):
    # An expired retention hold and a released one do not keep the case.
    with app.app_context():
        db.session.add_all(
            [
                LegalHold(case_id=case_id, kind="retention", ends_on=date(2026, 1, 1)),
                LegalHold(case_id=case_id, kind="court_order", released_at=db.func.now()),
            ]
        )
        db.session.commit()
        db.session.remove()
    rid = _request(app, client, case_id, "delete")
    assert client.get(f"/rights/{rid}/erasure").status_code == 403, "the counsellor cannot sign it off"
    client.post(f"/rights/{rid}/erase")
    assert "Đang chờ giám sát viên duyệt" in client.get(f"/rights/{rid}").get_data(as_text=True)
    assert _case(app, case_id)["erased"] is False

    other = app.test_client()
    login(other, make_user("supervisor", "03268"))
    assert other.get(f"/rights/{rid}/erasure").status_code == 404, "a supervisor of another commune"

    browser, user = supervisor
    assert "Duyệt xoá hồ sơ theo yêu cầu" in browser.get("/work/").get_data(as_text=True)
    from app.auth import stepup

    real = stepup.utcnow
    monkeypatch.setattr(stepup, "utcnow", lambda: real() + __import__("datetime").timedelta(minutes=6))
    stale = browser.post(f"/rights/{rid}/erasure", data={"decision": "approve"})
    assert stale.status_code == 303 and "/auth/step-up" in stale.headers["Location"]
    assert _case(app, case_id)["erased"] is False
    monkeypatch.undo()
    code = pyotp.TOTP(user.totp_secret).at(time.time() + 30)
    assert browser.post("/auth/step-up", data={"code": code, "next": f"/rights/{rid}/erasure"}).status_code == 303
    assert browser.post(f"/rights/{rid}/erasure", data={"decision": "approve"}).status_code == 303
    assert _case(app, case_id)["erased"] is True
    with app.app_context():
        req = db.session.get(RightsRequest, rid)
        row = db.session.scalar(select(ErasureSignOff))
        assert req.status == "answered" and row.status == "approved" and row.decided_by_id == user.id
        db.session.remove()
    actions = [a for a, _r, _d in audit_actions(app, case_id)]
    assert actions.index("rights.erase_propose") < actions.index("rights.erase_approve") < actions.index("case.erase")


def test_the_second_person_is_not_the_one_who_proposed_and_a_new_hold_stops_approval(
    app, client, counsellor, case_id, supervisor
):
    from app.auth.models import User
    from app.rights import answers
    from app.services import ServiceError

    rid = _request(app, client, case_id, "delete")
    client.post(f"/rights/{rid}/erase")
    with app.test_request_context():
        row = db.session.scalar(select(ErasureSignOff))
        with pytest.raises(ServiceError, match="Người thứ hai phải duyệt"):
            answers.decide_erasure(row, True, actor=db.session.get(User, counsellor.id))
        db.session.rollback()
        db.session.remove()
    client.post(f"/rights/cases/{case_id}/holds", data={"kind": "criminal_proceeding", "reason": "Điều tra"})
    browser, _user = supervisor
    page = browser.post(f"/rights/{rid}/erasure", data={"decision": "approve"}, follow_redirects=True)
    assert "không xoá được" in page.get_data(as_text=True)
    assert _case(app, case_id)["erased"] is False
    assert browser.post(f"/rights/{rid}/erasure", data={"decision": "return"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ErasureSignOff.status)) == "returned"
        db.session.remove()
