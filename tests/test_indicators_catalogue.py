"""The catalogue that `setup` loads equals the plan's numbers (section III, section V, section VI, Phụ biểu)."""

from datetime import date

from indicators_helpers import indicator
from sqlalchemy import func, select

from app.extensions import db

# Section III of the Tuần Giáo plan (11/2022), as the issue lists it.
PLAN_TARGETS = {
    "CT1": 85,
    "CT2": 23,
    "CT2.1": 15,
    "CT2.2": 15,
    "CT2.3": 14,
    "CT3": 2,
    "CT4": 7,
    "CT5": 80,
    "CT6": 13,
    "CT7": 37,
    "CT8": 12,
}


def test_the_catalogue_holds_the_eight_indicators_and_sub_targets_of_the_plan(app, ctx):
    from app.indicators import queries

    loaded = {i.code: i.phase_target for i in queries.indicators()}
    assert loaded == PLAN_TARGETS
    assert indicator("CT2.1").parent_code == "CT2" and indicator("CT2.1").kind == "percent"
    assert indicator("CT1").kind == "stock" and indicator("CT1").model_kind == "communication_team"
    assert indicator("CT4").model_kind == "trusted_address" and indicator("CT6").model_kind == "leaders_of_change_club"
    assert indicator("CT5").is_percent and "sex" not in indicator("CT5").disaggregation
    # Stock indicators are derived from the registry, never typed; CT5, CT7 and CT8 are reported.
    assert sorted(i.code for i in queries.indicators() if not i.derived) == ["CT5", "CT7", "CT8"]


def test_the_budget_envelope_and_the_activity_table_are_loaded(app, ctx):
    from app.indicators import catalogue_data as data
    from app.indicators import services
    from app.indicators.models import IndicatorActivity

    assert services.plan().budget_total == 12_380_000_000
    assert (services.plan().phase_start, services.plan().phase_end) == (2021, 2025)
    count = db.session.scalar(select(func.count()).select_from(IndicatorActivity))
    assert count == len(data.ACTIVITIES) + len(data.ACTIVITY_GROUPS)
    row = db.session.scalar(select(IndicatorActivity).where(IndicatorActivity.code == "II.3.2"))
    assert row.lead_district == "Hội LHPN huyện" and row.coordinating_district == "Phòng LĐ-TB&XH, Phòng VH-TT"
    assert row.lead_commune == "Hội LHPN xã" and row.indicator_codes == ["CT4"]


def test_loading_again_changes_nothing(app, ctx):
    from app.indicators import services
    from app.indicators.models import IndicatorActivity, IndicatorDef

    before = [(i.id, i.phase_target) for i in db.session.scalars(select(IndicatorDef).order_by(IndicatorDef.code))]
    services.load_catalogue()
    services.load_catalogue()
    db.session.commit()
    after = [(i.id, i.phase_target) for i in db.session.scalars(select(IndicatorDef).order_by(IndicatorDef.code))]
    assert before == after
    assert db.session.scalar(select(func.count()).select_from(IndicatorActivity)) > 50


def test_deadlines_are_the_plans_and_configurable(app):
    from app.indicators import services

    with app.test_request_context():
        assert services.default_due(2024, "preliminary", "commune") == date(2024, 9, 5)
        assert services.default_due(2024, "update", "commune") == date(2025, 1, 20)
        assert services.default_due(2024, "preliminary", "district") == date(2024, 9, 10)
        assert services.default_due(2024, "update", "district") == date(2025, 1, 25)
        app.config["INDICATOR_DEADLINES"] = {"commune_preliminary": (9, 10)}
        try:
            assert services.default_due(2024, "preliminary", "commune") == date(2024, 9, 10)
        finally:
            app.config.pop("INDICATOR_DEADLINES")
