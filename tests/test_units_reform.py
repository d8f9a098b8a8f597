"""The 2025 reform in the report queues: a cycle expects reports only from the communes that exist in its period
(Unit.exists_between), so an abolished district's 2026 queue does not list its old communes; 2024 and 2025 still
do."""

import re

import pytest
from indicators_helpers import active_plan, unit

from app.extensions import db

OLD_COMMUNES = ("03253", "03295", "03268", "03271", "03298")
NEW_COMMUNES = ("2025-03253", "2025-03295", "2025-03268", "2025-03260", "2025-03283")


def _open(year: int, round_: str = "preliminary"):
    from app.indicators import services

    cycle = services.open_cycle(year, round_, actor="test")
    db.session.commit()
    return cycle


def _expected(cycle, root_code: str) -> set[str]:
    from app.indicators import queries

    return {c.code for c in queries.expected_communes(cycle, unit(root_code))}


def test_a_2026_cycle_expects_no_abolished_commune(app):
    from app.indicators import district, queries

    with app.test_request_context():
        active_plan()
        cycle = _open(2026)
        assert not _expected(cycle, "099") & set(OLD_COMMUNES)
        assert queries.queue(cycle, unit("099")) == []  # the abolished district has no commune left to report
        assert not any(
            row.unit.code in OLD_COMMUNES for line in queries.province_view(cycle, unit("11")) for row in line.rows
        )
        province = _expected(cycle, "11")
        assert set(NEW_COMMUNES) <= province and not province & set(OLD_COMMUNES)
        assert district.coverage(cycle, unit("099")).communes == []


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_2024_or_2025_cycle_still_expects_the_old_communes(app):
    from app.indicators import queries

    with app.test_request_context():
        for year in (2024, 2025):
            cycle = _open(year, "update")
            assert set(OLD_COMMUNES) <= _expected(cycle, "099"), year
            assert set(OLD_COMMUNES) <= {row.unit.code for row in queries.queue(cycle, unit("099"))}, year
        # 2025: the old communes existed until 30/06 and the new ones from 01/07; the province sees each once
        lines = queries.province_view(cycle, unit("11"))
        assert {line.unit.code for line in lines} >= set(NEW_COMMUNES)
        assert not {line.unit.code for line in lines} & set(OLD_COMMUNES)


def test_the_district_reviewers_2026_reports_page_lists_no_old_commune(app, client, make_user, login):
    with app.test_request_context():
        active_plan()
        cycle_id = _open(2026).id
    login(client, make_user("district_reviewer", "099"))
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert not re.search(r'data-unit="0\d{4}"', html)
    assert "Không có xã nào trong phạm vi." in html
