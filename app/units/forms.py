"""Forms for the admin's unit pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TelField

from ..web.forms import BaseForm, DayField, chosen, max_length, optional, options, required
from ..web.phone import vietnamese_phone
from .models import KINDS

KIND_LABELS = {
    "province": _l("Tỉnh"),
    "district": _l("Huyện"),
    "commune": _l("Xã / thị trấn"),
    "village": _l("Thôn / bản"),
    "trusted_address": _l("Địa chỉ tin cậy"),
    "agency": _l("Cơ quan tiếp nhận"),
}


class CurrentUnitField(SelectField):
    """A unit picker offering only units that work today; a closed one (or any other) is refused in Vietnamese."""

    def pre_validate(self, form):
        if self.data and self.data not in {str(choice.value) for choice in self.choices}:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Đơn vị này đã ngừng hoạt động hoặc không có; hãy chọn đơn vị đang hoạt động."))


class WorkContactForm(BaseForm):
    """The office's work contact, which both sides of a referral see (app/referrals, "Liên hệ nơi chuyển")."""

    work_phone = TelField(
        _l("Số điện thoại công việc của đơn vị"),
        [optional(), max_length(20), vietnamese_phone],
        description=_l("Số của văn phòng, không phải số cá nhân của cán bộ. Ví dụ: 0215 3862 999"),
    )
    work_note = StringField(
        _l("Ghi chú liên hệ"), [optional(), max_length(120)], description=_l("Ví dụ: Thứ 2–6, 7h30–17h")
    )


class UnitForm(WorkContactForm):
    code = StringField(_l("Mã đơn vị"), [required(), max_length(40)])
    kind = SelectField(
        _l("Loại"), [chosen()], choices=options([("", _l("— Chọn loại —"))], ((k, KIND_LABELS[k]) for k in KINDS))
    )
    name = StringField(_l("Tên"), [required(), max_length(200)])
    # A new unit hangs under a unit that works today (a closed commune's villages belong to its successor).
    parent = CurrentUnitField(_l("Thuộc đơn vị"), [optional()], choices=[])
    valid_from = DayField(_l("Hiệu lực từ ngày"), [optional()])
    valid_to = DayField(_l("Hết hiệu lực sau ngày"), [optional()])


class UnitEditForm(WorkContactForm):
    name = StringField(_l("Tên"), [required(), max_length(200)])
    valid_from = DayField(_l("Hiệu lực từ ngày"), [optional()])
    valid_to = DayField(_l("Hết hiệu lực sau ngày"), [optional()])
    disabled = BooleanField(_l("Ngừng sử dụng"))


class LineageForm(BaseForm):
    new = SelectField(_l("Đơn vị mới tiếp nhận"), [chosen()], choices=[])
    effective = DayField(_l("Từ ngày"), [optional()])
    note = StringField(_l("Ghi chú"), [max_length(300)])
