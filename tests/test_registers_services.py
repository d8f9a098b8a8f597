"""The registers' rules: a payment's amount must be positive and its voucher unique in the commune; an event's
participant count must equal its parts by sex and by ethnicity; voided entries stop counting; the counting
functions give per unit, per period and per disaggregation."""

from datetime import date

import pytest
from registers_support import event, payment

from app.extensions import db
from app.services import ServiceError
from app.units.queries import by_code, scope_ids


def _refused(fn, field):
    with pytest.raises(ServiceError) as raised:
        fn()
    assert raised.value.field == field, raised.value
    db.session.rollback()
    return str(raised.value)


@pytest.fixture
def req(app):
    with app.test_request_context():
        yield
        db.session.remove()


def test_a_negative_or_zero_amount_is_refused_on_the_amount_field(req):
    _refused(lambda: payment(amount=-500_000), "amount")
    _refused(lambda: payment(amount=0), "amount")
    _refused(lambda: payment(amount=500_000_000), "amount")
    assert payment(amount=1).amount == 1


def test_a_voucher_number_is_used_once_per_commune_among_valid_payments(req):
    from app.registers import services

    first = payment(voucher="007")
    _refused(lambda: payment(voucher="007"), "voucher_number")
    payment("03268", voucher="007")  # another commune keeps its own numbering
    services.void_payment(first, "Ghi nhầm", actor="test")
    assert payment(voucher="007").is_valid  # the voided one no longer holds the number


def test_participants_below_the_sum_of_parts_or_parts_not_adding_up_are_field_errors(req):
    _refused(lambda: event(participants=20, female=18, male=12), "participants")  # 20 < 30
    _refused(lambda: event(participants=35, female=18, male=12), "female")  # 30 != 35
    _refused(lambda: event(by_ethnicity={"03": 40, "08": 0}), "participants")  # 30 < 40
    _refused(lambda: event(by_ethnicity={"03": 10, "08": 10}), "by_ethnicity")  # 20 != 30
    _refused(lambda: event(participants=0, female=0, male=0, by_ethnicity={}), "participants")
    assert event().participants == 30


def test_counts_per_unit_period_and_disaggregation_leave_out_voided_entries(req):
    from app.registers import counts, services

    payment(voucher="1", ethnic_code="08", age_band="18_29", amount=1_000_000)
    payment(voucher="2", ethnic_code="03", age_band="under_18", amount=2_000_000)
    payment(voucher="3", package="postnatal", amount=500_000)
    payment(voucher="4", paid_on=date(2025, 12, 31))  # another year
    payment("03268", voucher="5")
    services.void_payment(payment(voucher="6"), "Chi trùng", actor="test")
    event(kind="communication")
    event()
    services.void_event(event(), "Nhập trùng", actor="test")
    event("03268", participants=10, female=10, male=0, by_ethnicity={"01": 10})
    db.session.flush()
    commune, district = scope_ids(by_code("03295")), scope_ids(by_code("099"))
    year = (date(2026, 1, 1), date(2026, 12, 31))
    mothers = counts.mothers_supported(commune, *year)
    assert (mothers.value, mothers.amount) == (2, 3_000_000)
    assert mothers.breakdown["ethnic_group"] == {"mong": 1, "thai": 1}
    assert mothers.breakdown["age_band"] == {"18_29": 1, "under_18": 1}
    assert counts.payments(commune, *year).amount == 3_500_000
    assert counts.mothers_supported(district, *year).value == 3
    assert counts.events(commune, *year).value == 2
    assert counts.events(commune, *year, kind="policy_dialogue").value == 1
    people = counts.participants(district, *year)
    assert people.value == 70
    assert people.breakdown["sex"] == {"female": 46, "male": 24}
    assert people.breakdown["ethnic_group"] == {"thai": 20, "mong": 30, "kinh": 20}
    assert counts.events(district, date(2027, 1, 1), date(2027, 12, 31)).value == 0


def test_every_change_is_audited_without_person_data(req):
    from sqlalchemy import select

    from app.audit.models import AuditEntry
    from app.registers import services

    paid = payment()
    services.void_payment(paid, "Ghi nhầm người", actor="test")
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == paid.id)).all()
    actions = {e.action for e in entries}
    assert {"registers.payment_create", "registers.payment_void", "registers.payment_erase"} <= actions
    for entry in entries:
        assert "Lò Thị" not in repr(entry.detail)


def test_registers_feed_indicator_values_through_their_value_sources(req):
    from app import valuesources

    payment(voucher="1", ethnic_code="08", age_band="18_29")
    payment(voucher="2", package="postnatal", amount=300_000)
    event()
    event(kind="communication", participants=10, female=10, male=0, by_ethnicity={"03": 10})
    db.session.flush()
    units = scope_ids(by_code("099"))
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert {
        "register:payments.mothers_supported",
        "register:events.policy_dialogue",
        "register:events.participants",
    } <= set(valuesources.names())
    mothers = valuesources.compute("register:payments.mothers_supported", units, *year)
    assert mothers.value == 1 and mothers.breakdown["ethnic_group"] == {"mong": 1}
    assert valuesources.compute("register:payments.amount", units, *year).value == 1_500_000
    assert valuesources.compute("register:events.policy_dialogue", units, *year).value == 1
    assert valuesources.compute("register:events.count", units, *year).value == 2
    people = valuesources.compute("register:events.participants", units, *year)
    assert people.value == 40 and people.breakdown["sex"] == {"female": 28, "male": 12}
    quarter = valuesources.compute("register:events.count", units, date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.value == 0  # the events are in April: a quarterly cycle counts its own period only


def test_an_indicator_that_names_a_register_source_is_counted_from_the_register(req):
    """The indicator module's counted figures take a definition's value source from the registers (not typed)."""
    from app.indicators import queries
    from app.indicators.models import IndicatorDef

    event()  # a policy dialogue in 03295
    event("03268", kind="communication", participants=10, female=10, male=0, by_ethnicity={"01": 10})
    payment(voucher="1")
    db.session.flush()
    dialogues = IndicatorDef(
        code="X7",
        kind="count",
        name="Đối thoại",
        short_name="Đối thoại",
        unit_label="cuộc",
        phase_target=10,
        source="register:events.policy_dialogue",
        disaggregation=[],
    )
    mothers = IndicatorDef(
        code="X5",
        kind="count",
        name="Bà mẹ",
        short_name="Bà mẹ",
        unit_label="người",
        phase_target=10,
        source="register:payments.mothers_supported",
        disaggregation=[],
    )
    assert dialogues.derived and mothers.derived  # never typed in a report
    units = scope_ids(by_code("099"))
    figures = queries.counted_figures([dialogues, mothers], units, date(2026, 1, 1), date(2026, 12, 31))
    assert figures["X7"] == (1, None) and figures["X5"] == (1, None)
    quarter = queries.counted_figures([dialogues], units, date(2026, 1, 1), date(2026, 3, 31))
    assert quarter["X7"] == (0, None)
    other = queries.counted_figures([dialogues], scope_ids(by_code("03268")), date(2026, 1, 1), date(2026, 12, 31))
    assert other["X7"] == (0, None)
