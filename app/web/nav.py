"""The main navigation: each link shown only to roles that hold its permission."""

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.permissions import has_permission

# (permission, endpoint, label, icon)
ITEMS = (
    ("case.list", "cases.index", _l("Hồ sơ"), "i-case"),
    ("followup.mine", "cases.my_followups", _l("Việc cần theo dõi"), "i-calendar"),
    ("referral.list", "referrals.index", _l("Chuyển gửi"), "i-referral"),
    ("livelihood.list", "livelihood.index", _l("Sinh kế"), "i-money"),
    ("indicator.view", "indicators.index", _l("Chỉ tiêu"), "i-chart"),
    ("admin.users", "admin.users", _l("Người dùng"), "i-user"),
    ("admin.units", "units.index", _l("Đơn vị"), "i-edit"),
    ("referral.map_agencies", "referrals.agency_map", _l("Ánh xạ cơ quan"), "i-referral"),
    ("audit.read", "audit.index", _l("Nhật ký"), "i-lock"),
    ("case.erase_request", "cases.erase_requests", _l("Xoá hồ sơ"), "i-lock"),
)


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for permission, endpoint, label, icon in ITEMS:
        if endpoint in current_app.view_functions and has_permission(current_user, permission):
            url = url_for(endpoint)
            items.append({"url": url, "label": label, "icon": icon,
                          "active": request.path == url or (url != "/" and request.path.startswith(url))})
    return items
