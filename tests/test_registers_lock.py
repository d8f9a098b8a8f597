"""Register entries of a reported period are locked: once the commune's report covering an entry's day is sent
(submitted, confirmed, locked), the payment, event or model meeting of that day cannot be recorded, corrected or
voided (a Vietnamese message says which report); the reviewer returning the report, or reopening it, unlocks."""

from datetime import UTC, date, datetime

import pytest
from indicators_helpers import registry_entry, unit
from registers_support import event, payment

from app.extensions import db
from app.services import ServiceError

LOCKED = "sổ của kỳ này đã khoá"
# The reports here are the 2022 plan's (the plan of 2026 while no later one exists), kept in force for them: the
# services refuse every change to an archived plan.
pytestmark = pytest.mark.usefixtures("plan_2022_in_force")


@pytest.fixture
def req(app):
    with app.test_request_context():
        yield
        db.session.remove()


def _sent_report(code: str = "2025-03295", round_: str = "update", sent_on: date | None = None):
    """The commune's 2026 report of the 2022 plan, sent (typed figures zero): the new Quài Tở's, whose report
    covers the entries of the old Quài Tở (03295) merged into it (the old commune has no 2026 report)."""
    from app.indicators import plans, services

    cycle = services.open_cycle(2026, round_, actor="test")
    sub = services.start_submission(cycle, unit(code), actor="test")
    kinds = services.required_kinds(cycle)
    typed = {
        (i.id, kind): (0, 0 if i.is_percent else None, {})
        for i in plans.indicators(cycle.plan)
        if not i.derived
        for kind in kinds
    }
    services.save_draft(sub, typed, {}, actor="test")
    services.submit(sub, actor="reporter-x")
    if sent_on is not None:
        sub.submitted_at = datetime(sent_on.year, sent_on.month, sent_on.day, 3, tzinfo=UTC)
    db.session.flush()
    return sub


def _refused(fn, field: str) -> str:
    with pytest.raises(ServiceError) as raised:
        fn()
    assert raised.value.field == field, raised.value
    assert LOCKED in str(raised.value) and "báo cáo năm 2026 của Xã Quài Tở" in str(raised.value)
    return str(raised.value)


def test_a_sent_report_locks_payments_events_and_meetings_of_its_period_until_returned(req):
    from app.indicators import services as indicators
    from app.registers import services

    paid, held = payment(), event()
    model = registry_entry("03295")
    meeting = indicators.log_meeting(model, {"held_on": date(2026, 5, 4), "attendees": 8, "women": 5}, actor="t")
    elsewhere = event("03268")
    sub = _sent_report()

    message = _refused(lambda: services.void_event(held, "Nhập trùng", actor="test"), "reason")
    assert "Ngày 10/04/2026" in message
    edit = {
        "kind": "policy_dialogue",
        "held_on": held.held_on,
        "participants": 30,
        "female": 20,
        "male": 10,
        "by_ethnicity": {"03": 30},
    }
    _refused(lambda: services.save_event(held, held.unit, held.place, edit, actor="test"), "held_on")
    _refused(lambda: event(held_on=date(2026, 6, 1)), "held_on")  # a new entry backdated into the period
    _refused(lambda: services.void_payment(paid, "Chi trùng", actor="test"), "reason")
    changed = {"package": paid.package, "amount": 900_000, "paid_on": paid.paid_on, "voucher_number": "PC-001"}
    _refused(lambda: services.save_payment(paid, paid.unit, {**changed, "full_name": "X"}, actor="t"), "paid_on")
    _refused(lambda: indicators.void_meeting(meeting, "Ghi nhầm", actor="t"), "reason")
    _refused(lambda: indicators.log_meeting(model, {"held_on": date(2026, 6, 1)}, actor="t"), "held_on")
    db.session.refresh(held)
    assert held.is_valid and paid.is_valid and paid.amount == 1_200_000 and meeting.status == "valid"
    # Not locked: another commune's entries; the person data of a payment can still be erased (a right).
    services.void_event(elsewhere, "Nhập trùng", actor="test")
    services.erase_payment_person(paid, actor="test")

    indicators.return_submission(sub, "Sai số liệu sự kiện", actor="reviewer-x")
    services.void_event(held, "Nhập trùng", actor="test")
    indicators.void_meeting(meeting, "Ghi nhầm", actor="t")
    assert not held.is_valid and meeting.status == "void"

    indicators.submit(sub, actor="reporter-x")  # the commune sends again, the reviewer confirms: locked again
    indicators.confirm(sub, actor="reviewer-x")
    _refused(lambda: services.void_payment(paid, "Chi trùng", actor="test"), "reason")
    indicators.reopen(sub, "Mở lại để sửa sổ", actor="admin-x")
    services.void_payment(paid, "Chi trùng", actor="test")
    assert not paid.is_valid


def test_the_preliminary_round_locks_the_days_up_to_its_sending_only(req):
    from app.registers import services

    before, after = event(held_on=date(2026, 9, 1)), event(held_on=date(2026, 9, 20))
    _sent_report(round_="preliminary", sent_on=date(2026, 9, 5))
    with pytest.raises(ServiceError) as raised:
        services.void_event(before, "Nhập trùng", actor="test")
    assert "báo cáo sơ bộ năm 2026" in str(raised.value)
    services.void_event(after, "Nhập trùng", actor="test")  # after the sending: counted by the update round
    assert event(held_on=date(2026, 10, 2)).is_valid
    assert event(held_on=date(2025, 12, 30)).is_valid  # another year, another report


def test_the_page_says_why_and_keeps_the_entry(app, client, make_user, login):
    with app.test_request_context():
        held = event()
        _sent_report()
        db.session.commit()
        event_id = held.id
    login(client, make_user("reporter", "2025-03295"))
    response = client.post(f"/registers/events/{event_id}/void", data={"reason": "Nhập trùng"})
    assert response.status_code == 200
    assert LOCKED in response.get_data(as_text=True)
    with app.app_context():
        from app.registers.models import CommunityEvent

        assert db.session.get(CommunityEvent, event_id).is_valid


def test_the_lists_mark_locked_entries_and_offer_no_edit_link_for_them(app, client, make_user, login):
    """The reporter sees which entries a sent report locks ("Đã khoá") before trying to correct one; the badge
    goes with the lock when the reviewer returns the report."""
    from app.indicators import services as indicators

    with app.test_request_context():
        locked_payment, open_payment = payment(), payment(voucher="002", paid_on=date(2025, 12, 30))
        locked_event, open_event = event(), event(held_on=date(2025, 12, 30))
        sub = _sent_report()  # the 2026 update round, sent today: every day of 2026 up to today is counted
        db.session.commit()
        ids = {
            "payment": (locked_payment.id, open_payment.id),
            "event": (locked_event.id, open_event.id),
        }
        sub_id = sub.id
    login(client, make_user("reporter", "2025-03295"))

    def rows(kind: str) -> dict[str, str]:
        page = client.get(f"/registers/{kind}s").get_data(as_text=True)
        return {row_id: _row(page, kind, row_id) for row_id in ids[kind]}

    for kind in ("payment", "event"):
        locked, still_open = ids[kind]
        shown = rows(kind)
        assert "Đã khoá" in shown[locked] and f"/registers/{kind}s/{locked}" not in shown[locked], kind
        assert "Đã khoá" not in shown[still_open] and f"/registers/{kind}s/{still_open}" in shown[still_open], kind
    with app.test_request_context():
        from app.indicators.models import Submission

        indicators.return_submission(db.session.get(Submission, sub_id), "Sai số liệu", actor="reviewer-x")
        db.session.commit()
    for kind in ("payment", "event"):
        locked, _ = ids[kind]
        shown = rows(kind)
        assert "Đã khoá" not in shown[locked] and f"/registers/{kind}s/{locked}" in shown[locked], kind


def _row(page: str, kind: str, row_id: str) -> str:
    """The table row of one entry: the one holding its edit link, or (locked) its marked row."""
    for row in page.split("<tr>")[1:]:
        row = row.split("</tr>")[0]
        if row_id in row:
            return row
    # A locked row has no link (so no id): it is the one row with the badge.
    marked = [row.split("</tr>")[0] for row in page.split("<tr>")[1:] if "Đã khoá" in row]
    assert len(marked) == 1, f"{kind}: {len(marked)} locked rows"
    return marked[0]
