"""The admin's working-day calendar: the package's holidays of a year (read only) and the installation's own
days off and working days, which every deadline counts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..auth.permissions import permission_required
from ..auth.stepup import step_up_required
from ..deadlines import workdays
from ..services import ServiceError
from ..web.forms import whole_number
from ..web.unit_of_work import attempt
from . import services
from .forms import KIND_LABELS, CalendarDayForm, RemoveDayForm

bp = Blueprint("workcalendar", __name__, url_prefix="/admin/calendar")


@bp.route("/", methods=["GET", "POST"])
@permission_required("admin.calendar")
@step_up_required  # the calendar moves every legal deadline: a fresh second factor, as for unit changes
def index():
    """A year's calendar; POST adds a day off or a working day."""
    year = whole_number(request.args.get("year"), 2000, 2100) or clock.today().year
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            with attempt():
                entry = services.add_day(form.day.data, form.kind.data, form.note.data, actor=current_user)
        except ServiceError as exc:
            getattr(form, exc.field or "day").errors.append(str(exc))
        else:
            flash(_l("Đã thêm vào lịch làm việc."), "success")
            return redirect(url_for("workcalendar.index", year=entry.day.year), 303)
    return _page(year, form)


@bp.post("/remove")
@permission_required("admin.calendar")
@step_up_required
def remove():
    form = RemoveDayForm()
    day = form.day.data if form.validate_on_submit() else None
    if day is not None:
        try:
            with attempt():
                services.remove_day(day, actor=current_user)
        except ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(_l("Đã xoá khỏi lịch làm việc."), "success")
        return redirect(url_for("workcalendar.index", year=day.year), 303)
    flash(_l("Không tìm thấy ngày này trong lịch."), "error")
    return redirect(url_for("workcalendar.index"), 303)


def _page(year: int, form: CalendarDayForm):
    language = "en_US" if str(get_locale()) == "en" else "vi"
    return render_template(
        "workcalendar/index.html",
        year=year,
        form=form,
        status=workdays.calendar_status(year),
        package_days=workdays.package_holidays(year, language),
        days=services.days_of_year(year),
        kind_labels=KIND_LABELS,
    )
