"""Form building blocks shared by every area: Vietnamese messages, and no control characters."""

import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import NumberInput


def required(message=None):
    return DataRequired(message=message or _l("Vui lòng nhập mục này."))


def chosen(message=None):
    return InputRequired(message=message or _l("Vui lòng chọn một mục."))


def max_length(n: int):
    return Length(max=n, message=_l("Tối đa %(max)d ký tự.", max=n))


def between(low: int, high: int):
    return NumberRange(min=low, max=high, message=_l("Giá trị phải từ %(min)s đến %(max)s.", min=low, max=high))


optional = Optional


def _has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value)


ENDS_BEFORE_START = _l("Ngày kết thúc không được trước ngày bắt đầu.")


class BaseForm(FlaskForm):
    """Every form: text fields may not carry control characters (NUL and the like); each (start, end) pair of
    date fields named in `date_order` must not end before it starts (the error goes beside the end)."""

    date_order: tuple[tuple, ...] = ()  # (start, end) or (start, end, message)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            text = field.data if isinstance(field, (StringField, TextAreaField)) else None
            if isinstance(text, str) and _has_control_chars(text):
                field.errors = list(field.errors) + [str(_l("Có ký tự điều khiển không hợp lệ."))]
                ok = False
        for start_name, end_name, *message in self.date_order:
            start, end = self[start_name], self[end_name]
            if isinstance(start.data, date) and isinstance(end.data, date) and end.data < start.data:
                end.errors = list(end.errors) + [str(message[0] if message else ENDS_BEFORE_START)]
                ok = False
        return ok


# Life events (a birth, a departure, an order) may lie far back; the dates of administration (a unit's validity, a
# calendar day, a deadline, a register entry, an agreement) lie within the programme's working life. Outside
# these, a date is a typing slip, and the years past 9999 or before 1 would overflow date arithmetic further on.
LIFE_DATES = (date(1900, 1, 1), date(2100, 12, 31))
ADMIN_DATES = (date(2000, 1, 1), date(2100, 12, 31))


class DayField(DateField):
    """Every date input: a date the browser did not check (no JavaScript, an old phone) or one outside
    `bounds` is refused in Vietnamese beside the field, and what was typed is shown again. An empty input is
    None, for `optional` or `required` to judge."""

    def __init__(self, label=None, validators=None, bounds: tuple[date, date] = ADMIN_DATES, **kwargs):
        self.bounds = bounds
        limits = {"min": bounds[0].isoformat(), "max": bounds[1].isoformat()}
        render_kw = {**limits, **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None  # left empty: `optional` or `required` decides
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Ngày không hợp lệ.")) from exc
        low, high = self.bounds
        day = self.data
        if day is not None and not low <= day <= high:
            self.data = None
            raise ValueError(
                _l("Ngày phải từ %(low)s đến %(high)s.", low=low.strftime("%d/%m/%Y"), high=high.strftime("%d/%m/%Y"))
            )

    def pre_validate(self, form):
        if self.process_errors:  # keep "not a valid date" rather than letting "required" replace it
            raise StopValidation()


MAX_DIGITS = 18  # int() refuses strings over 4300 digits with its own error; no number here needs more than 18


def is_whole_number_text(raw: str) -> bool:
    """ASCII digits only: int() would also take "١٢", "²", "1_000", "+5" or " 7"."""
    return 0 < len(raw) <= MAX_DIGITS and raw.isascii() and raw.isdigit()


def whole_number(raw: str | None, low: int = 0, high: int = 10**9) -> int | None:
    """The number in a query argument or a plain input, or None: ASCII digits only, within low..high."""
    raw = raw or ""
    if not is_whole_number_text(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


NOT_A_WHOLE_NUMBER = _l("Chỉ nhập chữ số 0–9 (không dấu, không khoảng trắng).")


class WholeNumberField(IntegerField):
    """Every integer input: ASCII digits only, else a Vietnamese error beside the field (the value typed is
    kept). An empty input is None, for `optional` or `required` to judge."""

    widget = NumberInput()
    message = NOT_A_WHOLE_NUMBER

    def process_formdata(self, valuelist):
        self.data = None
        raw = valuelist[0] if valuelist else ""
        if raw == "":
            return
        if not is_whole_number_text(raw):
            raise ValueError(self.message)
        self.data = int(raw)

    def pre_validate(self, form):
        if self.process_errors:  # keep "digits only" rather than letting "required" replace it
            raise StopValidation()


def options(*groups) -> list[SelectChoice]:
    """A select's options from groups of (value, label) pairs, in order; a lazy label stays lazy, so it is
    translated when the page is drawn. The code lists stay pairs: pages and label lookups read them too."""
    return [SelectChoice(value, label) for pairs in groups for value, label in pairs]


def text(label, *validators, max_len: int = 200, **kwargs):
    return StringField(label, [*validators, max_length(max_len)], **kwargs)


def long_text(label, *validators, max_len: int = 5000, **kwargs):
    return TextAreaField(label, [*validators, max_length(max_len)], **kwargs)


__all__ = [
    "ADMIN_DATES",
    "LIFE_DATES",
    "BaseForm",
    "DayField",
    "ValidationError",
    "WholeNumberField",
    "between",
    "chosen",
    "long_text",
    "max_length",
    "optional",
    "options",
    "required",
    "text",
    "whole_number",
]
