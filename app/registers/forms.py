"""Forms of the registers. Every rule has a Vietnamese message beside its field; an invalid form is shown again
with everything typed. Numbers go through the ASCII-digit parser (WholeNumberField)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from .. import clock
from ..indicators.rules import DISAGGREGATION_OPTIONS
from ..web.forms import BaseForm, DayField, WholeNumberField, chosen, long_text, optional, options, required, text
from . import reference_data as ref
from .services import MAX_AMOUNT

DATE_MESSAGE = _l("Vui lòng nhập ngày, dạng ngày/tháng/năm.")


def blank():
    return [("", _l("— Chọn —"))]


def coded(pairs):
    """A coded list's labels (marked with N_ in reference_data), translated when the page is drawn."""
    return [(code, _l(label)) for code, label in pairs]  # noqa: INT001 - the labels are extracted where marked


def count_field(label, *validators):
    return WholeNumberField(
        label,
        [*validators, NumberRange(min=0, message=_l("Phải là số nguyên không âm."))],
        render_kw={"min": 0, "inputmode": "numeric"},
    )


def _not_future(field, message):
    if field.data and field.data > clock.today():
        raise ValidationError(message)


class PaymentForm(BaseForm):
    package = SelectField(_l("Gói hỗ trợ"), [chosen()], choices=options(blank(), coded(ref.PACKAGES)))
    paid_on = DayField(_l("Ngày chi"), [required(DATE_MESSAGE)])
    amount = WholeNumberField(
        _l("Số tiền (đồng)"),
        [
            InputRequired(_l("Vui lòng nhập số tiền.")),
            NumberRange(min=1, max=MAX_AMOUNT, message=_l("Số tiền phải lớn hơn 0.")),
        ],
        render_kw={"min": 1, "inputmode": "numeric"},
    )
    voucher_number = text(_l("Số chứng từ"), required(), max_len=40, render_kw={"autocomplete": "off"})
    full_name = text(_l("Họ tên người nhận"), required(), max_len=120, render_kw={"autocomplete": "off"})
    id_number = text(_l("Số CCCD (nếu có trên chứng từ)"), optional(), max_len=20, render_kw={"autocomplete": "off"})
    address = text(_l("Thôn, bản, địa chỉ"), optional(), max_len=200, render_kw={"autocomplete": "off"})
    ethnic_code = SelectField(_l("Dân tộc"), [optional()], choices=options(blank(), coded(ref.ETHNIC_BUCKETS)))
    age_band = SelectField(_l("Nhóm tuổi"), [optional()], choices=options(blank(), DISAGGREGATION_OPTIONS["age_band"]))
    note = long_text(_l("Ghi chú"), optional(), max_len=1000, render_kw={"autocomplete": "off"})

    def validate_paid_on(self, field):
        _not_future(field, _l("Ngày chi không được sau hôm nay."))

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in (
                "package",
                "paid_on",
                "amount",
                "voucher_number",
                "full_name",
                "id_number",
                "address",
                "ethnic_code",
                "age_band",
                "note",
            )
        }


class EventForm(BaseForm):
    kind = SelectField(_l("Loại sự kiện"), [chosen()], choices=options(blank(), coded(ref.EVENT_KINDS)))
    held_on = DayField(_l("Ngày tổ chức"), [required(DATE_MESSAGE)])
    place_id = SelectField(_l("Nơi tổ chức (thôn, bản hoặc xã)"), [chosen()], choices=[], validate_choice=False)
    topic = text(_l("Nội dung, chủ đề"), optional(), max_len=300)
    participants = count_field(_l("Tổng số người tham gia"), InputRequired(_l("Vui lòng nhập tổng số người tham gia.")))
    female = count_field(_l("Nữ"), optional())
    male = count_field(_l("Nam"), optional())
    eth_03 = count_field(_l("Thái"), optional())
    eth_08 = count_field(_l("Mông"), optional())
    eth_01 = count_field(_l("Kinh"), optional())
    eth_23 = count_field(_l("Khơ Mú"), optional())
    eth_other = count_field(_l("Dân tộc khác hoặc không rõ"), optional())

    ETHNIC_FIELDS = ("eth_03", "eth_08", "eth_01", "eth_23", "eth_other")

    def validate_held_on(self, field):
        _not_future(field, _l("Ngày tổ chức không được sau hôm nay."))

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "held_on": self.held_on.data,
            "topic": self.topic.data,
            "participants": self.participants.data,
            "female": self.female.data or 0,
            "male": self.male.data or 0,
            "by_ethnicity": {name[4:]: getattr(self, name).data or 0 for name in self.ETHNIC_FIELDS},
        }

    def fill(self, event) -> None:
        """Show an event's ethnic breakdown in its fields (GET of the edit page)."""
        for name in self.ETHNIC_FIELDS:
            getattr(self, name).data = (event.by_ethnicity or {}).get(name[4:], 0)


class ReasonForm(BaseForm):
    reason = long_text(
        _l("Lý do (không ghi họ tên hay thông tin cá nhân)"), required(_l("Vui lòng ghi lý do.")), max_len=1000
    )
