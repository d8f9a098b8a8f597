"""Validation rules of reported figures, shared by the report form (messages beside the fields) and the
services (which refuse the same things). Disaggregations are marginal: each breakdown adds up to at most
the total, never a full cross product (the DHIS2 category-combo lesson)."""

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

# Options of each disaggregation. The ethnic groups are the largest ones of Tuần Giáo plus "other".
DISAGGREGATION_OPTIONS = {
    "sex": (("female", _l("Nữ")), ("male", _l("Nam"))),
    "ethnic_group": (
        ("thai", _l("Thái")),
        ("mong", _l("Mông")),
        ("kho_mu", _l("Khơ Mú")),
        ("kinh", _l("Kinh")),
        ("other", _l("Dân tộc khác")),
    ),
    "age_band": (
        ("under_18", _l("Dưới 18 tuổi")),
        ("18_29", _l("18–29 tuổi")),
        ("30_44", _l("30–44 tuổi")),
        ("45_plus", _l("Từ 45 tuổi")),
    ),
}
DISAGGREGATION_LABELS = {
    "sex": _l("Theo giới tính"),
    "ethnic_group": _l("Theo dân tộc"),
    "age_band": _l("Theo nhóm tuổi"),
}


def value_errors(indicator, value, denominator, breakdown) -> dict[str, LazyString]:
    """Problems of one figure, keyed by the part they belong to ("value", "denominator", "sex", …)."""
    errors: dict[str, LazyString] = {}
    if value is None:
        return errors
    if value < 0:
        errors["value"] = _l("Phải là số nguyên không âm.")
    if indicator.is_percent:
        if denominator is None:
            errors["denominator"] = _l("Vui lòng nhập tổng số (mẫu số) để tính tỷ lệ.")
        elif denominator < 0:
            errors["denominator"] = _l("Phải là số nguyên không âm.")
        elif value > denominator:
            errors["value"] = _l("Số đạt không được lớn hơn tổng số: tỷ lệ không được vượt quá 100%.")
    for dimension, parts in (breakdown or {}).items():
        numbers = [n for n in parts.values() if n is not None]
        if any(n < 0 for n in numbers):
            errors[dimension] = _l("Phải là số nguyên không âm.")
        elif dimension == "sex" and (parts.get("female") or 0) > value:
            errors[dimension] = _l("Số nữ không được lớn hơn tổng số.")
        elif sum(numbers) > value:
            errors[dimension] = _l("Tổng các nhóm không được lớn hơn tổng số.")
    return errors


def percent(value: float | None, denominator: int | None) -> float | None:
    if value is None or not denominator:
        return None
    return round(100 * value / denominator, 1)
