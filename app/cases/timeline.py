"""Words for the case timeline: each audit action of a case, in Vietnamese (never its detail values)."""

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from ..audit import labels as audit_labels

ACTIONS = {
    "case.create": _l("Tiếp nhận hồ sơ"),
    "case.edit": _l("Sửa hồ sơ"),
    "case.read_full": _l("Xem thông tin nhận dạng và diễn biến"),
    "case.close": _l("Đóng hồ sơ"),
    "case.reopen": _l("Mở lại hồ sơ"),
    "case.break_glass": _l("Mở quyền xem khẩn cấp"),
    "case.erase_request": _l("Yêu cầu xoá hồ sơ"),
    "case.erase_confirm": _l("Xác nhận xoá hồ sơ"),
    "case.erase_refuse": _l("Từ chối xoá hồ sơ"),
    "case.erase": _l("Đã xoá dữ liệu nhận dạng và diễn biến"),
    "case.search": _l("Tìm kiếm hồ sơ"),
    "consent.record": _l("Ghi nhận sự đồng ý"),
    "consent.withdraw": _l("Rút lại sự đồng ý"),
    "followup.schedule": _l("Lên lịch theo dõi"),
    "followup.done": _l("Ghi kết quả theo dõi"),
    "followup.cancelled": _l("Huỷ lần theo dõi"),
    "service.add": _l("Thêm dịch vụ hỗ trợ"),
    "service.update": _l("Cập nhật dịch vụ hỗ trợ"),
    "note.add": _l("Thêm ghi chú"),
    "note.correct": _l("Sửa ghi chú (giữ bản cũ)"),
    "note.withdraw": _l("Rút ghi chú (giữ trong lịch sử)"),
    "access.denied": _l("Truy cập bị từ chối"),
    "crypto.damaged": _l("Phát hiện dữ liệu bị hỏng"),
}
audit_labels.register(ACTIONS)  # the audit page reads the same words
# Sealed text another area shows under its own entries (a supervisor's reason for returning a plan): action ->
# fn(object ids) -> {object id: text}. The text is read from the area's rows, sealed with the case, and only
# where the timeline is shown: to users who read the whole case, a read that is itself audited.
NOTES: dict[str, Callable[[list[str]], dict[str, str]]] = {}
AREAS = {
    "livelihood": _l("Sinh kế"),
    "referral": _l("Chuyển gửi"),
}


def describe(action: str, result: str = "ok") -> str:
    """A Vietnamese phrase for an audit action; other areas' actions fall back to their area's name."""
    words = ACTIONS.get(action)
    if words is None:
        area = AREAS.get(action.split(".", 1)[0])
        words = f"{area}: {action.split('.', 1)[-1]}" if area else action
    return str(words) if result in ("ok", "") else f"{words} ({result})"
