"""Forms of offline capture. The intake is the online intake form itself, with fewer fields shown."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..cases.forms import FollowUpOutcomeForm, NoteForm
from ..web.forms import BaseForm, chosen, options, required, text
from .services import DEVICE_LABELS

# The intake fields shown offline: every required field of the online form, and the account in the
# survivor's words. The rest (identity papers, guardian, trafficking details) is added online.
INTAKE_FIELDS = (
    "kind",
    "unit_id",
    "village_id",
    "opened_on",
    "sex",
    "age_band",
    "ethnic_code",
    "poverty_status",
    "risk_level",
    "full_name",
    "birth_year",
    "phone",
    "incident",
    "needs",
    "safety_plan",
    "contact_channel",
    "contact_window",
)


def offline_intake_form():
    """The online intake form (same fields, choices and validation), for the counsellor's units."""
    from ..cases.views.records import case_form

    return case_form()


class DeviceForm(BaseForm):
    label = SelectField(_l("Tên thiết bị"), [chosen()], choices=options((x, _l(x)) for x in DEVICE_LABELS))


class OfflineCaseForm(BaseForm):
    case_code = text(_l("Mã hồ sơ"), required(), max_len=20)


__all__ = ["INTAKE_FIELDS", "DeviceForm", "FollowUpOutcomeForm", "NoteForm", "OfflineCaseForm", "offline_intake_form"]
