"""A user's notification choices."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, TelField
from wtforms.validators import NumberRange, Regexp, ValidationError

from ..cases.forms import _check_phone
from ..web.forms import BaseForm, max_length, optional

HOURS = NumberRange(min=0, max=23, message=_l("Giờ phải từ 0 đến 23."))


class NotificationPrefForm(BaseForm):
    email = EmailField(
        _l("E-mail công việc"),
        [
            optional(),
            max_length(200),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ e-mail không hợp lệ.")),
        ],
    )
    email_on = BooleanField(_l("Nhận thông báo qua e-mail"))
    phone = TelField(_l("Số điện thoại công việc (SMS)"), [optional(), max_length(20)])
    sms_on = BooleanField(_l("Nhận thông báo qua SMS"))
    alerts_on = BooleanField(_l("Báo ngay khi có việc nguy cơ cao"), default=True)
    digest_hour = IntegerField(_l("Giờ nhận bản tin hằng ngày"), [HOURS], default=7)
    quiet_from = IntegerField(_l("Không làm phiền từ (giờ)"), [HOURS], default=21)
    quiet_to = IntegerField(_l("Đến (giờ)"), [HOURS], default=6)

    def validate_phone(self, field):
        _check_phone(field.data)

    def validate_email_on(self, field):
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(_l("Hãy nhập e-mail trước."))

    def validate_sms_on(self, field):
        if field.data and not (self.phone.data or "").strip():
            raise ValidationError(_l("Hãy nhập số điện thoại trước."))
