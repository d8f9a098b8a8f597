"""The legal clocks of protection casework at their edges, with time-machine (Việt Nam time), and the rules the
services refuse with the article named: order maximums, renewals, exception contacts, identification,
entitlement limits, and the rise to high risk in the work queue."""

from datetime import date

import pytest
import time_machine
from protection_support import case, make_world, user, vn

from app.extensions import db
from app.services import ServiceError


@pytest.fixture
def world(app, make_user):
    return make_world(app, make_user)


def _request(world, at):
    from app.protection import services

    return services.request_order(
        case(world.case_id),
        {"requested_by": "victim", "decider": "commune_chair", "requested_at": at},
        actor=user(world.counsellor_id),
    )


def _granted(world, start, end_day, decider="commune_chair"):
    from app.protection import services

    order = _request(world, start)
    order.decider = decider
    services.decide_order(
        order, {"outcome": "granted", "decided_at": start, "end_on": end_day}, actor=user(world.counsellor_id)
    )
    return order


def test_the_12_hour_decision_clock_at_11h59_and_12h01(app, world):
    from app.protection import clocks

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 1, 8, 0), tick=False):
        order = _request(world, vn(2026, 12, 1, 8, 0))
        late = clocks.order_decision(order, now=vn(2026, 12, 1, 19, 59))
        assert late.standing.state == "soon" and late.standing.text == "còn 1 phút"
        assert late.article == "Luật 13/2022/QH15, Điều 25"
        over = clocks.order_decision(order, now=vn(2026, 12, 1, 20, 1))
        assert over.standing.state == "overdue" and over.standing.text == "quá hạn 1 phút"
        fresh = clocks.order_decision(order, now=vn(2026, 12, 1, 15, 0))
        assert fresh.standing.text == "còn 5 giờ"
        db.session.rollback()


def test_the_work_queue_carries_the_decision_clock_and_the_warning_a_day_before_the_end(app, world):
    from app.protection import work

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 1, 8, 0), tick=False):
        _request(world, vn(2026, 12, 1, 7, 0))
        _granted(world, vn(2026, 12, 1, 7, 30), date(2026, 12, 1))  # ends tonight: within its last day
        db.session.commit()
        items = work.order_items(user(world.counsellor_id))
        kinds = {i.kind: i for i in items}
        assert kinds["no_contact_decision"].detail.endswith("còn 11 giờ")
        assert kinds["no_contact_decision"].high_risk
        assert kinds["no_contact_end"].state == "soon" and kinds["no_contact_end"].detail.endswith("còn 15 giờ")
        assert "Lệnh cấm tiếp xúc" in kinds["no_contact_end"].title
        assert not work.order_items(user(world.supervisor_id))  # supervisors are told of form 09, not of these


def test_the_order_end_warns_only_in_its_last_day(app, world):
    from app.protection import clocks

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 1, 8, 0), tick=False):
        order = _granted(world, vn(2026, 12, 1, 8, 0), date(2026, 12, 4))
        assert clocks.order_end(order, now=vn(2026, 12, 3, 23, 0)).standing.state == "ok"
        assert clocks.order_end(order, now=vn(2026, 12, 4, 0, 0)).standing.state == "soon"
        assert clocks.order_end(order, now=vn(2026, 12, 5, 0, 0)) is None  # ended: nothing runs
        db.session.rollback()


@pytest.mark.parametrize(
    ("decider", "end_day", "ok"),
    [
        ("commune_chair", date(2026, 12, 4), True),
        ("commune_chair", date(2026, 12, 5), False),
        ("court", date(2027, 4, 1), True),
        ("court", date(2027, 4, 2), False),
    ],
)
def test_an_order_longer_than_its_legal_maximum_is_refused_with_its_article(app, world, decider, end_day, ok):
    with app.test_request_context(), time_machine.travel(vn(2026, 12, 1, 14, 0), tick=False):
        if ok:
            order = _granted(world, vn(2026, 12, 1, 14, 0), end_day, decider)
            assert order.status == "granted"
        else:
            with pytest.raises(ServiceError) as refused:
                _granted(world, vn(2026, 12, 1, 14, 0), end_day, decider)
            assert refused.value.field == "end_on"
            assert ("Điều 25" if decider == "commune_chair" else "Điều 26") in str(refused.value)
        db.session.rollback()


def test_an_end_before_the_start_is_refused(app, world):
    with app.test_request_context(), time_machine.travel(vn(2026, 12, 1, 14, 0), tick=False):
        with pytest.raises(ServiceError) as refused:
            _granted(world, vn(2026, 12, 1, 14, 0), date(2026, 11, 30))
        assert refused.value.field == "end_on"
        db.session.rollback()


def test_editing_an_ended_order_makes_a_renewal_and_never_extends_it(app, world):
    from app.protection import services
    from app.protection.models import NoContactOrder

    with app.test_request_context():
        with time_machine.travel(vn(2026, 12, 1, 9, 0), tick=False):
            order = _granted(world, vn(2026, 12, 1, 9, 0), date(2026, 12, 4))
            # while it runs, a change stays within the maximum and keeps the same decision
            same = services.change_order(order, {"end_on": date(2026, 12, 3)}, actor=user(world.counsellor_id))
            assert same is order and order.ends_at == vn(2026, 12, 3, 23, 59, 59, 999999)
            db.session.commit()
        with time_machine.travel(vn(2026, 12, 4, 10, 0), tick=False):
            order = db.session.get(NoContactOrder, order.id)
            renewal = services.change_order(
                order,
                {"end_on": date(2026, 12, 7), "decided_at": vn(2026, 12, 4, 9, 30)},
                actor=user(world.counsellor_id),
            )
            db.session.commit()
            assert renewal.id != order.id and renewal.renewal_of_id == order.id
            assert order.ends_at == vn(2026, 12, 3, 23, 59, 59, 999999)  # the old decision is untouched
            assert renewal.starts_at == vn(2026, 12, 4, 9, 30) and renewal.status == "granted"
            with pytest.raises(ServiceError):  # a renewal has its own maximum too
                services.change_order(order, {"end_on": date(2026, 12, 9)}, actor=user(world.counsellor_id))
            db.session.rollback()


def _exception(world, order, start, end, reason="funeral"):
    from app.protection import services

    return services.request_exception(
        order,
        {"reason": reason, "starts_at": start, "ends_at": end, "form09_on": date(2026, 12, 1)},
        actor=user(world.counsellor_id),
    )


def test_exception_contacts_at_most_4_hours_for_a_listed_reason_cosigned_by_the_supervisor(app, world):
    from app.protection import services, work

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 1, 8, 0), tick=False):
        order = _granted(world, vn(2026, 12, 1, 8, 0), date(2026, 12, 4))
        contact = _exception(world, order, vn(2026, 12, 2, 9, 0), vn(2026, 12, 2, 13, 0))
        with pytest.raises(ServiceError) as too_long:
            _exception(world, order, vn(2026, 12, 2, 9, 0), vn(2026, 12, 2, 13, 1))
        assert too_long.value.field == "end_time" and "Điều 18" in str(too_long.value)
        with pytest.raises(ServiceError) as unlisted:
            _exception(world, order, vn(2026, 12, 2, 9, 0), vn(2026, 12, 2, 10, 0), reason="market_day")
        assert unlisted.value.field == "reason" and "Điều 18" in str(unlisted.value)
        with pytest.raises(ServiceError):  # outside the order
            _exception(world, order, vn(2026, 12, 6, 9, 0), vn(2026, 12, 6, 10, 0))
        db.session.commit()
        assert [i.kind for i in work.cosign_items(user(world.supervisor_id))] == ["exception_cosign"]
        assert not work.cosign_items(user(world.counsellor_id))
        with pytest.raises(ServiceError):  # the requester does not sign their own request
            services.cosign_exception(contact, actor=user(world.counsellor_id))
        services.cosign_exception(contact, actor=user(world.supervisor_id))
        assert contact.status == "cosigned" and contact.cosigned_by_id == world.supervisor_id
        db.session.commit()
        assert not work.cosign_items(user(world.supervisor_id))


def _identify(world, **changes):
    from app.protection import services

    data = {
        "received_by": "border_guard",
        "received_on": date(2026, 12, 1),
        "brought_to_commune_on": date(2026, 12, 1),
        "urgent_support": True,
        "health_dept_notified_on": date(2026, 12, 1),
        "outcome": "pending",
        "being_protected": True,
    }
    data.update(changes)
    return services.save_identification(case(world.case_id), data, actor=user(world.counsellor_id))


def test_the_3_day_verification_clock_ends_on_day_3_at_2359_vietnam_time_and_is_flagged_overdue(app, world):
    from app.protection import clocks, work

    with app.test_request_context():
        with time_machine.travel(vn(2026, 12, 1, 10, 0), tick=False):
            ident = _identify(world)
            db.session.commit()
        run = clocks.verification(ident, now=vn(2026, 12, 4, 23, 59))
        assert run.standing.state == "soon" and run.standing.text == "còn 1 phút"
        assert run.article == "Luật 53/2024/QH15, Điều 27"
        assert clocks.verification(ident, now=vn(2026, 12, 5, 0, 1)).standing.state == "overdue"
        with time_machine.travel(vn(2026, 12, 7, 9, 0), tick=False):
            items = work.verification_items(user(world.counsellor_id))
            assert [(i.state, i.detail.split(" · ")[1]) for i in items] == [("overdue", "quá hạn 2 ngày")]
            _identify(world, verified_with_police_on=date(2026, 12, 3))
            assert not work.verification_items(user(world.counsellor_id))
        db.session.rollback()


def test_a_verification_outcome_without_a_date_is_refused_and_not_victim_ends_protection(app, world):
    with app.test_request_context(), time_machine.travel(vn(2026, 12, 5, 10, 0), tick=False):
        with pytest.raises(ServiceError) as refused:
            _identify(world, outcome="victim")
        assert refused.value.field == "outcome_on" and "Điều 27" in str(refused.value)
        ident = _identify(world, outcome="not_victim", outcome_on=date(2026, 12, 4))
        assert not ident.being_protected
        ident = _identify(world, outcome="pending")
        assert ident.being_protected  # "being protected" before the outcome
        db.session.rollback()


def test_essential_needs_are_limited_to_120_days_with_a_warning_a_week_before(app, world):
    from app.protection import clocks, services, work

    with app.test_request_context(), time_machine.travel(vn(2026, 6, 20, 10, 0), tick=False):
        data = {
            "regime": "essential_needs",
            "responsible_body": "health_dept",
            "granted_on": date(2026, 3, 1),
            "started_on": date(2026, 3, 1),
            "amount": 2_000_000,
        }
        with pytest.raises(ServiceError) as refused:
            services.grant_entitlement(
                case(world.case_id), dict(data, ended_on=date(2026, 6, 29)), actor=user(world.counsellor_id)
            )
        assert refused.value.field == "ended_on" and "Điều 17" in str(refused.value)
        ent = services.grant_entitlement(case(world.case_id), data, actor=user(world.counsellor_id))
        run = clocks.entitlement_limit(ent)
        assert run.due == vn(2026, 6, 28, 23, 59, 59, 999999)  # day 120, counting 1 March as day 1
        assert run.standing.state == "ok"
        assert clocks.entitlement_limit(ent, now=vn(2026, 6, 22, 0, 0)).standing.state == "soon"
        db.session.commit()
        assert not work.entitlement_items(user(world.counsellor_id))
        with time_machine.travel(vn(2026, 6, 25, 8, 0), tick=False):
            assert [i.state for i in work.entitlement_items(user(world.counsellor_id))] == ["soon"]
        services.update_entitlement(ent, {"ended_on": date(2026, 6, 28)}, actor=user(world.counsellor_id))
        assert clocks.entitlement_limit(ent) is None
        # a regime without a limit here runs without a clock
        loan = services.grant_entitlement(
            case(world.case_id),
            {
                "regime": "loan",
                "responsible_body": "nhcsxh",
                "granted_on": date(2026, 6, 1),
                "started_on": date(2026, 6, 1),
            },
            actor=user(world.counsellor_id),
        )
        assert clocks.entitlement_limit(loan) is None
        db.session.rollback()


def test_a_rise_to_high_risk_asks_for_a_safety_plan_review_and_tells_the_supervisor(app, world):
    from app.protection import services, work

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 1, 10, 0), tick=False):
        counsellor = user(world.counsellor_id)
        low = services.assess_risk(
            case(world.case_id), {"assessed_on": date(2026, 11, 1), "answers": {"isolation": True}}, actor=counsellor
        )
        assert (low.score, low.level, low.review_needed) == (1, "low", False)
        high = services.assess_risk(
            case(world.case_id),
            {"assessed_on": date(2026, 12, 1), "answers": {"strangulation": True, "isolation": True}},
            actor=counsellor,
        )
        assert (high.score, high.level, high.review_needed) == (2, "high", True)
        assert case(world.case_id).risk_level == "high"
        db.session.commit()
        assert [i.kind for i in work.risk_items(user(world.supervisor_id))] == ["risk_review"]
        assert work.risk_items(counsellor)[0].high_risk
        again = services.assess_risk(
            case(world.case_id), {"assessed_on": date(2026, 12, 1), "answers": {"weapon": True}}, actor=counsellor
        )
        assert not again.review_needed  # high stays high: no new alarm
        services.mark_reviewed(high, actor=counsellor)
        db.session.commit()
        assert not work.risk_items(user(world.supervisor_id))


def test_the_sources_are_registered_in_the_work_queue(app):
    from app import workqueue

    assert {"no_contact", "trafficking_verification", "entitlement_limit", "exception_cosign", "risk_review"} <= set(
        workqueue.sources()
    )


def test_every_rule_cites_its_article():
    from app.protection import rules

    articles = {r.key: r.article for r in rules.ALL}
    assert articles == {
        "no_contact.decision": "Luật 13/2022/QH15, Điều 25",
        "no_contact.chair_max": "Luật 13/2022/QH15, Điều 25",
        "no_contact.court_max": "Luật 13/2022/QH15, Điều 26",
        "no_contact.exception_max": "Nghị định 76/2023/NĐ-CP, Điều 18",
        "trafficking.verification": "Luật 53/2024/QH15, Điều 27",
        "regime.essential_needs": "Nghị định 162/2025/NĐ-CP, Điều 17",
    }
    assert {r.unit for r in rules.ALL} == {"hours", "days", "months"}
