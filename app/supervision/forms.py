"""The supervisor's return of a high-risk plan or closure: the reason, which the service requires."""

from flask_babel import lazy_gettext as _l

from ..web.forms import BaseForm, long_text
from .models import RETURN_REASON_MAX


class ReturnForm(BaseForm):
    reason = long_text(_l("Lý do trả lại (tư vấn viên cần sửa gì)"), max_len=RETURN_REASON_MAX)
