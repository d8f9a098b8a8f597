"""Forms for signing in, the second factor, passwords and user administration."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField

from ..units.forms import CurrentUnitField
from ..web.forms import BaseForm, chosen, max_length, optional, options, required
from .models import ROLES

ROLE_LABELS = {
    "counsellor": _l("Tư vấn viên (địa chỉ tin cậy / cán bộ xã)"),
    "supervisor": _l("Giám sát viên tư vấn (xã / cụm xã)"),
    "district_reviewer": _l("Cán bộ xét duyệt (Hội LHPN huyện hoặc tỉnh)"),
    "agency_officer": _l("Cán bộ cơ quan tiếp nhận"),
    "dpo": _l("Cán bộ bảo vệ dữ liệu cá nhân"),
    "reporter": _l("Cán bộ báo cáo xã"),
    "monitor": _l("Giám sát (tỉnh, MTTQ)"),
    "admin": _l("Quản trị hệ thống"),
}


# Roles whose work depends on the level of the unit they are scoped to (DESIGN §1: the reviewer role keeps
# its old name, but a province reviewer is never called "huyện").
LEVEL_LABELS = {
    ("district_reviewer", "province"): _l("Cán bộ Hội LHPN tỉnh (xét duyệt)"),
    ("district_reviewer", "district"): _l("Cán bộ Hội LHPN huyện (xét duyệt)"),
    ("district_reviewer", "commune"): _l("Cán bộ Hội LHPN xã (xét duyệt)"),
    ("reporter", "district"): _l("Cán bộ báo cáo huyện"),
    ("reporter", "province"): _l("Cán bộ báo cáo tỉnh"),
}


def role_label(role: str, unit=None) -> str:
    """The role's name, by the level of its unit where that changes what the person is."""
    label = LEVEL_LABELS.get((role, str(getattr(unit, "kind", "") or ""))) or ROLE_LABELS.get(role, role)
    return str(label)


class LoginForm(BaseForm):
    username = StringField(
        _l("Tên đăng nhập"),
        [required(), max_length(80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Mật khẩu"), [required(), max_length(256)], render_kw={"autocomplete": "current-password"}
    )


class TotpForm(BaseForm):
    code = StringField(
        _l("Mã xác thực 6 số"),
        [required(), max_length(20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )


class PasswordChangeForm(BaseForm):
    current = PasswordField(
        _l("Mật khẩu hiện tại"), [required(), max_length(256)], render_kw={"autocomplete": "current-password"}
    )
    new = PasswordField(
        _l("Mật khẩu mới (ít nhất 10 ký tự)"), [required(), max_length(256)], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"), [required(), max_length(256)], render_kw={"autocomplete": "new-password"}
    )

    def validate_confirm(self, field):
        if field.data != self.new.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Hai mật khẩu mới không giống nhau."))


def role_choices():
    return options([("", _l("— Chọn vai trò —"))], ((r, ROLE_LABELS[r]) for r in ROLES))


class UserCreateForm(BaseForm):
    username = StringField(_l("Tên đăng nhập"), [required(), max_length(80)])
    display_name = StringField(_l("Tên hiển thị"), [max_length(120)])
    # Not for case-reading roles: their owners set their own through a one-time link after the approval.
    password = PasswordField(
        _l("Mật khẩu ban đầu (ít nhất 10 ký tự)"), [max_length(256)], render_kw={"autocomplete": "new-password"}
    )
    role = SelectField(_l("Vai trò"), [chosen()], choices=[])
    unit = CurrentUnitField(_l("Đơn vị"), [chosen()], choices=[])


class RoleAddForm(BaseForm):
    role = SelectField(_l("Vai trò"), [chosen()], choices=[])
    unit = CurrentUnitField(_l("Đơn vị"), [chosen()], choices=[])


class PasswordResetForm(BaseForm):
    password = PasswordField(
        _l("Mật khẩu mới (ít nhất 10 ký tự)"), [required(), max_length(256)], render_kw={"autocomplete": "new-password"}
    )


class SetupForm(BaseForm):
    """The one-time link's page: the owner's own password and the first code of their own authenticator."""

    password = PasswordField(
        _l("Mật khẩu của bạn (ít nhất 10 ký tự)"),
        [required(), max_length(256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu"), [required(), max_length(256)], render_kw={"autocomplete": "new-password"}
    )
    code = StringField(
        _l("Mã xác thực 6 số"),
        [required(), max_length(10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )

    def validate_confirm(self, field):
        if field.data != self.password.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Hai mật khẩu không giống nhau."))


class SecondFactorSetupForm(BaseForm):
    """The one-time link after a second-factor reset: the owner's current password and the first code of the
    new authenticator (the password proves the owner opened the link, not whoever else has seen it)."""

    password = PasswordField(
        _l("Mật khẩu hiện tại của bạn"),
        [required(), max_length(256)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Mã xác thực 6 số"),
        [required(), max_length(10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )


def code_field() -> StringField:
    """The second-factor code on a form that asks for it only when the last step-up is stale (app/auth/stepup.py
    `check_form`; templates/_macros/forms.html `step_up`). Optional here: the check decides when it is needed."""
    return StringField(
        _l("Mã xác thực 6 số"),
        [optional(), max_length(20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )
