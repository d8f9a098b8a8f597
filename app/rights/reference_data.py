"""Coded lists of the rights desk (labels in Vietnamese, translated through the catalogue)."""

from flask_babel import lazy_gettext as _l

REQUEST_KINDS = (
    ("view_copy", _l("Xem, nhận bản sao dữ liệu")),
    ("correct", _l("Chỉnh sửa dữ liệu")),
    ("withdraw_consent", _l("Rút lại sự đồng ý")),
    ("restrict", _l("Hạn chế xử lý")),
    ("object", _l("Phản đối xử lý")),
    ("delete", _l("Xoá dữ liệu")),
    ("protective", _l("Yêu cầu biện pháp bảo vệ dữ liệu")),
)
CHANNELS = (
    ("in_person", _l("Trực tiếp tại địa chỉ tin cậy")),
    ("phone", _l("Qua điện thoại")),
    ("letter", _l("Bằng văn bản")),
    ("guardian", _l("Qua người giám hộ")),
)
IDENTITY_CHECKS = (
    ("cccd", _l("Xem CCCD/CMND")),
    ("known", _l("Tư vấn viên trực tiếp nhận biết người này")),
    ("guardian_papers", _l("Giấy tờ của người giám hộ")),
    ("code_word", _l("Câu nói quy ước đã thống nhất")),
)
REFUSAL_REASONS = (
    ("law_requires", _l("Pháp luật quy định phải tiếp tục lưu giữ, xử lý")),
    ("third_party_harm", _l("Ảnh hưởng đến an toàn, quyền của người khác")),
    ("legal_hold", _l("Đang có vụ án, điều tra liên quan")),
    ("identity_unconfirmed", _l("Không xác minh được người yêu cầu")),
    ("other", _l("Lý do khác (ghi rõ)")),
)
STATUSES = (
    ("received", _l("Đã nhận")),
    ("acknowledged", _l("Đã xác nhận")),
    ("answered", _l("Đã trả lời")),
    ("refused", _l("Từ chối")),
)
BREACH_KINDS = (
    ("loss", _l("Mất thiết bị, giấy tờ")),
    ("unauthorised_access", _l("Truy cập trái phép")),
    ("disclosure", _l("Tiết lộ nhầm")),
    ("alteration", _l("Bị sửa, xoá trái phép")),
    ("other", _l("Khác")),
)

# Fields a correction request may change (the survivor's own data; narrative written by the counsellor is
# corrected by a note, the case's summary tier by the normal edit): field -> (label, input kind).
CORRECTABLE = (
    ("full_name", _l("Họ và tên"), "text"),
    ("other_names", _l("Tên gọi khác"), "text"),
    ("birth_date", _l("Ngày sinh"), "date"),
    ("birth_year", _l("Năm sinh"), "year"),
    ("id_number", _l("Số CCCD"), "text"),
    ("phone", _l("Số điện thoại"), "text"),
    ("address_detail", _l("Địa chỉ"), "text"),
)
LIFT_REASONS = (
    ("survivor_asked", _l("Người được hỗ trợ yêu cầu gỡ hạn chế")),
    ("accuracy_settled", _l("Đã xác minh, chỉnh sửa xong dữ liệu")),
    ("law_requires", _l("Pháp luật buộc phải xử lý tiếp (ghi rõ trong trả lời)")),
)
# A legal hold keeps a case from erasure even when the survivor asks for it; refusing then needs the coded
# reason and the written explanation the person is given (Law 91/2025 Art. 14(2),(5); legal-2026.md §5).
# The kinds themselves rest on other laws (court and criminal procedure, archives) for which
# /work/shared/reference gives no article: none is cited here rather than one guessed.
HOLD_KINDS = (
    ("court_order", _l("Quyết định của toà án còn hiệu lực")),
    ("criminal_proceeding", _l("Vụ án hình sự, việc điều tra đang tiến hành")),
    ("retention", _l("Thời hạn lưu trữ theo quy định chưa hết")),
)
