"""Forms of the indicator module. Every rule has a Vietnamese message shown beside its field, and an
invalid form is shown again with everything the user typed."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from .. import clock
from ..web.forms import (
    BaseForm,
    DayField,
    WholeNumberField,
    chosen,
    is_whole_number_text,
    long_text,
    optional,
    options,
    required,
    text,
)
from .models import ACTIVITY_STATUSES, BUDGET_SOURCES, ROUNDS
from .rules import DISAGGREGATION_OPTIONS, value_errors

MODEL_KIND_LABELS = {
    "communication_team": _l("Tổ truyền thông cộng đồng"),
    "savings_group": _l("Tổ tiết kiệm vay vốn thôn bản"),
    "tech_group": _l("Tổ/nhóm sinh kế ứng dụng công nghệ 4.0"),
    "livelihood_group": _l("Tổ/nhóm sinh kế"),
    "trusted_address": _l("Địa chỉ tin cậy cộng đồng"),
    "leaders_of_change_club": _l("CLB Thủ lĩnh của sự thay đổi"),
}
SUPPORT_LABELS = {
    "": _l("Không do dự án hỗ trợ"),
    "new": _l("Dự án hỗ trợ: thành lập mới"),
    "strengthened": _l("Dự án hỗ trợ: củng cố, nâng cao chất lượng"),
}
MODEL_STATUS_LABELS = {"active": _l("Đang hoạt động"), "inactive": _l("Tạm ngừng"), "dissolved": _l("Đã giải thể")}
ROUND_LABELS = {
    "preliminary": _l("Báo cáo sơ bộ (ước cả năm)"),
    "update": _l("Báo cáo cập nhật (số liệu cả năm)"),
    "quarter": _l("Báo cáo quý"),
}
ACTIVITY_STATUS_LABELS = {
    "planned": _l("Kế hoạch"),
    "in_progress": _l("Đang thực hiện"),
    "done": _l("Đã thực hiện"),
    "not_done": _l("Không thực hiện được"),
}
SOURCE_LABELS = {
    "central": _l("Ngân sách trung ương"),
    "local": _l("Ngân sách địa phương"),
    "integrated": _l("Lồng ghép"),
    "other": _l("Nguồn hợp pháp khác"),
}
YEAR_MESSAGE = _l("Năm phải từ 2021 đến 2035.")
COMPONENTS = (("I", "I"), ("II", "II"), ("III", "III"), ("IV", "IV"))


def present():
    """Required, but 0 is an answer (DataRequired would refuse it)."""
    return InputRequired(message=_l("Vui lòng nhập mục này."))


def non_negative(label, *validators, **kwargs):
    """A whole number, zero or more (type="number" in the page)."""
    return WholeNumberField(
        label,
        [*validators, NumberRange(min=0, message=_l("Phải là số nguyên không âm."))],
        render_kw={"min": 0, "inputmode": "numeric"},
        **kwargs,
    )


def _int_or_message(field):
    """IntegerField reports "Not a valid integer value"; say it in Vietnamese."""
    if isinstance(field, IntegerField) and field.errors and field.raw_data and field.data is None:
        field.errors = [_l("Phải là số nguyên không âm.")]


class RegistryEntryForm(BaseForm):
    kind = SelectField(_l("Loại mô hình"), [chosen()], choices=options(MODEL_KIND_LABELS.items()))
    name = text(_l("Tên mô hình"), required(), max_len=200)
    decision_number = text(_l("Số quyết định thành lập"), required(), max_len=60)
    founded_on = DayField(_l("Ngày quyết định thành lập"), [required(_l("Vui lòng nhập ngày, dạng ngày/tháng/năm."))])
    status = SelectField(_l("Tình trạng"), [chosen()], choices=options(MODEL_STATUS_LABELS.items()))
    ended_on = DayField(_l("Ngày ngừng hoạt động/giải thể"), [optional()])
    members_total = non_negative(_l("Tổng số thành viên"), present())
    members_women = non_negative(_l("Số thành viên nữ"), present())
    members_ethnic_minority = non_negative(_l("Số thành viên dân tộc thiểu số"), present())
    members_linked_finance = non_negative(
        _l("Thành viên được giới thiệu tiếp cận định chế tài chính chính thức"), optional(), default=0
    )
    members_livelihood = non_negative(_l("Thành viên được hỗ trợ phát triển sinh kế"), optional(), default=0)
    applies_gals = BooleanField(_l("Áp dụng phương pháp học tập và hành động giới"))
    meetings_held = non_negative(_l("Số buổi sinh hoạt đã tổ chức"), present())
    project_support = SelectField(_l("Được dự án hỗ trợ"), [optional()], choices=options(SUPPORT_LABELS.items()))
    # Choices: the trusted addresses of the reporter's communes (set by the view).
    address_unit_id = SelectField(
        _l("Địa chỉ tin cậy (đơn vị) mà mô hình này là"), [optional()], choices=[], validate_choice=False
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            _int_or_message(field)
        # Optional() ends the field's own checks when it is empty, so this rule lives here.
        if self.status.data == "dissolved" and not self.ended_on.data and not self.ended_on.errors:
            self.ended_on.errors = [*self.ended_on.errors, _l("Mô hình đã giải thể: vui lòng nhập ngày giải thể.")]
            ok = False
        return ok

    def _total(self):
        return self.members_total.data if isinstance(self.members_total.data, int) else None

    def validate_members_women(self, field):
        if self._total() is not None and (field.data or 0) > self._total():
            raise ValidationError(_l("Số nữ không được lớn hơn tổng số thành viên."))

    def validate_members_ethnic_minority(self, field):
        if self._total() is not None and (field.data or 0) > self._total():
            raise ValidationError(_l("Số thành viên dân tộc thiểu số không được lớn hơn tổng số thành viên."))

    def validate_members_linked_finance(self, field):
        if self._total() is not None and (field.data or 0) > self._total():
            raise ValidationError(_l("Số thành viên được kết nối không được lớn hơn tổng số thành viên."))

    def validate_members_livelihood(self, field):
        if self._total() is not None and (field.data or 0) > self._total():
            raise ValidationError(_l("Số thành viên được hỗ trợ sinh kế không được lớn hơn tổng số thành viên."))

    def validate_founded_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Ngày thành lập không được sau hôm nay."))

    def validate_ended_on(self, field):
        if field.data and self.founded_on.data and field.data < self.founded_on.data:
            raise ValidationError(_l("Ngày ngừng hoạt động không được trước ngày thành lập."))

    def values(self) -> dict:
        fields = {
            name: getattr(self, name).data
            for name in (
                "kind",
                "name",
                "decision_number",
                "founded_on",
                "status",
                "ended_on",
                "members_total",
                "members_women",
                "members_ethnic_minority",
                "members_linked_finance",
                "members_livelihood",
                "applies_gals",
                "meetings_held",
                "project_support",
                "address_unit_id",
            )
        }
        fields["project_support"] = fields["project_support"] or ""
        fields["address_unit_id"] = fields["address_unit_id"] or None
        fields["members_linked_finance"] = fields["members_linked_finance"] or 0
        fields["members_livelihood"] = fields["members_livelihood"] or 0
        fields["ended_on"] = fields["ended_on"] if fields["status"] != "active" else None
        return fields


class MeetingForm(BaseForm):
    held_on = DayField(_l("Ngày sinh hoạt"), [required(_l("Vui lòng nhập ngày, dạng ngày/tháng/năm."))])
    attendees = non_negative(_l("Số người tham gia"), present())
    women = non_negative(_l("Trong đó nữ"), optional())
    topic = text(_l("Nội dung sinh hoạt"), optional(), max_len=300)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            _int_or_message(field)
        return ok

    def validate_women(self, field):
        if isinstance(self.attendees.data, int) and (field.data or 0) > self.attendees.data:
            raise ValidationError(_l("Số nữ không được lớn hơn số người tham gia."))

    def values(self) -> dict:
        return {
            "held_on": self.held_on.data,
            "attendees": self.attendees.data,
            "women": self.women.data or 0,
            "topic": self.topic.data,
        }


class ReasonForm(BaseForm):
    reason = long_text(_l("Lý do"), required(_l("Vui lòng ghi lý do.")), max_len=2000)


class CycleForm(BaseForm):
    year = WholeNumberField(_l("Năm báo cáo"), [required(), NumberRange(min=2021, max=2035, message=YEAR_MESSAGE)])
    round = SelectField(_l("Đợt"), [chosen()], choices=options((r, ROUND_LABELS[r]) for r in (*ROUNDS, "quarter")))
    quarter = SelectField(
        _l("Quý (đợt báo cáo quý)"),
        choices=options((("", "—"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"))),
        default="",
    )
    commune_due_on = DayField(_l("Hạn xã gửi (để trống: theo kế hoạch)"), [optional()])
    district_due_on = DayField(_l("Hạn huyện gửi tỉnh (để trống: theo kế hoạch)"), [optional()])


class ActivityStatusForm(BaseForm):
    status = SelectField(
        _l("Trạng thái"), [chosen()], choices=options((s, ACTIVITY_STATUS_LABELS[s]) for s in ACTIVITY_STATUSES)
    )
    reason = text(_l("Lý do (nếu không thực hiện được)"), optional(), max_len=500)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # Optional() ends the field's own checks when it is empty, so this rule lives here.
        if self.status.data == "not_done" and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _l("Vui lòng ghi lý do không thực hiện được.")]
            ok = False
        return ok


class BudgetLineForm(BaseForm):
    component = SelectField(_l("Nội dung (hợp phần)"), [chosen()], choices=options(COMPONENTS))
    activity_code = text(_l("Mã hoạt động (nếu có, ví dụ II.4)"), optional(), max_len=20)
    year = WholeNumberField(_l("Năm"), [required(), NumberRange(min=2021, max=2035, message=YEAR_MESSAGE)])
    source = SelectField(_l("Nguồn vốn"), [chosen()], choices=options((s, SOURCE_LABELS[s]) for s in BUDGET_SOURCES))
    planned = non_negative(_l("Kế hoạch (đồng)"), present())
    allocated = non_negative(_l("Được giao (đồng)"), present())
    disbursed = non_negative(_l("Đã giải ngân (đồng)"), present())
    note = text(_l("Ghi chú"), optional(), max_len=300)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            _int_or_message(field)
        return ok

    def validate_disbursed(self, field):
        if isinstance(field.data, int) and isinstance(self.allocated.data, int) and field.data > self.allocated.data:
            raise ValidationError(_l("Số đã giải ngân không được lớn hơn số được giao."))


class NarrativeForm(BaseForm):
    results = long_text(_l("Kết quả đạt được"), optional(), max_len=5000)
    difficulties = long_text(_l("Khó khăn, vướng mắc"), optional(), max_len=5000)
    recommendations = long_text(_l("Đề xuất, kiến nghị"), optional(), max_len=5000)


# --- the report's figures: one small set of inputs per typed indicator and kind -------------------------


def field_name(indicator, kind: str, part: str) -> str:
    """The input name of one part of one figure, e.g. "CT7-actual-value", "CT5-estimate-age_band-18_29"."""
    return f"{indicator.code.replace('.', '_')}-{kind}-{part}"


def parse_int(raw: str | None):
    """'' -> None; '12' or '1.234' (dots group thousands) -> the number; anything else -> the raw text (an
    error). The digits are judged by the one whole-number rule (ASCII 0-9 only: int() would take "١٢")."""
    raw = (raw or "").strip().replace(".", "")
    if raw == "":
        return None
    return int(raw) if is_whole_number_text(raw) else raw


class FiguresInput:
    """The figures of a report as typed, their errors keyed by input name, and what to store."""

    def __init__(self, indicators, kinds, formdata=None, submission=None):
        self.indicators, self.kinds = indicators, kinds
        self.raw: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.parsed: dict = {}
        if formdata is not None:
            self._read(formdata)
        elif submission is not None:
            self._load(submission)

    def _names(self, ind, kind):
        yield "value"
        if ind.is_percent:
            yield "denominator"
        for dim in ind.disaggregation:
            for option, _label in DISAGGREGATION_OPTIONS[dim]:
                yield f"{dim}-{option}"

    def _load(self, sub):
        for ind in self.indicators:
            for kind in self.kinds:
                row = sub.value(ind.id, kind)
                if row is None:
                    continue
                self.raw[field_name(ind, kind, "value")] = str(row.value)
                if row.denominator is not None:
                    self.raw[field_name(ind, kind, "denominator")] = str(row.denominator)
                for dim, parts in (row.breakdown or {}).items():
                    for option, number in parts.items():
                        self.raw[field_name(ind, kind, f"{dim}-{option}")] = str(number)

    def _read(self, formdata):
        for ind in self.indicators:
            for kind in self.kinds:
                numbers = {}
                for part in self._names(ind, kind):
                    name = field_name(ind, kind, part)
                    self.raw[name] = (formdata.get(name) or "")[:15]
                    number = parse_int(self.raw[name])
                    if isinstance(number, str) or (isinstance(number, int) and number < 0):
                        self.errors[name] = _l("Phải là số nguyên không âm.")
                        number = None
                    numbers[part] = number
                self._check(ind, kind, numbers)

    def _check(self, ind, kind, numbers):
        value, denominator = numbers.pop("value"), numbers.pop("denominator", None)
        breakdown: dict = {}
        for part, number in numbers.items():
            dim, option = part.split("-", 1)
            if number is not None:
                breakdown.setdefault(dim, {})[option] = number
        if value is None and (denominator is not None or breakdown):
            self.errors.setdefault(field_name(ind, kind, "value"), _l("Vui lòng nhập tổng số."))
            return
        for part, message in value_errors(ind, value, denominator, breakdown).items():
            if part in ("value", "denominator"):
                self.errors.setdefault(field_name(ind, kind, part), message)
            else:
                first = DISAGGREGATION_OPTIONS[part][0][0]
                self.errors.setdefault(field_name(ind, kind, f"{part}-{first}"), message)
        self.parsed[(ind.id, kind)] = (value, denominator, breakdown)

    def validate(self) -> bool:
        return not self.errors
