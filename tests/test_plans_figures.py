"""A plan's indicators fed by a value source (an area's register) and by a formula: counted, never typed; the
source's figure over the report's period is frozen into the report when it is sent."""

from datetime import date

import pytest
from indicators_helpers import active_plan, typed_values, unit

from app import valuesources
from app.extensions import db


@pytest.fixture
def dialogues():
    """A register of dialogues: 2 per commune per quarter (so the year counts 8)."""
    asked = []

    @valuesources.value_source("test:dialogues", label="Đối thoại (thử)")
    def _count(units, start, end):
        asked.append((start, end))
        communes = len([u for u in units if u])
        quarters = (end.month - start.month) // 3 + 1
        return valuesources.SourceValue(2 * quarters * min(communes, 1), breakdown={"sex": {"female": 1}})

    yield asked
    valuesources._SOURCES.pop("test:dialogues")


def test_source_and_formula_indicators_are_counted_and_frozen_into_the_report(app, dialogues):
    from app.indicators import figures, plans, services

    with app.test_request_context():
        plan = active_plan(activate=False)
        plans.save_indicator(
            plan,
            None,
            {
                "code": "CT9",
                "name": "Đối thoại từ sổ sự kiện",
                "kind": "count",
                "phase_target": 40,
                "source": "test:dialogues",
            },
            actor="test",
        )
        plans.save_indicator(
            plan,
            None,
            {"code": "CT10", "name": "Gấp đôi đối thoại", "kind": "count", "phase_target": 80, "formula": "CT9 * 2"},
            actor="test",
        )
        plans.save_cycle_rule(
            plan,
            None,
            {"frequency": "quarterly", "round": "quarter", "level": "commune", "working_days": 10},
            actor="test",
        )
        plans.activate(plan, actor="test")
        commune = unit("2025-03295")
        report = figures.build(commune, 2026, only=commune)
        rows = {r.indicator.code: r.total for r in report.rows}
        assert rows["CT9"].value == 8 and rows["CT10"].value == 16.0 and rows["CT9"].target is None
        assert (date(2026, 1, 1), date(2026, 12, 31)) in dialogues
        cycle = services.open_cycle(2026, "quarter", period="Q2", actor="test")
        assert (cycle.period_start, cycle.period_end) == (date(2026, 4, 1), date(2026, 6, 30))
        sub = services.start_submission(cycle, commune, actor="test")
        values = typed_values(cycle)
        assert not [k for k in values if k[0] in {i.id for i in plans.indicators(plan) if i.code in ("CT9", "CT10")}]
        services.save_draft(sub, values, {}, actor="test")
        services.submit(sub, actor="test")
        ct9 = next(i for i in plans.indicators(plan) if i.code == "CT9")
        frozen = sub.value(ct9.id, "actual")
        assert frozen.value == 2 and frozen.from_registry  # the quarter's two dialogues, as sent
        assert (date(2026, 4, 1), date(2026, 6, 30)) in dialogues
        db.session.commit()
