"""Words for audit actions, so that people read what happened, in their language (never the entry's detail).

Areas add the words of their own actions with `register({...})` (the case timeline does); an action without
words is shown by its area's name and its code.
"""

from flask_babel import lazy_gettext as _l

_LABELS = {
    "access.denied": _l("Truy cập bị từ chối"),
    "audit.verify": _l("Kiểm tra toàn vẹn nhật ký"),
    "auth.login": _l("Đăng nhập vào hệ thống"),
    "auth.logout": _l("Đăng xuất"),
    "auth.quick_exit": _l("Thoát nhanh"),
    "auth.password": _l("Đổi mật khẩu"),
    "auth.totp": _l("Nhập mã xác thực"),
    "auth.totp_enrol": _l("Bật xác thực hai bước"),
    "auth.step_up": _l("Xác thực lại"),
    "auth.recovery_code_use": _l("Dùng mã khôi phục"),
    "auth.recovery_codes_issue": _l("Cấp mã khôi phục"),
    "auth.device_issue": _l("Ghi nhớ trình duyệt đã đăng nhập"),
    "auth.device_revoke": _l("Thu hồi trình duyệt đã ghi nhớ"),
    "auth.access_revoke": _l("Kết thúc mọi phiên và thu hồi trình duyệt đã ghi nhớ"),
    "user.create": _l("Tạo tài khoản"),
    "user.enable": _l("Mở / khoá tài khoản"),
    "user.password_set": _l("Đặt lại mật khẩu"),
    "user.role_add": _l("Thêm vai trò"),
    "user.role_remove": _l("Bỏ vai trò"),
    "unit.create": _l("Thêm đơn vị"),
    "unit.update": _l("Sửa đơn vị"),
    "unit.lineage_add": _l("Ghi sáp nhập đơn vị"),
    "keys.rotate_start": _l("Bắt đầu thay khoá"),
    "keys.rotate_done": _l("Thay khoá xong"),
    "keys.move_to_store": _l("Chuyển khoá vào kho khoá"),
    "calendar.add": _l("Thêm ngày nghỉ"),
    "calendar.remove": _l("Bỏ ngày nghỉ"),
    "draft.save": _l("Lưu bản nháp khi khoá phiên"),
    "draft.restore": _l("Khôi phục bản nháp"),
    "case.list_names": _l("Xem danh sách hồ sơ có họ tên"),
    "case.duplicate_check": _l("Kiểm tra hồ sơ trùng"),
    "case.duplicate_check_across": _l("Kiểm tra hồ sơ trùng ở các xã khác"),
    "case.demo_seed": _l("Tạo dữ liệu mẫu (hồ sơ)"),
    "cases.reindex": _l("Tính lại chỉ mục tìm kiếm"),
    "indicator.cycle_open": _l("Mở đợt báo cáo"),
    "indicator.submission_start": _l("Bắt đầu báo cáo"),
    "indicator.submission_save": _l("Lưu báo cáo"),
    "indicator.submission_prefill": _l("Điền sẵn báo cáo"),
    "indicator.submission_submit": _l("Gửi báo cáo"),
    "indicator.submission_return": _l("Trả lại báo cáo"),
    "indicator.submission_confirm": _l("Xác nhận báo cáo"),
    "indicator.submission_lock": _l("Khoá báo cáo"),
    "indicator.submission_reopen": _l("Mở lại báo cáo"),
    "indicator.target_set": _l("Đặt chỉ tiêu"),
    "indicator.target_clear": _l("Xoá chỉ tiêu"),
    "indicator.registry_create": _l("Thêm mô hình vào sổ"),
    "indicator.activity_status": _l("Cập nhật tiến độ hoạt động"),
    "indicator.budget_create": _l("Thêm dòng ngân sách"),
    "indicator.export": _l("Tải báo cáo Excel"),
    "livelihood.create": _l("Lập kế hoạch sinh kế"),
    "livelihood.edit": _l("Sửa kế hoạch sinh kế"),
    "livelihood.submit": _l("Gửi kế hoạch sinh kế"),
    "livelihood.read": _l("Xem kế hoạch sinh kế"),
    "livelihood.disburse": _l("Ghi giải ngân"),
    "livelihood.visit": _l("Ghi lần thăm"),
    "livelihood.outcome": _l("Ghi kết quả sinh kế"),
    "livelihood.export": _l("Xuất danh sách sinh kế"),
    "livelihood.demo_seed": _l("Tạo dữ liệu mẫu (sinh kế)"),
    "referral.send": _l("Gửi chuyển gửi"),
    "referral.update": _l("Cập nhật chuyển gửi"),
    "referral.withdraw": _l("Rút chuyển gửi"),
    "referral.open": _l("Mở chuyển gửi"),
    "referral.read_packet": _l("Cơ quan đọc thông tin chia sẻ"),
    "referral.read_status": _l("Xem tình trạng chuyển gửi"),
    "referral.print": _l("In phiếu chuyển gửi"),
    "referral.reviewed": _l("Xem xét chuyển gửi khẩn"),
    "referral.destroy_packet": _l("Huỷ gói thông tin"),
    "referral.map_agency": _l("Ánh xạ cơ quan"),
    "referral.unmap_agency": _l("Bỏ ánh xạ cơ quan"),
    "referral.demo_seed": _l("Tạo dữ liệu mẫu (chuyển gửi)"),
    "offline.device_register": _l("Đăng ký máy dùng ngoại tuyến"),
    "offline.device_revoke": _l("Thu hồi máy ngoại tuyến"),
    "offline.case_add": _l("Mang hồ sơ theo máy"),
    "offline.case_remove": _l("Bỏ hồ sơ khỏi máy"),
    "offline.item_read": _l("Nhận mục ghi ngoại tuyến"),
    "offline.refused": _l("Từ chối mục ngoại tuyến"),
    "offline.repeat": _l("Mục ngoại tuyến gửi lại"),
    "offline.resolve": _l("Xử lý mục ngoại tuyến"),
}
AREAS = {
    "auth": _l("Đăng nhập"),
    "user": _l("Tài khoản"),
    "unit": _l("Đơn vị"),
    "case": _l("Hồ sơ"),
    "indicator": _l("Chỉ tiêu"),
    "livelihood": _l("Sinh kế"),
    "referral": _l("Chuyển gửi"),
    "offline": _l("Ngoại tuyến"),
}


def register(labels: dict) -> None:
    """Add (or replace) the words of some actions."""
    _LABELS.update(labels)


def action_label(code: str) -> str:
    """The words for an action code; the area's name and the code when it has none."""
    label = _LABELS.get(code)
    if label is not None:
        return str(label)
    area = AREAS.get(code.split(".", 1)[0])
    return f"{area}: {code.split('.', 1)[-1]}" if area else code


def choices() -> list[tuple[str, str]]:
    """(code, words) of every known action, sorted by the words: the audit page's filter."""
    return sorted(((code, str(label)) for code, label in _LABELS.items()), key=lambda c: c[1].lower())
