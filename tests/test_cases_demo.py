"""The demo seeder: fictitious cases spread over the trusted addresses, with their ledger, plan and follow-ups."""

from sqlalchemy import func, select

from app.extensions import db


def test_seed_makes_readable_fictitious_cases_across_units_with_overdue_followups(app, ctx, make_user):
    from datetime import date

    from app.cases import demo
    from app.cases.models import Case, Consent, FollowUp

    make_user("counsellor", "TA-02")
    app.config["DEMO_CASE_COUNT"] = 60
    assert demo.seed() == 60
    db.session.remove()
    cases = db.session.scalars(select(Case)).all()
    assert len(cases) == 60
    assert len({c.code for c in cases}) == 60
    assert len({c.unit_id for c in cases}) == 7
    assert all(c.full_name.startswith("Demo ") for c in cases)
    assert db.session.scalar(select(func.count()).select_from(Consent)) >= 60
    overdue = db.session.scalar(select(func.count()).select_from(FollowUp).where(
        FollowUp.status == "open", FollowUp.due_on < date.today()))
    assert overdue > 0
    # next_followup_on matches the earliest open follow-up of every case
    for case in cases:
        earliest = db.session.scalar(select(func.min(FollowUp.due_on)).where(
            FollowUp.case_id == case.id, FollowUp.status == "open"))
        assert case.next_followup_on == earliest
    # a second run continues the numbering
    assert demo.seed(5) == 5
    assert db.session.scalar(select(func.count(func.distinct(Case.code)))) == 65
