"""One mechanism each: numbers and dates written by Babel, month arithmetic by dateutil, and one ASCII-digit
integer parser for every integer input (WTForms) and every number in a query string."""

from datetime import UTC, date, datetime

import pytest
from test_cases_support import intake
from werkzeug.datastructures import MultiDict

from app.web.filters import date_vn, datetime_vn, money, number
from app.web.forms import BaseForm, WholeNumberField, optional, whole_number

HOSTILE = ["١٢", "²", "1_000", "+5", "-3", " 7", "7 ", "1 000", "12a", "0x1f", "1e3", "9" * 19]


def test_numbers_and_dates_are_written_the_vietnamese_way_by_babel():
    assert money(12380000) == "12.380.000 đ" and money(0) == "0 đ" and money(-5000) == "-5.000 đ"
    assert money(None) == "" and number("") == ""
    assert number(1234567) == "1.234.567" and number(3.0) == "3"
    assert number(1234.45) == "1.234,5" and number(0.25) == "0,3"  # one decimal, half up
    assert date_vn(date(2026, 3, 6)) == "06/03/2026"
    assert date_vn(datetime(2026, 3, 5, 20, 0, tzinfo=UTC)) == "06/03/2026"  # Việt Nam's day
    assert datetime_vn(datetime(2026, 3, 5, 20, 5, tzinfo=UTC)) == "06/03/2026 03:05"


def test_a_court_order_lasts_at_most_four_calendar_months(app):
    from wtforms.validators import ValidationError

    from app.cases.forms import CaseForm

    with app.test_request_context(method="POST"):

        def check(start, end):
            form = CaseForm(formdata=MultiDict({"order_issuer": "court", "order_start": start, "order_end": end}))
            form.validate_order_end(form.order_end)

        check("2026-10-31", "2027-02-28")  # 31/10 + 4 months = 28/02 (the month has no 31st)
        with pytest.raises(ValidationError):
            check("2026-10-31", "2027-03-01")
        check("2027-10-31", "2028-02-29")  # a leap year
        with pytest.raises(ValidationError):
            check("2027-10-31", "2028-03-01")


class _Form(BaseForm):
    count = WholeNumberField("n", [optional()])


@pytest.mark.parametrize("raw", HOSTILE)
def test_every_integer_input_refuses_what_int_would_take(app, raw):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"count": raw}), meta={"csrf": False})
        assert not form.validate()
        assert form.count.errors == ["Chỉ nhập chữ số 0–9 (không dấu, không khoảng trắng)."]
        assert form.count.data is None and form.count.raw_data == [raw]  # the input is shown back as typed
    assert whole_number(raw, 0, 10**20) is None


def test_an_integer_input_reads_plain_digits_and_leaves_empty_to_the_validators(app):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"count": "0042"}), meta={"csrf": False})
        assert form.validate() and form.count.data == 42
        empty = _Form(formdata=MultiDict({"count": ""}), meta={"csrf": False})
        assert empty.validate() and empty.count.data is None


def test_the_intake_birth_year_refuses_arabic_digits_with_a_vietnamese_error(client, counsellor, unit):
    for raw in ("١٩٩٠", "1_990", "+1990"):
        page = intake(client, unit("TA-02").id, birth_year=raw)
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and 'id="birth_year-error"' in text
        assert "Chỉ nhập chữ số 0–9" in text and f'value="{raw}"' in text


def test_money_and_counts_in_other_forms_use_the_same_parser():
    from app.indicators.forms import RegistryEntryForm
    from app.livelihood.forms import MoneyField

    assert issubclass(MoneyField, WholeNumberField)
    assert isinstance(RegistryEntryForm.members_total.field_class, type)
    assert issubclass(RegistryEntryForm.members_total.field_class, WholeNumberField)


def test_money_keeps_group_separators_but_refuses_underscores_and_signs(app):
    from app.livelihood.forms import MoneyField

    class Money(BaseForm):
        amount = MoneyField("a", [optional()])

    with app.test_request_context(method="POST"):
        for raw, expected in (("1.500.000", 1500000), ("1 500 000", 1500000), ("2500", 2500)):
            form = Money(formdata=MultiDict({"amount": raw}), meta={"csrf": False})
            assert form.validate() and form.amount.data == expected, raw
        for raw in ("1_500", "-1500", "١٥٠٠", "."):
            form = Money(formdata=MultiDict({"amount": raw}), meta={"csrf": False})
            assert not form.validate() and "chỉ gồm chữ số" in form.amount.errors[0], raw


@pytest.mark.parametrize("raw", ["١٢", "1_0", "+2", "-1", " 3"])
def test_query_string_numbers_are_ascii_digits_or_ignored(client, make_user, login, raw):
    login(client, make_user("counsellor", "TA-02"))
    assert client.get("/cases/", query_string={"page": raw}).status_code == 200
    assert client.get("/indicators/", query_string={"year": raw}).status_code == 200
    other = client.application.test_client()
    login(other, make_user("admin", "11"))
    assert other.get("/audit/", query_string={"before": raw}).status_code == 200


def test_one_label_registry_gives_every_area_its_labels_as_plain_text_in_the_readers_language(app):
    from flask_babel.speaklater import LazyString

    from app.web import labels

    with app.test_request_context():
        vi = labels.context()
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        en = labels.context()
    assert {"labels", "dv_acts_by_group", "ref_labels", "ind_labels", "lv"} <= set(vi)
    assert vi["labels"]["sex"]["female"] == "Nữ" and en["labels"]["sex"]["female"] == "Female"
    assert vi["ref_labels"]["urgency"]["urgent"] != en["ref_labels"]["urgency"]["urgent"]

    def lazy_left(value) -> bool:
        if isinstance(value, dict):
            return any(lazy_left(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return any(lazy_left(v) for v in value)
        return isinstance(value, LazyString)

    assert not lazy_left(vi) and not lazy_left(en)
    with pytest.raises(ValueError):
        labels.labels("lv")(dict)


def test_the_pages_show_the_labels(client, counsellor, case_id):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Bạo lực gia đình" in page and "Nữ" in page


def test_one_pager_reads_the_page_number_and_cuts_the_rows(app):
    from app.cases import queries
    from app.web import paging

    with app.test_request_context("/?page=%D9%A2&other=3"):  # "٢": not a page number
        assert paging.requested_page() == 1
    with app.test_request_context("/?sent_page=3"):
        assert paging.requested_page("sent_page") == 3
    page = paging.cut(list(range(26)), 2, total=40)
    assert page.rows == list(range(25)) and page.has_next and page.number == 2 and page.total == 40
    assert not paging.cut(list(range(25)), 1).has_next
    assert not hasattr(queries, "CasePage")  # the case list returns the one Page too
