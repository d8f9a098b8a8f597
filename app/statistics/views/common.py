"""What the statistics views share: the unit a user's figures are for, the year asked, sending a file."""

from flask import request
from flask_login import current_user

from ... import clock
from ...auth.permissions import deny
from ...protection import stats
from ...web.forms import whole_number

FIRST_YEAR = 2023  # Law 13/2022/QH15 in force 1/7/2023: the coded fields start with it
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def root_or_404(permission: str):
    """The widest unit the user's statistics roles cover; 404 for a user with none."""
    root = stats.root_unit(current_user)
    if root is None:
        deny(permission, status=404)
    return root


def selected_year() -> int:
    """The year asked (?year=), kept between FIRST_YEAR and this year; this year by default."""
    this_year = clock.today().year
    year = whole_number(request.args.get("year"), FIRST_YEAR, 9999) or this_year
    return min(max(year, FIRST_YEAR), this_year)


def years() -> list[int]:
    return list(range(FIRST_YEAR, clock.today().year + 1))


def xlsx(content: bytes, filename: str):
    """An Excel file as an attachment (the name holds codes and numbers only, never a person's data)."""
    return (
        content,
        200,
        {
            "Content-Type": XLSX,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
