"""The 2022 plan as data gives every figure of the reports it gave as Python constants.

`tests/data/plans_golden_2022.json` was written by this test against the code of 7 Dec 2026, BEFORE plans became
rows (commit 0f4fb32, `PHASE = (2021, 2025)` and `catalogue_data` loaded into one hard-coded plan): the indicator
demo seeded at a frozen clock, then the dashboard's figures (district, province, one commune; phase and year
targets), the review queues, the target cascade, the budget summary, the cells of every sheet of the Excel
export and the numbers of the dashboard and reports pages. After the change the same demo must give the same
values, cell for cell. Regenerate only on purpose: `PLANS_GOLDEN_WRITE=1 pytest tests/test_plans_equivalence.py`.
"""

import json
import os
import re
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from helpers import app_config, build_app
from indicators_helpers import unit
from openpyxl import load_workbook

from app.extensions import db

GOLDEN = Path(__file__).parent / "data" / "plans_golden_2022.json"
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 in Điện Biên, a Tuesday
CAST = (
    ("huyen.hoi", "district_reviewer", "099"),
    ("baocao.quaito", "reporter", "03295"),
    ("baocao.huyen", "reporter", "099"),
    ("tinh.hoi", "district_reviewer", "11"),
)


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def _figures(root_code: str, year: int, target_year, only=None) -> list:
    from app.indicators import figures

    report = figures.build(unit(root_code), year, target_year=target_year, only=unit(only) if only else None)
    return [
        [
            row.indicator.code,
            f.unit.code,
            f.target,
            f.value,
            f.denominator,
            _plain(f.achieved),
            _plain(f.rate),
            f.provisional,
        ]
        for row in report.rows
        for f in row.lines
    ]


def _submissions(cycle):
    from sqlalchemy import select

    from app.indicators.models import Submission

    return db.session.scalars(select(Submission).where(Submission.cycle_id == cycle.id)).unique().all()


def _queues() -> dict:
    from app.indicators import queries

    out = {}
    for cycle in queries.cycles():
        key = f"{cycle.year}-{cycle.round}"
        out[key] = {
            "due": [cycle.commune_due_on.isoformat(), cycle.district_due_on.isoformat()],
            "communes": [
                [r.unit.code, r.state, r.due_on.isoformat(), r.late_days] for r in queries.queue(cycle, unit("099"))
            ],
            "districts": [
                [r.unit.code, r.state, r.due_on.isoformat(), r.late_days]
                for r in queries.district_queue(cycle, unit("11"))
            ],
            "values": sorted(
                [s.unit.code, s.status, v.indicator.code, v.value_kind, v.value, v.denominator, v.from_registry]
                for s in _submissions(cycle)
                for v in s.values
            ),
        }
    return out


def _cascade() -> dict:
    from app.indicators import queries

    out = {}
    for year in (None, 2024, 2025):
        day = date(year, 12, 31) if year else date(2025, 6, 30)
        communes = queries.communes_of(unit("099"), day)
        out[str(year)] = [
            [c.indicator.code, c.parent_target, c.commune_sum, c.state]
            for c in queries.cascade(unit("099"), communes, year)
        ]
    return out


def _budget() -> dict:
    from app.indicators import services
    from app.units.queries import scope_ids

    summary = services.budget_summary(scope_ids(unit("099")))
    return {
        "by_year": {str(k): v for k, v in summary["by_year"].items()},
        "by_source": summary["by_source"],
        "totals": summary["totals"],
        "envelope": summary["envelope"],
        "unplanned": summary["unplanned"],
    }


def _cells(content: bytes) -> dict:
    book = load_workbook(BytesIO(content))
    return {sheet.title: [[_plain(c.value) for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def _export(root_code: str, year: int, target_year, only=None) -> dict:
    from app.indicators import derived, figures
    from app.indicators.export import workbook
    from app.units.queries import scope_ids

    report = figures.build(unit(root_code), year, target_year=target_year, only=unit(only) if only else None)
    tables = derived.tables(scope_ids(report.root), report.communes, year, viewer_units=frozenset())
    return _cells(workbook(report, tables))


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A database of this module's own: the worker's shared one keeps the units other tests add (reference
    data survives the per-test wipe), and a district made by another test would show up in these reports."""
    return build_app(app_config(tmp_path_factory))


def _numbers(html: str, start: str) -> list[str]:
    """The numbers shown in a page's region (from the element with `start` to the page's end)."""
    region = html.split(start, 1)[1] if start in html else html
    typed = re.findall(r'data-target-value="(\d*)"', region)  # the target grid's cells (inputs or read-only)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(form|select)\b.*?</\1>", " ", region))
    return typed + re.findall(r"\d[\d.,]*%?", text)


def _capture(app, client, login, make_user) -> dict:
    users = {name: make_user(role, code, username=name) for name, role, code in CAST}
    with app.test_request_context():
        from app.indicators import demo

        demo.seed()
        db.session.commit()
    captured: dict = {}
    with app.test_request_context():
        captured["figures"] = {
            f"{root}-{year}-{ty}-{only}": _figures(root, year, ty, only)
            for root, year, ty, only in (
                ("099", 2025, None, None),
                ("099", 2025, 2025, None),
                ("099", 2024, None, None),
                ("11", 2025, None, None),
                ("11", 2024, 2024, None),
                ("099", 2025, None, "03295"),
            )
        }
        captured["queues"] = _queues()
        captured["cascade"] = _cascade()
        captured["budget"] = _budget()
        captured["export"] = {
            f"{root}-{year}-{ty}": _export(root, year, ty)
            for root, year, ty in (("099", 2025, None), ("099", 2024, 2024), ("11", 2025, None))
        }
    pages = {}
    for name, paths in (
        (
            "huyen.hoi",
            (
                "/indicators/?year=2025",
                "/indicators/?year=2024&targets=year",
                "/indicators/targets",
                "/indicators/targets?year=2025",
                "/indicators/budget",
            ),
        ),
        ("tinh.hoi", ("/indicators/?year=2025",)),
    ):
        login(client, SimpleNamespace(username=name, password=users[name].password))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            pages[f"{name} {path}"] = _numbers(
                response.get_data(as_text=True),
                'id="indicator-figures"' if "targets" not in path and "budget" not in path else "<main",
            )
        client.post("/auth/logout")
    captured["pages"] = pages
    return json.loads(json.dumps(captured, ensure_ascii=False, default=str))


def _compact(captured: dict) -> str:
    """One line per section key: small enough to read a change in a diff."""
    lines = []
    for section in sorted(captured):
        body = captured[section]
        if isinstance(body, dict) and section != "budget":
            inner = ",\n".join(f"  {json.dumps(k)}: {json.dumps(body[k], ensure_ascii=False)}" for k in sorted(body))
            lines.append(f" {json.dumps(section)}: {{\n{inner}\n }}")
        else:
            lines.append(f" {json.dumps(section)}: {json.dumps(body, ensure_ascii=False, sort_keys=True)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def test_every_figure_of_the_2022_plan_reports_is_unchanged(app, client, login, make_user):
    with time_machine.travel(NOW, tick=False):
        captured = _capture(app, client, login, make_user)
    if os.environ.get("PLANS_GOLDEN_WRITE") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(_compact(captured), encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for section in sorted(expected):
        if isinstance(expected[section], dict):
            for key in sorted(expected[section]):
                assert captured[section].get(key) == expected[section][key], f"{section} / {key}"
        assert captured[section] == expected[section], section
