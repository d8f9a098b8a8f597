"""User administration for the admin role: create, roles, disable, reset password. No case content."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..approvals import services as approvals
from ..approvals.models import ApprovalRequest
from ..audit import services as audit
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
    # Only units that work today: a role at a unit closed in the 2025 reform is no new work for anyone.
    form.unit.choices = options([("", _l("— Chọn đơn vị —"))], unit_choices(current_only=True))


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
                user = _create(form)
        except services.ServiceError as exc:
            getattr(form, exc.field or "username").errors.append(str(exc))
        else:
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return render_template("admin/user_new.html", form=form)


def _create(form) -> User:
    """A case reader's account starts without role or usable password: the role waits for a second person,
    who then hands the owner a one-time link. Other accounts get their role and a temporary password."""
    unit = db.session.get(Unit, form.unit.data)
    if form.role.data in approvals.CASE_ROLES:
        user = services.create_account(form.username.data, actor=current_user, display_name=form.display_name.data)
        approvals.request_role(user, form.role.data, unit, actor=current_user)
        flash(
            _l(
                "Đã tạo tài khoản, chưa có quyền truy cập. Cần người thứ hai phê duyệt vai trò; người phê duyệt sẽ "
                "trao đường dẫn đặt mật khẩu cho người dùng."
            ),
            "warning",
        )
        return user
    services.ensure(form.password.data, _l("Hãy nhập mật khẩu ban đầu."), "password")
    user = services.create_user(
        form.username.data,
        form.password.data,
        role=form.role.data,
        unit=unit,
        actor=current_user,
        display_name=form.display_name.data,
        must_change=True,
    )
    flash(_l("Đã tạo tài khoản."), "success")
    return user


def _detail(user, role_form=None, reset_form=None, status=200):
    if role_form is None:
        role_form = RoleAddForm()
        _fill_choices(role_form)
    requests = db.session.scalars(
        select(ApprovalRequest)
        .where(ApprovalRequest.subject_user_id == user.id)
        .order_by(ApprovalRequest.created_at.desc())
        .limit(20)
    ).all()
    return render_template(
        "admin/user_detail.html",
        user=user,
        role_form=role_form,
        reset_form=reset_form or PasswordResetForm(),
        last_login=services.last_login(user),
        requests=requests,
        case_reader=approvals.holds_case_role(user),
        status_labels=approvals.STATUS_LABELS,
        kind_labels=approvals.KIND_LABELS,
    ), status


@bp.get("/users/<uuid:user_id>")
@permission_required("admin.users")
def user_detail(user_id):
    """One account: roles, state, password reset."""
    return _detail(_user_or_404(str(user_id)))


@bp.post("/users/<uuid:user_id>/roles")
@permission_required("admin.users")
@step_up_required
def add_role(user_id):
    """Give the user one more role, scoped to a unit."""
    user = _user_or_404(str(user_id))
    form = RoleAddForm()
    _fill_choices(form)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        try:
            with attempt():
                if form.role.data in approvals.CASE_ROLES:
                    approvals.request_role(user, form.role.data, unit, actor=current_user)
                    message = approvals.NEEDS_SECOND_PERSON
                else:
                    services.assign_role(user, form.role.data, unit, actor=current_user)
                    message = _l("Đã thêm vai trò.")
        except services.ServiceError as exc:
            getattr(form, exc.field or "role").errors.append(str(exc))
            # Every refused step records who tried (committed with the page that shows why).
            audit.record(current_user, "user.role_add", user, result="refused")
        else:
            flash(message, "success")
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return _detail(user, role_form=form)


@bp.post("/users/<uuid:user_id>/roles/<uuid:assignment_id>/remove")
@permission_required("admin.users")
@step_up_required
def remove_role(user_id, assignment_id):
    """Take a role away; the user's sessions end so the change applies at once."""
    assignment = db.session.scalar(
        select(RoleAssignment).where(RoleAssignment.id == str(assignment_id), RoleAssignment.user_id == str(user_id))
    )
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
        flash(
            _l("Đã mở khóa tài khoản.") if user.active else _l("Đã khóa tài khoản; mọi phiên đã kết thúc."), "success"
        )
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.post("/users/<uuid:user_id>/password")
@permission_required("admin.users")
@step_up_required
def reset_password(user_id):
    """Set a temporary password; the user must change it at the next sign-in."""
    user = _user_or_404(str(user_id))
    form = PasswordResetForm()
    if approvals.holds_case_role(user):
        # A case reader's credentials: reset (password and second factor) only when a second person approves;
        # the administrator never chooses the new password.
        try:
            with attempt():
                approvals.request_credential_reset(user, actor=current_user)
        except services.ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(approvals.NEEDS_SECOND_PERSON, "warning")
        return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    if form.validate_on_submit():
        try:
            with attempt():
                services.set_password(user, form.password.data, actor=current_user, must_change=True)
        except services.ServiceError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(_l("Đã đặt lại mật khẩu; người dùng phải đổi khi đăng nhập."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return _detail(user, reset_form=form)


@bp.post("/users/<uuid:user_id>/second-factor")
@permission_required("admin.users")
@step_up_required
def reset_second_factor(user_id):
    """Ask for a case reader's second factor to be replaced (phone and recovery codes lost); the password stays.

    Only a request: a supervisor of the reader's unit approves it with their own fresh second factor and hands
    the one-time enrolment link to the reader; the administrator never sees it."""
    user = _user_or_404(str(user_id))
    try:
        with attempt():
            approvals.request_second_factor_reset(user, actor=current_user)
    except services.ServiceError as exc:
        flash(str(exc), "error")
        audit.record(current_user, "user.second_factor_reset", user, result="refused")
    else:
        flash(approvals.NEEDS_SECOND_PERSON, "warning")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.get("/approvals")
@permission_required("admin.users")
def approval_requests():
    """Every request for a second person, with its state; the requester may withdraw a pending one."""
    rows = db.session.scalars(select(ApprovalRequest).order_by(ApprovalRequest.created_at.desc()).limit(200)).all()
    for row in rows:
        approvals.expire_if_due(row)
    return render_template(
        "admin/approvals.html", rows=rows, status_labels=approvals.STATUS_LABELS, kind_labels=approvals.KIND_LABELS
    )


@bp.post("/approvals/<uuid:approval_id>/withdraw")
@permission_required("admin.users")
def withdraw_approval(approval_id):
    """Withdraw one's own pending request."""
    row = db.session.get(ApprovalRequest, str(approval_id))
    if row is None or row.requested_by_id != current_user.id:
        return render_template("errors/error.html", status=404, title=_l("Không tìm thấy"), message=""), 404
    try:
        with attempt():
            approvals.withdraw(row, actor=current_user)
    except services.ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(_l("Đã rút lại yêu cầu."), "success")
    return redirect(url_for("admin.approval_requests"), 303)
