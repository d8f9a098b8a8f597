"""Indicator catalogue, activity table, budget and reporting deadlines of the Tuần Giáo Project 8 plan.

Pure data, loaded by ``flask --app wsgi setup``. Source: "Kế hoạch thực hiện Dự án 8 … giai đoạn I: từ
năm 2021 đến năm 2025 trên địa bàn huyện Tuần Giáo" (UBND huyện Tuần Giáo, tháng 11/2022), in
``reference/ke-hoach-du-an-8-tuan-giao.md``: section III (indicators), section V (budget), section VI
(deadlines) and the Phụ biểu (activities). Text quoted from the plan is kept verbatim, typos included;
where we add or infer something, a comment says so.
"""

import unicodedata
from typing import TypedDict


def N_(text: str) -> str:
    return text  # marks a label for translation; shown through _()


PHASE = (2021, 2025)  # "giai đoạn I: từ năm 2021 đến năm 2025" (programme 2021-2030)
PROGRAMME = "DA8"  # Dự án 8 of the national target programme; later plans of the programme share this code
PLAN_TITLE = (
    "Kế hoạch thực hiện Dự án 8 “Thực hiện bình đẳng giới và giải quyết những vấn đề cấp thiết đối với phụ nữ "
    "và trẻ em” thuộc Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu "
    "số và miền núi giai đoạn 2021- 2030, giai đoạn I: từ năm 2021 đến năm 2025 trên địa bàn huyện Tuần Giáo"
)

# --- Indicators (section III "CÁC CHỈ TIÊU CHÍNH") ------------------------------------------
# kind: "stock"   = models established and maintained, counted from the registry of models
#                   (active at period end); model_kind names the registry kind;
#       "count"   = events or people counted in the period;
#       "percent" = a ratio, reported with its numerator and denominator.
# phase_target is the target for the whole of Tuần Giáo for 2021-2025. CT5 is a floor ("tối thiểu").
# Disaggregation applies to the reported value; member breakdowns of stock indicators (total,
# women, ethnic-minority members) come from the registry itself.

STOCK = "stock"
COUNT = "count"
PERCENT = "percent"
INDICATOR_KINDS = (STOCK, COUNT, PERCENT)
DISAGGREGATIONS = ("sex", "ethnic_group", "age_band")
MODEL_KINDS = (
    "communication_team",  # tổ truyền thông cộng đồng
    "savings_group",  # tổ tiết kiệm vay vốn thôn bản (TKVVTB)
    "tech_group",  # tổ/nhóm sinh kế, tổ hợp tác, HTX ứng dụng công nghệ 4.0 (CT3)
    "livelihood_group",  # tổ/nhóm sinh kế nói chung (registry only; no headline indicator)
    "trusted_address",  # địa chỉ tin cậy cộng đồng
    "leaders_of_change_club",  # câu lạc bộ "Thủ lĩnh của sự thay đổi"
)


class SubTarget(TypedDict):
    code: str
    name: str
    unit: str
    kind: str
    phase_target: int


class Indicator(TypedDict):
    code: str
    name: str
    unit: str
    kind: str
    model_kind: str | None
    disaggregation: list[str]
    phase_target: int
    sub_targets: list[SubTarget]


INDICATORS: tuple[Indicator, ...] = (
    {
        "code": "CT1",
        "name": N_("Thành lập và duy trì hoạt động của 85 tổ truyền thông cộng đồng"),
        "unit": N_("tổ"),
        "kind": STOCK,
        "model_kind": "communication_team",
        "disaggregation": [],
        "phase_target": 85,
        "sub_targets": [],
    },
    {
        "code": "CT2",
        # The plan writes this item in lower case; kept as written.
        "name": N_(
            "củng cố, nâng cao chất lượng hoặc thành lập mới và duy trì 23 tổ tiết kiệm vay vốn thôn bản (TKVVTB)"
        ),
        "unit": N_("tổ"),
        "kind": STOCK,
        "model_kind": "savings_group",
        "disaggregation": [],
        "phase_target": 23,
        "sub_targets": [
            {
                "code": "CT2.1",
                "name": N_(
                    "thí điểm hỗ trợ giới thiệu 15% thành viên các tổ TKVVTB hiện có tiếp cận với các định chế "
                    "tài chính chính thức"
                ),
                "unit": "%",
                "kind": PERCENT,
                "phase_target": 15,
            },
            {
                "code": "CT2.2",
                "name": N_("thí điểm hỗ trợ 15% thành viên các tổ TKVVTB hiện có phát triển sinh kế"),
                "unit": "%",
                "kind": PERCENT,
                "phase_target": 15,
            },
            {
                "code": "CT2.3",
                "name": N_("thí điểm 14 tổ TKVVTB áp dụng phương pháp học tập và hành động giới"),
                "unit": N_("tổ"),
                "kind": STOCK,
                "phase_target": 14,
            },
        ],
    },
    {
        "code": "CT3",
        "name": N_(
            "Ứng dụng công nghệ 4.0 trong sản xuất và kết nối thị trường cho 02 tổ/nhóm sinh kế, tổ hợp tác, "
            "hợp tác xã có phụ nữ làm chủ hoặc đồng làm chủ"
        ),
        "unit": N_("tổ/nhóm"),
        "kind": STOCK,
        "model_kind": "tech_group",
        "disaggregation": [],
        "phase_target": 2,
        "sub_targets": [],
    },
    {
        "code": "CT4",
        "name": N_("Củng cố, nâng cao chất lượng hoặc thành lập mới 07 địa chỉ tin cậy cộng đồng"),
        "unit": N_("địa chỉ"),
        "kind": STOCK,
        "model_kind": "trusted_address",
        "disaggregation": [],
        "phase_target": 7,
        "sub_targets": [],
    },
    {
        "code": "CT5",
        "name": N_(
            "Tuyên truyền, vận động, tư vấn kiến thức và hỗ trợ cho tối thiểu 80% phụ nữ thuộc nhóm dân tộc có "
            "tỷ lệ sinh con tại nhà cao được tiếp cận với dịch vụ sinh đẻ an toàn"
        ),
        "unit": "%",
        "kind": PERCENT,
        "model_kind": None,
        # Women only, so no sex breakdown.
        "disaggregation": ["ethnic_group", "age_band"],
        "phase_target": 80,
        "sub_targets": [],
    },
    {
        "code": "CT6",
        "name": N_(
            "Thành lập, nâng cao năng lực và hỗ trợ tổ chức hoạt động 13 câu lạc bộ Thủ lĩnh của sự thay đổi của trẻ em"
        ),
        "unit": N_("câu lạc bộ"),
        "kind": STOCK,
        "model_kind": "leaders_of_change_club",
        "disaggregation": [],
        "phase_target": 13,
        "sub_targets": [],
    },
    {
        "code": "CT7",
        "name": N_("Tổ chức 37 cuộc đối thoại chính sách cấp xã và cụm thôn bản tại các địa bàn đặc biệt khó khăn"),
        "unit": N_("cuộc"),
        "kind": COUNT,
        "model_kind": None,
        "disaggregation": [],
        "phase_target": 37,
        "sub_targets": [],
    },
    {
        "code": "CT8",
        "name": N_(
            "Đào tạo nâng cao năng lực cho 12 cán bộ nữ dân tộc thiểu số tham gia lãnh đạo trong hệ thống chính "
            "trị (gồm cán bộ nữ trong quy hoạch vào các vị trí lãnh đạo, cán bộ nữ mới bổ nhiệm, cán bộ nữ mới trúng "
            "cử lần đầu)"
        ),
        "unit": N_("người"),
        "kind": COUNT,
        "model_kind": None,
        # All are ethnic-minority women, so the only useful breakdown is the ethnic group.
        "disaggregation": ["ethnic_group"],
        "phase_target": 12,
        "sub_targets": [],
    },
)

# Section III verbatim, item by item (the catalogue above splits CT2 into a headline and sub-targets).
PLAN_TEXT = {
    "CT1": "1) Thành lập và duy trì hoạt động của 85 tổ truyền thông cộng đồng.",
    "CT2": "2) củng cố, nâng cao chất lượng hoặc thành lập mới và duy trì 23 tổ tiết kiệm vay vốn thôn bản "
    "(TKVVTB), trong đó thí điểm hỗ trợ giới thiệu 15% thành viên các tổ TKVVTB hiện có tiếp cận với các định "
    "chế tài chính chính thức; thí điểm hỗ trợ 15% thành viên các tổ TKVVTB hiện có phát triển sinh kế; thí điểm "
    "14 tổ TKVVTB áp dụng phương pháp học tập và hành động giới.",
    "CT3": "3) Ứng dụng công nghệ 4.0 trong sản xuất và kết nối thị trường cho 02 tổ/nhóm sinh kế, tổ hợp tác, "
    "hợp tác xã có phụ nữ làm chủ hoặc đồng làm chủ.",
    "CT4": "4) Củng cố, nâng cao chất lượng hoặc thành lập mới 07 địa chỉ tin cậy cộng đồng.",
    "CT5": "5) Tuyên truyền, vận động, tư vấn kiến thức và hỗ trợ cho tối thiểu 80% phụ nữ thuộc nhóm dân tộc có "
    "tỷ lệ sinh con tại nhà cao được tiếp cận với dịch vụ sinh đẻ an toàn.",
    "CT6": "6) Thành lập, nâng cao năng lực và hỗ trợ tổ chức hoạt động 13 câu lạc bộ Thủ lĩnh của sự thay đổi "
    "của trẻ em.",
    "CT7": "7) Tổ chức 37 cuộc đối thoại chính sách cấp xã và cụm thôn bản tại các địa bàn đặc biệt khó khăn.",
    "CT8": "8) Đào tạo nâng cao năng lực cho 12 cán bộ nữ dân tộc thiểu số tham gia lãnh đạo trong hệ thống chính "
    "trị (gồm cán bộ nữ trong quy hoạch vào các vị trí lãnh đạo, cán bộ nữ mới bổ nhiệm, cán bộ nữ mới trúng cử "
    "lần đầu).",
}

# Short labels for narrow screens and chart axes (ours, not the plan's).
SHORT_NAMES = {
    "CT1": N_("Tổ truyền thông cộng đồng"),
    "CT2": N_("Tổ tiết kiệm vay vốn thôn bản"),
    "CT2.1": N_("Thành viên TKVVTB tiếp cận định chế tài chính"),
    "CT2.2": N_("Thành viên TKVVTB được hỗ trợ phát triển sinh kế"),
    "CT2.3": N_("Tổ TKVVTB áp dụng học tập và hành động giới"),
    "CT3": N_("Tổ/nhóm sinh kế ứng dụng công nghệ 4.0"),
    "CT4": N_("Địa chỉ tin cậy cộng đồng"),
    "CT5": N_("Phụ nữ tiếp cận dịch vụ sinh đẻ an toàn"),
    "CT6": N_("CLB Thủ lĩnh của sự thay đổi"),
    "CT7": N_("Đối thoại chính sách"),
    "CT8": N_("Cán bộ nữ DTTS được đào tạo"),
}

# CT2.3 counts savings groups that apply the gender action learning method: a stock drawn from the
# savings-group registry (how a group is marked as applying it is for the indicators module to decide).
SUB_TARGET_MODEL_KINDS = {"CT2.3": "savings_group"}

# --- Activity table (Phụ biểu "NỘI DUNG NHIỆM VỤ THỰC HIỆN DỰ ÁN 8") ---------------------------
# Codes: component (I-IV) + the row numbers of the table, e.g. "II.3.2". Under components II and III
# the plan prints the first sub-section heading as a bold "I"; we read it as "1". The single
# unnumbered row under I.3 is coded "I.3.1" (our numbering). Rows that only group others (e.g.
# "I.1.2", "I.4.1") are kept, with empty lead/coordinating cells as in the plan.
# years: the plan has no per-year schedule; every activity is taken to run 2022-2025 (the plan dates
# from November 2022 and the phase ends in 2025) [inferred].
# indicator_codes: our mapping of each activity to the headline indicator it serves [inferred].

ACTIVITY_GROUPS = (
    {
        "code": "I",
        "name": "Tuyên truyền, vận động thay đổi “nếp nghĩ, cách làm” góp phần xóa bỏ các định kiến và "
        "khuôn mẫu giới trong gia đình và cộng đồng, những tập tục văn hóa có hại và một số vấn đề xã hội cấp thiết "
        "cho phụ nữ và trẻ em",
    },
    {"code": "I.1", "name": "Xây dựng các tổ/nhóm truyền thông tiên phong thay đổi trong cộng đồng"},
    {
        "code": "I.2",
        "name": "Thực hiện các chiến dịch truyền thông xóa bỏ định kiến và khuôn mẫu giới, những tập "
        "tục văn hóa có hại, một số vấn đề xã hội cấp thiết cho phụ nữ và trẻ em; xây dựng môi trường sống an toàn "
        "cho phụ nữ và trẻ em",
    },
    {
        "code": "I.3",
        "name": "Hội thi, liên hoan các mô hình sáng tạo, hiệu quả trong xóa bỏ định kiến giới, bạo lực "
        "gia đình, mua bán phụ nữ và trẻ em",
    },
    {
        "code": "I.4",
        "name": "Triển khai 04 gói chính sách hỗ trợ phụ nữ dân tộc thiểu số sinh đẻ an toàn và chăm "
        "sóc sức khỏe trẻ em tại địa bàn có đông người dân tộc thiểu số và có tỷ lệ sinh con tại nhà cao hơn mức "
        "trung bình của cả nước",
    },
    {
        "code": "II",
        "name": "Xây dựng và nhân rộng các mô hình thay đổi “nếp nghĩ, cách làm” nâng cao quyền năng "
        "kinh tế cho phụ nữ; thúc đẩy bình đẳng giới và giải quyết những vấn đề cấp thiết của phụ nữ và trẻ em",
    },
    {
        "code": "II.1",
        "name": "Phát triển và nhân rộng mô hình tiết kiệm và tín dụng tự quản để tăng cường tiếp cận "
        "tín dụng, cải thiện cơ hội sinh kế, tạo cơ hội tăng thu nhập và lồng ghép giới",
    },
    {
        "code": "II.2",
        "name": "Hỗ trợ ứng dụng khoa học công nghệ để nâng cao quyền năng kinh tế cho phụ nữ dân tộc "
        "thiểu số trong sản xuất và kết nối thị trường cho các sản phẩm nông sản",
    },
    {
        "code": "II.3",
        "name": "Củng cố, nâng cao chất lượng hoặc thành lập mới địa chỉ tin cậy cộng đồng hỗ trợ và "
        "bảo vệ phụ nữ, trẻ em là nạn nhân của bạo lực gia đình",
    },
    {
        "code": "II.4",
        "name": "Thí điểm và nhân rộng mô hình hỗ trợ phát triển sinh kế, hòa nhập cộng đồng cho nạn "
        "nhân mua bán người",
    },
    {
        "code": "III",
        "name": "Đảm bảo tiếng nói và sự tham gia thực chất của phụ nữ và trẻ em trong các hoạt động "
        "phát triển kinh tế - xã hội của cộng đồng; giám sát và phản biện; hỗ trợ phụ nữ tham gia lãnh đạo trong hệ "
        "thống chính trị",
    },
    {
        "code": "III.1",
        "name": "Đảm bảo tiếng nói và vai trò của phụ nữ trong các vấn đề kinh tế, xã hội tại địa phương",
    },
    {
        "code": "III.2",
        "name": "Đảm bảo tiếng nói và vai trò của trẻ em gái trong phát triển kinh tế xã hội tại cộng "
        "đồng thông qua mô hình câu lạc bộ Thủ lĩnh của sự thay đổi",
    },
    {
        "code": "III.3",
        "name": "Công tác giám sát và đánh giá về thực hiện bình đẳng giới trong Chương trình mục tiêu "
        "quốc gia phát triển kinh tế xã hội vùng đồng bào dân tộc thiểu số và miền núi",
    },
    {
        "code": "III.4",
        "name": "Nâng cao năng lực cho cán bộ nữ dân tộc thiểu số tham gia vào các vị trí lãnh đạo "
        "trong hệ thống chính trị",
    },
    {
        "code": "IV",
        "name": "Trang bị kiến thức về bình đẳng giới, kỹ năng thực hiện lồng ghép giới cho cán bộ trong "
        "hệ thống chính trị, già làng, trưởng bản, chức sắc tôn giáo và người có uy tín trong cộng đồng",
    },
)

_YEARS = (2022, 2023, 2024, 2025)

# Recurring cell values, exactly as the plan writes them.
_HLHPN_H = "Hội LHPN huyện"
_HLHPN_X = "Hội LHPN xã"
_UBND_X = "UBND xã"
_UBND_H = "UBND huyện"
_VHTTTH = "Trung tâm VH-TT-TH"
_GDDT = "Phòng GD&ĐT"
_KTHT_NN = "Phòng KT-HT; Phòng NN&PTNT"
_LDTBXH_VHTT = "Phòng LĐ-TB&XH, Phòng VH-TT"
_YT_DT = "Trung tâm Y tế, Phòng Dân tộc"


class Activity(TypedDict):
    code: str
    component: str
    name: str
    lead_district: str | None
    coordinating_district: str | None
    lead_commune: str | None
    coordinating_commune: str | None
    years: list[int]
    indicator_codes: list[str]


def _row(
    code: str,
    name: str,
    lead_district: str | None,
    coordinating_district: str | None,
    lead_commune: str | None,
    coordinating_commune: str | None,
    indicator_codes: list[str],
) -> Activity:
    return {
        "code": code,
        "component": code.split(".", 1)[0],
        "name": name,
        "lead_district": lead_district,
        "coordinating_district": coordinating_district,
        "lead_commune": lead_commune,
        "coordinating_commune": coordinating_commune,
        "years": list(_YEARS),
        "indicator_codes": list(indicator_codes),
    }


# _row(code, name, lead_district, coordinating_district, lead_commune, coordinating_commune, indicator_codes)
ACTIVITIES = (
    # I.1 Tổ/nhóm truyền thông
    _row(
        "I.1.1",
        "Tập huấn hướng dẫn, củng cố năng lực triển khai mô hình đến các cấp Hội Liên hiệp Phụ nữ trên địa bàn huyện",
        _HLHPN_H,
        None,
        None,
        None,
        ["CT1"],
    ),
    _row("I.1.2", "Thành lập các tổ/nhóm truyền thông", None, None, None, None, ["CT1"]),
    _row(
        "I.1.2.1",
        "Thành lập và vận hành hoạt động mô hình tổ/nhóm truyền thông",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT1"],
    ),
    _row(
        "I.1.2.2",
        "Giám sát; hỗ trợ trang thiết bị, hỗ trợ vận hành cho các tổ/nhóm truyền thông",
        _HLHPN_H,
        _VHTTTH,
        _HLHPN_X,
        _UBND_X,
        ["CT1"],
    ),
    _row(
        "I.1.3",
        "Xây dựng, tham gia mạng lưới truyền thông trên nền tảng số (ứng dụng Zalo/Facebook/các "
        "website...); chia sẻ, cập nhật thông tin của tổ truyền thông",
        _HLHPN_H,
        _VHTTTH,
        _HLHPN_X,
        _UBND_X,
        ["CT1"],
    ),
    _row(
        "I.1.4",
        "Chia sẻ, vận động nhân rộng mô hình (qua tổ chức các hội thảo/điễn đàn giao lưu; các hoạt động "
        "tuyên truyền, phổ biến)",
        _HLHPN_H,
        _VHTTTH,
        _HLHPN_X,
        _UBND_X,
        ["CT1"],
    ),
    # I.2 Chiến dịch truyền thông
    _row(
        "I.2.1",
        "Xây dựng chương trình truyền thông, giáo dục nâng cao nhận thức trên các phương tiện thông tin "
        "đại chúng tại địa phương",
        _HLHPN_H,
        _VHTTTH,
        None,
        None,
        [],
    ),
    _row(
        "I.2.1.1",
        "Xây dựng ít nhất 01 chương trình truyền thông/năm bằng tiếng phổ thông và tiếng dân tộc (lựa "
        "chọn phù hợp) và phát sóng trên truyền hình",
        _HLHPN_H,
        _VHTTTH,
        None,
        None,
        [],
    ),
    _row(
        "I.2.1.2",
        "Hàng tháng, xây dựng chương trình và truyền thông trên loa phát thanh của xã các đến thôn, bản "
        "bằng tiếng phổ thông và tiếng dân tộc; tuyên truyền, chia sẻ kết quả trên kênh thông tin của huyện, xã "
        "(Facebook, Zalo, website)",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "I.2.2",
        "Mỗi tổ truyền thông tổ chức ít nhất 01 cuộc truyền thông hàng quý tại cộng đồng hoặc lồng ghép "
        "trong cuộc họp thôn, bản (dưới hình thức sân khấu hóa; truyền thông trực tiếp tại cộng đồng; trong dịp lễ "
        "hội, phiên chợ)",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT1"],
    ),
    _row(
        "I.2.3",
        "Đánh giá kết quả, tác động của hoạt động truyền thông hàng năm và xác định nội dung, hình thức "
        "truyền thông năm tiếp theo",
        _HLHPN_H,
        _VHTTTH,
        None,
        None,
        [],
    ),
    # I.3 Hội thi, liên hoan (one unnumbered row in the plan)
    _row(
        "I.3.1",
        "Tuyên truyền, hướng dẫn hội viên cấp cơ sở tham gia các cuộc thi do Hội Liên hiệp Phụ nữ tỉnh "
        "phát động, tổ chức",
        _HLHPN_H,
        _UBND_H,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    # I.4 Bốn gói chính sách sinh đẻ an toàn
    _row(
        "I.4.1",
        "Gói 1: Chăm sóc trước sinh: Tuyên truyền, vận động phụ nữ có thai đi khám thai định kỳ tại cơ sở y tế",
        None,
        None,
        None,
        None,
        ["CT5"],
    ),
    _row(
        "I.4.1.1",
        "Tuyên truyền, vận động nâng cao nhận thức về tầm quan trọng của chăm sóc bà mẹ trong thời gian "
        "thai kỳ; vận động khám thai tại các cơ sở y tế",
        _HLHPN_H,
        "Trung tâm y tế",
        _HLHPN_X,
        _UBND_X,
        ["CT5"],
    ),
    _row(
        "I.4.1.2",
        "Hướng dẫn, đôn đốc, giám sát việc triển khai gói chính sách hỗ trợ chăm sóc sức khỏe bà mẹ, trẻ "
        "em theo quy định",
        _HLHPN_H,
        "Trung tâm YT, Phòng Dân tộc",
        None,
        None,
        ["CT5"],
    ),
    _row(
        "I.4.2",
        "Gói 2: Hỗ trợ chăm sóc trong sinh: Hỗ trợ chi phí đi lại và tiền ăn cho bà mẹ và 01 người nhà chăm "
        "sóc khi đến sinh con tại cơ sở y tế; Hỗ trợ gói vật tư chăm sóc cơ bản khi sinh",
        None,
        None,
        None,
        None,
        ["CT5"],
    ),
    _row(
        "I.4.2.1",
        "Chi trả chế độ cho bà mẹ trong thời gian sinh con tại cơ sở y tế; tổng hợp đầy đủ thủ tục, chứng "
        "từ cần thiết để thanh quyết toán các khoản chi hỗ trợ (quy định cụ thể tại Hướng dẫn số 04/HD-ĐCT)",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT5"],
    ),
    _row(
        "I.4.2.2",
        "Hướng dẫn, giám sát việc thực hiện chế độ chăm sóc, chi trả chi phí, hỗ trợ vật tư",
        _HLHPN_H,
        _YT_DT,
        None,
        None,
        ["CT5"],
    ),
    _row(
        "I.4.3",
        "Hỗ trợ chăm sóc sau sinh: Hỗ trợ 01 lần lương thực, sinh dưỡng cho bà mẹ nuôi con bú trong 6 tháng "
        "đầu sau sinh",
        None,
        None,
        None,
        None,
        ["CT5"],
    ),
    _row(
        "I.4.3.1",
        "Chi trả chế độ cho bà mẹ khi đưa con đến khám sức khỏe tại cơ sở y tế trong thời gian 6 tháng sau "
        "sinh; tổng hợp đầy đủ thủ tục, chứng từ cần thiết để thanh quyết toán các khoản chi hỗ trợ (quy định cụ thể "
        "tại Hướng dẫn số 04/HD-ĐCT)",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT5"],
    ),
    _row("I.4.3.2", "Hướng dẫn, giám sát việc chi trả chế độ", _HLHPN_H, _YT_DT, None, None, ["CT5"]),
    _row(
        "I.4.4",
        "Chăm sóc sức khỏe trẻ em: Tuyên truyền, vận động bà mẹ đưa trẻ dưới 24 tháng tuổi đi khám sức khỏe "
        "định kỳ tại cơ sở y tế (04 lần/trẻ)",
        None,
        None,
        None,
        None,
        ["CT5"],
    ),
    _row(
        "I.4.4.1",
        "Tuyên truyền, vận động nâng cao nhận thức về tầm quan trọng của việc theo dõi, chăm sóc sức khỏe "
        "cho trẻ trong vòng 2 năm đầu và quyền được chăm sóc sức khỏe của trẻ",
        _HLHPN_H,
        "Trung tâm Y tế huyện",
        _HLHPN_X,
        _UBND_X,
        ["CT5"],
    ),
    _row(
        "I.4.4.2",
        "Hướng dẫn, đôn đốc, giám sát việc thực hiện chế độ chăm sóc trẻ em",
        _HLHPN_H,
        _YT_DT,
        None,
        None,
        ["CT5"],
    ),
    _row(
        "I.4.5",
        "Tuyên truyền, phổ biến về 04 gói chính sách hỗ trợ phụ nữ dân tộc thiểu số sinh đẻ an toàn và chăm "
        "sóc sức khỏe trẻ em; thống kê, tổng hợp số liệu triển khai thực hiện",
        _HLHPN_H,
        "Trung tâm Y tế huyện",
        _HLHPN_X,
        _UBND_X,
        ["CT5"],
    ),
    # II.1 Tiết kiệm và tín dụng tự quản
    _row(
        "II.1.1",
        "Rà soát, đánh giá, tổng hợp nhu cầu làm cơ sở triển khai mô hình",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT2"],
    ),
    _row(
        "II.1.2",
        "Tập huấn, hướng dẫn triển khai mô hình tới hội viên cấp huyện và các xã",
        _HLHPN_H,
        None,
        None,
        None,
        ["CT2"],
    ),
    _row("II.1.3", "Thành lập, vận hành và quản lý mô hình", None, None, _HLHPN_X, _UBND_X, ["CT2"]),
    _row(
        "II.1.4",
        "Củng cố, nâng cao chất lượng mô hình hiện có hoặc thành lập mới và duy trì hoạt động mô hình tổ "
        "tiết kiệm vay vốn thôn bản (TKVVTB). Thí điểm hỗ trợ giới thiệu 15% thành viên các tổ TKVVTB hiện có tiếp "
        "cận với các định chế tài chính chính thức; thí điểm hỗ trợ 15% thành viên các tổ TKVVTB hiện có phát triển "
        "sinh kế; thí điểm áp dụng phương pháp học tập và hành động giới cho tổ TKVVTB",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT2", "CT2.1", "CT2.2", "CT2.3"],
    ),
    _row(
        "II.1.5",
        "Tổ chức hội nghị, hội thảo hoặc tổ chức giao lưu chia sẻ kinh nghiệm; kết nối, phối hợp, tham vấn "
        "các ngành, tổ chức, chuyên gia có chuyên môn hỗ trợ phụ nữ tiếp cận các sản phẩm, dịch vụ của các định chế "
        "tài chính chính thức; đào tạo phát triển sinh kế và chất lượng mô hình",
        _HLHPN_H,
        "Phòng TC-KT, Ngân hàng CSXH huyện",
        _HLHPN_X,
        _UBND_X,
        ["CT2.1", "CT2.2"],
    ),
    _row(
        "II.1.6",
        "Tư liệu hóa mô hình để chia sẻ, vận động, nhân rộng, duy trì bền vững",
        _HLHPN_H,
        None,
        None,
        None,
        ["CT2"],
    ),
    # The plan prints "hệ" / "thông" across a page break; read as "hệ thống".
    _row(
        "II.1.7",
        "Tuyên truyền, phổ biến mô hình điển hình trên hệ thống loa phát thanh xã để lan tỏa đến cộng đồng",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT2"],
    ),
    _row(
        "II.1.8",
        "Giám sát, hỗ trợ kỹ thuật thường xuyên cho hội viên các cấp và các mô hình trên địa bàn",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT2"],
    ),
    # II.2 Ứng dụng khoa học công nghệ
    _row(
        "II.2.1",
        "Khảo sát, đánh giá nhu cầu; hướng dẫn các tổ nhóm sinh kế xây dựng đề xuất chi tiết để lập danh "
        "sách mô hình sinh kế thuộc phạm vi hỗ trợ",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT3"],
    ),
    _row(
        "II.2.2",
        "Trực tiếp hỗ trợ tổ nhóm sinh kế tại các địa bàn điểm; nắm bắt, tháo gỡ khó khăn vướng mắc trong "
        "quá trình triển khai thực hiện",
        _HLHPN_H,
        _KTHT_NN,
        _HLHPN_X,
        _UBND_X,
        ["CT3"],
    ),
    _row(
        "II.2.3",
        "Giám sát; tập huấn, hướng dẫn, hỗ trợ kỹ thuật cho Hội Liên hiệp Phụ nữ các cấp về ứng dụng khoa "
        "học công nghệ cho tổ nhóm sinh kế",
        _HLHPN_H,
        _KTHT_NN,
        _HLHPN_X,
        _UBND_X,
        ["CT3"],
    ),
    _row(
        "II.2.4",
        "Sơ kết, đánh giá kết quả thực hiện; biểu dương khen thưởng điển hình tiêu biểu (ở cấp huyện)",
        _HLHPN_H,
        _UBND_H,
        None,
        None,
        ["CT3"],
    ),
    _row(
        "II.2.5",
        "Tư liệu hóa quá trình triển khai thực hiện và kết quả hoạt động làm nổi bật các mô hình hiệu quả "
        "(ở cấp tỉnh); tuyên truyền, phổ biến đến các tổ nhóm sinh kế nhằm nâng cao năng lực cạnh tranh và giới "
        "thiệu quy trình hỗ trợ thực hiện Dự án trên các phương tiện thông tin đại chúng",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT3"],
    ),
    # II.3 Địa chỉ tin cậy cộng đồng
    _row(
        "II.3.1",
        "Củng cố, nâng cao chất lượng hoặc thành lập mới mô hình địa chỉ tin cậy cộng đồng (bao gồm trang "
        "bị các gói hỗ trợ vật dụng cần thiết để phục vụ hoạt động của mô hình)",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT4"],
    ),
    _row(
        "II.3.2",
        "Giám sát, hỗ trợ kỹ thuật cho các xã thành lập, vận hành, quản lý mô hình, duy trì phát huy hiệu "
        "quả mô hình; chỉ đạo triển khai điểm mô hình tại một số xã để rút kinh nghiệm cho công tác nhân rộng",
        _HLHPN_H,
        _LDTBXH_VHTT,
        _HLHPN_X,
        _UBND_X,
        ["CT4"],
    ),
    _row(
        "II.3.3",
        "Tổ chức hội nghị, hội thảo hoặc giao lưu chia sẻ kinh nghiệm, các kết quả đạt được trong quá trình "
        "triển khai hoạt động và nhân rộng mô hình phù hợp với tình hình thực tế tại địa phương",
        _HLHPN_H,
        _LDTBXH_VHTT,
        _HLHPN_X,
        _UBND_X,
        ["CT4"],
    ),
    _row(
        "II.3.4",
        "Tuyên truyền, giới thiệu về mô hình địa chỉ tin cậy đến hội viên các cấp, phụ nữ và người dân trên địa bàn",
        _HLHPN_H,
        _VHTTTH,
        None,
        None,
        ["CT4"],
    ),
    # II.4 Sinh kế, hòa nhập cộng đồng cho nạn nhân mua bán người (no headline indicator; case-derived counts)
    _row(
        "II.4.1",
        "Rà soát, nắm bắt thông tin, nhu cầu mong muốn, lập danh sách phụ nữ là nạn nhân bị mua bán tại địa "
        "bàn và đề xuất với Hội Liên hiệp Phụ nữ cấp trên và UBND cùng cấp",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "II.4.2",
        "Tuyên truyền, vận động nạn nhân mua bán người tham gia mô hình để phát triển sinh kế, hòa nhập cộng đồng",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "II.4.3",
        "Tập huấn, hướng dẫn đề xuất sinh kế, giải pháp phát triển kinh tế",
        _HLHPN_H,
        "Phòng LĐ-TB&XH, Trung tâm VH-TT-TH",
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row("II.4.4", "Hỗ trợ triển khai các mô hình sinh kế", None, None, None, None, []),
    _row(
        "II.4.4.1",
        "Phối hợp kết nối hỗ trợ học nghề, phát triển sinh kế, nâng cao kiến thức và tiếp cận với dịch vụ "
        "tư vấn và giải quyết việc làm giúp phụ nữ từng bị mua bán",
        _HLHPN_H,
        "Phòng LĐ-TB&XH, Trung tâm VH-TT-TH",
        None,
        None,
        [],
    ),
    _row(
        "II.4.4.2",
        "Hỗ trợ phụ nữ quản lý, sử dụng hiệu quả ngân sách được hỗ trợ từ Dự án để phát triển sinh kế, cải "
        "thiện cuộc sống",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "II.4.4.3",
        "Tổ chức các hoạt động kết nối, giới thiệu sản phẩm, tiêu thụ sản phẩm từ các mô hình sinh kế do "
        "phụ nữ sản xuất",
        _HLHPN_H,
        "Phòng LĐ-TB&XH, Phòng KT-HT",
        None,
        None,
        [],
    ),
    _row(
        "II.4.5",
        "Giám sát, hỗ trợ kỹ thuật cho Hội Liên hiệp Phụ nữ xã trong quá trình triển khai thực hiện. Hội "
        "Liên hiệp Phụ nữ cấp huyện đánh giá lựa chọn đề xuất mô hình phù hợp với nhu cầu thực tế của phụ nữ. Hội "
        "Liên hiệp Phụ nữ cấp xã trực tiếp giám sát, hỗ trợ phụ nữ quản lý, sử dụng hiệu quả ngân sách được hỗ trợ "
        "từ Dự án để phát triển sinh kế, cải thiện cuộc sống",
        _HLHPN_H,
        "Phòng LĐ-TB&XH, Phòng KT-HT",
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "II.4.6", "Sơ kết, đánh giá hiệu quả và rút kinh nghiệm trên địa bàn huyện", _HLHPN_H, _UBND_H, None, None, []
    ),
    # III.1 Tiếng nói của phụ nữ: đối thoại chính sách
    _row("III.1.1", "Tổ chức đối thoại chính sách", _HLHPN_H, "Các cơ quan phối hợp", _HLHPN_X, _UBND_X, ["CT7"]),
    _row(
        "III.1.2",
        "Giám sát, hỗ trợ kỹ thuật cho huyện, xã tổ chức đối thoại, tọa đàm chính sách",
        _HLHPN_H,
        "Các cơ quan phối hợp",
        None,
        None,
        ["CT7"],
    ),
    _row(
        "III.1.3",
        "Tuyên truyền, vận động hội viên phụ nữ tham gia các cuộc họp dân, tiếp xúc cử tri của đại biểu dân "
        "cư, đóng góp ý kiến xây dựng hệ thống chính trị, tham gia góp ý chính sách của cấp ủy cùng cấp",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "III.1.4",
        "Cấp huyện biên tập và phổ biến kết quả đối thoại qua kênh thông tin truyền thông của huyện, hệ "
        "thống phát thanh của xã; cấp xã tuyên truyền, phổ biến trên hệ thống loa phát thanh xã về công tác tọa đàm "
        "đối thoại trước, trong và sau khi thực hiện đối thoại",
        _HLHPN_H,
        _VHTTTH,
        _HLHPN_X,
        _UBND_X,
        ["CT7"],
    ),
    # III.2 Câu lạc bộ Thủ lĩnh của sự thay đổi
    _row(
        "III.2.1",
        "Tập huấn hướng dẫn cách thức thành lập, vận hành và quản lý câu lạc bộ Thủ lĩnh của sự thay đổi",
        _HLHPN_H,
        _GDDT,
        None,
        None,
        ["CT6"],
    ),
    _row(
        "III.2.2",
        "Thành lập câu lạc bộ Thủ lĩnh của sự thay đổi tại các trường trung học cơ sở; trang bị một số vật "
        "dụng cần thiết phục vụ hoạt động và hỗ trợ tổ chức một số buổi sinh hoạt làm mẫu",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT6"],
    ),
    _row(
        "III.2.3",
        "Tổ chức các hội thảo, diễn đàn giao lưu chia sẻ kinh nghiệm, giải pháp nâng cao chất lượng mô hình",
        _HLHPN_H,
        _GDDT,
        None,
        None,
        ["CT6"],
    ),
    _row(
        "III.2.4",
        "Cấp huyện tuyên truyền về mô hình trên các kênh thông tin tuyên truyền của huyện, phòng Giáo dục, "
        "Hội Liên hiệp Phụ nữ huyện; cấp xã tuyên truyền về các hoạt động của mô hình trên loa phát thanh xã, trang "
        "thông tin trường học",
        _HLHPN_H,
        _GDDT,
        _HLHPN_X,
        _UBND_X,
        ["CT6"],
    ),
    _row(
        "III.2.5",
        "Giám sát, hỗ trợ kỹ thuật cho các xã, các trường triển khai mô hình",
        _HLHPN_H,
        _GDDT,
        None,
        None,
        ["CT6"],
    ),
    # III.3 Giám sát, đánh giá bình đẳng giới
    _row(
        "III.3.1",
        "Tập huấn hướng dẫn giám sát, đánh giá thực hiện công tác bình đẳng giới trong triển khai thực hiện "
        "Chương trình mục tiêu quốc gia phát triển kinh tế xã hội vùng đồng bào dân tộc thiểu số và miền núi theo Sổ "
        "tay hướng dẫn của Trung ương Hội Liên hiệp Phụ nữ Việt Nam",
        _HLHPN_H,
        None,
        None,
        None,
        [],
    ),
    _row(
        "III.3.2",
        "Thực hiện giám sát, thu thập thông tin, tổng hợp báo cáo giám sát thực hiện bình đẳng giới trên "
        "nền tảng số theo hướng dẫn của Trung ương Hội Liên hiệp Phụ nữ Việt Nam và Hội LHPN tỉnh",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "III.3.3",
        "Khảo sát đầu kỳ, đánh giá giữa kỳ và cuối kỳ các nội dung liên quan đến bình đẳng giới; xây dựng "
        "báo cáo đánh giá thực hiện công tác bình đẳng giới trong Chương trình mục tiêu quốc gia phát triển kinh tế "
        "xã hội vùng đồng bào dân tộc thiểu số và miền núi vào cuối kỳ (năm 2025). Phối hợp với các cấp, các ngành "
        "liên quan tại địa phương tổ chức sơ kết, đánh giá, rút kinh nghiệm triển khai thực hiện Dự án 8 và thực "
        "hiện bình đẳng giới trong triển khai Chương trình.",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    # III.4 Cán bộ nữ dân tộc thiểu số
    _row(
        "III.4.1",
        "Hội Liên hiệp Phụ nữ các cấp phối hợp với các ngành, các cấp phát hiện, đề xuất, giới thiệu, bồi "
        "dưỡng nguồn cán bộ nữ tiềm năng quy hoạch các vị trí lãnh đạo, quản lý cùng cấp",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        ["CT8"],
    ),
    _row(
        "III.4.2",
        "Cử cán bộ nữ dân tộc thiểu số cấp huyện, cấp xã, gồm cán bộ nữ trong quy hoạch vào các vị trí lãnh "
        "đạo, nữ cán bộ mới bổ nhiệm, cán bộ nữ mới trúng cử lần đầu tham gia các khóa tập huấn do tỉnh tổ chức với "
        "nội dung phù hợp",
        _HLHPN_H,
        "Phòng Nội vụ, Phòng Dân tộc",
        _HLHPN_X,
        _UBND_X,
        ["CT8"],
    ),
    _row(
        "III.4.3",
        "Tổ chức các chuyến tham quan học tập kinh nghiệm cho cán bộ tại các địa phương điển hình",
        _HLHPN_H,
        _UBND_H,
        _HLHPN_X,
        _UBND_X,
        ["CT8"],
    ),
    # IV Trang bị kiến thức về bình đẳng giới (numbered 1-5 directly under the component)
    _row(
        "IV.1",
        "Tổ chức tập huấn theo Chương trình 3 của Trung ương Hội về thúc đẩy bình đẳng giới trong cộng đồng, "
        "gồm: cán bộ thôn/bản, người có uy tín trong cộng đồng (theo tài liệu của Trung ương Hội biên soạn)",
        _HLHPN_H,
        None,
        None,
        None,
        [],
    ),
    _row(
        "IV.2",
        "Tham gia chương trình tập huấn do Hội Liên hiệp Phụ nữ cấp trên tổ chức triển khai",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "IV.3",
        "Giám sát, hướng dẫn cán bộ cấp cơ sở vận dụng nội dung đào tạo vào thực tiễn",
        _HLHPN_H,
        None,
        None,
        None,
        [],
    ),
    _row(
        "IV.4",
        "Phối hợp tổ chức các hoạt động nâng cao năng lực cho trưởng bản/thôn, người có uy tín trong cộng đồng",
        None,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
    _row(
        "IV.5",
        "Tổng hợp khó khăn, vướng mắc của cán bộ cơ sở trong thực hiện lồng ghép giới và đề xuất với Hội Liên "
        "hiệp Phụ nữ cấp trên",
        _HLHPN_H,
        None,
        _HLHPN_X,
        _UBND_X,
        [],
    ),
)


# The "Ghi chú" column, verbatim.
ACTIVITY_NOTES = {
    "II.4.3": "Hội LHPN huyện hướng dẫn Hội Liên hiệp Phụ nữ xã triển khai thực tế, trong đó chú trọng hướng dẫn "
    "kỹ thuật cho phụ nữ triển khai mô hình sinh kế hiệu quả, kết nối đào tạo nghề, tư vấn việc làm phù hợp với "
    "nhu cầu thực tế của phụ nữ.",
    "III.1.1": "Cấp huyện tổ chức đối thoại cấp xã; cấp xã tổ chức tọa đàm, đối thoại với người dân ở thôn, bản.",
    "III.2.1": "Cấp huyện tập huấn hướng dẫn giáo viên, cán bộ phụ nữ xã, học sinh nông cốt.",
    "III.2.2": "Cấp xã trực tiếp thành lập, vận hành.",
    "III.3.1": "Huyện tập huấn cho các bộ cấp xã và thôn bản.",
    "III.4.3": "Cấp huyện, xã tổ chức trong tỉnh.",
}

# --- Budget (section V) ------------------------------------------------------------------------
# The plan gives ONLY the phase total and its sources; neither section V nor the Phụ biểu breaks it
# down by component, activity or year. Planned/allocated/disbursed lines per year are to be entered
# in the app from the annual plans and allocation decisions.

BUDGET_TOTAL_DONG = 12_380_000_000  # "Tổng mức vốn dự kiến thực hiện Dự án 8 là 12.380 triệu đồng"
BUDGET_SOURCE_TEXT = (
    "từ nguồn vốn sự nghiệp của Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc "
    "thiểu số và miền núi giai đoạn 2021- 2030, giai đoạn I: từ năm 2021 đến năm 2025 và nguồn kinh phí hợp pháp "
    "khác (nếu có)"
)


class PlannedBudget(TypedDict):
    component: str | None
    year: int | None
    planned_dong: int
    funding_source: str
    source_ref: str


BUDGET_LINES: tuple[PlannedBudget, ...] = (
    {
        "component": None,  # whole project
        "year": None,  # whole phase 2021-2025
        "planned_dong": BUDGET_TOTAL_DONG,
        "funding_source": "Vốn sự nghiệp CTMTQG vùng đồng bào DTTS và miền núi; nguồn hợp pháp khác (nếu có)",
        "source_ref": "Kế hoạch Dự án 8 huyện Tuần Giáo (11/2022), mục V",
    },
)

# --- Reporting deadlines (section VI), (month, day) -----------------------------------------------
# "trước ngày" is read as "due on or before"; the app keeps the deadlines configurable.
REPORTING_DEADLINES = {
    # VI.7 UBND các xã: "gửi Hội LHPN huyện trước ngày 05 tháng 9 hàng năm …" (VI.1 sets the same date
    # for gender-mainstreaming reports to Hội LHPN huyện).
    "commune_preliminary": (9, 5),
    # VI.7: "… và cập nhật bổ sung số liệu năm thực hiện trước ngày 20 tháng 01 năm sau".
    "commune_update": (1, 20),
    # VI.2 Hội LHPN huyện: "gửi Hội LHPN tỉnh (qua Ban Tuyên giáo - Chính sách, Luật pháp) trước ngày
    # 10 tháng 9 hàng năm …".
    "district_preliminary": (9, 10),
    # VI.2: "… và cập nhật bổ sung số liệu năm thực hiện trước ngày 25 tháng 01 năm sau".
    "district_update": (1, 25),
}
# Note: a summary of Thông tư 01/2022/TT-UBDT attaches 10/9 and 25/1 to the commune level
# (indicator-module-anchors §5); the dates above are the plan's own.


def validate():
    """Check the catalogue; raise AssertionError on the first problem."""
    codes = [i["code"] for i in INDICATORS]
    assert codes == [f"CT{n}" for n in range(1, 9)]
    all_codes = set(codes)
    for ind in INDICATORS:
        assert ind["kind"] in INDICATOR_KINDS, ind["code"]
        assert (ind["kind"] == STOCK) == (ind["model_kind"] is not None), ind["code"]
        assert ind["model_kind"] is None or ind["model_kind"] in MODEL_KINDS, ind["code"]
        assert set(ind["disaggregation"]) <= set(DISAGGREGATIONS), ind["code"]
        assert ind["name"].rstrip(".") in PLAN_TEXT[ind["code"]], ind["code"]
        for sub in ind["sub_targets"]:
            assert sub["code"].startswith(ind["code"] + ".") and sub["kind"] in INDICATOR_KINDS, sub["code"]
            assert sub["name"] in PLAN_TEXT[ind["code"]], sub["code"]
            all_codes.add(sub["code"])
        if ind["kind"] == PERCENT:
            assert 0 < ind["phase_target"] <= 100
    group_codes = {g["code"] for g in ACTIVITY_GROUPS}
    act_codes = [a["code"] for a in ACTIVITIES]
    assert len(act_codes) == len(set(act_codes)) and not group_codes & set(act_codes)
    for a in ACTIVITIES:
        parent = a["code"].rsplit(".", 1)[0]
        assert parent in group_codes or parent in act_codes, a["code"]
        assert a["component"] in {"I", "II", "III", "IV"}, a["code"]
        assert set(a["indicator_codes"]) <= all_codes, a["code"]
        assert all(PHASE[0] <= y <= PHASE[1] for y in a["years"]), a["code"]
    assert set(ACTIVITY_NOTES) <= set(act_codes)
    assert sum(b["planned_dong"] for b in BUDGET_LINES) == BUDGET_TOTAL_DONG
    for month, day in REPORTING_DEADLINES.values():
        assert 1 <= month <= 12 and 1 <= day <= 31
    texts = [PLAN_TITLE, BUDGET_SOURCE_TEXT, *PLAN_TEXT.values(), *SHORT_NAMES.values(), *ACTIVITY_NOTES.values()]
    texts += [i["name"] for i in INDICATORS] + [g["name"] for g in ACTIVITY_GROUPS] + [a["name"] for a in ACTIVITIES]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
