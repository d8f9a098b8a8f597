"""Step-up on the data-protection officer's acts (breach notification, dossier, agreements, retention decisions)
without losing what was typed: the form carries its own code field, asked only when the last step-up is older
than five minutes; a missing or wrong code shows the form again with the text kept and a Vietnamese message
beside the field, and nothing is saved; a right code (or a fresh step-up) lets the act through."""

import time
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pyotp
import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db

STALE = "Lần xác thực gần nhất đã quá 5 phút"
KEPT = "Văn bản thử nghiệm không được mất 7391"  # typed by the officer; must survive every refusal


@pytest.fixture
def officer(app, make_user, login):
    """A data-protection officer with an authenticator, signed in with a code (so its step-up is fresh)."""
    from app.privacy.services import load_reference

    with app.app_context():
        load_reference()
        db.session.commit()
    user = make_user("dpo", "11", totp=True)
    client = app.test_client()
    login(client, user)
    assert client.post("/auth/totp", data={"code": pyotp.TOTP(user.totp_secret).now()}).status_code == 302
    client.user = user
    return client


def _stale(monkeypatch, minutes=6):
    from app.auth import stepup

    real = stepup.utcnow
    monkeypatch.setattr(stepup, "utcnow", lambda: real() + timedelta(minutes=minutes))


def _next_code(user) -> str:
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30)  # the sign-in used the current step


def _count(app, model) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return n


def _service(app):
    from app.directory.queries import by_code

    with app.app_context():
        found = by_code("SV-SYT-BTXH").id
        db.session.remove()
    return found


def _breach(app, officer):
    from app.rights.models import Breach

    detected = (datetime.now(UTC) - timedelta(hours=80)).astimezone(clock.VN).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "loss", "detected_at": detected, "description": "Mất máy tính bảng ở xã"}
    assert officer.post("/rights/breaches/new", data=data).status_code == 303
    with app.app_context():
        found = db.session.scalar(select(Breach.id))
        db.session.remove()
    return found


def _review(app, record_id: str = "x" * 36):
    from app.privacy.models import RetentionReview
    from app.units.queries import by_code

    with app.app_context():
        row = RetentionReview(
            record_type="closed_case",
            record_id=record_id,
            unit_id=by_code("TA-02").id,  # a review is the officer's when its record is of the officer's units
            label="TG-2020-0001",
            ended_on=date(2020, 1, 1),
            due_on=date(2025, 1, 1),
        )
        db.session.add(row)
        db.session.commit()
        found = row.id
        db.session.remove()
    return found


def _acts(app, officer):
    """(name, path, data with the typed text, a function saying whether the act was saved)."""
    from app.privacy.models import DossierVersion, RetentionReview, RetentionRule, TransferAgreement
    from app.rights.models import Breach

    sections = {
        key: f"{KEPT} mục {key}"
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
    breach_id, review_id = _breach(app, officer), _review(app)

    def saved(model, where):
        def check():
            with app.app_context():
                found = db.session.scalar(select(func.count()).select_from(model).where(where))
                db.session.remove()
            return found > 0

        return check

    return [
        (
            "agreement",
            "/privacy/agreements",
            {
                "service_id": _service(app),
                "reference": "05/2026/SYT",
                "signed_on": clock.today().isoformat(),
                "valid_from": clock.today().isoformat(),
                "scope": KEPT,
            },
            saved(TransferAgreement, TransferAgreement.reference == "05/2026/SYT"),
        ),
        (
            "dossier",
            "/privacy/dossier",
            dict(sections, reason="initial", processing_started_on="2026-01-01"),
            saved(DossierVersion, DossierVersion.version == 1),
        ),
        (
            "retention",
            "/privacy/retention",
            {"record_type": "closed_case", "closed_case-months": "24", "closed_case-basis": KEPT},
            saved(RetentionRule, RetentionRule.months == 24),
        ),
        (
            "review",
            "/privacy/retention/reviews",
            {
                "review_id": review_id,
                "decision": "keep",
                "reason": KEPT,
                "keep_until": (clock.today() + timedelta(days=90)).isoformat(),
            },
            saved(RetentionReview, RetentionReview.status == "keep"),
        ),
        (
            "breach",
            f"/rights/breaches/{breach_id}",
            {"step": "notify", "notified_at": clock.now().strftime("%Y-%m-%dT%H:%M"), "late_reason": KEPT},
            saved(Breach, Breach.notified_at.is_not(None)),
        ),
    ]


@pytest.mark.parametrize("act", ["agreement", "dossier", "retention", "review", "breach"])
def test_a_stale_step_up_refuses_the_act_beside_the_code_field_and_keeps_the_text(app, officer, monkeypatch, act):
    _name, path, data, was_saved = next(a for a in _acts(app, officer) if a[0] == act)
    _stale(monkeypatch)
    page = officer.get(path).get_data(as_text=True)
    assert "stepup_code" in page  # the field is asked for before the officer types
    missing = officer.post(path, data=data)
    body = missing.get_data(as_text=True)
    assert missing.status_code == 200 and STALE in body and "stepup_code-error" in body
    assert KEPT in body and not was_saved()
    wrong = officer.post(path, data=dict(data, **{_field(data): "000000"}))
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and "Mã xác thực không đúng" in body and KEPT in body and not was_saved()
    assert "000000" not in body  # a code is never echoed back
    right = officer.post(path, data=dict(data, **{_field(data): _next_code(officer.user)}))
    assert right.status_code == 303 and was_saved()


def _field(data: dict) -> str:
    return "closed_case-stepup_code" if "closed_case-months" in data else "stepup_code"


def test_a_fresh_step_up_lets_the_act_through_without_a_code_and_a_right_code_keeps_it_fresh(app, officer, monkeypatch):
    from app.audit.models import AuditEntry
    from app.privacy.models import TransferAgreement

    acts = {name: (path, data) for name, path, data, _ in _acts(app, officer)}
    path, data = acts["agreement"]
    assert "stepup_code" not in officer.get(path).get_data(as_text=True)  # fresh: not even asked
    assert officer.post(path, data=data).status_code == 303
    assert _count(app, TransferAgreement) == 1
    _stale(monkeypatch)
    refused = officer.post(path, data=dict(data, reference="06/2026/SYT"))
    assert refused.status_code == 200 and _count(app, TransferAgreement) == 1
    given = officer.post(path, data=dict(data, reference="06/2026/SYT", stepup_code=_next_code(officer.user)))
    assert given.status_code == 303 and _count(app, TransferAgreement) == 2
    # the right code made the session fresh again: the next act within five minutes needs none
    path, data = acts["breach"]
    assert officer.post(path, data=data).status_code == 303
    with app.app_context():
        steps = [e.result for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.step_up"))]
        db.session.remove()
    assert steps == ["ok"]


def test_an_officer_without_an_authenticator_where_one_is_required_is_told_to_enrol(app, make_user, login):
    from app.auth import stepup

    app.config["TOTP_REQUIRED"], saved = True, app.config["TOTP_REQUIRED"]
    try:
        client = app.test_client()
        login(client, make_user("dpo", "11"))
        with app.test_request_context():
            from app.auth.models import User

            user = db.session.scalar(select(User).where(User.username.like("dpo%")))
            assert stepup.needed(user) and not user.totp_enabled
            message = stepup.inline_check(user, "123456")
            db.session.remove()
        assert message and "chưa bật xác thực hai bước" in message
    finally:
        app.config["TOTP_REQUIRED"] = saved


class _Ids(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id" and value]


def _duplicate_ids(html: str) -> list[str]:
    ids = _Ids(html).ids
    return sorted({i for i in ids if ids.count(i) > 1})


def test_pages_with_step_up_forms_have_unique_ids_when_the_code_is_asked_and_shown_again(app, officer, monkeypatch):
    """Several forms on one page each ask for the code once the step-up is stale (two agreements to end, two
    dossier versions to mark sent, two reviews to decide, beside the form for a new one): each code field, its
    label and its error have their own id, so a label or an error never points at another form's field."""
    acts = {name: (path, data) for name, path, data, _ in _acts(app, officer)}
    path, data = acts["agreement"]
    for reference in ("07/2026/SYT", "08/2026/SYT"):
        assert officer.post(path, data=dict(data, reference=reference)).status_code == 303
    path, data = acts["dossier"]
    for reason in ("initial", "other"):
        assert officer.post(path, data=dict(data, reason=reason)).status_code == 303
    _review(app, "y" * 36)  # a second review beside the one _acts made
    _stale(monkeypatch)
    with monkeypatch.context() as csrf_on:  # each form's CSRF token drawn too (the tests' app leaves CSRF off)
        csrf_on.setitem(app.config, "WTF_CSRF_ENABLED", True)
        pages = {name: officer.get(path).get_data(as_text=True) for name, (path, _) in acts.items()}
    assert "csrf_token" in pages["breach"]
    for name, (path, data) in acts.items():  # shown again: the code was missing
        pages[f"{name} shown again"] = officer.post(path, data=data).get_data(as_text=True)
    for name, page in pages.items():
        assert page.count('name="stepup_code"') + page.count('-stepup_code"') >= 1, name
        assert _duplicate_ids(page) == [], f"{name}: duplicate ids"
    assert pages["agreement"].count('name="stepup_code"') >= 3  # the new agreement's and each of the two to end
    assert pages["dossier"].count('name="stepup_code"') >= 3
    assert pages["review"].count('name="stepup_code"') >= 2
