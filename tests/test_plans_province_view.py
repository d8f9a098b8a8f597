"""The province's view of a cycle: every commune's report and figures, late and missing first, and the communes
merged on 1/7/2025 shown once inside the line of their successor, never as rows "late for 455 days"."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from helpers import app_config, build_app
from indicators_helpers import active_plan, sent_report, unit

from app.extensions import db

NOW = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A database of this module's own: units other tests add (a commune of another district) survive the
    per-test wipe as reference data and would be lines of the province's view."""
    return build_app(app_config(tmp_path_factory))


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_pre_merger_cycle_shows_each_old_commune_once_under_its_successor(app, client, make_user, login):
    from app.indicators import queries, services
    from app.units.queries import merged_olds

    with time_machine.travel(datetime(2025, 1, 15, 3, 0, tzinfo=UTC), tick=False), app.test_request_context():
        cycle = services.open_cycle(2024, "update", actor="test")  # due 20/01/2025, before the merger
        sent_report(cycle, "03295", value=3, confirm_by="test-reviewer")  # on time; the others never sent
        db.session.commit()
    with time_machine.travel(NOW, tick=False):
        with app.test_request_context():
            cycle = db.session.merge(cycle)
            lines = queries.province_view(cycle, unit("11"))
            old_codes = [r.unit.code for line in lines for r in line.merged]
            assert len(old_codes) == len(set(old_codes)) == 19  # each old commune once
            assert all(not line.own for line in lines) and all(r.late_days == 0 for line in lines for r in line.merged)
            quai_to = next(line for line in lines if line.unit.code == "2025-03295")
            from app.units.models import Unit

            expected = sorted(db.session.get(Unit, i).code for i in merged_olds()[unit("2025-03295").id])
            assert sorted(r.unit.code for r in quai_to.merged) == expected == ["03280", "03295", "03304"]
            assert {r.unit.code: r.state for r in quai_to.merged}["03295"] == "confirmed"
            cycle_id = cycle.id
        login(client, make_user("district_reviewer", "11"))
        html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    table = html.split('id="commune-reports"', 1)[1].split("</table>", 1)[0]
    assert "trễ" not in table  # 16 months after the deadline, no old commune is "late"
    assert table.count('data-unit="03295"') == 1 and table.count('data-unit="2025-03295"') == 1
    assert "xã cũ Xã Quài Tở" in table and "CT7: 3" in table  # its state and its figures
    assert "không gửi trước khi sáp nhập" in table


def test_the_current_cycle_lists_late_and_missing_communes_first_with_their_figures(app, client, make_user, login):
    from app.indicators import queries, services

    with time_machine.travel(NOW, tick=False):
        with app.test_request_context():
            plan = active_plan()
            from app.indicators import plans

            plans.save_cycle_rule(
                plan,
                None,
                {"frequency": "quarterly", "round": "quarter", "level": "commune", "working_days": 10},
                actor="test",
            )
            cycle = services.open_cycle(2026, "quarter", period="Q1", actor="test")
            assert cycle.commune_due_on == date(2026, 4, 14) and cycle.plan_id == plan.id
            sent_report(cycle, "2025-03268", value=2)
            db.session.commit()
            lines = queries.province_view(cycle, unit("11"))
            assert all(line.own and not line.merged for line in lines)  # after the merger: the new communes
            late = [line for line in lines if line.late_days]
            assert late and lines[: len(late)] == late and all(line.late_days == 36 for line in late)
            assert lines[-1].unit.code == "2025-03268" and lines[-1].state == "submitted"
            cycle_id = cycle.id
        login(client, make_user("district_reviewer", "11"))
        html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    table = html.split('id="commune-reports"', 1)[1].split("</table>", 1)[0]
    assert "trễ 36 ngày" in table and "hạn xã gửi tỉnh: 14/04/2026" in html
    rows = re.findall(r'data-unit="([^"]+)"', table)
    assert rows[-1] == "2025-03268" and "CT7: 2" in table and "quý 1" in html
