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
CHANNELS = (("in_person", _l("Trực tiếp tại địa chỉ tin cậy")), ("phone", _l("Qua điện thoại")),
            ("letter", _l("Bằng văn bản")), ("guardian", _l("Qua người giám hộ")))
IDENTITY_CHECKS = (("cccd", _l("Xem CCCD/CMND")), ("known", _l("Tư vấn viên trực tiếp nhận biết người này")),
                   ("guardian_papers", _l("Giấy tờ của người giám hộ")),
                   ("code_word", _l("Câu nói quy ước đã thống nhất")))
REFUSAL_REASONS = (
    ("law_requires", _l("Pháp luật quy định phải tiếp tục lưu giữ, xử lý")),
    ("third_party_harm", _l("Ảnh hưởng đến an toàn, quyền của người khác")),
    ("legal_hold", _l("Đang có vụ án, điều tra liên quan")),
    ("identity_unconfirmed", _l("Không xác minh được người yêu cầu")),
    ("other", _l("Lý do khác (ghi rõ)")),
)
STATUSES = (("received", _l("Đã nhận")), ("acknowledged", _l("Đã xác nhận")), ("answered", _l("Đã trả lời")),
            ("refused", _l("Từ chối")))
BREACH_KINDS = (("loss", _l("Mất thiết bị, giấy tờ")), ("unauthorised_access", _l("Truy cập trái phép")),
                ("disclosure", _l("Tiết lộ nhầm")), ("alteration", _l("Bị sửa, xoá trái phép")),
                ("other", _l("Khác")))
