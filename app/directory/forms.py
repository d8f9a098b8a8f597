"""The directory page's form: one service."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField

from ..cases.forms import MultiCheckboxField
from ..web.forms import BaseForm, DayField, chosen, max_length, optional, options, required
from ..web.i18n import translated
from .reference_data import ACCEPTS, LANGUAGES, SERVICE_TYPES


class ServiceForm(BaseForm):
    """Add or change a directory service."""

    code = StringField(_l("Mã dịch vụ"), [optional(), max_length(40)])
    name = StringField(_l("Tên dịch vụ"), [required(), max_length(200)])
    kind = SelectField(
        _l("Loại dịch vụ"), [chosen()], choices=options([("", _l("— Chọn —"))], translated(SERVICE_TYPES))
    )
    unit_id = SelectField(_l("Cơ quan thực hiện"), [chosen()], choices=[])
    areas = SelectMultipleField(_l("Địa bàn phục vụ (tỉnh hoặc xã)"), [chosen()], choices=[])
    contact = StringField(_l("Kênh liên hệ của cơ quan"), [optional(), max_length(300)])
    hours = StringField(_l("Giờ làm việc"), [optional(), max_length(200)])
    languages = MultiCheckboxField(_l("Ngôn ngữ"), choices=options(translated(LANGUAGES)))
    accepts = MultiCheckboxField(_l("Tiếp nhận"), choices=options(translated(ACCEPTS)))
    valid_from = DayField(_l("Hoạt động từ ngày"), [optional()])
    valid_to = DayField(_l("Ngày làm việc cuối cùng"), [optional()])
    successor_id = SelectField(_l("Dịch vụ thay thế (khi ngừng hoạt động)"), [optional()], choices=[])
