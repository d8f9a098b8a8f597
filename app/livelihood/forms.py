"""Forms of the livelihood pages: the plan, the decision, a disbursement, a visit, an outcome, the closing."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField
from wtforms.widgets import NumberInput

from .. import clock
from ..web.forms import BaseForm, DayField, WholeNumberField, chosen, long_text, optional, options, required, text

ACTIVITY_CHOICES = (
    ("livestock", _l("Chăn nuôi")),
    ("crops", _l("Trồng trọt")),
    ("weaving", _l("Dệt, thêu, thủ công")),
    ("small_trade", _l("Buôn bán nhỏ")),
    ("service", _l("Dịch vụ")),
    ("wage_job", _l("Làm công, việc làm")),
    ("other", _l("Khác")),
)
STATUS_LABELS = {
    "draft": _l("Đang soạn"),
    "submitted": _l("Chờ duyệt"),
    "returned": _l("Trả lại để sửa"),
    "approved": _l("Đã duyệt"),
    "rejected": _l("Không duyệt"),
    "active": _l("Đang thực hiện"),
    "completed": _l("Hoàn thành"),
    "discontinued": _l("Dừng giữa chừng"),
}
STATUS_BADGES = {
    "submitted": "medium",
    "returned": "late",
    "approved": "ok",
    "rejected": "high",
    "active": "ok",
    "completed": "muted",
    "discontinued": "muted",
    "draft": "muted",
}
DECISION_CHOICES = (("approve", _l("Duyệt")), ("return", _l("Trả lại để sửa")), ("reject", _l("Không duyệt")))
FORM_CHOICES = (("cash", _l("Tiền mặt")), ("in_kind", _l("Hiện vật")))
PROGRESS_CHOICES = (("on_track", _l("Đúng tiến độ")), ("slow", _l("Chậm")), ("stopped", _l("Đã ngừng")))
INCOME_CHANGE_CHOICES = (("increased", _l("Tăng")), ("same", _l("Không đổi")), ("decreased", _l("Giảm")))
REINTEGRATION_CHOICES = (
    ("good", _l("Hoà nhập tốt")),
    ("partial", _l("Hoà nhập một phần")),
    ("difficult", _l("Còn khó khăn")),
)
WELLBEING_CHOICES = tuple(
    (str(n), label)
    for n, label in (
        (1, _l("1 — Rất không ổn")),
        (2, _l("2 — Không ổn")),
        (3, _l("3 — Bình thường")),
        (4, _l("4 — Ổn")),
        (5, _l("5 — Rất ổn")),
    )
)
MILESTONE_CHOICES = (("6", _l("6 tháng")), ("12", _l("12 tháng")))
CLOSE_CHOICES = (("completed", _l("Hoàn thành")), ("discontinued", _l("Dừng giữa chừng")))


class MoneyField(WholeNumberField):
    """Whole đồng; a phone keyboard with digits, and "1.500.000" typed without JavaScript is read too (the
    group separators . , and spaces are dropped, then the one digits-only parser reads the rest)."""

    widget = NumberInput(min=0, step=1)
    message = _l("Số tiền phải là số nguyên đồng, chỉ gồm chữ số.")

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        digits = re.sub(r"[.,\s]", "", raw)
        if raw and not digits:
            self.data = None
            raise ValueError(self.message)
        super().process_formdata([digits])


def blank():
    return [("", _l("— Chọn —"))]


class PlanForm(BaseForm):
    """The plan: nothing identifying beyond what the district needs to decide."""

    activity = SelectField(_l("Hoạt động sinh kế"), [chosen()], choices=options(blank(), ACTIVITY_CHOICES))
    description = long_text(_l("Mô tả kế hoạch"), required(), max_len=3000)
    training_needs = long_text(_l("Nhu cầu tập huấn, học nghề"), optional(), max_len=1500)
    amount_requested = MoneyField(_l("Số tiền đề nghị hỗ trợ (đồng)"), [required()])
    cofund_own = MoneyField(_l("Đối ứng: vốn tự có (đồng)"), [optional()])
    cofund_family = MoneyField(_l("Đối ứng: gia đình (đồng)"), [optional()])
    cofund_bank = MoneyField(_l("Đối ứng: vay Ngân hàng Chính sách xã hội (đồng)"), [optional()])
    cofund_other = MoneyField(_l("Đối ứng: nguồn khác (đồng)"), [optional()])
    start_on = DayField(_l("Bắt đầu"), [optional()])
    end_on = DayField(_l("Kết thúc dự kiến"), [optional()])
    expected_income = MoneyField(_l("Thu nhập dự kiến mỗi tháng (đồng)"), [optional()])
    risks = long_text(_l("Rủi ro và cách phòng tránh"), optional(), max_len=1500)

    date_order = (("start_on", "end_on"),)


class DecisionForm(BaseForm):
    decision = RadioField(_l("Quyết định"), [chosen()], choices=options(DECISION_CHOICES))
    amount = MoneyField(_l("Số tiền duyệt (đồng) — để trống nếu duyệt đúng số đề nghị"), [optional()])
    comment = long_text(_l("Góp ý hoặc lý do (bắt buộc khi trả lại hoặc không duyệt)"), optional(), max_len=2000)


class DisbursementForm(BaseForm):
    paid_on = DayField(_l("Ngày giải ngân"), [required()], default=clock.today)
    amount = MoneyField(_l("Số tiền (đồng)"), [required()])
    # Not "form": an input of that name shadows the <form> element's own properties and breaks htmx.
    payment_form = RadioField(_l("Hình thức"), [chosen()], choices=options(FORM_CHOICES), default="cash")
    items = long_text(_l("Hiện vật đã trao (nếu hỗ trợ bằng hiện vật)"), optional(), max_len=1000)
    receipt_number = text(_l("Số phiếu chi, biên nhận"), required(), max_len=40)


class VisitForm(BaseForm):
    visited_on = DayField(_l("Ngày thăm"), [required()], default=clock.today)
    progress = RadioField(_l("Tiến độ"), [chosen()], choices=options(PROGRESS_CHOICES))
    income = MoneyField(_l("Thu nhập kỳ này (đồng)"), [optional()])
    problems = long_text(_l("Khó khăn"), optional(), max_len=1500)
    support_needed = long_text(_l("Hỗ trợ cần thêm"), optional(), max_len=1500)


class OutcomeForm(BaseForm):
    milestone = RadioField(_l("Mốc đánh giá"), [chosen()], choices=options(MILESTONE_CHOICES), coerce=int)
    recorded_on = DayField(_l("Ngày đánh giá"), [required()], default=clock.today)
    still_active = BooleanField(_l("Hoạt động sinh kế vẫn duy trì"))
    income_change = SelectField(
        _l("Thu nhập so với trước khi hỗ trợ"), [chosen()], choices=options(blank(), INCOME_CHANGE_CHOICES)
    )
    wellbeing = SelectField(_l("Tự đánh giá cuộc sống"), [chosen()], choices=options(blank(), WELLBEING_CHOICES))
    reintegration = SelectField(_l("Hoà nhập cộng đồng"), [chosen()], choices=options(blank(), REINTEGRATION_CHOICES))
    note = long_text(_l("Ghi chú"), optional(), max_len=1500)


class CloseForm(BaseForm):
    how = RadioField(_l("Kết thúc"), [chosen()], choices=options(CLOSE_CHOICES))
    reason = long_text(_l("Lý do (bắt buộc khi dừng giữa chừng)"), optional(), max_len=1000)


LABELS = {
    "activity": dict(ACTIVITY_CHOICES),
    "status": STATUS_LABELS,
    "badge": STATUS_BADGES,
    "decision": dict(DECISION_CHOICES),
    "payment_form": dict(FORM_CHOICES),
    "progress": dict(PROGRESS_CHOICES),
    "income_change": dict(INCOME_CHANGE_CHOICES),
    "reintegration": dict(REINTEGRATION_CHOICES),
    "wellbeing": {int(k): v for k, v in WELLBEING_CHOICES},
}
