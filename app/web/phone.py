"""Vietnamese phone numbers as an office publishes them: checked against the national numbering plan, kept
as typed (spaces and dots help whoever reads it aloud), dialled as digits.

The national numbering plan (Thông tư 22/2014/TT-BTTTT, Quy hoạch kho số viễn thông) as changed by the
conversion of fixed-line area codes completed in 2017 (every area code now starts with 2, e.g. 0215 for Điện
Biên, 024 for Hà Nội) and of 11-digit mobile numbers to 10 digits in 2018 (Quyết định 798/QĐ-BTTTT). The
decision numbers were written from memory, not from a copy of the texts: check them before quoting them. A
number dialled with the country code +84 drops the leading 0.
"""

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# Fixed lines: 0 + area code (2x or 2xx) + subscriber number, 11 digits in every province since 2017.
FIXED = re.compile(r"02\d{9}")
# Mobile networks: 10 digits since 2018, prefixes 03, 05, 07, 08, 09.
MOBILE = re.compile(r"0[35789]\d{8}")
# Free (1800) and paid (1900) service lines an office may publish: 1800 xxxx or 1800 xxxxxx.
SERVICE_LINE = re.compile(r"1[89]00(\d{4}|\d{6})")
# What may stand between the digits as people write them: "0215 3862 999", "0215.3862.999", "(0215) 3862-999".
WRITTEN = re.compile(r"\+?[\d .\-()]+")

NOT_A_VIETNAMESE_PHONE = _l(
    "Số điện thoại không hợp lệ: nhập số cố định (11 chữ số, bắt đầu bằng 02), số di động (10 chữ số) "
    "hoặc đường dây 1800/1900."
)


def national_digits(text: str) -> str:
    """The digits of a number as dialled inside Việt Nam (+84 becomes the leading 0)."""
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if text.strip().startswith("+"):
        return "0" + digits[2:] if digits.startswith("84") else ""  # another country's number is not an office's
    return digits


def is_vietnamese_phone(text: str) -> bool:
    text = (text or "").strip()
    if not WRITTEN.fullmatch(text):
        return False
    digits = national_digits(text)
    return any(pattern.fullmatch(digits) for pattern in (FIXED, MOBILE, SERVICE_LINE))


def vietnamese_phone(form, field) -> None:
    """A WTForms validator: an empty input passes (the field is optional), anything else must be a number of
    the national plan."""
    if (field.data or "").strip() and not is_vietnamese_phone(field.data):
        raise ValidationError(NOT_A_VIETNAMESE_PHONE)
