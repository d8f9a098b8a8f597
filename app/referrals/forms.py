"""Forms of the referral pages: sending (and updating), the agency's answers, withdrawal, the agency map."""

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, TelField
from wtforms.validators import ValidationError

from .. import clock
from ..cases.forms import MultiCheckboxField, _check_phone
from ..web.forms import BaseForm, DayField, chosen, long_text, max_length, optional, options, required
from ..web.i18n import translated
from .fields import FIELD_LABELS, SHAREABLE
from .reference_data import SERVICE_KINDS

URGENCY_CHOICES = (("normal", _l("Bình thường")), ("urgent", _l("Khẩn cấp (xác nhận trong ngày)")))
FIELD_CHOICES = [(name, FIELD_LABELS[name]) for name in SHAREABLE]


def new_key() -> str:
    """A fresh idempotency key for a form: the same submission sent twice carries the same key."""
    return secrets.token_hex(16)


class ReferralForm(BaseForm):
    """Send a referral: agency, services, urgency, message, the fields to share, and the legal basis."""

    idempotency_key = HiddenField(default=new_key)
    service_id = SelectField(_l("Dịch vụ nhận"), [optional()], choices=[], validate_choice=False)
    agency_id = HiddenField()  # a link from before the directory names only the agency
    services = MultiCheckboxField(_l("Dịch vụ đề nghị"), choices=options(translated(SERVICE_KINDS)))
    urgency = RadioField(_l("Mức độ khẩn"), [chosen()], choices=options(URGENCY_CHOICES), default="normal")
    message = long_text(_l("Lời nhắn cho cơ quan nhận"), optional(), max_len=2000)
    # the case code is how the agency and the sender speak of the referral: ticked unless the user unticks it
    fields = MultiCheckboxField(_l("Thông tin được chia sẻ"), choices=options(FIELD_CHOICES), default=["code"])
    emergency = BooleanField(
        _l("Chưa có sự đồng ý: chia sẻ vì cần bảo vệ ngay tính mạng, sức khoẻ (Điều 19 Luật Bảo vệ dữ liệu cá nhân)")
    )
    emergency_reason = long_text(_l("Căn cứ khẩn cấp"), optional(), max_len=1000)

    def __init__(self, *args, service_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service_id.choices = options([("", _l("— Chọn —"))], service_choices)


class SenderContactForm(BaseForm):
    """Whether receiving agencies see my name and work phone on my referrals (and on the slip)."""

    work_phone = TelField(_l("Số điện thoại công việc"), [optional(), max_length(20)])
    share = BooleanField(_l("Cho cơ quan nhận chuyển gửi thấy tên và số điện thoại công việc của tôi để gọi lại"))

    def validate_work_phone(self, field):
        _check_phone(field.data)

    def validate_share(self, field):
        if field.data and not (self.work_phone.data or "").strip():
            raise ValidationError(_l("Hãy nhập số điện thoại công việc trước."))


class UpdateForm(BaseForm):
    """Send a new version of the packet."""

    idempotency_key = HiddenField(default=new_key)
    fields = MultiCheckboxField(_l("Thông tin được chia sẻ"), choices=options(FIELD_CHOICES))
    message = long_text(_l("Lời nhắn cho cơ quan nhận"), optional(), max_len=2000)


class WithdrawForm(BaseForm):
    destroy = BooleanField(_l("Huỷ luôn gói thông tin (không thể khôi phục)"))


class ForwardForm(BaseForm):
    """Refer onward: a live service covering the survivor's commune that the survivor consented to share with,
    and the fields to pass on (only among those this agency received)."""

    service_id = SelectField(_l("Dịch vụ nhận tiếp"), [chosen()], choices=[], validate_choice=False)
    fields = MultiCheckboxField(_l("Thông tin chuyển tiếp"), choices=[], validate_choice=False)  # checked by forward()
    message = long_text(_l("Lời nhắn cho cơ quan nhận"), optional(), max_len=2000)
    idempotency_key = HiddenField(default=new_key)
    confirm = HiddenField()


class DeclineForm(BaseForm):
    reason = long_text(_l("Lý do từ chối"), required(), max_len=1000)
    confirm = HiddenField()  # "yes" once the confirmation step said what declining does


class DeliveredForm(BaseForm):
    kind = SelectField(
        _l("Dịch vụ đã cung cấp"), [chosen()], choices=options([("", _l("— Chọn —"))], translated(SERVICE_KINDS))
    )
    delivered_on = DayField(_l("Ngày cung cấp"), [required()], default=clock.today)
    notes = long_text(_l("Ghi chú"), optional(), max_len=2000)


class CompleteForm(BaseForm):
    feedback = long_text(_l("Phản hồi cho đơn vị gửi"), required(), max_len=2000)


class AgencyMapForm(BaseForm):
    old_agency_id = SelectField(_l("Cơ quan cũ (đã sáp nhập, giải thể)"), [chosen()], choices=[])
    new_agency_id = SelectField(_l("Cơ quan tiếp nhận"), [chosen()], choices=[])
