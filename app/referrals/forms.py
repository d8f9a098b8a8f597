"""Forms of the referral pages: sending (and updating), the agency's answers, withdrawal, the agency map."""

import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField

from ..cases.forms import MultiCheckboxField
from ..web.forms import BaseForm, chosen, long_text, optional, options, required
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
    agency_id = SelectField(_l("Cơ quan nhận"), [chosen()], choices=[])
    services = MultiCheckboxField(_l("Dịch vụ đề nghị"), choices=options(translated(SERVICE_KINDS)))
    urgency = RadioField(_l("Mức độ khẩn"), [chosen()], choices=options(URGENCY_CHOICES), default="normal")
    message = long_text(_l("Lời nhắn cho cơ quan nhận"), optional(), max_len=2000)
    # the case code is how the agency and the sender speak of the referral: ticked unless the user unticks it
    fields = MultiCheckboxField(_l("Thông tin được chia sẻ"), choices=options(FIELD_CHOICES), default=["code"])
    emergency = BooleanField(_l("Chưa có sự đồng ý: chia sẻ vì cần bảo vệ ngay tính mạng, sức khoẻ "
                                "(Điều 19 Luật Bảo vệ dữ liệu cá nhân)"))
    emergency_reason = long_text(_l("Căn cứ khẩn cấp"), optional(), max_len=1000)

    def __init__(self, *args, agency_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id.choices = options([("", _l("— Chọn —"))], agency_choices)


class UpdateForm(BaseForm):
    """Send a new version of the packet."""

    idempotency_key = HiddenField(default=new_key)
    fields = MultiCheckboxField(_l("Thông tin được chia sẻ"), choices=options(FIELD_CHOICES))
    message = long_text(_l("Lời nhắn cho cơ quan nhận"), optional(), max_len=2000)


class WithdrawForm(BaseForm):
    destroy = BooleanField(_l("Huỷ luôn gói thông tin (không thể khôi phục)"))


class DeclineForm(BaseForm):
    reason = long_text(_l("Lý do từ chối"), required(), max_len=1000)


class DeliveredForm(BaseForm):
    kind = SelectField(_l("Dịch vụ đã cung cấp"), [chosen()],
                       choices=options([("", _l("— Chọn —"))], translated(SERVICE_KINDS)))
    delivered_on = DateField(_l("Ngày cung cấp"), [required()], default=date.today)
    notes = long_text(_l("Ghi chú"), optional(), max_len=2000)


class CompleteForm(BaseForm):
    feedback = long_text(_l("Phản hồi cho đơn vị gửi"), required(), max_len=2000)


class AgencyMapForm(BaseForm):
    old_agency_id = SelectField(_l("Cơ quan cũ (đã sáp nhập, giải thể)"), [chosen()], choices=[])
    new_agency_id = SelectField(_l("Cơ quan tiếp nhận"), [chosen()], choices=[])
