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


def _starts(client, cycle_id: str, unit_id: str):
    return client.post(
        "/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": unit_id}, follow_redirects=True
    )


def _report_of(cycle_id: str, code: str):
    from sqlalchemy import select

    from app.indicators.models import Submission

    return db.session.scalar(
        select(Submission).where(Submission.cycle_id == cycle_id, Submission.unit_id == unit(code).id)
    )


def test_a_commune_that_ended_before_a_cycle_gets_no_report_in_it(app, client, make_user, login):
    """Quài Tở (03295) ended on 30/06/2025: a 2026 round refuses its report in Vietnamese, through the URL too
    (its successor's reporter covers it through the lineage), and never with a 500; the new commune reports."""
    from app.indicators import services
    from app.services import ServiceError

    with app.test_request_context():
        active_plan()
        cycle = _open(2026)
        with pytest.raises(ServiceError, match="không còn hoạt động trong kỳ báo cáo của đợt này"):
            services.start_submission(cycle, unit("03295"), actor="test")
        db.session.rollback()
        cycle_id, old_id, new_id = cycle.id, unit("03295").id, unit("2025-03295").id
    for holder in ("2025-03295", "03295"):  # the new commune's reporter, and one left on the old commune
        login(client, make_user("reporter", holder))
        response = _starts(client, cycle_id, old_id)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Xã Quài Tở không còn hoạt động trong kỳ báo cáo" in html, holder
        assert "ngừng 7/2025" in html
        client.post("/auth/logout")
    with app.app_context():
        assert _report_of(cycle_id, "03295") is None
    login(client, make_user("reporter", "2025-03295"))
    response = client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": new_id})
    assert response.status_code == 303 and "/indicators/submissions/" in response.headers["Location"]


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_the_old_communes_still_report_for_2024_and_2025(app, client, make_user, login):
    with app.test_request_context():
        cycles = [_open(2024, "update").id, _open(2025).id]
        old_id = unit("03295").id
    login(client, make_user("reporter", "03295"))
    for cycle_id in cycles:
        response = client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": old_id})
        assert response.status_code == 303 and "/indicators/submissions/" in response.headers["Location"]
        with app.app_context():
            assert _report_of(cycle_id, "03295").unit.code == "03295"  # history on the old unit


def test_the_abolished_districts_2026_figures_list_no_old_commune(app, client, make_user, login):
    """The district (099) ended on 30/06/2025: its 2026 dashboard says so, with no figures, no commune lines
    (its communes' models count under their successors) and no Excel report to take; 2025 keeps them all."""
    from indicators_helpers import dashboard_rows, registry_entry

    from app.indicators import figures

    with app.test_request_context():
        active_plan()
        registry_entry("03295")
        db.session.commit()
        gone = figures.build(unit("099"), 2026)
        assert gone.communes == [] and all(r.total.value is None and not r.communes for r in gone.rows)
        kept = figures.build(unit("099"), 2025)  # the 2022 plan's last year, archived: its figures stay readable
        ct1 = next(r for r in kept.rows if r.indicator.code == "CT1")
        assert set(OLD_COMMUNES) <= {c.code for c in kept.communes} and ct1.total.value == 1
    login(client, make_user("reporter", "099"))
    html = client.get("/indicators/?year=2026").get_data(as_text=True)
    assert "Trong năm 2026 đơn vị này không còn hoạt động" in html and "Xem năm 2025" in html
    rows = dashboard_rows(html, "CT1")
    assert list(rows) == ["Huyện Tuần Giáo"] and rows["Huyện Tuần Giáo"][1] == "—"  # no commune, no zero
    assert "/indicators/export.xlsx" not in html


def _commune_left_under_a_district():
    """A commune that goes on existing in 2026 while the district its tree still names ended on 30/06/2025 (a
    district of its own, not 099: units outlive a test, and 099's queues are counted elsewhere)."""
    from app.units.queries import by_code
    from app.units.services import create_unit

    if by_code("REF-CON") is None:
        district = create_unit(
            code="REF-HUYEN",
            kind="district",
            name="Huyện Đã Bỏ",
            parent=unit("11"),
            valid_to=date(2025, 6, 30),
            actor="test",
        )
        create_unit(code="REF-CON", kind="commune", name="Xã Còn Lại", parent=district, actor="test")
    return unit("REF-CON")


def test_a_2026_commune_report_goes_to_the_province_even_under_a_district_plan(app, client, make_user, login):
    """The plan keeps the district as its middle level, but in 2026 the district no longer exists: the commune's
    report is sent to the province ("Gửi lên tỉnh"), and the reviewer who receives it is the province's, not the
    abolished district's."""
    from indicators_helpers import full_report_form

    with app.test_request_context():
        active_plan(middle_level="district")
        commune_id = _commune_left_under_a_district().id
        cycle = _open(2026)
        cycle_id, form = cycle.id, full_report_form(cycle)
    login(client, make_user("reporter", "REF-CON"))
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    assert "hạn xã gửi tỉnh" in html and "hạn xã gửi huyện" not in html  # the deadline's words too
    response = client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": commune_id})
    assert response.status_code == 303
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "Gửi lên tỉnh" in html and "Gửi lên huyện" not in html
    html = client.post(url, data={**form, "action": "submit"}, follow_redirects=True).get_data(as_text=True)
    assert "Đã gửi báo cáo lên tỉnh." in html and "Đã gửi báo cáo lên huyện." not in html
    client.post("/auth/logout")
    login(client, make_user("district_reviewer", "REF-HUYEN"))  # the abolished district's reviewer: not theirs
    assert client.post(f"{url}/confirm").status_code == 404
    client.post("/auth/logout")
    login(client, make_user("district_reviewer", "11"))  # the province's: it is sent to them
    client.post(f"{url}/confirm")
    with app.app_context():
        assert _report_of(cycle_id, "REF-CON").status == "confirmed"


@pytest.mark.usefixtures("plan_2022_in_force")  # set in 2021–2025
def test_a_2025_commune_report_still_goes_to_the_district(app, client, make_user, login):
    """Where the district existed in the period (2024, 2025), the old commune's report goes to it and its
    reviewer confirms it."""
    with app.test_request_context():
        cycle_id = _open(2025).id
        old_id = unit("03295").id
    login(client, make_user("reporter", "03295"))
    assert "hạn xã gửi huyện" in client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    url = client.post("/indicators/reports/start", data={"cycle_id": cycle_id, "unit_id": old_id}).headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "Gửi lên huyện" in html and "Gửi lên tỉnh" not in html
    with app.test_request_context():
        from app.indicators import queries

        assert queries.receiving_unit(_report_of(cycle_id, "03295")).code == "099"


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


# --- the registry of models follows the lineage: a model stands where its address (or commune) is on the day --------


def _address_model(commune_code: str, address_code: str, founded_on=date(2023, 3, 1)):
    from app.indicators import services

    return services.save_registry_entry(
        None,
        unit(commune_code),
        {
            "kind": "trusted_address",
            "name": f"Địa chỉ tin cậy {address_code}",
            "decision_number": "",
            "founded_on": founded_on,
            "status": "active",
            "ended_on": None,
            **dict.fromkeys(("members_total", "members_women", "members_ethnic_minority"), 0),
            **dict.fromkeys(("members_linked_finance", "members_livelihood", "meetings_held"), 0),
            "applies_gals": False,
            "address_unit_id": unit(address_code).id,
        },
        actor="test",
    )


def _stock(code: str, day: date, indicator: str = "CT4") -> int:
    from app.indicators import queries
    from app.units.queries import scope_ids

    return queries.registry_figures(scope_ids(unit(code)), day)[indicator][0]


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_a_trusted_address_model_counts_under_its_successor_after_the_reform(app, ctx):
    """TA-02 registered as a model under the old Quài Tở counts there until 30/06/2025 and under 2025-TA-02 (the
    new Quài Tở) after; never under the abolished district or the old commune in 2026, and once in the province
    even when its successor was registered again."""
    from indicators_helpers import registry_entry

    from app.indicators import figures, queries
    from app.indicators.models import RegistryEntry
    from app.services import ServiceError

    _address_model("03295", OLD_ADDRESS)
    registry_entry("03280")  # a team of Tỏa Tình, merged into the new Quài Tở
    db.session.commit()
    before, after = date(2024, 12, 31), date(2026, 12, 31)
    assert _stock("03295", before) == _stock("099", before) == 1
    assert _stock("03280", before, "CT1") == _stock("099", before, "CT1") == 1
    assert _stock("099", after) == _stock("03295", after) == 0  # abolished: nothing stands there in 2026
    assert _stock("099", after, "CT1") == _stock("03280", after, "CT1") == 0
    assert _stock("2025-03295", after) == _stock("11", after) == 1
    assert _stock("2025-03295", after, "CT1") == 1
    # the old commune's 2025 report counts its models of its last day
    assert queries.stock_day(unit("03295"), date(2025, 12, 31)) == date(2025, 6, 30)
    assert _stock("03295", date(2025, 6, 30)) == 1

    # the successor is the same address: registering it again is refused...
    with pytest.raises(ServiceError, match="đã có trong sổ mô hình"):
        _address_model("2025-03295", NEW_ADDRESS, founded_on=date(2025, 7, 1))
    db.session.rollback()
    # ...and a second registration made before this rule is counted once
    db.session.add(
        RegistryEntry(
            unit_id=unit("2025-03295").id,
            kind="trusted_address",
            name="Địa chỉ tin cậy (ghi lại)",
            founded_on=date(2025, 7, 1),
            address_unit_id=unit(NEW_ADDRESS).id,
        )
    )
    db.session.commit()
    assert _stock("2025-03295", after) == _stock("11", after) == 1
    assert _stock("03295", before) == 1 and _stock("2025-03295", before) == 1  # 2024: TA-02, under the old commune
    report = figures.build(unit("11"), 2026)
    ct4 = next(r for r in report.rows if r.indicator.code == "CT4")
    lines = {f.unit.code: f.value for f in ct4.communes}
    assert ct4.total.value == 1 and lines["2025-03295"] == 1 and sum(lines.values()) == 1
    assert not {code for code in lines if re.fullmatch(r"0\d{4}", code)}


@pytest.mark.usefixtures("reform_trusted_addresses")
def test_the_registry_lists_an_old_address_under_its_successor(app, client, make_user, login):
    from indicators_helpers import registry_entry

    with app.app_context():
        _address_model("03295", OLD_ADDRESS)
        registry_entry("03280", name="Tổ truyền thông bản Cũ")  # Tỏa Tình, merged into the new Quài Tở
        db.session.commit()
    login(client, make_user("reporter", "2025-03295"))
    html = client.get("/indicators/registry").get_data(as_text=True)
    assert f"({NEW_ADDRESS})" in html and f"({OLD_ADDRESS})" not in html  # the address as it is today
    assert 'Xã Tỏa Tình <span class="muted">(nay: Xã Quài Tở)</span>' in html  # its old commune, and where now
    assert "Đang hoạt động hôm nay" in html
    client.post("/auth/logout")
    login(client, make_user("reporter", "099"))  # the abolished district: its stock of its last day
    html = client.get("/indicators/registry").get_data(as_text=True)
    assert "Đang hoạt động ngày 30/06/2025" in html


def test_the_dashboard_counts_models_up_to_the_units_last_day_or_says_no_day(app, client, make_user, login):
    """The header's day is the day the models are counted on (queries.stock_day): the district's 2025 dashboard
    says 30/06/2025, its last day, and its 2026 dashboard names no day at all (it did not exist in 2026); a unit in
    force keeps 31/12 of the year."""
    with app.test_request_context():
        active_plan()
        db.session.commit()
    login(client, make_user("reporter", "099"))
    gone = client.get("/indicators/?year=2026").get_data(as_text=True)
    assert "số liệu mô hình tính đến ngày" not in gone and "31/12/2026" not in gone
    ended = client.get("/indicators/?year=2025").get_data(as_text=True)
    assert "số liệu mô hình tính đến ngày 30/06/2025" in ended and "31/12/2025" not in ended
    client.post("/auth/logout")
    login(client, make_user("reporter", "2025-03295"))
    html = client.get("/indicators/?year=2026").get_data(as_text=True)
    assert "số liệu mô hình tính đến ngày 31/12/2026" in html


# --- the models of a unit that has ended are history: read, not changed; the successor's reporter keeps them up -------


def _model_form(unit_id: str, name: str) -> dict:
    return {
        "unit_id": unit_id,
        "kind": "communication_team",
        "name": name,
        "decision_number": "9/QĐ-UBND",
        "founded_on": "2024-03-01",
        "status": "active",
        "members_total": "10",
        "members_women": "6",
        "members_ethnic_minority": "5",
        "members_linked_finance": "0",
        "members_livelihood": "0",
        "meetings_held": "2",
    }


def _model(entry_id: str):
    from app.indicators.models import RegistryEntry

    return db.session.get(RegistryEntry, entry_id)


def test_the_abolished_districts_reporter_reads_the_old_models_and_changes_none(app, client, make_user, login):
    """The district (099) and Quài Tở (03295) ended on 30/06/2025: the district's reporter gets no "Thêm mô hình"
    and no edit link, and adding a model to the old commune or changing one of its models through the URL is
    refused with the reason beside the form (status 200, the input kept, nothing written); the model is still
    shown, read-only, with its meeting log."""
    from indicators_helpers import registry_entry

    with app.app_context():
        entry_id = registry_entry("03295", name="Tổ truyền thông bản Cũ").id
        db.session.commit()
        old_id, count = unit("03295").id, len(_model(entry_id).meetings)
    login(client, make_user("reporter", "099"))
    html = client.get("/indicators/registry").get_data(as_text=True)
    assert "Tổ truyền thông bản Cũ" in html  # history stays readable
    assert "Thêm mô hình" not in html and f"/indicators/registry/{entry_id}" not in html
    page = client.post("/indicators/registry/new", data=_model_form(old_id, "Tổ mới ở xã cũ"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="unit_id-error"' in html
    assert "Xã Quài Tở không còn hoạt động (ngừng 7/2025)" in html and 'value="Tổ mới ở xã cũ"' in html
    page = client.post(f"/indicators/registry/{entry_id}", data=_model_form(old_id, "Tên sửa qua URL"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="maintainer-error"' in html
    assert "Mô hình này nay thuộc Xã Quài Tở: cán bộ báo cáo của Xã Quài Tở cập nhật mô hình." in html
    assert 'value="Tên sửa qua URL"' in html
    page = client.post(f"/indicators/registry/{entry_id}/meetings", data={"held_on": "2026-11-02", "attendees": "5"})
    assert page.status_code == 200 and "cán bộ báo cáo của Xã Quài Tở cập nhật mô hình" in page.get_data(as_text=True)
    html = client.get(f"/indicators/registry/{entry_id}").get_data(as_text=True)
    assert "Mô hình (chỉ xem)" in html and "Sổ sinh hoạt" in html
    assert "Ghi buổi sinh hoạt</button>" not in html and ">Lưu</button>" not in html
    with app.app_context():
        from app.indicators.models import RegistryEntry

        assert _model(entry_id).name == "Tổ truyền thông bản Cũ" and len(_model(entry_id).meetings) == count
        assert db.session.scalar(db.select(db.func.count()).where(RegistryEntry.name == "Tổ mới ở xã cũ")) == 0


def test_the_successor_communes_reporter_keeps_the_old_communes_models_up(app, client, make_user, login):
    """A model of the old Quài Tở carries on under the new one (2025-03295): its reporter edits it and logs its
    meetings; a new model goes to the new commune, never to the old one."""
    from indicators_helpers import registry_entry

    with app.app_context():
        entry_id = registry_entry("03295", name="Tổ truyền thông bản Cũ").id
        db.session.commit()
        old_id, new_id = unit("03295").id, unit("2025-03295").id
    login(client, make_user("reporter", "2025-03295"))
    html = client.get("/indicators/registry").get_data(as_text=True)
    assert "Thêm mô hình" in html and f"/indicators/registry/{entry_id}" in html
    form = client.get("/indicators/registry/new").get_data(as_text=True)
    assert f'value="{new_id}"' in form and f'value="{old_id}"' not in form  # only the commune in force
    data = _model_form(old_id, "Tổ truyền thông bản Cũ (sửa)")
    assert client.post(f"/indicators/registry/{entry_id}", data=data).status_code == 303
    meeting = {"held_on": "2026-11-02", "attendees": "5", "women": "3", "topic": "Sinh hoạt tháng 11"}
    assert client.post(f"/indicators/registry/{entry_id}/meetings", data=meeting).status_code == 303
    refused = client.post("/indicators/registry/new", data=_model_form(old_id, "Tổ mới ở xã cũ"))
    assert refused.status_code == 200 and "Xã Quài Tở không còn hoạt động" in refused.get_data(as_text=True)
    assert client.post("/indicators/registry/new", data=_model_form(new_id, "Tổ mới")).status_code == 303
    with app.app_context():
        entry = _model(entry_id)
        assert entry.name == "Tổ truyền thông bản Cũ (sửa)" and entry.unit.code == "03295"  # history kept on it
        assert [m.topic for m in entry.meetings] == ["Sinh hoạt tháng 11"]
