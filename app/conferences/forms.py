"""The case conference form: the meeting, and up to three actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, HiddenField, SelectField, SelectMultipleField

from ..web.forms import BaseForm, DayField, long_text, optional, required, text


class ActionForm(FlaskForm):
    class Meta:
        csrf = False  # a row of the conference form, which carries the token

    what = text(_l("Việc cần làm"), optional(), max_len=300)
    owner_id = SelectField(_l("Người phụ trách"), [optional()], choices=[], validate_choice=False)
    due_on = DayField(_l("Hạn"), [optional()])


class ConferenceForm(BaseForm):
    held_on = DayField(_l("Ngày họp"), [required()])
    services_present = SelectMultipleField(_l("Dịch vụ tham dự"), choices=[], validate_choice=False)
    decisions = long_text(_l("Các quyết định"), required(), max_len=5000)
    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=3)


class PartForm(FlaskForm):
    """One case's part of a joint conference: what was decided for that case and its actions."""

    class Meta:
        csrf = False  # a row of the joint form, which carries the token

    case_id = HiddenField()
    decisions = long_text(_l("Các quyết định cho hồ sơ này"), optional(), max_len=5000)  # checked by hold_joint()
    actions = FieldList(FormField(ActionForm), min_entries=2, max_entries=2)


class JointConferenceForm(BaseForm):
    """A conference about several cases: first the other cases (by code), then a part per case."""

    other_codes = text(_l("Mã các hồ sơ khác"), required(), max_len=200)
    step = HiddenField(default="choose")  # "choose" the cases, then "record" the parts
    held_on = DayField(_l("Ngày họp"), [optional()])
    services_present = SelectMultipleField(_l("Dịch vụ tham dự"), choices=[], validate_choice=False)
    parts = FieldList(FormField(PartForm), min_entries=0, max_entries=6)
