"""The demo seeder: fictitious cases spread over the trusted addresses, with their ledger, plan and follow-ups."""

from sqlalchemy import func, select

from app import clock
from app.extensions import db


def test_seed_makes_readable_fictitious_cases_across_units_with_overdue_followups(app, ctx, make_user):

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
    overdue = db.session.scalar(
        select(func.count()).select_from(FollowUp).where(FollowUp.status == "open", FollowUp.due_on < clock.today())
    )
    assert overdue > 0
    # next_followup_on matches the earliest open follow-up of every case
    for case in cases:
        earliest = db.session.scalar(
            select(func.min(FollowUp.due_on)).where(FollowUp.case_id == case.id, FollowUp.status == "open")
        )
        assert case.next_followup_on == earliest
    # a second run continues the numbering
    assert demo.seed(5) == 5
    assert db.session.scalar(select(func.count(func.distinct(Case.code)))) == 65


def test_seed_demo_at_benchmark_size_scales_plans_and_referrals_and_every_page_answers(app, make_user, login):
    """`seed-demo --cases N` past BULK_FROM_CASES: plans and referrals grow with N, over the units and years, in
    every state, valid for the budget and the consent rules; the benchmark's users can open every page."""

    from app.auth.models import User
    from app.cases.models import Case, Consent
    from app.demo import BULK_FROM_CASES
    from app.directory.models import Service
    from app.extensions import utcnow
    from app.livelihood import budget
    from app.livelihood import models as lv
    from app.livelihood.demo import PLAN_PER_CASES
    from app.referrals import models as rf
    from app.referrals.demo import REFERRAL_PER_CASES

    n = 600
    assert n >= 3 * BULK_FROM_CASES
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo", "--cases", str(n)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        db.session.remove()
        trafficking = db.session.scalar(
            select(func.count()).select_from(Case).where(Case.kind.in_(("trafficking", "both")))
        )
        plans = db.session.scalars(select(lv.LivelihoodPlan)).all()
        referrals = db.session.scalars(select(rf.Referral)).all()
        # in proportion, on top of the curated rows (at most 7 plans and 8 referrals)
        assert trafficking // PLAN_PER_CASES <= len(plans) <= trafficking // PLAN_PER_CASES + 7
        assert n // REFERRAL_PER_CASES <= len(referrals) <= n // REFERRAL_PER_CASES + 8
        assert {p.status for p in plans} == set(lv.STATUSES)
        assert {r.status for r in referrals} == set(rf.STATUSES)
        case_units = set(db.session.scalars(select(Case.unit_id).distinct()))
        assert {r.sender_unit_id for r in referrals} == case_units  # every unit with cases, not only the cast's
        assert len({p.case.unit_id for p in plans}) >= 5
        assert len({r.sent_at.year for r in referrals}) >= 2 and len({p.created_at.year for p in plans}) >= 2
        now, today = utcnow(), clock.today()
        assert any(r.is_overdue(now) for r in referrals)
        assert any(r.status == "sent" and r.idempotency_key.startswith("demo-bulk-") for r in referrals)
        assert len({r.agency_id for r in referrals}) >= 3
        for referral in referrals:
            case = db.session.get(Case, referral.case_id)
            consent = db.session.get(Consent, referral.consent_id)
            assert consent.agency_id == referral.agency_id and consent.is_valid(clock.local_date(referral.sent_at))
            assert referral.agency.is_current(clock.local_date(referral.sent_at))  # never to a body closed by then
            service = db.session.get(Service, referral.service_id)
            assert service.unit_id == referral.agency_id and service.is_live(clock.local_date(referral.sent_at))
            assert case.opened_on <= clock.local_date(referral.sent_at) and referral.sent_at <= now
            if referral.status in ("declined", "completed", "withdrawn"):  # packets die with the referral
                assert referral.packet_destroyed_at is not None and referral.packets[0].is_erased
            else:
                assert referral.packets[0].content["values"]["code"] == case.code  # its own key opens it
        for plan in plans:
            assert clock.local_date(plan.created_at) >= plan.case.opened_on and plan.updated_at <= now
            assert plan.disbursed <= (plan.amount_approved or 0)
            assert all(d.paid_on <= today for d in plan.disbursements)
            assert all(v.visited_on <= today for v in plan.visits)
            assert (plan.decided_by_id is not None) == (plan.status not in ("draft", "submitted"))
        for year in {p.budget_year for p in plans if p.budget_year}:
            pool = budget.pool_of(plans[0].case.unit)
            funds = budget.budget_for(year, pool)
            assert 0 <= funds.committed <= funds.total, year
        bench_reviewer = db.session.scalar(select(User).where(User.username == "huyen.hoi"))
        assert bench_reviewer is not None
        plan_id = next(p.id for p in plans if p.status == "completed")
        referral_id = next(r.id for r in referrals if r.status == "services_recorded" and r.agency.code == "AG-SYT-11")
        db.session.remove()
    # the benchmark's users (bench/run.py creates them at these units after seeding)
    pages = {
        ("counsellor", "TA-02"): ("/cases/", "/referrals/", "/livelihood/"),
        ("district_reviewer", "099"): ("/livelihood/", "/livelihood/overview", f"/livelihood/{plan_id}"),
        ("agency_officer", "AG-SYT-11"): ("/referrals/", f"/referrals/{referral_id}"),
        ("monitor", "11"): ("/indicators/", "/indicators/export.xlsx"),
    }
    for (role, unit_code), paths in pages.items():
        client = app.test_client()
        login(client, make_user(role, unit_code))
        for path in paths:
            assert client.get(path).status_code == 200, (role, path)
        if role == "district_reviewer":
            for year in (today.year - 2, today.year):
                assert client.post("/livelihood/overview/export", data={"year": year}).status_code == 200
