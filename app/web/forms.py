"""Form building blocks shared by every area: Vietnamese messages, and no control characters."""

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, StringField, TextAreaField
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


class BaseForm(FlaskForm):
    """Every form: text fields may not carry control characters (NUL and the like)."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            text = field.data if isinstance(field, (StringField, TextAreaField)) else None
            if isinstance(text, str) and _has_control_chars(text):
                field.errors = list(field.errors) + [str(_l("Có ký tự điều khiển không hợp lệ."))]
                ok = False
        return ok


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
    "BaseForm",
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
