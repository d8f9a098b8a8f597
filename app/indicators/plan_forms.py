"""Forms of the plan editor: the plan, an indicator, a target, a cycle rule, an activity line, a budget line.

The forms check shapes (digits, lengths, choices); the rules that need the database (overlapping periods, a
unit that no longer exists, a formula naming a missing indicator, definitions of a plan in use) are checked by
app.indicators.plans and come back as an error beside the field, with everything typed kept.
"""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import BaseForm, WholeNumberField, chosen, long_text, optional, options, required, text
from .catalogue_data import DISAGGREGATIONS
from .forms import MODEL_KIND_LABELS, SOURCE_LABELS, non_negative, present
from .models import BUDGET_SOURCES
from .rules import DISAGGREGATION_LABELS

KIND_LABELS = {
    "stock": _l("Số mô hình duy trì (đếm từ sổ)"),
    "count": _l("Số lượt/người trong kỳ"),
    "percent": _l("Tỷ lệ (%)"),
}
FREQUENCY_LABELS = {"quarterly": _l("Hằng quý"), "yearly": _l("Hằng năm")}
CYCLE_ROUND_LABELS = {
    "quarter": _l("Báo cáo quý"),
    "preliminary": _l("Báo cáo sơ bộ (ước cả năm)"),
    "update": _l("Báo cáo cập nhật (số liệu cả năm)"),
}
LEVEL_LABELS = {"commune": _l("Xã gửi tỉnh"), "middle": _l("Cấp trung gian gửi tỉnh")}
MIDDLE_LABELS = {"": _l("Không có (xã báo cáo thẳng lên tỉnh)"), "district": _l("Huyện (kế hoạch trước 7/2025)")}
STATUS_LABELS = {"draft": _l("Đang soạn"), "active": _l("Đang áp dụng"), "archived": _l("Đã lưu trữ")}
YEARS = _l("Năm phải từ 2021 đến 2045.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def year_field(label, *validators):
    return WholeNumberField(
        label,
        [*validators, NumberRange(min=2021, max=2045, message=YEARS)],
        render_kw={"min": 2021, "max": 2045, "inputmode": "numeric"},
    )


class PlanForm(BaseForm):
    title = long_text(_l("Tên kế hoạch"), required(), max_len=1000)
    programme = text(_l("Mã chương trình/dự án"), required(), max_len=40)
    phase_start = year_field(_l("Từ năm"), required())
    phase_end = year_field(_l("Đến năm"), required())
    budget_total = non_negative(_l("Tổng mức vốn (đồng)"), present())
    budget_source_text = long_text(_l("Nguồn vốn"), optional(), max_len=1000)
    middle_level = SelectField(_l("Cấp trung gian"), choices=options(MIDDLE_LABELS.items()), default="")


class NewPlanForm(PlanForm):
    copy_from = SelectField(_l("Tạo từ"), choices=[], default="")


class IndicatorForm(BaseForm):
    code = text(_l("Mã chỉ tiêu"), required(), max_len=12)
    parent_code = text(_l("Thuộc chỉ tiêu (mã chỉ tiêu cha, nếu có)"), optional(), max_len=12)
    name = long_text(_l("Định nghĩa (tên đầy đủ)"), required(), max_len=2000)
    short_name = text(_l("Tên ngắn"), optional(), max_len=120)
    unit_label = text(_l("Đơn vị tính"), optional(), max_len=30)
    kind = SelectField(_l("Loại chỉ tiêu"), [chosen()], choices=options(KIND_LABELS.items()))
    model_kind = SelectField(
        _l("Loại mô hình (chỉ tiêu đếm từ sổ)"),
        choices=options([("", _l("— không —"))], MODEL_KIND_LABELS.items()),
        default="",
    )
    disaggregation = MultiCheckboxField(
        _l("Phân tổ"), choices=options((d, DISAGGREGATION_LABELS[d]) for d in DISAGGREGATIONS)
    )
    phase_target = non_negative(_l("Chỉ tiêu cả giai đoạn"), present())
    formula = text(_l("Công thức (tính từ chỉ tiêu khác, ví dụ CT2.1 * 100 / CT2)"), optional(), max_len=200)
    source = SelectField(_l("Nguồn số liệu (tự động từ sổ ghi chép)"), choices=[], default="")
    valid_from_year = year_field(_l("Áp dụng từ năm (để trống: từ đầu giai đoạn)"), optional())
    valid_to_year = year_field(_l("Áp dụng đến hết năm (để trống: đến cuối giai đoạn)"), optional())


class TargetForm(BaseForm):
    indicator_id = SelectField(_l("Chỉ tiêu"), [chosen()], choices=[])
    unit_id = SelectField(_l("Đơn vị"), [chosen()], choices=[])
    year = year_field(_l("Năm (để trống: cả giai đoạn)"), optional())
    value = non_negative(_l("Chỉ tiêu giao"), optional())


class CycleRuleForm(BaseForm):
    frequency = SelectField(_l("Tần suất"), [chosen()], choices=options(FREQUENCY_LABELS.items()))
    round = SelectField(_l("Đợt báo cáo"), [chosen()], choices=options(CYCLE_ROUND_LABELS.items()))
    level = SelectField(_l("Cấp gửi"), [chosen()], choices=options(LEVEL_LABELS.items()), default="commune")
    working_days = WholeNumberField(
        _l("Hạn: số ngày làm việc sau khi hết kỳ"),
        [optional(), NumberRange(min=1, max=60, message=_l("Số ngày làm việc phải từ 1 đến 60."))],
        render_kw={"min": 1, "max": 60, "inputmode": "numeric"},
    )
    fixed_day = WholeNumberField(_l("Hoặc ngày cố định: ngày"), [optional()], render_kw={"min": 1, "max": 31})
    fixed_month = WholeNumberField(_l("tháng"), [optional()], render_kw={"min": 1, "max": 12})
    valid_from_year = year_field(_l("Áp dụng từ năm (để trống: từ đầu giai đoạn)"), optional())
    valid_to_year = year_field(_l("Áp dụng đến hết năm (để trống: đến cuối giai đoạn)"), optional())


class ActivityForm(BaseForm):
    code = text(_l("Mã hoạt động (ví dụ II.4.1)"), required(), max_len=20)
    name = long_text(_l("Nội dung hoạt động"), required(), max_len=2000)
    lead = text(_l("Đơn vị chủ trì"), optional(), max_len=120)
    years = text(_l("Các năm thực hiện (cách nhau bởi dấu phẩy)"), optional(), max_len=60)
    indicator_codes = text(_l("Chỉ tiêu liên quan (mã, cách nhau bởi dấu phẩy)"), optional(), max_len=200)

    def parsed_years(self) -> list[int] | None:
        """The years typed, or None when one of them is not a year (the field then carries the error)."""
        found = []
        for part in (self.years.data or "").split(","):
            part = part.strip()
            if not part:
                continue
            if not (part.isascii() and part.isdigit() and len(part) == 4):
                self.years.errors = [*self.years.errors, _l("Năm gồm 4 chữ số, cách nhau bởi dấu phẩy.")]
                return None
            found.append(int(part))
        return found


class PlanBudgetForm(BaseForm):
    component = SelectField(
        _l("Nội dung (hợp phần)"), [chosen()], choices=options((("I", "I"), ("II", "II"), ("III", "III"), ("IV", "IV")))
    )
    activity_code = text(_l("Mã hoạt động (nếu có)"), optional(), max_len=20)
    year = year_field(_l("Năm"), required())
    planned = non_negative(_l("Kế hoạch (đồng)"), present())


class PlanBudgetLineForm(PlanBudgetForm):
    """A budget line changed in the plan editor: also the money allocated and disbursed, its source and note."""

    source = SelectField(_l("Nguồn vốn"), [chosen()], choices=options((s, SOURCE_LABELS[s]) for s in BUDGET_SOURCES))
    allocated = non_negative(_l("Được giao (đồng)"), present())
    disbursed = non_negative(_l("Đã giải ngân (đồng)"), present())
    note = text(_l("Ghi chú"), optional(), max_len=300)

    def validate_disbursed(self, field):
        if isinstance(field.data, int) and isinstance(self.allocated.data, int) and field.data > self.allocated.data:
            raise ValidationError(_l("Số đã giải ngân không được lớn hơn số được giao."))
