"""Forms of the admin's calendar page."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.widgets import HiddenInput

from ..web.forms import BaseForm, DayField, chosen, max_length, options, required

KIND_LABELS = {"off": _l("Ngày nghỉ thêm"), "work": _l("Ngày làm việc bù")}


class CalendarDayForm(BaseForm):
    day = DayField(_l("Ngày"), [required(_l("Vui lòng nhập ngày."))])
    kind = SelectField(_l("Loại ngày"), [chosen()], choices=options([("", _l("— Chọn —"))], KIND_LABELS.items()))
    note = StringField(_l("Căn cứ (số thông báo, văn bản)"), [max_length(200)])


class RemoveDayForm(BaseForm):
    day = DayField(widget=HiddenInput(), validators=[required()])
