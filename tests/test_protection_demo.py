"""The demo seeder shows every part of protection casework on TA-02's demo cases, through the services."""

from sqlalchemy import func, select

from app.extensions import db


def test_seed_demo_adds_recurring_incidents_an_order_with_renewal_and_exception_and_an_identification(
    app, make_user, login
):
    from app import demo, workqueue
    from app.auth.models import User
    from app.protection.models import (
        Entitlement,
        ExceptionContact,
        Identification,
        Incident,
        NoContactOrder,
        RiskAssessment,
    )

    with app.test_request_context():
        logins = demo.seed(24)
        assert any(role == "supervisor" for _, role, _ in logins)
        orders = db.session.scalars(select(NoContactOrder)).all()
        renewals = [o for o in orders if o.renewal_of_id]
        assert len(renewals) == 1 and renewals[0].renewal_of.has_ended()
        assert any(o.status == "requested" for o in orders)  # a 12-hour clock is running
        assert (
            db.session.scalar(
                select(func.count()).select_from(ExceptionContact).where(ExceptionContact.status == "pending")
            )
            == 1
        )
        assert db.session.scalar(select(func.count()).select_from(Incident)) >= 5
        ident = db.session.scalar(select(Identification))
        assert ident.outcome == "pending" and ident.being_protected and ident.evidence
        assert db.session.scalar(select(func.count()).select_from(Entitlement)) == 2
        assert db.session.scalar(select(RiskAssessment.id).where(RiskAssessment.review_needed.is_(True)))
        supervisor = db.session.scalar(select(User).where(User.username == "giamsat.quaito"))
        kinds = {i.kind for i in workqueue.items_for(supervisor)}
        assert {"exception_cosign", "risk_review"} <= kinds
        counsellors = db.session.scalars(select(User).where(User.username.in_(("tuvan.quaito", "tuvan.muongmun"))))
        kinds = {i.kind for c in counsellors for i in workqueue.items_for(c)}
        assert {"no_contact_decision", "trafficking_verification", "risk_review"} <= kinds
        # a second run adds nothing twice
        from app.protection import demo as protection_demo

        assert protection_demo.seed() == 0
        db.session.remove()
