"""The controller's coded lists, the first version of the sensitive-data notice, and the retention schedule the
system starts with (the data-protection officer confirms or changes each line; app/privacy/services.py).

Law 91/2025/QH15 on personal data protection (in force 1/1/2026) and Decree 356/2025/NĐ-CP
(legal-2026.md §5). Labels in Vietnamese, translated through the catalogue.
"""

from datetime import date

from flask_babel import lazy_gettext as _l

LAW = "Luật 91/2025/QH15; Nghị định 356/2025/NĐ-CP"
IN_FORCE = date(2026, 1, 1)  # Law 91/2025/QH15 takes effect: processing already under way counts from here

# --- the sensitive-data notice (Decree 356/2025 Art. 6), version 1 ----------------------------------------
NOTICE_V1_FULL = """\
THÔNG BÁO VỀ VIỆC XỬ LÝ DỮ LIỆU CÁ NHÂN NHẠY CẢM
(Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15; Nghị định 356/2025/NĐ-CP, Điều 6)

1. Bên kiểm soát dữ liệu: Hội Liên hiệp Phụ nữ tỉnh Điện Biên, đơn vị thực hiện Dự án 8 (Chương trình mục tiêu \
quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi), qua các địa chỉ tin cậy tại cộng đồng.
2. Dữ liệu được xử lý: họ tên, năm sinh, số định danh, số điện thoại, nơi ở; sự việc bạo lực hoặc mua bán người \
đã xảy ra; sức khoẻ, nhu cầu hỗ trợ; kế hoạch an toàn. Đây là dữ liệu cá nhân nhạy cảm.
3. Mục đích: (a) hỗ trợ, bảo vệ người được hỗ trợ; (b) chuyển gửi đến cơ quan, dịch vụ được nêu tên khi người \
được hỗ trợ đồng ý; (c) thống kê, báo cáo tổng hợp không nêu danh tính. Mỗi mục đích được hỏi và ghi nhận riêng.
4. Người nhận: chỉ cơ quan, dịch vụ mà người được hỗ trợ đồng ý (hoặc trường hợp khẩn cấp để bảo vệ tính mạng, \
sức khoẻ), và chỉ những thông tin được chọn; theo thoả thuận chuyển giao bằng văn bản với từng cơ quan.
5. Bảo vệ: dữ liệu được mã hoá; chỉ người có nhiệm vụ được xem; mọi lần xem, sửa đều được ghi lại.
6. Thời gian lưu: theo bảng thời hạn lưu trữ của Bên kiểm soát; hết hạn thì xem xét xoá.
7. Quyền của người được hỗ trợ: được biết, xem, nhận bản sao, yêu cầu sửa, rút lại sự đồng ý (từng mục đích), \
hạn chế xử lý, phản đối, yêu cầu xoá; được trả lời trong thời hạn luật định; được khiếu nại, khởi kiện.
8. Hậu quả có thể xảy ra: nếu lộ dữ liệu, người được hỗ trợ có thể gặp nguy hiểm; vì vậy dữ liệu chỉ được chia sẻ \
trong phạm vi đã đồng ý. Nếu có sự cố, Bên kiểm soát báo cơ quan chuyên trách trong 72 giờ.
9. Liên hệ: cán bộ bảo vệ dữ liệu cá nhân, qua tư vấn viên tại địa chỉ tin cậy."""

NOTICE_V1_PLAIN = """\
Chúng tôi ghi thông tin của chị/em để giúp đỡ và bảo vệ chị/em.
Thông tin này rất riêng tư. Chúng tôi khoá lại, chỉ người giúp chị/em mới được xem.
Chúng tôi chỉ gửi thông tin cho nơi khác (công an, trạm y tế, trợ giúp pháp lý…) khi chị/em đồng ý, \
hoặc khi có nguy hiểm đến tính mạng.
Chúng tôi đếm số người được giúp để báo cáo, không ghi tên. Chị/em có thể không đồng ý việc này.
Chị/em được xem, được sửa, được rút lại đồng ý, được đề nghị xoá thông tin của mình. Cứ nói với tư vấn viên.
Nếu không hiểu chỗ nào, hãy hỏi lại. Có thể nhờ người nói tiếng Thái, tiếng H'Mông giải thích."""

# --- the impact-assessment dossier (form 10 with its annex 02a; Law Art. 21–22, Decree 356 Art. 19–20) -------
DOSSIER_SECTIONS = (
    ("controller", _l("1. Bên kiểm soát dữ liệu, người đại diện, cán bộ bảo vệ dữ liệu cá nhân")),
    ("purposes", _l("2. Mục đích xử lý dữ liệu cá nhân")),
    ("subjects", _l("3. Loại dữ liệu cá nhân được xử lý và chủ thể dữ liệu")),
    ("processing", _l("4. Cách thức, thời gian xử lý; nơi lưu trữ")),
    ("transfers", _l("5. Việc chuyển dữ liệu cho bên khác, ra nước ngoài")),
    ("risks", _l("6. Đánh giá tác động, rủi ro và khả năng xảy ra (mẫu 02a)")),
    ("measures", _l("7. Biện pháp bảo vệ và giảm thiểu rủi ro")),
    ("consequences", _l("8. Hậu quả, thiệt hại không mong muốn có thể xảy ra")),
)
DOSSIER_REASONS = (
    ("initial", _l("Lập lần đầu (trong 60 ngày kể từ khi bắt đầu xử lý)")),
    ("periodic", _l("Cập nhật định kỳ 6 tháng")),
    ("reorganisation", _l("Cập nhật do tổ chức lại (mẫu 03a)")),
    ("other", _l("Cập nhật khác")),
)

# --- retention --------------------------------------------------------------------------------------------
# record type -> (label, what starts the period, months the system proposes). The law asks for a schedule per
# record type (legal-2026.md §5) but names no period: the numbers are the system's first proposal, each line
# says so in its basis, and the data-protection officer decides.
RECORD_TYPES = (
    ("closed_case", _l("Hồ sơ vụ việc đã đóng"), _l("từ ngày đóng hồ sơ"), 60),
    ("referral_packet", _l("Gói thông tin chuyển gửi đã kết thúc"), _l("từ ngày chuyển gửi kết thúc"), 12),
    ("livelihood_plan", _l("Kế hoạch hỗ trợ sinh kế đã kết thúc"), _l("từ ngày đóng kế hoạch"), 60),
    ("rights_request", _l("Yêu cầu về dữ liệu đã trả lời"), _l("từ ngày trả lời"), 36),
)
PROPOSED_BASIS = "Đề xuất ban đầu của hệ thống; cán bộ bảo vệ dữ liệu cá nhân xác nhận hoặc sửa."
REVIEW_DECISIONS = (
    ("keep", _l("Tiếp tục lưu (ghi lý do và hạn xem lại)")),
    ("erase", _l("Đề nghị xoá theo quy trình xoá hồ sơ")),
)

# --- the processing register ------------------------------------------------------------------------------
DATA_CATEGORIES = (
    (
        _l("Thông tin tóm tắt (không mã hoá, để thống kê)"),
        _l("mã hồ sơ, loại vụ việc, đơn vị, giới tính, nhóm tuổi, dân tộc, khuyết tật, hộ nghèo, mức nguy cơ, ngày"),
    ),
    (_l("Thông tin định danh (mã hoá)"), _l("họ tên, tên khác, ngày sinh, số CCCD, điện thoại, nơi ở, người giám hộ")),
    (
        _l("Thông tin sự việc (mã hoá, dữ liệu nhạy cảm)"),
        _l("sự việc bạo lực hoặc mua bán người, người gây bạo lực, đánh giá nguy cơ, kế hoạch an toàn, ghi chú"),
    ),
    (_l("Sinh kế"), _l("kế hoạch, số tiền, giải ngân, kết quả")),
    (_l("Chuyển gửi"), _l("gói thông tin đã chọn để chia sẻ, mã hoá riêng cho từng lần chuyển")),
)
SAFEGUARDS = (
    _l("Mã hoá AES-256-GCM từng trường, khoá dữ liệu riêng cho từng hồ sơ; xoá hồ sơ là huỷ khoá"),
    _l("Phân quyền theo vai trò và đơn vị; người quản trị không xem được nội dung hồ sơ"),
    _l("Đăng nhập hai lớp; phiên làm việc tự hết hạn; nút thoát nhanh"),
    _l("Nhật ký truy cập không sửa được (chuỗi băm), ghi mọi lần xem và sửa"),
    _l("Sao lưu tách khỏi khoá; khoá lưu riêng"),
)
