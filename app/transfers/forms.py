"""The transfer request form (choices filled by the view) and the confirmation forms."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField

from ..web.forms import BaseForm, chosen, optional, options

REASON_CHOICES = (
    ("moved", _l("Người được hỗ trợ chuyển nơi ở")),
    ("workload", _l("Cân đối công việc")),
    ("other", _l("Lý do khác")),
)


class TransferForm(BaseForm):
    to_unit_id = SelectField(_l("Đơn vị nhận (địa chỉ tin cậy hoặc xã)"), [chosen()], choices=[])
    # The service says why a person cannot receive it (not a counsellor there), so no bare "invalid choice".
    to_user_id = SelectField(_l("Tư vấn viên nhận (không bắt buộc)"), [optional()], choices=[], validate_choice=False)
    reason_code = RadioField(_l("Lý do"), [chosen()], choices=options(REASON_CHOICES), default="moved")
    confirm = HiddenField()  # "yes" on the confirmation step


class ConfirmForm(BaseForm):
    confirm = HiddenField()
