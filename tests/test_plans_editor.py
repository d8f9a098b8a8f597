"""Plans as data: the archived 2022 plan, a new plan from a copy, its editor, activation and versions, quarterly
cycles due in Vietnamese working days, and the refusals (each in Vietnamese beside its field, input kept)."""

from datetime import date

from indicators_helpers import active_plan, in_force, unit

from app.extensions import db


def _province_reviewer(client, make_user, login):
    user = make_user("district_reviewer", "11")
    login(client, user)
    return user


def test_the_2022_plan_is_loaded_as_the_first_plan_and_archived(app, ctx):
    from app.indicators import catalogue_data as data
    from app.indicators import plans

    plan = plans.reference()
    assert (plan.status, plan.version, plan.phase_start, plan.phase_end, plan.middle_level) == (
        "archived",
        1,
        2021,
        2025,
        "district",
    )
    assert plan.budget_total == 12_380_000_000 and plan.valid_to == date(2025, 12, 31)
    codes = [i.code for i in plans.indicators(plan)]
    assert codes == ["CT1", "CT2", "CT2.1", "CT2.2", "CT2.3", "CT3", "CT4", "CT5", "CT6", "CT7", "CT8"]
    assert {i.code: i.phase_target for i in plans.indicators(plan)}["CT7"] == 37
    assert len(plans.activities(plan)) == len(data.ACTIVITIES) + len(data.ACTIVITY_GROUPS)
    rules = {(r.round, r.level): (r.fixed_day, r.fixed_month) for r in plans.cycle_rules(plan)}
    assert rules == {
        ("preliminary", "commune"): (5, 9),
        ("update", "commune"): (20, 1),
        ("preliminary", "middle"): (10, 9),
        ("update", "middle"): (25, 1),
    }
    # Loading again changes nothing and adds nothing (the versioned reference loader may run at every setup).
    from app.indicators import services

    services.load_catalogue()
    assert [i.code for i in plans.indicators(plans.reference())] == codes and len(plans.all_plans()) == 1


def test_a_province_user_makes_a_2026_2030_plan_from_a_copy_edits_it_and_activates_it(app, client, make_user, login):
    from app.indicators import plans, services

    with app.test_request_context():
        # A phase target of an old commune (merged on 1/7/2025) and of a commune that exists now.
        with in_force():  # targets set while the 2022 plan was in force
            services.set_target(plans.indicators(plans.reference())[0], unit("03295"), None, 4, actor="test")
            services.set_target(plans.indicators(plans.reference())[0], unit("11"), None, 85, actor="test")
        reference_id = plans.reference().id
        db.session.commit()
    _province_reviewer(client, make_user, login)
    assert "Lập kế hoạch mới" in client.get("/indicators/plans").get_data(as_text=True)
    response = client.post(
        "/indicators/plans",
        data={
            "copy_from": reference_id,
            "title": "Kế hoạch Dự án 8 giai đoạn 2026-2030",
            "programme": "DA8",
            "phase_start": "2026",
            "phase_end": "2030",
            "budget_total": "15000000000",
            "budget_source_text": "",
            "middle_level": "",
        },
    )
    assert response.status_code == 303
    plan_url = response.headers["Location"]
    with app.app_context():
        plan = next(p for p in plans.all_plans() if p.phase_start == 2026)
        assert (plan.status, plan.version, plan.middle_level, plan.previous_id) == ("draft", 1, None, reference_id)
        assert [i.code for i in plans.indicators(plan)][:3] == ["CT1", "CT2", "CT2.1"]
        # no middle level: communes report to the province, the district's deadlines are not copied
        assert {(r.round, r.level) for r in plans.cycle_rules(plan)} == {
            ("preliminary", "commune"),
            ("update", "commune"),
        }
        kept = [(t.unit_id, t.value) for t in plans.targets(plan)]
        assert kept == [(unit("11").id, 85)]  # the merged commune's target is not carried into 2026
        assert all(y >= 2026 for a in plans.activities(plan) for y in a.years)
        plan_id = plan.id
    html = client.get(plan_url).get_data(as_text=True)
    assert "Đang soạn" in html and "15.000.000.000 đ" in html and "xã → tỉnh" in html

    # Edit: a computed indicator, a quarterly cycle due 10 working days after the quarter, a target, a line.
    new = f"/indicators/plans/{plan_id}/indicators/new"
    assert (
        client.post(
            new,
            data={
                "code": "CT9",
                "name": "Tổng đối thoại và cán bộ được đào tạo",
                "kind": "count",
                "phase_target": "60",
                "formula": "CT7 + CT8",
                "unit_label": "lượt",
            },
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/indicators/plans/{plan_id}/cycles",
            data={
                "rule-frequency": "quarterly",
                "rule-round": "quarter",
                "rule-level": "commune",
                "rule-working_days": "10",
            },
        ).status_code
        == 303
    )
    with app.app_context():
        ct7 = next(i for i in plans.indicators(plans.get(plan_id)) if i.code == "CT7")
        new_commune = unit("2025-03295")
    assert (
        client.post(
            f"/indicators/plans/{plan_id}/targets",
            data={
                "target-indicator_id": ct7.id,
                "target-unit_id": new_commune.id,
                "target-year": "2026",
                "target-value": "3",
            },
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/indicators/plans/{plan_id}/activities",
            data={
                "activity-code": "II.5",
                "activity-name": "Hỗ trợ sinh kế cho phụ nữ sau sáp nhập",
                "activity-years": "2026, 2027",
                "activity-indicator_codes": "CT7",
            },
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/indicators/plans/{plan_id}/budget",
            data={
                "budget-year": "2026",
                "budget-component": "II",
                "budget-activity_code": "II.5",
                "budget-planned": "250000000",
            },
        ).status_code
        == 303
    )
    html = client.get(plan_url).get_data(as_text=True)
    assert "CT7 + CT8" in html and "10 ngày làm việc sau khi hết kỳ" in html and "250.000.000 đ" in html
    assert "14/04/2026" in html  # Q1 2026 ends Tuesday 31/03: ten working days later is Tuesday 14/04
    assert "Thêm chỉ tiêu vào kế hoạch" in html and "Thêm kỳ báo cáo" in html  # the change history

    assert client.post(f"/indicators/plans/{plan_id}/activate").status_code == 303
    with app.app_context():
        plan = plans.get(plan_id)
        assert plan.status == "active" and plans.for_year(2027) is plan and plans.for_year(2024).id == reference_id
        # its year's figures now count against the new plan's indicators, the formula included
        cycle = services.open_cycle(2026, "quarter", period="Q1", actor="test")
        assert cycle.plan_id == plan_id and cycle.commune_due_on == date(2026, 4, 14)
        db.session.commit()


def test_quarterly_cycles_are_due_in_vietnamese_working_days_across_tet_30_4_and_2_9(app, ctx):
    from app.indicators import plans
    from app.indicators.models import CycleRule

    rule = CycleRule(frequency="quarterly", round="quarter", level="commune")
    rule.working_days = 25  # Q4 2026 ends Thursday 31/12; 1/1 and Tết 2027 (4-10/02) are not working days
    assert plans.due_on(rule, 2026, "Q4") == date(2027, 2, 12)  # 25 calendar days would be 25/01
    rule.working_days = 21  # Q1 ends 31/03/2026: Hùng Kings observed 27/04, then 30/04 and 01/05 off
    assert plans.due_on(rule, 2026, "Q1") == date(2026, 5, 4)
    rule.working_days = 45  # Q2 ends 30/06/2026: Saturday 22/08 is worked, 31/08, 01/09 and 02/09 are off
    assert plans.due_on(rule, 2026, "Q2") == date(2026, 9, 3)
    rule.working_days = 44
    assert plans.due_on(rule, 2026, "Q2") == date(2026, 8, 28)
    # A fixed day stays a fixed day: the update round falls in January of the next year.
    fixed = CycleRule(frequency="yearly", round="update", level="commune", fixed_month=1, fixed_day=20)
    assert plans.due_on(fixed, 2026) == date(2027, 1, 20)


def test_every_edit_of_the_archived_plan_is_refused_in_vietnamese(app, client, make_user, login):
    from app.indicators import plans

    with app.app_context():
        plan = plans.reference()
        plan_id, ct1 = plan.id, plans.indicators(plan)[0].id
        rules_before = len(plans.cycle_rules(plan))
    _province_reviewer(client, make_user, login)
    html = client.get(f"/indicators/plans/{plan_id}").get_data(as_text=True)
    assert "Đã lưu trữ" in html and "chỉ xem" in html and 'id="indicator-form"' not in html
    assert 'action="/indicators/plans/' + plan_id + '/activate"' not in html
    refused = "Kế hoạch này đã lưu trữ: chỉ xem và xuất báo cáo, không sửa được."
    attempts = {
        f"/indicators/plans/{plan_id}/indicators/new": {
            "code": "CT10",
            "name": "Mới",
            "kind": "count",
            "phase_target": "1",
        },
        f"/indicators/plans/{plan_id}/indicators/{ct1}": {
            "code": "CT1",
            "name": "Đổi tên",
            "kind": "stock",
            "model_kind": "communication_team",
            "phase_target": "90",
        },
        f"/indicators/plans/{plan_id}/cycles": {
            "rule-frequency": "quarterly",
            "rule-round": "quarter",
            "rule-level": "commune",
            "rule-working_days": "10",
        },
        f"/indicators/plans/{plan_id}/targets": {"target-indicator_id": ct1, "target-unit_id": "", "target-value": "3"},
        f"/indicators/plans/{plan_id}/activities": {"activity-code": "I.9", "activity-name": "Hoạt động mới"},
        f"/indicators/plans/{plan_id}/budget": {"budget-year": "2025", "budget-component": "I", "budget-planned": "1"},
        f"/indicators/plans/{plan_id}": {
            "plan-title": "Đổi tên",
            "plan-programme": "DA8",
            "plan-phase_start": "2021",
            "plan-phase_end": "2025",
            "plan-budget_total": "1",
        },
    }
    for url, data in attempts.items():
        if url.endswith("/targets"):
            with app.app_context():
                data["target-unit_id"] = unit("11").id
        page = client.post(url, data=data)
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and refused in body, url
        assert any(f'value="{v}"' in body or f">{v}</textarea>" in body for v in data.values() if v), url
    for url in (
        f"/indicators/plans/{plan_id}/activate",
        f"/indicators/plans/{plan_id}/version",
        f"/indicators/plans/{plan_id}/archive",
    ):
        assert client.post(url).status_code == 303
    with app.app_context():
        plan = plans.reference()
        assert plan.status == "archived" and plan.title != "Đổi tên" and plans.indicators(plan)[0].phase_target == 85
        assert len(plans.cycle_rules(plan)) == rules_before and not plans.targets(plan)
        assert len(plans.all_plans()) == 1
    # Its reports stay open: the closing report and the Excel export of its last year.
    html = client.get(f"/indicators/plans/{plan_id}/closing").get_data(as_text=True)
    assert 'id="closing-CT7"' in html and "Kết quả cuối kỳ" in html


def test_an_active_plan_with_reports_changes_its_definitions_only_in_a_new_version(app, client, make_user, login):
    from app.indicators import plans, services

    with app.test_request_context():
        plan = active_plan()
        db.session.commit()
        plan_id = plan.id
        ct7 = next(i for i in plans.indicators(plan) if i.code == "CT7").id
        cycle = services.open_cycle(2026, "update", actor="test")
        cycle_id = cycle.id
        services.start_submission(cycle, unit("2025-03295"), actor="test")
        unit_id = unit("2025-03295").id
        db.session.commit()
    _province_reviewer(client, make_user, login)
    page = client.post(
        f"/indicators/plans/{plan_id}/indicators/{ct7}",
        data={"code": "CT7", "name": "Đối thoại chính sách (định nghĩa mới)", "kind": "count", "phase_target": "40"},
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "không sửa định nghĩa tại chỗ" in body and "định nghĩa mới" in body
    # Targets still change in place: they are not definitions.
    assert (
        client.post(
            f"/indicators/plans/{plan_id}/targets",
            data={"target-indicator_id": ct7, "target-unit_id": unit_id, "target-value": "5"},
        ).status_code
        == 303
    )
    response = client.post(f"/indicators/plans/{plan_id}/version")
    assert response.status_code == 303
    with app.app_context():
        version = next(p for p in plans.all_plans() if p.version == 2)
        assert version.status == "draft" and version.previous_id == plan_id and version.phase_start == 2026
        ct7_v2 = next(i for i in plans.indicators(version) if i.code == "CT7").id
        version_id = version.id
    assert (
        client.post(
            f"/indicators/plans/{version_id}/indicators/{ct7_v2}",
            data={
                "code": "CT7",
                "name": "Đối thoại chính sách (định nghĩa mới)",
                "kind": "count",
                "phase_target": "40",
            },
        ).status_code
        == 303
    )
    assert client.post(f"/indicators/plans/{version_id}/activate").status_code == 303
    with app.app_context():
        assert plans.get(plan_id).status == "archived" and plans.get(version_id).status == "active"
        assert plans.for_year(2026).id == version_id
        assert next(i for i in plans.indicators(plans.get(plan_id)) if i.code == "CT7").phase_target == 37
        from app.indicators.models import ReportingCycle

        old_cycle = db.session.get(ReportingCycle, cycle_id)
        assert old_cycle.plan_id == plan_id  # the report sent stays with the version it was made against


def test_bad_plan_input_is_a_vietnamese_error_beside_its_field_with_the_input_kept(app, client, make_user, login):
    from app.indicators import plans

    with app.app_context():
        plan = active_plan()
        draft = active_plan(2031, 2035, activate=False)
        db.session.commit()
        plan_id, draft_id = plan.id, draft.id
        old_commune = unit("03295").id
        ct1 = plans.indicators(plan)[0].id
    _province_reviewer(client, make_user, login)
    # Overlapping periods for the same programme.
    page = client.post(
        "/indicators/plans",
        data={
            "copy_from": "",
            "title": "Kế hoạch chồng lấn",
            "programme": "DA8",
            "phase_start": "2028",
            "phase_end": "2032",
            "budget_total": "0",
        },
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "đã có kế hoạch" in body and "trùng giai đoạn" in body
    assert 'value="2028"' in body and "Kế hoạch chồng lấn" in body
    assert 'id="phase_start-error"' in body
    # A formula naming an indicator the plan does not have.
    page = client.post(
        f"/indicators/plans/{draft_id}/indicators/new",
        data={
            "code": "CT20",
            "name": "Tỷ lệ thử",
            "kind": "percent",
            "phase_target": "50",
            "formula": "CT7 * 100 / CT99",
        },
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Công thức dùng chỉ tiêu không có trong kế hoạch: CT99." in body
    assert 'id="formula-error"' in body and 'value="CT7 * 100 / CT99"' in body
    page = client.post(
        f"/indicators/plans/{draft_id}/indicators/new",
        data={
            "code": "CT21",
            "name": "Sai cú pháp",
            "kind": "count",
            "phase_target": "1",
            "formula": "CT7 +* __import__",
        },
    )
    assert "Công thức chỉ gồm mã chỉ tiêu" in page.get_data(as_text=True)
    page = client.post(
        f"/indicators/plans/{draft_id}/indicators/new",
        data={"code": "CT22", "name": "Nguồn lạ", "kind": "count", "phase_target": "1", "source": "register:nothing"},
    )
    assert page.status_code == 200  # a source nobody registered is not among the choices: refused by the form
    # A target for a commune that no longer exists in the plan's period.
    page = client.post(
        f"/indicators/plans/{plan_id}/targets",
        data={"target-indicator_id": ct1, "target-unit_id": old_commune, "target-year": "2027", "target-value": "4"},
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "không tồn tại trong kỳ này" in body and 'id="target-unit_id-error"' in body
    assert 'value="4"' in body and 'value="2027"' in body
    # A cycle rule with no way to count its deadline, and a middle level the plan does not have.
    page = client.post(
        f"/indicators/plans/{draft_id}/cycles",
        data={
            "rule-frequency": "quarterly",
            "rule-round": "quarter",
            "rule-level": "middle",
            "rule-working_days": "10",
        },
    )
    assert "xã báo cáo thẳng lên tỉnh" in page.get_data(as_text=True)
    page = client.post(
        f"/indicators/plans/{draft_id}/cycles",
        data={"rule-frequency": "quarterly", "rule-round": "quarter", "rule-level": "commune"},
    )
    assert "Chọn một cách tính hạn" in page.get_data(as_text=True)
    with app.app_context():
        assert [p.phase_start for p in plans.all_plans() if p.programme == "DA8"] == [2031, 2026, 2021]
        assert not [
            i
            for i in plans.indicators(plans.get(draft_id))
            if i.code.startswith("CT2") and len(i.code) == 4 and i.code[3] in "012"
        ]
        assert not [t for t in plans.targets(plans.get(plan_id), 2027)]


def test_plan_pages_are_refused_to_those_who_may_not_edit(app, client, make_user, login):
    from app.indicators import plans

    with app.app_context():
        plan_id = active_plan().id
        db.session.commit()
    login(client, make_user("monitor", "11"))
    assert client.get(f"/indicators/plans/{plan_id}").status_code == 200  # read-only
    assert client.post(f"/indicators/plans/{plan_id}/activate").status_code == 403
    client.post("/auth/logout")
    login(client, make_user("district_reviewer", "099"))  # the old district's reviewer: not the province's plan
    assert client.post(f"/indicators/plans/{plan_id}/archive").status_code == 404
    assert (
        client.post(
            "/indicators/plans",
            data={"title": "x", "programme": "DA8", "phase_start": "2036", "phase_end": "2040", "budget_total": "0"},
        ).status_code
        == 404
    )
    with app.app_context():
        assert plans.get(plan_id).status == "active" and len(plans.all_plans()) == 2
