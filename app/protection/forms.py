"""Forms of protection casework. They check types and presence; the legal rules (maximum lengths of orders,
the 4-hour exception contact, the dated verification outcome…) are checked once, in services.py, and their
refusals land beside the field with the article named."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, TimeField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..livelihood.forms import MoneyField
from ..web.forms import LIFE_DATES, BaseForm, DayField, chosen, long_text, optional, options, required, text
from . import reference_data as ref


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClockField(TimeField):
    """A time of day (hh:mm, Việt Nam time); a malformed one is refused in Vietnamese."""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Giờ không hợp lệ.")) from exc

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def blank():
    return [("", _l("— Chọn —"))]


class CodedForm(BaseForm):
    """A form whose select lists come from reference_data: only codes valid today are offered."""

    CODED: dict[str, tuple] = {}
    WITH_BLANK: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, items in self.CODED.items():
            pairs = ref.choices(items)
            getattr(self, name).choices = options(blank(), pairs) if name in self.WITH_BLANK else options(pairs)


class PerpetratorForm(CodedForm):
    CODED = {"sex": ref.SEXES, "age_band": ref.PERPETRATOR_AGE_BANDS, "relation": ref.RELATIONS}
    WITH_BLANK = ("sex", "age_band", "relation")

    sex = SelectField(_l("Giới tính"), [chosen()])
    age_band = SelectField(_l("Nhóm tuổi"), [chosen()])
    relation = SelectField(_l("Quan hệ với người bị hại"), [chosen()])
    full_name = text(_l("Họ tên (được mã hoá)"), optional(), max_len=120)
    phone = text(_l("Số điện thoại"), optional(), max_len=30)
    address = text(_l("Nơi ở"), optional(), max_len=200)
    note = long_text(_l("Ghi chú"), optional(), max_len=2000)


class IncidentEntryForm(CodedForm):
    CODED = {"place_type": ref.PLACE_TYPES, "forms": ref.VIOLENCE_FORMS, "sexual_kind": ref.SEXUAL_KINDS}
    WITH_BLANK = ("place_type", "sexual_kind")

    occurred_on = DayField(_l("Ngày xảy ra"), [optional()], bounds=LIFE_DATES)
    period_from = DayField(_l("Hoặc khoảng thời gian: từ"), [optional()], bounds=LIFE_DATES)
    period_to = DayField(_l("đến"), [optional()], bounds=LIFE_DATES)
    place_type = SelectField(_l("Nơi xảy ra"), [chosen()])
    forms = MultiCheckboxField(_l("Hình thức bạo lực"), [optional()])
    sexual_kind = SelectField(_l("Nếu có bạo lực tình dục: loại"), [optional()])
    # Law 13/2022/QH15 Art. 3(1): forcing child marriage or marriage is an act of domestic violence.
    forced_marriage = BooleanField(_l("Cưỡng ép tảo hôn, cưỡng ép kết hôn (Luật 13/2022, Điều 3 khoản 1)"))
    perpetrator_ids = MultiCheckboxField(_l("Người gây bạo lực liên quan"), [optional()], choices=[])
    reported_to_police = BooleanField(_l("Đã báo công an"))
    description = long_text(_l("Mô tả"), optional(), max_len=3000)

    date_order = (("period_from", "period_to"),)


class MeasureForm(CodedForm):
    CODED = {"measure": ref.MEASURES, "decided_by": ref.MEASURE_DECIDERS, "outcome": ref.MEASURE_OUTCOMES}
    WITH_BLANK = ("measure", "decided_by")

    measure = SelectField(_l("Biện pháp (Luật 13/2022, Điều 22)"), [chosen()])
    decided_by = SelectField(_l("Người/cơ quan quyết định"), [chosen()])
    decided_on = DayField(_l("Ngày quyết định"), [required()])
    start_on = DayField(_l("Từ ngày"), [optional()])
    end_on = DayField(_l("Đến ngày"), [optional()])
    outcome = SelectField(_l("Kết quả"), [chosen()])
    note = long_text(_l("Ghi chú"), optional(), max_len=2000)

    date_order = (("start_on", "end_on"),)


class OrderRequestForm(CodedForm):
    CODED = {"requested_by": ref.ORDER_REQUESTERS, "decider": ref.ORDER_DECIDERS}
    WITH_BLANK = ("requested_by", "decider")

    requested_by = SelectField(_l("Người yêu cầu"), [chosen()])
    decider = SelectField(_l("Thẩm quyền quyết định"), [chosen()])
    requested_on = DayField(_l("Ngày nhận yêu cầu"), [required()])
    requested_time = ClockField(_l("Giờ nhận yêu cầu"), [required()])
    perpetrator_id = SelectField(_l("Người bị cấm tiếp xúc"), [optional()], choices=[])
    note = long_text(_l("Ghi chú"), optional(), max_len=2000)


OUTCOMES = (("granted", _l("Ra quyết định cấm tiếp xúc")), ("refused", _l("Không ra quyết định")))


class OrderDecisionForm(BaseForm):
    outcome = RadioField(_l("Quyết định"), [chosen()], choices=options(OUTCOMES), default="granted")
    decided_on = DayField(_l("Ngày ký quyết định"), [required()])
    decided_time = ClockField(_l("Giờ ký (có hiệu lực từ khi ký)"), [required()])
    end_on = DayField(_l("Có hiệu lực đến hết ngày"), [optional()])
    decision_number = text(_l("Số quyết định"), optional(), max_len=40)


class OrderChangeForm(BaseForm):
    """Change a running order's end; after the end, the same fields make a renewal (a new decision)."""

    decided_on = DayField(_l("Ngày ký quyết định gia hạn"), [optional()])
    decided_time = ClockField(_l("Giờ ký"), [optional()])
    end_on = DayField(_l("Có hiệu lực đến hết ngày"), [required()])
    decision_number = text(_l("Số quyết định"), optional(), max_len=40)


class CopyForm(CodedForm):
    CODED = {"recipient": ref.COPY_RECIPIENTS}
    WITH_BLANK = ("recipient",)

    recipient = SelectField(_l("Gửi cho"), [chosen()])
    sent_on = DayField(_l("Ngày gửi"), [required()])


class BreachForm(BaseForm):
    occurred_on = DayField(_l("Ngày vi phạm"), [required()])
    occurred_time = ClockField(_l("Giờ"), [required()])
    reported_to_police = BooleanField(_l("Đã báo công an"))
    description = long_text(_l("Mô tả"), optional(), max_len=2000)


class ExceptionForm(CodedForm):
    CODED = {"reason": ref.EXCEPTION_REASONS}
    WITH_BLANK = ("reason",)

    reason = SelectField(_l("Lý do (Nghị định 76/2023, Điều 18)"), [chosen()])
    day = DayField(_l("Ngày tiếp xúc"), [required()])
    start_time = ClockField(_l("Từ giờ"), [required()])
    end_time = ClockField(_l("Đến giờ (tối đa 4 giờ)"), [required()])
    form09_on = DayField(_l("Ngày làm đơn theo Mẫu số 09"), [required()])
    note = long_text(_l("Ghi chú"), optional(), max_len=1000)


class ConfirmForm(BaseForm):
    """A button that changes state (co-sign, reviewed): only the CSRF token."""


class IdentificationForm(CodedForm):
    CODED = {"received_by": ref.RECEIVERS, "outcome": ref.ID_OUTCOMES}
    WITH_BLANK = ("received_by",)

    received_by = SelectField(_l("Cơ quan tiếp nhận"), [chosen()])
    received_on = DayField(_l("Ngày tiếp nhận"), [required()])
    brought_to_commune_on = DayField(_l("Ngày đưa đến UBND xã"), [optional()])
    urgent_support = BooleanField(_l("Đã hỗ trợ khẩn cấp"))
    health_dept_notified_on = DayField(_l("Ngày thông báo Sở Y tế"), [optional()])
    verified_with_police_on = DayField(_l("Ngày Sở Y tế xác minh với Công an tỉnh"), [optional()])
    outcome = SelectField(_l("Kết quả xác định"), [chosen()])
    outcome_on = DayField(_l("Ngày có kết quả"), [optional()])
    being_protected = BooleanField(_l("Đang được bảo vệ, hỗ trợ trong khi chờ kết quả"), default=True)
    note = long_text(_l("Ghi chú"), optional(), max_len=2000)


class EvidenceForm(CodedForm):
    CODED = {"kind": ref.EVIDENCE_KINDS}
    WITH_BLANK = ("kind",)

    kind = SelectField(_l("Loại giấy tờ (Luật 53/2024, Điều 32–33)"), [chosen()])
    issued_on = DayField(_l("Ngày cấp"), [optional()])
    reference = text(_l("Số, ký hiệu, nơi cấp"), optional(), max_len=200)


class EntitlementForm(CodedForm):
    CODED = {"regime": ref.REGIMES, "responsible_body": ref.RESPONSIBLE_BODIES}
    WITH_BLANK = ("regime", "responsible_body")

    regime = SelectField(_l("Chế độ hỗ trợ (Nghị định 162/2025)"), [chosen()])
    responsible_body = SelectField(_l("Cơ quan chịu trách nhiệm"), [chosen()])
    granted_on = DayField(_l("Ngày được duyệt"), [required()])
    started_on = DayField(_l("Ngày bắt đầu"), [optional()])
    ended_on = DayField(_l("Ngày kết thúc"), [optional()])
    amount = MoneyField(_l("Số tiền (đồng)"), [optional()])
    note = long_text(_l("Ghi chú"), optional(), max_len=1000)

    date_order = (
        ("granted_on", "started_on", _l("Ngày bắt đầu không được trước ngày được duyệt.")),
        ("started_on", "ended_on"),
    )


class EntitlementUpdateForm(BaseForm):
    started_on = DayField(_l("Ngày bắt đầu"), [optional()])
    ended_on = DayField(_l("Ngày kết thúc"), [optional()])

    date_order = (("started_on", "ended_on"),)


class NoticeForm(CodedForm):
    CODED = {"method": ref.NOTICE_METHODS}
    WITH_BLANK = ("method",)

    notified_on = DayField(_l("Ngày thông báo UBND xã"), [required()])
    method = SelectField(_l("Hình thức"), [chosen()])
    acknowledged_on = DayField(_l("Ngày UBND xã xác nhận"), [optional()])
    note = long_text(_l("Ghi chú"), optional(), max_len=1000)


class RiskForm(BaseForm):
    assessed_on = DayField(_l("Ngày đánh giá"), [required()])
    followup_id = SelectField(_l("Lần theo dõi"), [optional()], choices=[])
    threats_to_kill = BooleanField(_l("Đe dọa giết"))
    weapon = BooleanField(_l("Có hoặc dọa dùng hung khí"))
    strangulation = BooleanField(_l("Bóp cổ, làm ngạt thở"))
    escalation = BooleanField(_l("Bạo lực tăng dần về mức độ, tần suất"))
    pregnancy = BooleanField(_l("Đang mang thai"))
    children_at_risk = BooleanField(_l("Trẻ em trong nhà gặp nguy hiểm"))
    perpetrator_access = BooleanField(_l("Người gây bạo lực vẫn tiếp cận được"))
    isolation = BooleanField(_l("Bị cô lập, không có người hỗ trợ"))
    note = long_text(_l("Ghi chú"), optional(), max_len=2000)

    def answers(self) -> dict:
        return {q: bool(getattr(self, q).data) for q in ref.codes(ref.RISK_QUESTIONS)}

    def question_fields(self):
        return [getattr(self, q) for q in ref.codes(ref.RISK_QUESTIONS)]
