"""Forms of the rights desk and the breach register."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField

from ..auth.forms import code_field
from ..web.forms import (
    LIFE_DATES,
    BaseForm,
    DayField,
    WholeNumberField,
    between,
    chosen,
    long_text,
    optional,
    options,
    required,
    text,
)
from . import reference_data as ref


def blank():
    return [("", _l("— Chọn —"))]


class RequestForm(BaseForm):
    kind = SelectField(_l("Người được hỗ trợ yêu cầu"), [chosen()], choices=options(blank(), ref.REQUEST_KINDS))
    channel = SelectField(_l("Nhận yêu cầu qua"), [chosen()], choices=options(blank(), ref.CHANNELS))
    identity_check = SelectField(
        _l("Đã xác minh người yêu cầu bằng cách"),
        [chosen(_l("Cần ghi cách đã xác minh người yêu cầu trước khi nhận yêu cầu."))],
        choices=options(blank(), ref.IDENTITY_CHECKS),
    )
    third_parties = BooleanField(_l("Yêu cầu liên quan đến người khác (thời hạn dài hơn)"))
    details = long_text(
        _l("Nội dung yêu cầu (lời người yêu cầu)"), optional(), max_len=3000, render_kw={"autocomplete": "off"}
    )


class ExtendForm(BaseForm):
    days = WholeNumberField(_l("Gia hạn thêm (ngày)"), [required(), between(1, 30)])
    reason = long_text(_l("Lý do gia hạn"), required(), max_len=1000, render_kw={"autocomplete": "off"})


class AnswerForm(BaseForm):
    text = long_text(_l("Đã làm gì cho người yêu cầu"), required(), max_len=3000, render_kw={"autocomplete": "off"})


class RefuseForm(BaseForm):
    code = SelectField(_l("Lý do từ chối"), [chosen()], choices=options(blank(), ref.REFUSAL_REASONS))
    explanation = long_text(
        _l("Giải thích bằng văn bản cho người yêu cầu"), required(), max_len=3000, render_kw={"autocomplete": "off"}
    )


class NoteForm(BaseForm):
    text = long_text(_l("Ghi chú thêm"), required(), max_len=2000, render_kw={"autocomplete": "off"})


class BreachForm(BaseForm):
    kind = SelectField(_l("Loại sự cố"), [chosen()], choices=options(blank(), ref.BREACH_KINDS))
    detected_at = DateTimeLocalField(
        _l("Phát hiện lúc (giờ Việt Nam)"), [required()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    persons_affected = WholeNumberField(_l("Số người bị ảnh hưởng (ước tính)"), [optional(), between(0, 10**6)])
    description = long_text(
        _l("Mô tả sự cố (không ghi tên người được hỗ trợ)"), required(), max_len=3000, render_kw={"autocomplete": "off"}
    )
    measures = long_text(_l("Biện pháp khắc phục"), optional(), max_len=3000, render_kw={"autocomplete": "off"})


class NotifyForm(BaseForm):
    notified_at = DateTimeLocalField(
        _l("Đã thông báo cho cơ quan chuyên trách lúc"), [required()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    late_reason = long_text(
        _l("Lý do chậm (nếu quá 72 giờ)"), optional(), max_len=2000, render_kw={"autocomplete": "off"}
    )
    stepup_code = code_field()


class CorrectionForm(BaseForm):
    """One field of the survivor's data put right; the input that fits the field is the one read."""

    field = SelectField(
        _l("Thông tin cần sửa"),
        [chosen()],
        choices=options(blank(), [(name, label) for name, label, _kind in ref.CORRECTABLE]),
    )
    text_value = text(_l("Giá trị đúng"), optional(), max_len=200, render_kw={"autocomplete": "off"})
    date_value = DayField(_l("Ngày sinh đúng"), [optional()], bounds=LIFE_DATES)
    year_value = WholeNumberField(_l("Năm sinh đúng"), [optional(), between(1900, 2100)])

    def value(self):
        kind = {name: kind for name, _label, kind in ref.CORRECTABLE}.get(self.field.data)
        return {"date": self.date_value.data, "year": self.year_value.data}.get(kind or "", self.text_value.data)

    def value_field(self):
        kind = {name: kind for name, _label, kind in ref.CORRECTABLE}.get(self.field.data)
        return {"date": self.date_value, "year": self.year_value}.get(kind or "", self.text_value)


class LiftForm(BaseForm):
    reason = SelectField(_l("Lý do gỡ hạn chế"), [chosen()], choices=options(blank(), ref.LIFT_REASONS))


class HoldForm(BaseForm):
    kind = SelectField(_l("Căn cứ giữ hồ sơ"), [chosen()], choices=options(blank(), ref.HOLD_KINDS))
    ends_on = DayField(_l("Đến ngày (bắt buộc với thời hạn lưu trữ; ngày xem lại với vụ án)"), [optional()])
    reason = long_text(
        _l("Chi tiết (toà án, số quyết định, số vụ án)"), required(), max_len=1000, render_kw={"autocomplete": "off"}
    )
