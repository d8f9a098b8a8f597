"""Consent for statistics counts: when the survivor withdraws it, the case leaves every derived figure (the
indicator module's case-derived counts and the protection statistics) from the next computation on, and a new
statistics consent brings it back (Law 91/2025; Decree 356/2025 Art. 6; legal-2026.md §5)."""

from datetime import date

import time_machine
from protection_support import make_world, user, vn
from sqlalchemy import select

from app.extensions import db

TODAY = date(2026, 12, 7)


def _figures(app) -> tuple[int, int, int]:
    """Survivors supported by TA-02 in 2026, cases with physical violence in 2026, and referrals sent."""
    from app.indicators import derived
    from app.protection import stats
    from app.units.queries import by_code, scope_ids

    with app.test_request_context():
        support = derived.trusted_address_support(scope_ids(by_code("TA-02")), 2026)
        forms = next(t for t in stats.tables(by_code("03295"), 2026, frozenset()) if t.key == "forms")
        referrals = derived.referrals_by_agency(scope_ids(by_code("03295")), 2026)
        sent = referrals.col_totals[0].value if referrals.col_totals else 0
        db.session.remove()
        return support.grand.value, forms.col_totals[0].value, sent


def _with_incident_and_referral(app, world) -> None:
    from app.cases.models import Case
    from app.protection import services
    from app.referrals import services as referrals
    from app.units.queries import by_code

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        case, actor = db.session.get(Case, world.case_id), user(world.counsellor_id)
        services.add_incident(
            case, {"occurred_on": date(2026, 11, 1), "place_type": "home", "forms": ["physical"]}, actor=actor
        )
        referrals.send_referral(
            case,
            {
                "idempotency_key": f"stats-{case.id}",
                "agency_id": by_code("AG-PVHXH-03295").id,
                "services": ["vocational_training"],
                "urgency": "normal",
                "fields": ["age_band"],
                "emergency": True,
                "emergency_reason": "Nguy hiểm đến tính mạng",
            },
            actor=actor,
        )
        db.session.commit()


def _consent(client, case_id, purpose="statistics"):
    return client.post(
        f"/cases/{case_id}/consents",
        data={
            "consent-purpose": purpose,
            "consent-method": "signed",
            "consent-given_by": "self",
            "consent-given_on": "2026-03-02",
        },
    )


def _statistics_consents(app, case_id):
    from app.cases.models import Consent

    with app.app_context():
        return list(
            db.session.scalars(select(Consent.id).where(Consent.case_id == case_id, Consent.purpose == "statistics"))
        )


def test_a_withdrawn_statistics_consent_takes_the_case_out_of_every_figure(app, client, make_user, login):
    world = make_world(app, make_user, kind="dv")
    _with_incident_and_referral(app, world)
    with time_machine.travel(vn(2026, 12, 7, 9, 0), tick=False):
        login(client, _record(app, world.counsellor_id))
        assert _consent(client, world.case_id).status_code == 303
        before = _figures(app)
        assert before[0] >= 1 and before[1] >= 1 and before[2] >= 1
        # a consent for another purpose withdrawn changes nothing
        assert _consent(client, world.case_id, "services").status_code == 303
        (consent_id,) = _statistics_consents(app, world.case_id)
        assert (
            client.post(
                f"/cases/{world.case_id}/consents/{consent_id}/withdraw",
                data={f"withdraw-{consent_id}-withdrawn_on": TODAY.isoformat()},
            ).status_code
            == 303
        )
        after = _figures(app)
        assert after == (before[0] - 1, before[1] - 1, before[2] - 1)
        # consent given again: the case counts again from the next computation on
        assert _consent(client, world.case_id).status_code == 303
        assert _figures(app) == before
    from app.audit.models import AuditEntry

    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == world.case_id)))
    assert "privacy.statistics_out" in actions and "privacy.statistics_in" in actions


def _record(app, user_id):
    """The sign-in record of the world's counsellor."""
    from helpers import PASSWORD, UserRecord

    from app.auth.models import User

    with app.app_context():
        found = db.session.get(User, user_id)
        return UserRecord(found.id, found.username, PASSWORD, "counsellor", "TA-02", None)


def test_a_restriction_keeps_the_case_out_until_it_is_lifted_whatever_the_consents(app, client, make_user, login):
    from app import clock, events
    from app.auth.models import User
    from app.cases.models import Case
    from app.rights.models import Restriction

    world = make_world(app, make_user, kind="dv")
    _with_incident_and_referral(app, world)
    before = _figures(app)

    def restriction(lift: bool):
        with app.test_request_context():
            case, actor = db.session.get(Case, world.case_id), db.session.get(User, world.counsellor_id)
            if lift:
                row = db.session.scalar(select(Restriction).where(Restriction.case_id == case.id))
                row.lifted_at, row.lift_reason = clock.now(), "request_answered"
            else:
                db.session.add(Restriction(case_id=case.id, started_by_id=actor.id))
            db.session.flush()
            events.restriction_changed.send(case, actor=actor)
            db.session.commit()

    restriction(lift=False)
    assert _figures(app) == tuple(n - 1 for n in before)
    login(client, _record(app, world.counsellor_id))
    # no new statistics consent can override it: recording one is refused while processing is restricted
    refused = _consent(client, world.case_id)
    assert refused.status_code == 200 and "hạn chế xử lý theo yêu cầu của người có dữ liệu" in refused.get_data(
        as_text=True
    )
    assert _figures(app) == tuple(n - 1 for n in before)
    restriction(lift=True)
    assert _figures(app) == before
