"""Forms for the admin's unit pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField

from ..web.forms import BaseForm, chosen, max_length, optional, options, required
from .models import KINDS

KIND_LABELS = {
    "province": _l("Tỉnh"),
    "district": _l("Huyện"),
    "commune": _l("Xã / thị trấn"),
    "village": _l("Thôn / bản"),
    "trusted_address": _l("Địa chỉ tin cậy"),
    "agency": _l("Cơ quan tiếp nhận"),
}


class UnitForm(BaseForm):
    code = StringField(_l("Mã đơn vị"), [required(), max_length(40)])
    kind = SelectField(
        _l("Loại"), [chosen()], choices=options([("", _l("— Chọn loại —"))], ((k, KIND_LABELS[k]) for k in KINDS))
    )
    name = StringField(_l("Tên"), [required(), max_length(200)])
    parent = SelectField(_l("Thuộc đơn vị"), [optional()], choices=[])
    valid_from = DateField(_l("Hiệu lực từ ngày"), [optional()])
    valid_to = DateField(_l("Hết hiệu lực sau ngày"), [optional()])


class UnitEditForm(BaseForm):
    name = StringField(_l("Tên"), [required(), max_length(200)])
    valid_from = DateField(_l("Hiệu lực từ ngày"), [optional()])
    valid_to = DateField(_l("Hết hiệu lực sau ngày"), [optional()])
    disabled = BooleanField(_l("Ngừng sử dụng"))


class LineageForm(BaseForm):
    new = SelectField(_l("Đơn vị mới tiếp nhận"), [chosen()], choices=[])
    effective = DateField(_l("Từ ngày"), [optional()])
    note = StringField(_l("Ghi chú"), [max_length(300)])
