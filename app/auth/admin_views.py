"""User administration for the admin role: create, roles, disable, reset password. No case content."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..units.models import Unit
from ..units.queries import unit_choices
from ..web.forms import options
from ..web.unit_of_work import attempt
from . import services
from .forms import PasswordResetForm, RoleAddForm, UserCreateForm, role_choices
from .models import RoleAssignment, User
from .permissions import permission_required
from .stepup import step_up_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: str) -> User:
    return db.get_or_404(User, user_id)


def _fill_choices(form) -> None:
    form.role.choices = role_choices()
    form.unit.choices = options([("", _l("— Chọn đơn vị —"))], unit_choices())


@bp.get("/")
@permission_required("admin.users")
def index():
    """The admin home: users, units, audit, keys."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
@permission_required("admin.users")
def users():
    """List every account with its roles."""
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required("admin.users")
@step_up_required
def create_user():
    """Create an account with its first role; the user must change the password at first sign-in."""
    form = UserCreateForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            with attempt():
                user = services.create_user(form.username.data, form.password.data, role=form.role.data,
                                            unit=db.session.get(Unit, form.unit.data), actor=current_user,
                                            display_name=form.display_name.data, must_change=True)
        except services.ServiceError as exc:
            getattr(form, exc.field or "username").errors.append(str(exc))
        else:
            flash(_l("Đã tạo tài khoản."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return render_template("admin/user_new.html", form=form)


@bp.get("/users/<uuid:user_id>")
@permission_required("admin.users")
def user_detail(user_id):
    """One account: roles, state, password reset."""
    user = _user_or_404(str(user_id))
    role_form, reset_form = RoleAddForm(), PasswordResetForm()
    _fill_choices(role_form)
    return render_template("admin/user_detail.html", user=user, role_form=role_form, reset_form=reset_form,
                           last_login=services.last_login(user))


@bp.post("/users/<uuid:user_id>/roles")
@permission_required("admin.users")
@step_up_required
def add_role(user_id):
    """Give the user one more role, scoped to a unit."""
    user = _user_or_404(str(user_id))
    form = RoleAddForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            with attempt():
                services.assign_role(user, form.role.data, db.session.get(Unit, form.unit.data), actor=current_user)
        except services.ServiceError as exc:
            getattr(form, exc.field or "role").errors.append(str(exc))
        else:
            flash(_l("Đã thêm vai trò."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return render_template("admin/user_detail.html", user=user, role_form=form, reset_form=PasswordResetForm(),
                           last_login=services.last_login(user))


@bp.post("/users/<uuid:user_id>/roles/<uuid:assignment_id>/remove")
@permission_required("admin.users")
@step_up_required
def remove_role(user_id, assignment_id):
    """Take a role away; the user's sessions end so the change applies at once."""
    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.id == str(assignment_id),
                                                                RoleAssignment.user_id == str(user_id)))
    if assignment is None:
        return render_template("errors/error.html", status=404, title=_l("Không tìm thấy"), message=""), 404
    services.remove_role(assignment, actor=current_user)
    flash(_l("Đã bỏ vai trò."), "success")
    return redirect(url_for("admin.user_detail", user_id=str(user_id)), 303)


@bp.post("/users/<uuid:user_id>/active")
@permission_required("admin.users")
@step_up_required
def set_active(user_id):
    """Disable (every session ends at once) or enable an account."""
    user = _user_or_404(str(user_id))
    try:
        with attempt():
            services.set_active(user, request.form.get("active") == "1", actor=current_user)
    except services.ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(_l("Đã mở khóa tài khoản.") if user.active else _l("Đã khóa tài khoản; mọi phiên đã kết thúc."),
              "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.post("/users/<uuid:user_id>/password")
@permission_required("admin.users")
@step_up_required
def reset_password(user_id):
    """Set a temporary password; the user must change it at the next sign-in."""
    user = _user_or_404(str(user_id))
    form = PasswordResetForm()
    role_form = RoleAddForm()
    _fill_choices(role_form)
    if form.validate_on_submit():
        try:
            with attempt():
                services.set_password(user, form.password.data, actor=current_user, must_change=True)
        except services.ServiceError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(_l("Đã đặt lại mật khẩu; người dùng phải đổi khi đăng nhập."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return render_template("admin/user_detail.html", user=user, role_form=role_form, reset_form=form,
                           last_login=services.last_login(user))
