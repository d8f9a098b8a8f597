"""The demo seeder: fictitious models, targets, budget lines and a cycle with reports in several states."""

from sqlalchemy import func, select

from app.extensions import db


def test_the_demo_seeds_models_targets_budget_and_reports_once(app, make_user):
    make_user("district_reviewer", "099", username="huyen.hoi")
    make_user("reporter", "03295", username="baocao.quaito")
    from app.indicators import demo
    from app.indicators.models import BudgetLine, RegistryEntry, Submission
    with app.test_request_context():
        demo.seed()
        db.session.commit()
        demo.seed()  # a second run adds nothing
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(RegistryEntry)) == 30
        assert all("(demo)" in e.name for e in db.session.scalars(select(RegistryEntry)))
        statuses = sorted(s.status for s in db.session.scalars(select(Submission)))
        assert statuses == ["confirmed", "draft", "returned", "submitted"]
        assert db.session.scalar(select(func.count()).select_from(BudgetLine)) == 2
