"""What a referral may share, how a snapshot is taken, and how a packet reads in Vietnamese.

The packet keeps raw values (dates as ISO text, codes as codes) of exactly the chosen fields; labels are
looked up when it is shown, so the packet itself never holds anything the counsellor did not choose.
"""

from datetime import date

from flask_babel import lazy_gettext as _l

from ..cases import forms as case_forms
from ..cases import reference_data as ref
from ..cases.models import Case
from ..extensions import db
from ..units.models import Unit
from ..web.filters import date_vn
from ..web.i18n import translated

# Every field of the three tiers, with the label the counsellor ticks. The sending unit is always named on a
# referral (the agency must know whom to answer), so unit_id is not offered as a choice.
SUMMARY = (
    ("code", _l("Mã hồ sơ")),
    ("kind", _l("Loại vụ việc")),
    ("village_id", _l("Thôn, bản")),
    ("status", _l("Tình trạng hồ sơ")),
    ("sex", _l("Giới tính")),
    ("age_band", _l("Nhóm tuổi")),
    ("ethnic_code", _l("Dân tộc")),
    ("disability", _l("Người khuyết tật")),
    ("poverty_status", _l("Hộ nghèo, cận nghèo")),
    ("risk_level", _l("Mức độ nguy cơ")),
    ("opened_on", _l("Ngày tiếp nhận")),
    ("closed_on", _l("Ngày đóng hồ sơ")),
)
IDENTITY = (
    ("full_name", _l("Họ và tên")),
    ("other_names", _l("Tên gọi khác")),
    ("birth_date", _l("Ngày sinh")),
    ("birth_year", _l("Năm sinh")),
    ("id_number", _l("Số CCCD hoặc CMND")),
    ("phone", _l("Số điện thoại")),
    ("address_detail", _l("Địa chỉ cụ thể")),
    ("guardian", _l("Người giám hộ")),
    ("preferred_language", _l("Ngôn ngữ ưa dùng")),
    ("interpreter_needed", _l("Cần phiên dịch")),
)
NARRATIVE = (
    ("incident", _l("Mô tả sự việc")),
    ("domestic_violence", _l("Bạo lực gia đình: hành vi, người gây bạo lực")),
    ("trafficking", _l("Mua bán người: tình trạng, nơi bị đưa đến, hình thức bóc lột")),
    ("reported_by", _l("Người báo tin")),
    ("assessment", _l("Đánh giá nguy cơ và nhu cầu")),
    ("safety_plan", _l("Kế hoạch an toàn")),
    ("safe_contact", _l("Cách liên lạc an toàn")),
)
TIERS = (
    (_l("Thông tin tổng hợp"), SUMMARY),
    (_l("Thông tin nhận dạng"), IDENTITY),
    (_l("Diễn biến và đánh giá"), NARRATIVE),
)
FIELD_LABELS = {name: label for _, fields in TIERS for name, label in fields}
SHAREABLE = tuple(FIELD_LABELS)  # a test checks that this covers every field of Case's three tiers

# Labels of the keys inside the sealed JSON fields, and of the codes they hold.
SUBKEYS = {
    "acts": _l("Hành vi"),
    "perpetrator": _l("Người gây bạo lực"),
    "relation": _l("Quan hệ"),
    "report_channel": _l("Báo tin qua"),
    "measures": _l("Biện pháp bảo vệ"),
    "order": _l("Cấm tiếp xúc"),
    "issuer": _l("Người ra quyết định"),
    "start": _l("Từ ngày"),
    "end": _l("Đến ngày"),
    "supervisor": _l("Người giám sát"),
    "breaches": _l("Vi phạm"),
    "status": _l("Tình trạng"),
    "destination": _l("Nơi bị đưa đến"),
    "exploitation": _l("Hình thức bóc lột"),
    "departure_on": _l("Ngày bị đưa đi"),
    "return_on": _l("Ngày trở về"),
    "identified_how": _l("Phát hiện qua"),
    "accompanying_minor": _l("Có trẻ dưới 18 tuổi đi cùng"),
    "risk_reasons": _l("Lý do đánh giá nguy cơ"),
    "needs": _l("Nhu cầu"),
    "channel": _l("Cách liên lạc"),
    "window": _l("Khung giờ an toàn"),
    "code_word": _l("Câu nói quy ước"),
    "notes": _l("Lưu ý"),
    "name": _l("Họ và tên"),
    "phone": _l("Điện thoại"),
}
CODES = {
    "kind": dict(case_forms.KIND_CHOICES),
    "sex": dict(case_forms.SEX_CHOICES),
    "age_band": dict(translated(ref.AGE_BANDS)),
    "ethnic_code": dict(translated(ref.ETHNIC_GROUPS)),
    "poverty_status": dict(translated(ref.POVERTY_STATUSES)),
    "risk_level": dict(translated(ref.RISK_LEVELS)),
    "preferred_language": dict(translated(ref.LANGUAGES)),
    "acts": dict(case_forms.DV_ACT_CODES),
    "report_channel": dict(translated(ref.IDENTIFICATION_CHANNELS)),
    "identified_how": dict(translated(ref.IDENTIFICATION_CHANNELS)),
    "exploitation": dict(translated(ref.EXPLOITATION_FORMS)),
    "channel": dict(case_forms.CONTACT_CHANNELS),
    "issuer": dict(case_forms.ORDER_ISSUERS),
    "status": {**dict(translated(ref.TRAFFICKING_STATUSES)), "open": _l("Đang mở"), "closed": _l("Đã đóng")},
}


def snapshot(case: Case, fields) -> dict:
    """The values of exactly `fields`, JSON-safe, as they are now (unit ids become the unit's name)."""
    values = {}
    for name in fields:
        value = getattr(case, name)
        if name == "village_id":
            unit = db.session.get(Unit, value) if value else None
            value = unit.name if unit else None
        values[name] = _jsonable(value)
    return values


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def present(values: dict) -> list[dict]:
    """The packet as rows for a page: [{"label", "lines"}], in checklist order; empty values say so."""
    rows = []
    for name in SHAREABLE:
        if name in values:
            rows.append({"name": name, "label": FIELD_LABELS[name], "lines": _lines(name, values[name])})
    return rows


def _lines(key: str, value) -> list[str]:
    if value is None or value == "" or value == [] or value == {}:
        return [str(_l("(chưa có thông tin)"))]
    if isinstance(value, dict):
        lines: list[str] = []
        for sub, inner in value.items():
            if inner in (None, "", [], {}):
                continue
            label = SUBKEYS.get(sub, sub)
            lines.extend(f"{label}: {line}" for line in _lines(sub, inner))
        return lines or [str(_l("(chưa có thông tin)"))]
    return [_text(key, value)]


def _text(key: str, value) -> str:
    if isinstance(value, bool) or value in ("yes", "no") and key in ("interpreter_needed",):
        return str(_l("Có")) if value in (True, "yes") else str(_l("Không"))
    if isinstance(value, list):
        return "; ".join(_text(key, v) for v in value)
    codes = CODES.get(key)
    if codes and value in codes:
        return str(codes[value])
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date_vn(date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)
