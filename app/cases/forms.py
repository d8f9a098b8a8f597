"""Forms for case records: intake/edit in sections, and the small forms of the case page."""

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import clock
from ..crypto.blind import normalize_digits
from ..web.forms import (
    LIFE_DATES,
    BaseForm,
    DayField,
    WholeNumberField,
    between,
    chosen,
    long_text,
    max_length,
    optional,
    options,
    required,
    text,
)
from ..web.i18n import translated
from . import reference_data as ref

KIND_CHOICES = (
    ("dv", _l("Bạo lực gia đình")),
    ("trafficking", _l("Mua bán người")),
    ("both", _l("Cả bạo lực gia đình và mua bán người")),
)
SEX_CHOICES = (("female", _l("Nữ")), ("male", _l("Nam")), ("other", _l("Khác")), ("unknown", _l("Chưa rõ")))
ORDER_ISSUERS = (
    ("", _l("— Không có —")),
    ("commune_chair", _l("Chủ tịch UBND xã (tối đa 3 ngày)")),
    ("court", _l("Tòa án (tối đa 4 tháng)")),
)
FOLLOWUP_STATUSES = (("done", _l("Đã thực hiện")), ("cancelled", _l("Huỷ")))
SERVICE_STATUSES = (
    ("planned", _l("Dự kiến")),
    ("in_progress", _l("Đang thực hiện")),
    ("done", _l("Đã xong")),
    ("cancelled", _l("Đã huỷ")),
)
GIVEN_BY = (
    ("self", _l("Người được hỗ trợ")),
    ("guardian", _l("Người giám hộ")),
    ("child_and_guardian", _l("Trẻ (từ 7 tuổi) và người giám hộ")),
)
CONTACT_CHANNELS = (
    ("", _l("— Chọn —")),
    ("phone_call", _l("Gọi điện")),
    ("sms", _l("Tin nhắn")),
    ("in_person", _l("Gặp trực tiếp")),
    ("through_trusted_person", _l("Qua người tin cậy")),
    ("no_contact", _l("Không chủ động liên lạc")),
)
DV_ACT_CODES = translated((code, label) for acts in ref.DV_ACTS.values() for code, label in acts)
# The legal maximum duration of a no-contact order: a commune chair's lasts at most 3 days (Law 13/2022
# Art. 25), a court's at most 4 months (Art. 26). The orders themselves are modelled in app/protection (rules.py).
ORDER_MAX_DAYS = {"commune_chair": 3}
ORDER_MAX_MONTHS = {"court": 4}


def blank(label):
    return [("", label)]


# Names and words about a survivor must not be offered back by the browser to the next user of the device.
NO_AUTOFILL = {"autocomplete": "off"}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CaseForm(BaseForm):
    """Intake and edit: kind, summary, identity, narrative (DV and/or trafficking), assessment."""

    version = HiddenField()
    confirm_duplicate = BooleanField(_l("Tôi đã kiểm tra: đây không phải hồ sơ trùng"))
    # kind and summary tier
    kind = SelectField(_l("Loại vụ việc"), [chosen()], choices=options(blank(_l("— Chọn —")), KIND_CHOICES))
    unit_id = SelectField(_l("Đơn vị quản lý"), [chosen()], choices=[])
    village_id = SelectField(_l("Thôn, bản"), [optional()], choices=[])
    opened_on = DayField(_l("Ngày tiếp nhận"), [required()], default=clock.today)  # most intakes are today's
    sex = SelectField(_l("Giới tính"), [chosen()], choices=options(blank(_l("— Chọn —")), SEX_CHOICES))
    age_band = SelectField(
        _l("Nhóm tuổi"), [chosen()], choices=options(blank(_l("— Chọn —")), translated(ref.AGE_BANDS))
    )
    ethnic_code = SelectField(_l("Dân tộc"), [chosen()], choices=[])
    disability = BooleanField(_l("Người khuyết tật"))
    poverty_status = SelectField(
        _l("Hộ nghèo, cận nghèo"), [chosen()], choices=options(blank(_l("— Chọn —")), translated(ref.POVERTY_STATUSES))
    )
    risk_level = SelectField(
        _l("Mức độ nguy cơ"), [chosen()], choices=options(translated(ref.RISK_LEVELS)), default="medium"
    )
    # identity tier
    full_name = text(_l("Họ và tên"), required(), max_len=120)
    other_names = text(_l("Tên gọi khác"), optional(), max_len=200)
    birth_date = DayField(_l("Ngày sinh"), [optional()], bounds=LIFE_DATES)
    birth_year = WholeNumberField(_l("Năm sinh (ước tính, nếu không rõ ngày sinh)"), [optional(), between(1900, 2100)])
    id_number = text(_l("Số CCCD hoặc CMND"), optional(), max_len=20)
    phone = TelField(_l("Số điện thoại"), [optional(), max_length(20)])
    address_detail = text(_l("Địa chỉ cụ thể"), optional(), max_len=300)
    guardian_name = text(_l("Người giám hộ (với trẻ em)"), optional(), max_len=120)
    guardian_relation = text(_l("Quan hệ với trẻ"), optional(), max_len=60)
    guardian_phone = TelField(_l("Điện thoại người giám hộ"), [optional(), max_length(20)])
    preferred_language = SelectField(
        _l("Ngôn ngữ ưa dùng"), [optional()], choices=options(blank(_l("— Chọn —")), translated(ref.LANGUAGES))
    )
    interpreter_needed = BooleanField(_l("Cần phiên dịch"))
    # narrative: domestic violence
    dv_acts = MultiCheckboxField(_l("Hành vi bạo lực gia đình"), [optional()], choices=options(DV_ACT_CODES))
    perpetrator = text(_l("Người gây bạo lực"), optional(), max_len=200)
    perpetrator_relation = text(_l("Quan hệ với người bị bạo lực"), optional(), max_len=60)
    report_channel = SelectField(
        _l("Vụ việc được báo qua"),
        [optional()],
        choices=options(blank(_l("— Chọn —")), translated(ref.IDENTIFICATION_CHANNELS)),
    )
    reported_by = text(_l("Người báo tin (giữ bí mật)"), optional(), max_len=200)
    protective_measures = long_text(_l("Biện pháp bảo vệ đã áp dụng"), optional(), max_len=2000)
    order_issuer = SelectField(_l("Quyết định cấm tiếp xúc"), [optional()], choices=options(ORDER_ISSUERS))
    order_start = DayField(_l("Cấm tiếp xúc từ ngày"), [optional()])
    order_end = DayField(_l("Đến ngày"), [optional()])
    order_supervisor = text(_l("Người giám sát"), optional(), max_len=200)
    order_breaches = long_text(_l("Vi phạm quyết định cấm tiếp xúc"), optional(), max_len=2000)
    incident = long_text(_l("Mô tả sự việc"), optional(), max_len=5000)
    # narrative: trafficking
    tr_status = SelectField(
        _l("Tình trạng xác định nạn nhân"),
        [optional()],
        choices=options(blank(_l("— Chọn —")), translated(ref.TRAFFICKING_STATUSES)),
    )
    tr_destination = text(_l("Nơi bị đưa đến"), optional(), max_len=200)
    tr_exploitation = MultiCheckboxField(
        _l("Hình thức bóc lột"), [optional()], choices=options(translated(ref.EXPLOITATION_FORMS))
    )
    tr_departure_on = DayField(_l("Ngày bị đưa đi"), [optional()], bounds=LIFE_DATES)
    tr_return_on = DayField(_l("Ngày trở về"), [optional()], bounds=LIFE_DATES)
    tr_identified_how = SelectField(
        _l("Được phát hiện, tiếp nhận qua"),
        [optional()],
        choices=options(blank(_l("— Chọn —")), translated(ref.IDENTIFICATION_CHANNELS)),
    )
    tr_accompanying_minor = BooleanField(_l("Có trẻ dưới 18 tuổi đi cùng"))
    # assessment and safety
    risk_reasons = long_text(_l("Lý do đánh giá nguy cơ"), optional(), max_len=2000)
    needs = long_text(_l("Nhu cầu hỗ trợ"), optional(), max_len=2000)
    safety_plan = long_text(_l("Kế hoạch an toàn"), optional(), max_len=5000)
    contact_channel = SelectField(_l("Cách liên lạc an toàn"), [optional()], choices=options(CONTACT_CHANNELS))
    contact_window = text(_l("Khung giờ an toàn"), optional(), max_len=100)
    contact_code_word = text(_l("Mật khẩu, câu nói quy ước"), optional(), max_len=100)
    contact_notes = text(_l("Lưu ý khi liên lạc"), optional(), max_len=300)

    def __init__(self, *args, unit_choices=(), village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = options(blank(_l("— Chọn —")), unit_choices)
        self.village_id.choices = options(blank(_l("— Không chọn —")), village_choices)
        pinned = [g for code in ref.ETHNIC_GROUPS_PINNED for g in ref.ETHNIC_GROUPS if g[0] == code]
        others = [g for g in ref.ETHNIC_GROUPS if g[0] not in ref.ETHNIC_GROUPS_PINNED]
        self.ethnic_code.choices = options(
            blank(_l("— Chọn —")), ((c, f"{_l(label)} ({c})") for c, label in pinned + others)
        )

    def validate_birth_date(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Ngày sinh không được ở tương lai."))

    def validate_birth_year(self, field):
        if field.data and field.data > clock.today().year:
            raise ValidationError(_l("Năm sinh không được ở tương lai."))

    def validate_opened_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Ngày tiếp nhận không được ở tương lai."))

    def validate_id_number(self, field):
        value = (field.data or "").strip()
        if value and not re.fullmatch(r"\d{12}|\d{9}", value):
            raise ValidationError(_l("Số CCCD gồm 12 chữ số, CMND cũ gồm 9 chữ số."))

    def validate_phone(self, field):
        _check_phone(field.data)

    def validate_guardian_phone(self, field):
        _check_phone(field.data)

    def validate_order_end(self, field):
        issuer, start, end = self.order_issuer.data, self.order_start.data, field.data
        if not issuer:
            return
        if not (start and end):
            raise ValidationError(_l("Vui lòng nhập ngày bắt đầu và ngày kết thúc cấm tiếp xúc."))
        if end < start:
            raise ValidationError(_l("Ngày kết thúc không được trước ngày bắt đầu."))
        if issuer in ORDER_MAX_DAYS and end > start + timedelta(days=ORDER_MAX_DAYS[issuer]):
            raise ValidationError(_l("Quyết định của Chủ tịch UBND xã có hiệu lực tối đa 3 ngày."))
        if issuer in ORDER_MAX_MONTHS and end > start + relativedelta(months=ORDER_MAX_MONTHS[issuer]):
            raise ValidationError(_l("Quyết định của Tòa án có hiệu lực tối đa 4 tháng."))

    def validate_tr_return_on(self, field):
        departure = self.tr_departure_on.data
        if field.data and departure and field.data < departure:
            raise ValidationError(_l("Ngày trở về không được trước ngày bị đưa đi."))
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Ngày trở về không được ở tương lai."))

    # --- between the form and the model ------------------------------------------------------------

    def to_data(self) -> dict:
        """The values for the case services: summary columns and the sealed identity/narrative fields."""
        d = self.data
        kind = d["kind"]
        data = {
            name: d[name]
            for name in (
                "kind",
                "unit_id",
                "sex",
                "age_band",
                "ethnic_code",
                "disability",
                "poverty_status",
                "risk_level",
                "opened_on",
                "full_name",
                "other_names",
                "birth_date",
                "birth_year",
                "address_detail",
                "preferred_language",
                "reported_by",
                "safety_plan",
                "incident",
            )
        }
        data["village_id"] = d["village_id"] or None
        data["id_number"] = (d["id_number"] or "").strip() or None
        data["phone"] = (d["phone"] or "").strip() or None
        data["interpreter_needed"] = "yes" if d["interpreter_needed"] else None
        data["guardian"] = _compact(
            {"name": d["guardian_name"], "relation": d["guardian_relation"], "phone": d["guardian_phone"]}
        )
        data["domestic_violence"] = (
            _compact(
                {
                    "acts": d["dv_acts"],
                    "perpetrator": d["perpetrator"],
                    "relation": d["perpetrator_relation"],
                    "report_channel": d["report_channel"],
                    "measures": d["protective_measures"],
                    "order": _compact(
                        {
                            "issuer": d["order_issuer"],
                            "start": _iso(d["order_start"]),
                            "end": _iso(d["order_end"]),
                            "supervisor": d["order_supervisor"],
                            "breaches": d["order_breaches"],
                        }
                    )
                    if d["order_issuer"]
                    else None,
                }
            )
            if kind in ("dv", "both")
            else None
        )
        data["trafficking"] = (
            _compact(
                {
                    "status": d["tr_status"],
                    "destination": d["tr_destination"],
                    "exploitation": d["tr_exploitation"],
                    "departure_on": _iso(d["tr_departure_on"]),
                    "return_on": _iso(d["tr_return_on"]),
                    "identified_how": d["tr_identified_how"],
                    "accompanying_minor": bool(d["tr_accompanying_minor"]) or None,
                }
            )
            if kind in ("trafficking", "both")
            else None
        )
        data["assessment"] = _compact({"risk_reasons": d["risk_reasons"], "needs": d["needs"]})
        data["safe_contact"] = _compact(
            {
                "channel": d["contact_channel"],
                "window": d["contact_window"],
                "code_word": d["contact_code_word"],
                "notes": d["contact_notes"],
            }
        )
        return data

    @classmethod
    def values_of(cls, case) -> dict:
        """Form values from a case (for the edit form and the conflict screen)."""
        dv = case.domestic_violence or {}
        order = dv.get("order") or {}
        tr = case.trafficking or {}
        guardian = case.guardian or {}
        assessment = case.assessment or {}
        contact = case.safe_contact or {}
        values = {
            name: getattr(case, name)
            for name in (
                "kind",
                "unit_id",
                "sex",
                "age_band",
                "ethnic_code",
                "disability",
                "poverty_status",
                "risk_level",
                "opened_on",
                "full_name",
                "other_names",
                "birth_date",
                "birth_year",
                "id_number",
                "phone",
                "address_detail",
                "preferred_language",
                "reported_by",
                "safety_plan",
            )
        }
        values.update(
            version=case.version,
            village_id=case.village_id or "",
            interpreter_needed=case.interpreter_needed == "yes",
            guardian_name=guardian.get("name"),
            guardian_relation=guardian.get("relation"),
            guardian_phone=guardian.get("phone"),
            dv_acts=dv.get("acts") or [],
            perpetrator=dv.get("perpetrator"),
            perpetrator_relation=dv.get("relation"),
            report_channel=dv.get("report_channel") or "",
            protective_measures=dv.get("measures"),
            incident=case.incident,
            order_issuer=order.get("issuer") or "",
            order_start=_day(order.get("start")),
            order_end=_day(order.get("end")),
            order_supervisor=order.get("supervisor"),
            order_breaches=order.get("breaches"),
            tr_status=tr.get("status") or "",
            tr_destination=tr.get("destination"),
            tr_exploitation=tr.get("exploitation") or [],
            tr_departure_on=_day(tr.get("departure_on")),
            tr_return_on=_day(tr.get("return_on")),
            tr_identified_how=tr.get("identified_how") or "",
            tr_accompanying_minor=bool(tr.get("accompanying_minor")),
            risk_reasons=assessment.get("risk_reasons"),
            needs=assessment.get("needs"),
            contact_channel=contact.get("channel") or "",
            contact_window=contact.get("window"),
            contact_code_word=contact.get("code_word"),
            contact_notes=contact.get("notes"),
        )
        return values


def _check_phone(value):
    value = (value or "").strip()
    if not value:
        return
    if not re.fullmatch(r"[+\d][\d .-]*", value) or not 9 <= len(normalize_digits(value)) <= 11:
        raise ValidationError(_l("Số điện thoại không hợp lệ (9-11 chữ số)."))


def _compact(values: dict) -> dict | None:
    kept = {k: v for k, v in values.items() if v not in (None, "", [], {}, False)}
    return kept or None


def _iso(day):
    return day.isoformat() if day else None


def _day(value):
    return date.fromisoformat(value) if value else None


class CaseSearchForm(BaseForm):
    q = StringField(_l("Tìm theo mã hồ sơ, họ tên, số điện thoại hoặc số CCCD"), [optional(), max_length(120)])


class ConsentForm(BaseForm):
    purpose = SelectField(
        _l("Mục đích"), [chosen()], choices=options(blank(_l("— Chọn —")), translated(ref.CONSENT_PURPOSES))
    )
    agency_id = SelectField(_l("Cơ quan được chia sẻ"), [optional()], choices=[])
    method = SelectField(
        _l("Hình thức"), [chosen()], choices=options(blank(_l("— Chọn —")), translated(ref.CONSENT_METHODS))
    )
    given_by = SelectField(_l("Người đồng ý"), [chosen()], choices=options(GIVEN_BY))
    witness = text(_l("Người làm chứng"), optional(), max_len=120, render_kw=NO_AUTOFILL)
    given_on = DayField(_l("Ngày đồng ý"), [required()])
    expires_on = DayField(_l("Hết hạn ngày"), [optional()])
    # The evidence (Decree 356/2025 Art. 6): which notice version was read, in which language.
    notice_id = SelectField(_l("Thông báo xử lý dữ liệu đã đọc cho người được hỗ trợ"), [optional()], choices=[])
    language = SelectField(
        _l("Đã giải thích bằng"), [optional()], choices=options(translated(ref.CONSENT_LANGUAGES)), default="vi"
    )
    note = text(_l("Ghi chú"), optional(), max_len=300)

    date_order = (("given_on", "expires_on"),)

    def validate_given_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Ngày đồng ý không được ở tương lai."))


class WithdrawConsentForm(BaseForm):
    withdrawn_on = DayField(_l("Ngày rút"), [required()])


class ServiceStatusForm(BaseForm):
    """Status, dates and notes of a service already in the plan."""

    status = SelectField(_l("Trạng thái"), [chosen()], choices=options(SERVICE_STATUSES))
    start_on = DayField(_l("Bắt đầu"), [optional()])
    end_on = DayField(_l("Kết thúc"), [optional()])
    notes = text(_l("Ghi chú"), optional(), max_len=500)


class ServiceForm(ServiceStatusForm):
    kind = SelectField(_l("Dịch vụ"), [chosen()], choices=options(blank(_l("— Chọn —")), translated(ref.SERVICE_KINDS)))


class FollowUpForm(BaseForm):
    due_on = DayField(_l("Ngày hẹn theo dõi"), [required()])
    assignee_id = SelectField(_l("Người thực hiện"), [optional()], choices=[])
    purpose = text(_l("Nội dung theo dõi"), required(), max_len=300, render_kw=NO_AUTOFILL)


class FollowUpOutcomeForm(BaseForm):
    status = SelectField(_l("Kết quả"), [chosen()], choices=options(FOLLOWUP_STATUSES))
    outcome = long_text(_l("Ghi nhận kết quả"), required(), max_len=2000, render_kw=NO_AUTOFILL)


class NoteForm(BaseForm):
    body = long_text(_l("Ghi chú"), required(), max_len=5000, render_kw=NO_AUTOFILL)


class CloseForm(BaseForm):
    reason = SelectField(
        _l("Lý do đóng hồ sơ"), [chosen()], choices=options(blank(_l("— Chọn —")), translated(ref.CLOSURE_REASONS))
    )
    note = long_text(_l("Giải thích (bắt buộc nếu còn lần theo dõi chưa xong)"), optional(), max_len=1000)


class ReopenForm(BaseForm):
    reason = long_text(_l("Lý do mở lại"), required(), max_len=1000)


class BreakGlassForm(BaseForm):
    reason = long_text(_l("Lý do khẩn cấp cần xem toàn bộ hồ sơ"), required(), max_len=1000)


class EraseRequestForm(BaseForm):
    case_code = text(_l("Mã hồ sơ"), required(), max_len=20)
    reason = SelectField(_l("Lý do"), [chosen()], choices=[])


class EraseDecisionForm(BaseForm):
    decision = SelectField(
        _l("Quyết định"), [chosen()], choices=options([("confirm", _l("Xác nhận xoá")), ("refuse", _l("Từ chối"))])
    )
