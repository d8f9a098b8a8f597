"""The main navigation: each link shown only to roles that hold its permission.

Two groups: `top` stays in view on every screen (the work queue and the search, where a day starts), `menu`
holds the rest behind one "Danh mục" button on a phone (all of it in one row on a wide screen); a role with one
item more has it in the top row instead of a menu of one.
"""

from dataclasses import dataclass, field

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.permissions import has_permission

# (permission or None for every signed-in user, endpoint, label, icon, url anchor)
TOP = (
    ("work.queue", "workqueue.index", _l("Việc cần làm"), "i-check", None),
    ("case.list", "cases.index", _l("Tìm hồ sơ"), "i-search", "q"),
)
# (permission, endpoint, label, icon)
ITEMS = (
    ("case.list", "cases.index", _l("Hồ sơ"), "i-case"),
    ("supervision.view", "supervision.index", _l("Giám sát ca"), "i-check"),
    ("followup.mine", "cases.my_followups", _l("Việc cần theo dõi"), "i-calendar"),
    ("referral.list", "referrals.index", _l("Chuyển gửi"), "i-referral"),
    ("livelihood.list", "livelihood.index", _l("Sinh kế"), "i-money"),
    ("rights.handle", "rights.index", _l("Yêu cầu về dữ liệu"), "i-lock"),
    ("privacy.manage", "privacy.index", _l("Bảo vệ dữ liệu"), "i-lock"),
    ("offline.capture", "offline.shell", _l("Ghi ngoại tuyến"), "i-edit"),
    ("indicator.view", "indicators.index", _l("Chỉ tiêu"), "i-chart"),
    ("statistics.view", "statistics.index", _l("Thống kê"), "i-chart"),
    ("register.overview", "registers.index", _l("Sổ theo dõi hoạt động"), "i-edit"),
    ("admin.users", "admin.users", _l("Người dùng"), "i-user"),
    ("admin.units", "units.index", _l("Đơn vị"), "i-edit"),
    ("admin.calendar", "workcalendar.index", _l("Lịch làm việc"), "i-calendar"),
    ("directory.manage", "directory.index", _l("Danh bạ dịch vụ"), "i-referral"),
    ("referral.map_agencies", "referrals.agency_map", _l("Ánh xạ cơ quan"), "i-referral"),
    ("audit.read", "audit.index", _l("Nhật ký"), "i-lock"),
    ("case.erase_request", "cases.erase_requests", _l("Xoá hồ sơ"), "i-lock"),
)


@dataclass
class Nav:
    top: list = field(default_factory=list)
    menu: list = field(default_factory=list)

    def __iter__(self):  # templates that loop over nav_items() see every link
        return iter(self.top + self.menu)


def _allowed(permission: str | None, endpoint: str) -> bool:
    return endpoint in current_app.view_functions and (permission is None or has_permission(current_user, permission))


def _active(url: str) -> bool:
    return request.path == url or (url != "/" and request.path.startswith(url))


def nav_items() -> Nav:
    nav = Nav()
    if not current_user.is_authenticated:
        return nav
    for permission, endpoint, label, icon, anchor in TOP:
        if _allowed(permission, endpoint):
            url = url_for(endpoint)
            # the search is a place on the case list, not a page of its own: never marked as the current page
            nav.top.append(
                {
                    "url": url + (f"#{anchor}" if anchor else ""),
                    "label": label,
                    "icon": icon,
                    "active": not anchor and _active(url),
                    "count": _count(endpoint),
                }
            )
    for permission, endpoint, label, icon in ITEMS:
        if _allowed(permission, endpoint):
            url = url_for(endpoint)
            nav.menu.append({"url": url, "label": label, "icon": icon, "active": _active(url)})
    if len(nav.menu) == 1:  # a menu of one item (the agency officer's referrals) hides a main page: show it
        nav.top.append(dict(nav.menu.pop(), count=None))
    return nav


def _count(endpoint: str) -> int | None:
    """The number of work items beside "Việc cần làm" (one computation per request, shared with the page)."""
    if endpoint != "workqueue.index":
        return None
    from ..workqueue import cached_items

    return len(cached_items(current_user))
