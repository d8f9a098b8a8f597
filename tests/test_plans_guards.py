"""The archived-plan guard in the services themselves (not only on the routes), the definitions of an active plan
with reports (a new version instead), and the plan editor's activity and budget lines: changed and removed with
an audit entry, bad input a Vietnamese error beside the field."""

import re

import pytest
from indicators_helpers import active_plan, in_force, indicator, sent_report, typed_values, unit
from sqlalchemy import func, select

from app.extensions import db

ARCHIVED = "đã lưu trữ: chỉ xem và xuất báo cáo"


def _refused(call, text=ARCHIVED, field=None):
    from app.services import ServiceError

    with pytest.raises(ServiceError) as caught:
        call()
    assert text in str(caught.value), str(caught.value)
    if field is not None:
        assert caught.value.field == field
    return caught.value


def _line_fields(year, planned=1_000_000, **more):
    return {"component": "II", "activity_code": None, "year": year, "source": "central", "planned": planned} | {
        "allocated": 0,
        "disbursed": 0,
        "note": "",
        **more,
    }


def test_every_service_that_writes_a_plan_refuses_the_archived_plan(app):
    from app.indicators import district, plans, services
    from app.indicators.models import BudgetLine, IndicatorTarget, SubmissionValue

    with app.test_request_context():
        reference = plans.reference()
        # what was written while the plan was in force (2024), archived since
        with in_force():
            cycle = services.open_cycle(2024, "preliminary", actor="test")
            draft = services.start_submission(cycle, unit("03295"), actor="test")
            district_draft = services.start_submission(cycle, unit("099"), actor="test")
            line = services.save_budget_line(None, unit("099"), _line_fields(2024), actor="test")
        assert reference.status == "archived"
        ct1, rule = indicator("CT1", reference), plans.cycle_rules(reference)[0]
        activity = next(a for a in plans.activities(reference) if not a.is_group)
        before = {
            "targets": db.session.scalar(select(func.count()).select_from(IndicatorTarget)),
            "values": db.session.scalar(select(func.count()).select_from(SubmissionValue)),
            "planned": line.planned,
        }
        refusals = {
            "target": lambda: services.set_target(ct1, unit("03295"), 2024, 5, actor="test"),
            "plan target": lambda: plans.save_target(reference, ct1, unit("03295"), 2024, 5, actor="test"),
            "new budget line": lambda: services.save_budget_line(None, unit("099"), _line_fields(2025), actor="t"),
            "budget line": lambda: services.save_budget_line(line, unit("099"), _line_fields(2024, 9), actor="t"),
            "plan budget line": lambda: plans.save_budget_line(
                reference, line, unit("099"), _line_fields(2024, 9), actor="t"
            ),
            "budget delete": lambda: plans.delete_budget_line(reference, line, actor="t"),
            "activity status": lambda: services.set_activity_status(
                activity, unit("03295"), 2024, "done", "", actor="t"
            ),
            "activity": lambda: plans.save_activity(
                reference, activity, {"code": activity.code, "name": "Đổi tên", "years": [2024]}, actor="t"
            ),
            "activity delete": lambda: plans.delete_activity(reference, activity, actor="t"),
            "indicator": lambda: plans.save_indicator(
                reference, ct1, {"code": "CT1", "name": "x", "kind": "count", "phase_target": 1}, actor="t"
            ),
            "indicator delete": lambda: plans.delete_indicator(reference, ct1, actor="t"),
            "cycle rule": lambda: plans.save_cycle_rule(
                reference, rule, {"frequency": "yearly", "round": "update", "fixed_day": 1, "fixed_month": 2}, actor="t"
            ),
            "cycle rule delete": lambda: plans.delete_cycle_rule(reference, rule, actor="t"),
            "open cycle": lambda: services.open_cycle(2024, "update", actor="test"),
            "start report": lambda: services.start_submission(cycle, unit("03268"), actor="test"),
            "report figures": lambda: services.save_draft(draft, typed_values(cycle), {}, actor="test"),
            "send report": lambda: services.submit(draft, actor="test"),
            "district prefill": lambda: district.prefill(district_draft, actor="test"),
        }
        for name, call in refusals.items():
            try:
                _refused(call)
            except AssertionError as exc:  # pragma: no cover - names the service that let the write through
                raise AssertionError(f"{name}: {exc}") from exc
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(IndicatorTarget)) == before["targets"]
        assert db.session.scalar(select(func.count()).select_from(SubmissionValue)) == before["values"]
        assert db.session.get(BudgetLine, line.id).planned == before["planned"]
        assert ct1.name != "x" and activity.name != "Đổi tên" and len(plans.cycle_rules(reference)) == 4


def test_an_active_plan_with_a_report_changes_definitions_only_in_a_new_version(app):
    from app.indicators import plans, services

    with app.test_request_context():
        plan = active_plan()
        ct1 = indicator("CT1", plan)
        rule = plans.rule_for(plan, "preliminary")
        fields = {"code": "CT1", "name": "Định nghĩa mới", "kind": ct1.kind, "model_kind": ct1.model_kind}
        fields["phase_target"] = 3
        plans.save_indicator(plan, ct1, fields, actor="test")  # no report yet: changed in place
        cycle = services.open_cycle(2026, "preliminary", actor="test", plan=plan)
        services.start_submission(cycle, unit("2025-03268"), actor="test")
        in_use = "tạo phiên bản mới"
        _refused(lambda: plans.save_indicator(plan, ct1, fields | {"phase_target": 4}, actor="t"), in_use, "code")
        _refused(lambda: plans.delete_indicator(plan, ct1, actor="t"), in_use)
        _refused(
            lambda: plans.save_cycle_rule(
                plan, rule, {"frequency": "yearly", "round": "preliminary", "working_days": 5}, actor="t"
            ),
            in_use,
            "frequency",
        )
        version = plans.new_version(plan, actor="test")
        plans.save_indicator(version, indicator("CT1", version), fields | {"phase_target": 4}, actor="test")
        assert (ct1.phase_target, indicator("CT1", version).phase_target) == (3, 4)


def test_the_report_page_of_an_archived_plan_says_so_and_offers_no_form(app, client, make_user, login):
    from app.indicators import services

    with app.test_request_context():
        with in_force():
            cycle = services.open_cycle(2024, "preliminary", actor="test")
            sub_id = services.start_submission(cycle, unit("03295"), actor="test").id
        db.session.commit()
    login(client, make_user("reporter", "03295"))
    html = client.get(f"/indicators/submissions/{sub_id}").get_data(as_text=True)
    assert 'id="report-archived"' in html and "Kế hoạch này đã lưu trữ" in html
    assert "Gửi báo cáo" not in html
    response = client.post(f"/indicators/submissions/{sub_id}", data={"results": "x"})
    assert response.status_code == 200 and "Kế hoạch này đã lưu trữ" in response.get_data(as_text=True)


def _editor(client, make_user, login):
    login(client, make_user("district_reviewer", "11"))


def test_activity_lines_are_changed_and_removed_in_the_plan_editor_with_an_audit_entry(app, client, make_user, login):
    from app.audit.models import AuditEntry
    from app.indicators import plans, services
    from app.indicators.models import IndicatorActivity

    with app.test_request_context():
        plan = active_plan()
        plan_id = plan.id
        acts = [a for a in plans.activities(plan) if not a.is_group]
        act_id, used_id, code = acts[0].id, acts[1].id, acts[0].code
        services.set_activity_status(acts[1], unit("2025-03268"), 2026, "done", "", actor="test")
        db.session.commit()
    _editor(client, make_user, login)
    page = client.get(f"/indicators/plans/{plan_id}").get_data(as_text=True)
    assert f"/indicators/plans/{plan_id}/activities/{act_id}" in page
    url = f"/indicators/plans/{plan_id}/activities/{act_id}"
    assert f'value="{code}"' in client.get(url).get_data(as_text=True)
    form = {"activity-code": code, "activity-name": "Truyền thông tại bản", "activity-lead": "UBND xã"}
    # a year outside the phase and a year in other digits: beside the field, everything typed kept
    for years, message in (("2026, 2040", "2026–2030"), ("٢٠٢٧", "4 chữ số")):
        response = client.post(url, data=form | {"activity-years": years})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message in html and "Truyền thông tại bản" in html
    assert client.post(url, data=form | {"activity-years": "2026, 2027"}).status_code == 303
    used = f"/indicators/plans/{plan_id}/activities/{used_id}/delete"
    assert "đã có tình hình thực hiện" in client.post(used, follow_redirects=True).get_data(as_text=True)
    assert client.post(f"{url}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(IndicatorActivity, act_id) is None and db.session.get(IndicatorActivity, used_id)
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == act_id)))
        assert {"indicator.activity_update", "indicator.activity_delete"} <= actions


def test_budget_lines_are_changed_and_removed_in_the_plan_editor_and_bad_amounts_are_field_errors(
    app, client, make_user, login
):
    from app.audit.models import AuditEntry
    from app.indicators import plans
    from app.indicators.models import BudgetLine

    with app.test_request_context():
        plan = active_plan()
        plan_id = plan.id
        line_id = plans.save_budget_line(plan, None, unit("11"), _line_fields(2026), actor="test").id
        # a negative amount sent to the service itself (not through the form) is refused beside its field
        negative = _line_fields(2026, planned=-1)
        _refused(lambda: plans.save_budget_line(plan, None, unit("11"), negative, actor="t"), "không âm", "planned")
        db.session.commit()
    _editor(client, make_user, login)
    assert f"/indicators/plans/{plan_id}/budget/{line_id}" in client.get(f"/indicators/plans/{plan_id}").get_data(
        as_text=True
    )
    url = f"/indicators/plans/{plan_id}/budget/{line_id}"
    form = {
        "budget-year": "2026",
        "budget-component": "II",
        "budget-activity_code": "II.4",
        "budget-source": "central",
        "budget-planned": "2000000",
        "budget-allocated": "1500000",
        "budget-disbursed": "500000",
        "budget-note": "Điều chỉnh",
    }
    for name, raw, message in (
        ("budget-planned", "-5", "Chỉ nhập chữ số 0–9"),
        ("budget-allocated", "١٠٠٠", "Chỉ nhập chữ số 0–9"),
        ("budget-disbursed", "1600000", "không được lớn hơn số được giao"),
        ("budget-year", "2035", "2026–2030"),
    ):
        response = client.post(url, data=form | {name: raw})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message in html and raw in html and "Điều chỉnh" in html, name
        with app.app_context():
            assert db.session.get(BudgetLine, line_id).planned == 1_000_000
    assert client.post(url, data=form).status_code == 303
    with app.app_context():
        line = db.session.get(BudgetLine, line_id)
        assert (line.planned, line.allocated, line.disbursed, line.activity_code) == (
            2_000_000,
            1_500_000,
            500_000,
            "II.4",
        )
    assert client.post(f"{url}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(BudgetLine, line_id) is None
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == line_id)))
        assert {"indicator.budget_update", "indicator.budget_delete"} <= actions


def test_a_budget_line_of_the_archived_plan_is_read_only_in_the_editor(app, client, make_user, login):
    from app.indicators import plans, services
    from app.indicators.models import BudgetLine

    with app.test_request_context():
        reference = plans.reference()
        with in_force():
            line_id = services.save_budget_line(None, unit("11"), _line_fields(2024), actor="test", plan=reference).id
        db.session.commit()
        reference_id = reference.id
    _editor(client, make_user, login)
    assert f"/budget/{line_id}" not in client.get(f"/indicators/plans/{reference_id}").get_data(as_text=True)
    url = f"/indicators/plans/{reference_id}/budget/{line_id}"
    data = {"budget-year": "2024", "budget-component": "II", "budget-source": "central", "budget-planned": "7"}
    data |= {"budget-allocated": "0", "budget-disbursed": "0"}
    response = client.post(url, data=data)
    assert response.status_code == 200 and "Kế hoạch này đã lưu trữ" in response.get_data(as_text=True)
    assert "Kế hoạch này đã lưu trữ" in client.post(f"{url}/delete", follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(BudgetLine, line_id).planned == 1_000_000


def test_the_services_refuse_a_gone_unit_an_overlapping_phase_and_a_formula_naming_a_missing_indicator(app):
    """The routes' field errors come from the services: called directly, each refusal names its field."""
    from app.indicators import plans

    with app.test_request_context():
        plan = active_plan()
        draft = active_plan(2031, 2035, activate=False)
        gone = _refused(
            lambda: plans.save_target(plan, indicator("CT1", plan), unit("03295"), 2026, 3, actor="t"),
            "không tồn tại trong kỳ này",
            "unit_id",
        )
        assert "30/06/2025" in str(gone)
        fields = {"title": "Trùng", "programme": "DA8", "phase_start": 2028, "phase_end": 2032, "budget_total": 0}
        _refused(lambda: plans.create_plan(fields, actor="t", owner=unit("11")), "trùng giai đoạn", "phase_start")
        moved = {name: getattr(draft, name) for name in plans.PLAN_FIELDS} | {"phase_start": 2030}
        _refused(lambda: plans.save_plan(draft, moved, actor="t"), "trùng giai đoạn", "phase_start")
        formula = {"code": "CT30", "name": "Tỷ lệ thử", "kind": "count", "phase_target": 1, "formula": "CT7 + CT99"}
        _refused(lambda: plans.save_indicator(draft, None, formula, actor="t"), "CT99", "formula")
        assert (draft.phase_start, [i for i in plans.indicators(draft) if i.code == "CT30"]) == (2031, [])


def test_a_sent_report_locks_the_targets_of_its_year_until_the_reviewer_reopens_it(app, client, make_user, login):
    from app.indicators import plans, services

    with app.test_request_context():
        plan = active_plan()
        ct = next(i for i in plans.indicators(plan) if not i.derived and not i.is_percent)
        commune, other = unit("2025-03268"), unit("2025-03295")
        services.set_target(ct, commune, 2026, 4, actor="test")
        cycle = services.open_cycle(2026, "preliminary", actor="test", plan=plan)
        sub = sent_report(cycle, "2025-03268")
        locked = "đã gửi: số liệu của kỳ này không sửa tại chỗ được"
        _refused(lambda: services.set_target(ct, commune, 2026, 5, actor="t"), locked, "value")
        _refused(lambda: services.set_target(ct, commune, 2026, None, actor="t"), locked, "value")
        _refused(lambda: plans.save_target(plan, ct, commune, 2026, 5, actor="t"), locked, "value")
        _refused(lambda: services.save_draft(sub, typed_values(cycle, value=9), {}, actor="t"), "không sửa được")
        services.set_target(ct, commune, 2026, 4, actor="test")  # the same figure again: nothing changes
        services.set_target(ct, commune, 2027, 5, actor="test")  # another year, the phase, another commune: open
        services.set_target(ct, commune, None, 20, actor="test")
        services.set_target(ct, other, 2026, 3, actor="test")
        services.return_submission(sub, "Xin sửa chỉ tiêu", actor="reviewer")  # the reviewer reopens it
        services.set_target(ct, commune, 2026, 5, actor="test")
        services.submit(sub, actor="test")
        services.confirm(sub, actor="reviewer")
        _refused(lambda: services.set_target(ct, commune, 2026, 6, actor="t"), locked, "value")
        services.reopen(sub, "Mở lại để sửa", actor="admin")
        services.set_target(ct, commune, 2026, 6, actor="test")
        services.submit(sub, actor="test")
        db.session.commit()
        plan_id, ct_id, ct_code, commune_id = plan.id, ct.id, ct.code, commune.id
        others = {f"t-{ct_code}-{u.id}" for u in [unit("11")]}
    login(client, make_user("district_reviewer", "11"))
    # the plan editor: the refusal beside the value, what was typed kept
    page = client.post(
        f"/indicators/plans/{plan_id}/targets",
        data={"target-indicator_id": ct_id, "target-unit_id": commune_id, "target-year": "2026", "target-value": "8"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Báo cáo năm 2026" in html and 'id="target-value-error"' in html
    assert 'value="8"' in html
    # the targets grid: only the changed cell of the locked commune is refused; nothing of the grid is saved
    grid = client.get(f"/indicators/targets?year=2026&plan={plan_id}").get_data(as_text=True)
    cells = dict(re.findall(r'name="(t-[^"]+)" value="([^"]*)"', grid))
    name = f"t-{ct_code}-{commune_id}"
    assert cells[name] == "6"
    first = sorted(others)[0]
    page = client.post(f"/indicators/targets?year=2026&plan={plan_id}", data=cells | {name: "7", first: "99"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'id="{name}-error"' in html and "Báo cáo năm 2026" in html
    with app.app_context():
        targets = {(t.unit_id, t.indicator_id): t.value for t in plans.targets(plans.get(plan_id), 2026)}
        assert targets[(commune_id, ct_id)] == 6 and targets.get((unit("11").id, ct_id)) != 99
    assert client.post(f"/indicators/targets?year=2026&plan={plan_id}", data=cells).status_code == 303
