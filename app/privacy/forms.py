"""Forms of the controller's pages."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField

from ..auth.forms import code_field
from ..web.forms import (
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


class NoticeForm(BaseForm):
    valid_from = DayField(_l("Áp dụng từ ngày"), [required()])
    text_vi = long_text(_l("Nội dung thông báo (bản đầy đủ)"), required(), max_len=10000)
    text_plain = long_text(
        _l("Bản dễ hiểu (câu ngắn, cho người đọc tiếng Việt khó khăn: người Thái, H'Mông)"), required(), max_len=5000
    )
    change_note = text(_l("Thay đổi so với phiên bản trước"), optional(), max_len=300)


class DossierForm(BaseForm):
    reason = SelectField(_l("Lý do lập, cập nhật"), [chosen()], choices=options(blank(), ref.DOSSIER_REASONS))
    processing_started_on = DayField(_l("Ngày bắt đầu xử lý dữ liệu"), [required()])
    stepup_code = code_field()


def dossier_form(formdata=None, **values):
    """The dossier form with one long text per section of form 10 / annex 02a."""
    fields = {key: long_text(label, required(), max_len=8000) for key, label in ref.DOSSIER_SECTIONS}
    form_class = type("DossierSectionsForm", (DossierForm,), fields)
    return form_class(formdata=formdata, **values) if formdata is not None else form_class(**values)


class DossierSentForm(BaseForm):
    dossier_id = HiddenField()
    sent_on = DayField(_l("Đã gửi cơ quan chuyên trách ngày"), [required()])
    stepup_code = code_field()


class ReorganisationForm(BaseForm):
    occurred_on = DayField(_l("Ngày tổ chức lại"), [required()])
    description = text(_l("Việc tổ chức lại (sáp nhập, thay đổi đơn vị, xử lý mới)"), required(), max_len=300)


class AgreementForm(BaseForm):
    service_id = SelectField(_l("Dịch vụ nhận dữ liệu (theo danh bạ)"), [chosen()], choices=[])
    reference = text(_l("Số văn bản thoả thuận"), required(), max_len=80)
    signed_on = DayField(_l("Ngày ký"), [required()])
    valid_from = DayField(_l("Hiệu lực từ ngày"), [required()])
    valid_to = DayField(_l("Hiệu lực đến ngày (để trống nếu không thời hạn)"), [optional()])
    scope = long_text(_l("Phạm vi: dữ liệu nào, cho mục đích gì"), required(), max_len=500)
    stepup_code = code_field()


class AgreementEndForm(BaseForm):
    agreement_id = HiddenField()
    ended_on = DayField(_l("Chấm dứt từ ngày"), [required()])
    stepup_code = code_field()


class RetentionForm(BaseForm):
    months = WholeNumberField(_l("Thời hạn lưu (tháng)"), [required(), between(1, 1200)])
    basis = text(_l("Căn cứ"), required(), max_len=300)
    stepup_code = code_field()


class ReviewForm(BaseForm):
    review_id = HiddenField()
    decision = SelectField(_l("Quyết định"), [chosen()], choices=options(blank(), ref.REVIEW_DECISIONS))
    keep_until = DayField(_l("Xem lại vào ngày (nếu tiếp tục lưu)"), [optional()])
    reason = text(_l("Lý do (không ghi tên người được hỗ trợ)"), required(), max_len=500)
    stepup_code = code_field()
