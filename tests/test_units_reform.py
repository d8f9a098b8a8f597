"""The 2025 reform in the report queues: a cycle expects reports only from the communes that exist in its period
(Unit.exists_between), so an abolished district's 2026 queue does not list its old communes; 2024 and 2025 still
do."""

import re
from datetime import date

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


# --- the trusted addresses follow their commune's merger (reference data, `reform_trusted_addresses`) ----------

OLD_ADDRESS, NEW_ADDRESS = "TA-02", "2025-TA-02"  # Quài Tở: 03295 → 2025-03295


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_each_trusted_address_of_a_merged_commune_has_its_successor(app, ctx):
    from sqlalchemy import select

    from app.units.models import UnitLineage
    from app.units.reference_data import SUCCESSOR

    for n in range(1, 8):
        old, new = unit(f"TA-0{n}"), unit(f"2025-TA-0{n}")
        assert old.valid_to == date(2025, 6, 30) and new.valid_from == date(2025, 7, 1) and new.valid_to is None
        assert new.kind == old.kind == "trusted_address"
        assert new.parent.code == SUCCESSOR[old.parent.code] and new.path == f"/11/{new.parent.code}/{new.code}/"
        assert not old.is_current() and new.is_current()
        link = db.session.scalar(select(UnitLineage).where(UnitLineage.old_id == old.id))
        assert link.new_id == new.id and link.effective == date(2025, 7, 1)


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_a_recorded_case_keeps_its_address_and_the_new_communes_people_reach_it(app, client, make_user, login):
    from indicators_helpers import make_case
    from indicators_helpers import user as load_user

    from app.cases.models import Case
    from app.units.services import load_reference

    counsellor = make_user("counsellor", NEW_ADDRESS)
    with app.test_request_context():
        # recorded at the old address before the merger (the counsellor covers it through the lineage)
        old_case = make_case(load_user(counsellor.id), OLD_ADDRESS, opened_on=date(2025, 3, 1)).id
        db.session.commit()
        load_reference()  # the loader run again (a later `setup`): nothing recorded moves
        db.session.commit()
        assert db.session.get(Case, old_case).unit_id == unit(OLD_ADDRESS).id
        old_id, new_id = unit(OLD_ADDRESS).id, unit(NEW_ADDRESS).id

    login(client, counsellor)
    assert client.get(f"/cases/{old_case}").status_code == 200  # the successor's counsellor reaches it
    # intake offers the address in force today only
    html = client.get("/cases/new").get_data(as_text=True)
    assert re.search(rf'value="{new_id}"', html) and not re.search(rf'value="{old_id}"', html)
    client.post("/auth/logout")  # the new commune's supervisor reaches it too
    login(client, make_user("supervisor", "2025-03295"))
    assert client.get(f"/cases/{old_case}").status_code == 200
    # the other new communes' people do not
    client.post("/auth/logout")
    login(client, make_user("supervisor", "2025-03268"))
    assert client.get(f"/cases/{old_case}").status_code == 404


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_2026_figures_have_a_line_for_the_new_commune_with_its_cases_and_none_for_an_old_one(app, make_user):
    from indicators_helpers import make_case
    from indicators_helpers import user as load_user

    from app.indicators import derived
    from app.statistics import circular07
    from app.units.queries import scope_ids

    counsellor = make_user("counsellor", NEW_ADDRESS)
    with app.test_request_context():
        actor = load_user(counsellor.id)
        for n in range(3):
            make_case(actor, NEW_ADDRESS, opened_on=date(2026, 2, 1 + n), n=n)
        make_case(actor, OLD_ADDRESS, opened_on=date(2025, 3, 1), n=9)  # history, still open in 2026
        db.session.commit()

        report = circular07.build(unit("11"), 2026)
        codes = [c.code for c in report.communes]
        assert "2025-03295" in codes and not set(codes) & {u for u in codes if re.fullmatch(r"0\d{4}", u)}
        line = codes.index("2025-03295")
        received = dict(report.sections)[str(circular07.ADDRESS_TITLE)]
        assert received.cells[line][0].value >= 3  # the cases opened at 2025-TA-02 in 2026
        assert report.addresses[line] == 1  # one address operating in the new Quài Tở in 2026

        # 2025: TA-02 until 30/06, 2025-TA-02 from 01/07 — the same address, operating once
        assert circular07.build(unit("11"), 2025).addresses[line] == 1

        # "survivors supported by trusted addresses": one line for the address, its successor's, holding the
        # three 2026 cases and the old address's case still open in 2026
        table = derived.trusted_address_support(scope_ids(unit("2025-03295")), 2026)
        assert table.row_labels == [unit(NEW_ADDRESS).name] and table.row_totals[0].value == 4
        assert unit(OLD_ADDRESS).id in table.row_totals[0].units
        table = derived.trusted_address_support(scope_ids(unit("2025-03295")), 2025)
        assert len(table.row_labels) == 2  # both existed in 2025, each with its own half-year


# --- the demo on the reference data -------------------------------------------------------------------------------


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_the_demo_opens_its_recent_cases_at_the_current_addresses_and_its_people_work_there(app, ctx):
    from sqlalchemy import select

    from app.auth.models import User
    from app.cases.models import Case
    from app.demo import DEMO_USERS, seed

    seed(40)
    reform = date(2025, 7, 1)
    cases = db.session.scalars(select(Case)).all()
    assert cases and any(c.opened_on >= reform for c in cases) and any(c.opened_on < reform for c in cases)
    for case in cases:
        address = case.unit
        assert address.kind == "trusted_address" and address.exists_between(case.opened_on, case.opened_on), case.code
        assert address.code.startswith("2025-") == (case.opened_on >= reform), case.code
    for username, _role, code in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.roles[0].unit.code == code
        if code != "099":  # the district's two keep the abolished district, whose 2021–2025 reports are theirs
            assert user.roles[0].unit.is_current(), username
    # the protection demo found its cases and their counsellors (at the new addresses, reaching the old ones)
    from app.protection.models import Incident

    assert db.session.scalar(select(Incident.id).limit(1)) is not None


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_setup_names_the_roles_left_on_a_merged_unit_by_count_only(app, ctx, make_user):
    from app.cli import roles_on_merged_units

    make_user("counsellor", OLD_ADDRESS, username="tuvan.cu")
    make_user("counsellor", OLD_ADDRESS)
    make_user("counsellor", NEW_ADDRESS)
    make_user("district_reviewer", "099")  # closed without a successor: nobody to hand it to
    found = roles_on_merged_units()
    assert ("counsellor", OLD_ADDRESS, NEW_ADDRESS, 2) in found
    assert not [row for row in found if row[1] in ("099", NEW_ADDRESS)]
    assert "tuvan.cu" not in repr(found)


# --- the benchmark's people work at units in force -------------------------------------------------------------


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_the_bench_seats_its_users_at_units_in_force(app, ctx):
    """bench/run.py and bench/offline_weight.py create users as an administrator would today: never at a unit
    that ended on 30/06/2025 (TA-02, the district 099), where intake offers them nothing."""
    import importlib.util
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench"
    spec = importlib.util.spec_from_file_location("bench_run", bench / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    codes = {code for _username, _role, code in run.BENCH_USERS}
    codes |= set(re.findall(r'by_code\("([^"]+)"\)', (bench / "offline_weight.py").read_text()))
    assert "2025-TA-02" in codes
    for code in codes:
        assert unit(code).is_current(), code
