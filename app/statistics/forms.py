"""The period asked for an export: a year and, for the national database, a quarter or the whole year."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

from ..web.forms import BaseForm, chosen, options

QUARTERS = (("0", _l("Cả năm")), ("1", _l("Quý I")), ("2", _l("Quý II")), ("3", _l("Quý III")), ("4", _l("Quý IV")))


class ListedChoice(SelectField):
    """A select whose value must be one of its options, refused in Vietnamese beside the field."""

    def pre_validate(self, form):
        if self.data not in {str(choice.value) for choice in self.choices}:
            raise ValidationError(_l("Vui lòng chọn một mục trong danh sách."))


class NationalExportForm(BaseForm):
    """Sent by GET (the file is downloaded): nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    year = ListedChoice(_l("Năm"), [chosen()])
    quarter = ListedChoice(_l("Kỳ"), [chosen()], choices=options(QUARTERS), default="0")

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = options([(str(y), str(y)) for y in years])
