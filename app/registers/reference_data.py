"""Coded lists of the registers (labels translated when shown)."""


def N_(text: str) -> str:
    return text  # marks a label for translation; shown through _()


# The four policy packages for ethnic-minority women's safe motherhood (Phụ biểu I.4, Hướng dẫn 04/HD-ĐCT).
# Payments are made for package 2 (care during birth: travel and meals for the mother and one relative, a kit)
# and package 3 (one-time food support while breastfeeding, paid at the check-up within 6 months after birth).
PACKAGES = (
    ("birth_care", N_("Gói 2: Hỗ trợ chăm sóc trong sinh")),
    ("postnatal", N_("Gói 3: Hỗ trợ chăm sóc sau sinh")),
    ("other", N_("Khoản hỗ trợ khác của gói chính sách")),
)

# Community events of the plan: communication events of the teams (I.2.2), policy dialogues (III.1.1, which
# indicator CT7 counts), conferences and experience exchanges (I.1.4, II.1.5, II.3.3), trainings (IV).
EVENT_KINDS = (
    ("communication", N_("Truyền thông tại cộng đồng")),
    ("policy_dialogue", N_("Đối thoại chính sách")),
    ("exchange", N_("Hội nghị, hội thảo, giao lưu chia sẻ kinh nghiệm")),
    ("training", N_("Tập huấn")),
    ("campaign", N_("Chiến dịch truyền thông")),
)

# Participants by ethnicity: the main groups of Tuần Giáo (GSO codes, app/cases/reference_data.py) and one
# bucket for every other group or unknown. The parts must add up to the total (a field error otherwise).
ETHNIC_BUCKETS = (
    ("03", N_("Thái")),
    ("08", N_("Mông")),
    ("01", N_("Kinh")),
    ("23", N_("Khơ Mú")),
    ("other", N_("Dân tộc khác hoặc không rõ")),
)
KINH = "01"

STATUSES = (("valid", N_("Có hiệu lực")), ("void", N_("Đã huỷ")))
