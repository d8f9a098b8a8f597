"""Validity dates select the rows of a period: an indicator ended in 2026 is not asked in a 2027 cycle but still is
in 2026's, and a deadline rule changed from 2027 gives 2026 and 2027 different deadlines (forms, figures and
deadlines alike)."""

from datetime import date

from indicators_helpers import active_plan, unit

from app.extensions import db


def _fields(ind, **more) -> dict:
    return {
        "code": ind.code,
        "parent_code": ind.parent_code,
        "name": ind.name,
        "short_name": ind.short_name,
        "unit_label": ind.unit_label,
        "kind": ind.kind,
        "model_kind": ind.model_kind,
        "disaggregation": ind.disaggregation,
        "phase_target": ind.phase_target,
        "formula": ind.formula,
        "source": ind.source,
        **more,
    }


def test_an_indicator_ended_in_2026_and_a_deadline_changed_from_2027(app, client, make_user, login):
    from app.deadlines import add_working_days
    from app.indicators import figures, plans, services

    with app.test_request_context():
        draft = active_plan(activate=False)
        dropped = next(i for i in plans.indicators(draft) if not i.derived and not i.parent_code)
        draft_id, dropped_id, code = draft.id, dropped.id, dropped.code
        form = {k: v for k, v in _fields(dropped).items() if v not in (None, [])}
        db.session.commit()
    login(client, make_user("district_reviewer", "11"))
    # the province user ends the indicator with 2026 and changes the preliminary deadline from 2027, in the editor
    form |= {"valid_to_year": "2026", "valid_from_year": ""}
    response = client.post(f"/indicators/plans/{draft_id}/indicators/{dropped_id}", data=form)
    assert response.status_code == 303
    bad = client.post(f"/indicators/plans/{draft_id}/indicators/{dropped_id}", data=form | {"valid_to_year": "2040"})
    assert bad.status_code == 200 and "2026–2030" in bad.get_data(as_text=True)
    rule = {"rule-frequency": "yearly", "rule-round": "preliminary", "rule-level": "commune"}
    rule |= {"rule-working_days": "10", "rule-valid_from_year": "2027"}
    assert client.post(f"/indicators/plans/{draft_id}/cycles", data=rule).status_code == 303
    page = client.get(f"/indicators/plans/{draft_id}").get_data(as_text=True)
    assert "áp dụng 2026–2026" in page and "2026–2026" in page and "2027–2030" in page
    with app.test_request_context():
        plan = plans.get(draft_id)
        ended = plans.rule_for(plan, "preliminary", on=date(2026, 12, 31))
        assert (ended.fixed_day, ended.fixed_month, ended.valid_to) == (5, 9, date(2026, 12, 31))
        plans.activate(plan, actor="test")
        c2026 = services.open_cycle(2026, "preliminary", actor="test", plan=plan)
        c2027 = services.open_cycle(2027, "preliminary", actor="test", plan=plan)
        # deadlines: the fixed 5/9 in 2026, ten Vietnamese working days after the year from 2027
        assert c2026.commune_due_on == date(2026, 9, 5)
        assert c2027.commune_due_on == add_working_days(date(2027, 12, 31), 10) != date(2027, 9, 5)
        # forms: asked in 2026, not in 2027
        assert code in [i.code for i in plans.cycle_indicators(c2026)]
        assert code not in [i.code for i in plans.cycle_indicators(c2027)]
        s2026 = services.start_submission(c2026, unit("2025-03268"), actor="test")
        s2027 = services.start_submission(c2027, unit("2025-03268"), actor="test")
        assert code in services.missing_values(s2026) and code not in services.missing_values(s2027)
        # figures: the year's report has the row in 2026 and not in 2027
        assert code in [r.indicator.code for r in figures.build(unit("11"), 2026, plan=plan).rows]
        assert code not in [r.indicator.code for r in figures.build(unit("11"), 2027, plan=plan).rows]
        db.session.commit()
        ids = s2026.id, s2027.id
    login(client, make_user("reporter", "2025-03268"))
    field = f'name="{code.replace(".", "_")}-actual-value"'
    assert field in client.get(f"/indicators/submissions/{ids[0]}").get_data(as_text=True)
    assert field not in client.get(f"/indicators/submissions/{ids[1]}").get_data(as_text=True)


def test_a_copy_keeps_an_indicator_s_own_end_and_drops_one_ended_before_the_new_phase(app):
    from app.indicators import plans

    with app.test_request_context():
        plan = active_plan(activate=False)
        ind = next(i for i in plans.indicators(plan) if not i.derived and not i.parent_code)
        plans.save_indicator(plan, ind, _fields(ind, valid_to_year=2027), actor="test")
        plans.activate(plan, actor="test")
        version = plans.new_version(plan, actor="test")
        copied = next(i for i in plans.indicators(version) if i.code == ind.code)
        assert (copied.valid_from, copied.valid_to) == (date(2026, 1, 1), date(2027, 12, 31))
        later = plans.create_plan(
            {"title": "Sau", "programme": "DA8", "phase_start": 2031, "phase_end": 2035, "budget_total": 0},
            actor="test",
            owner=unit("11"),
            copy_from=plan,
        )
        assert ind.code not in [i.code for i in plans.indicators(later)]
        assert len(plans.indicators(later)) == len(plans.indicators(plan)) - 1
