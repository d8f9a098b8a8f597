"""Reference lists for case records: ethnic groups, acts of violence, trafficking, consent, services.

Pure data, loaded by ``flask --app wsgi setup``. Every list is a tuple of ``(code, Vietnamese label)``;
codes are stable lowercase ASCII (snake_case, or the official number where one exists) and are what
the database stores, so labels may be reworded later without touching records. Where a list is
our own design rather than a legal text, the comment says so.
"""

import unicodedata


def N_(text: str) -> str:
    return text  # marks a label for translation; shown through _()


# --- Ethnic groups ------------------------------------------------------------------------------
# The General Statistics Office list ("Danh mục các dân tộc Việt Nam", QĐ 1019/QĐ-TCTK of
# 12/11/2008, used by the 2009 and 2019 censuses). It is NOT the older QĐ 121-TCTK/PPCĐ (1979)
# numbering, in which 04 is Hoa and 06 Mường: store the code together with ETHNIC_LIST_VERSION.
# Verification: codes 01-20 read in the GSO document (gso.gov.vn DocID=15172) and in qcvn109.gov.vn
# Phụ lục E (01-13) [V]; codes 21-54 follow the same order in two independent public code lists and
# match our recollection of the GSO list, but were not read in an official numbered copy [S].
ETHNIC_LIST_VERSION = "GSO"

ETHNIC_GROUPS = (
    ("01", "Kinh"),
    ("02", "Tày"),
    ("03", "Thái"),
    ("04", "Mường"),
    ("05", "Khmer"),
    ("06", "Hoa"),
    ("07", "Nùng"),
    ("08", "Mông"),
    ("09", "Dao"),
    ("10", "Gia Rai"),
    ("11", "Ê Đê"),
    ("12", "Ba Na"),
    ("13", "Sán Chay"),
    ("14", "Chăm"),
    ("15", "Cơ Ho"),
    ("16", "Xơ Đăng"),
    ("17", "Sán Dìu"),
    ("18", "Hrê"),
    ("19", "Ra Glai"),
    ("20", "Mnông"),
    ("21", "Thổ"),  # 21-54: order confirmed by public code lists only [S]
    ("22", "Xtiêng"),
    ("23", "Khơ Mú"),
    ("24", "Bru Vân Kiều"),
    ("25", "Cơ Tu"),
    ("26", "Giáy"),
    ("27", "Tà Ôi"),
    ("28", "Mạ"),
    ("29", "Giẻ Triêng"),
    ("30", "Co"),
    ("31", "Chơ Ro"),
    ("32", "Xinh Mun"),
    ("33", "Hà Nhì"),
    ("34", "Chu Ru"),
    ("35", "Lào"),
    ("36", "La Chí"),
    ("37", "Kháng"),
    ("38", "Phù Lá"),
    ("39", "La Hủ"),
    ("40", "La Ha"),
    ("41", "Pà Thẻn"),
    ("42", "Lự"),
    ("43", "Ngái"),
    ("44", "Chứt"),
    ("45", "Lô Lô"),
    ("46", "Mảng"),
    ("47", "Cơ Lao"),
    ("48", "Bố Y"),
    ("49", "Cống"),
    ("50", "Si La"),
    ("51", "Pu Péo"),
    ("52", "Rơ Măm"),
    ("53", "Brâu"),
    ("54", "Ơ Đu"),
    ("99", N_("Người nước ngoài")),  # ours: a foreign national
    ("00", N_("Chưa rõ")),  # ours: not known or not disclosed
)

# Other spellings people type, for search (ours, not exhaustive).
ETHNIC_ALIASES = {
    "05": ("Khơ-me", "Khơ Me"),
    "08": ("H'Mông", "Hmông", "H'mông"),
    "10": ("Gia-rai", "Jrai"),
    "11": ("Ê-đê",),
    "23": ("Khơ-mú", "Kmhmu"),
}

# Main groups of Tuần Giáo, to pin at the top of pickers: Thái, Mông, Kinh (domain §4 [V]) and Khơ Mú,
# concentrated in Tuần Giáo (domain §4 [V]).
ETHNIC_GROUPS_PINNED = ("03", "08", "01", "23")

# --- Acts of domestic violence (Luật Phòng, chống bạo lực gia đình 13/2022/QH15, Điều 3 khoản 1) -----
# Points a)-k) were read in the law's text as quoted by lsvn.vn and vietjack.me [V]. Points l)-p)
# (forced/child marriage, property, overwork and financial control, confinement, eviction) are
# known from Decree 76/2023 and secondary summaries; their letters and exact wording were not read
# in the official text [S]. The law names the four kinds of harm (Điều 2 khoản 1) but does not sort
# the points into them: the grouping below is ours.
DV_ACT_GROUPS = (
    ("physical", N_("Bạo lực thể chất")),
    ("mental", N_("Bạo lực tinh thần")),
    ("sexual", N_("Bạo lực tình dục")),
    ("economic", N_("Bạo lực kinh tế")),
)

DV_ACTS = {
    "physical": (
        ("beating_threats", N_("Hành hạ, ngược đãi, đánh đập, đe dọa, xâm hại sức khỏe, tính mạng")),
        ("confinement", N_("Cô lập, giam cầm")),
    ),
    "mental": (
        ("insult_humiliation", N_("Lăng mạ, chì chiết, xúc phạm danh dự, nhân phẩm")),
        ("forced_witness_violence", N_("Cưỡng ép chứng kiến bạo lực đối với người, con vật")),
        ("neglect", N_("Bỏ mặc, không nuôi dưỡng, chăm sóc, giáo dục thành viên cần được chăm sóc")),
        ("discrimination", N_("Kỳ thị, phân biệt đối xử về hình thể, giới, giới tính, năng lực")),
        ("isolation_from_contacts", N_("Ngăn cản gặp gỡ người thân, quan hệ xã hội; gây áp lực tâm lý")),
        ("obstructing_family_rights", N_("Ngăn cản thực hiện quyền, nghĩa vụ trong quan hệ gia đình")),
        ("disclosing_private_information", N_("Tiết lộ, phát tán thông tin riêng tư nhằm xúc phạm")),
        ("forced_marriage_or_divorce", N_("Cưỡng ép tảo hôn, kết hôn, ly hôn hoặc cản trở kết hôn, ly hôn")),
    ),
    "sexual": (
        ("forced_sex", N_("Cưỡng ép quan hệ tình dục trái ý muốn")),
        ("forced_pornography", N_("Cưỡng ép trình diễn, xem, nghe, đọc nội dung khiêu dâm")),
    ),
    "economic": (
        ("property_seizure_or_destruction", N_("Chiếm đoạt, hủy hoại, đập phá tài sản")),
        (
            "forced_overwork_financial_control",
            N_("Cưỡng ép lao động, học tập quá sức, đóng góp tài chính; kiểm soát thu nhập"),
        ),
        ("unlawful_eviction", N_("Cưỡng ép ra khỏi chỗ ở hợp pháp")),
    ),
}

# Where each act sits in Điều 3 khoản 1 (letters l-p not verified, see above).
DV_ACT_LEGAL_POINTS = {
    "beating_threats": "a",
    "insult_humiliation": "b",
    "forced_witness_violence": "c",
    "neglect": "d",
    "discrimination": "đ",
    "isolation_from_contacts": "e",
    "obstructing_family_rights": "g",
    "disclosing_private_information": "h",
    "forced_sex": "i",
    "forced_pornography": "k",
    "forced_marriage_or_divorce": "l",
    "property_seizure_or_destruction": "m",
    "forced_overwork_financial_control": "n",
    "confinement": "o",
    "unlawful_eviction": "p",
}

# --- Trafficking (Luật Phòng, chống mua bán người 53/2024/QH15, in force 01/7/2025) ------------------
# Who is covered: victims, people being identified as victims, accompanying people under 18
# (domain §2 [V]). "not_victim" closes the identification with a negative finding.
TRAFFICKING_STATUSES = (
    ("being_identified", N_("Đang trong quá trình xác định là nạn nhân")),
    ("identified_victim", N_("Đã xác định là nạn nhân")),
    ("accompanying_minor", N_("Người dưới 18 tuổi đi cùng nạn nhân")),
    ("not_victim", N_("Xác định không phải nạn nhân")),
)

# The purposes in the definition of trafficking (Điều 2 khoản 1 [V, hethongphapluat.com]) plus the
# fetus-sale agreement banned by Điều 3 khoản 2 [V]. Forced marriage and child sale or adoption are
# not named by the law; they are practice categories that fall under "money or material benefit"
# or "other inhumane purposes" [ours].
EXPLOITATION_FORMS = (
    ("sexual_exploitation", N_("Bóc lột tình dục")),
    ("forced_labour", N_("Cưỡng bức lao động")),
    ("organ_removal", N_("Lấy bộ phận cơ thể người")),
    ("sale_for_money", N_("Bán để nhận tiền, tài sản, lợi ích vật chất khác")),
    ("forced_marriage", N_("Bán, ép làm vợ hoặc cưỡng ép kết hôn")),
    ("child_sale_or_adoption", N_("Mua bán trẻ em, trẻ sơ sinh, nhận con nuôi trái phép")),
    ("fetus_sale_agreement", N_("Thỏa thuận mua bán người từ khi còn là bào thai")),
    ("other_inhumane", N_("Mục đích vô nhân đạo khác")),
    ("unknown", N_("Chưa rõ")),
)

# --- How the case reached the unit (ours) ----------------------------------------------------------
# Built from the report and notification places of the DV law (Luật 13/2022, Điều 19, legal-2026.md §2) and
# the trafficking intake channels (Luật 53/2024, Điều 27, legal-2026.md §3).
IDENTIFICATION_CHANNELS = (
    ("self_referral", N_("Nạn nhân tự đến hoặc tự báo")),
    ("family_or_neighbour", N_("Người thân, hàng xóm báo tin")),
    ("village_head", N_("Trưởng thôn, bản; Ban công tác Mặt trận")),
    ("commune_peoples_committee", N_("UBND xã")),
    ("mass_organisation", N_("Hội LHPN, Đoàn thanh niên, tổ chức chính trị - xã hội")),
    ("police", N_("Công an")),
    ("border_guard", N_("Bộ đội Biên phòng")),
    ("school", N_("Nhà trường")),
    ("health_facility", N_("Cơ sở y tế")),
    ("hotline", N_("Tổng đài điện thoại (đường dây nóng)")),
    ("rescue_or_repatriation", N_("Giải cứu, tiếp nhận trao trả hoặc hồi hương")),
    ("other_agency", N_("Cơ quan, tổ chức khác chuyển đến")),
    ("outreach", N_("Cán bộ, tư vấn viên phát hiện khi đi cơ sở")),
    ("other", N_("Khác")),
)

# --- Consent ledger (DESIGN §4) ------------------------------------------------------------------
CONSENT_METHODS = (
    ("signed", N_("Ký tên")),
    ("thumbprint", N_("Điểm chỉ")),
    ("verbal_with_witness", N_("Đồng ý bằng lời, có người làm chứng")),
)

CONSENT_PURPOSES = (
    ("services", N_("Nhận dịch vụ hỗ trợ")),
    ("share_with_agency", N_("Chia sẻ thông tin với cơ quan được nêu tên")),
    ("statistics", N_("Sử dụng cho thống kê, báo cáo tổng hợp")),
)
# In which language the notice and the purposes were explained (many survivors in Điện Biên speak Thái or
# H'Mông first and read Vietnamese with difficulty; the notice has a plain-language text for them).
CONSENT_LANGUAGES = (
    ("vi", N_("Tiếng Việt (bản đầy đủ)")),
    ("vi_plain", N_("Tiếng Việt dễ hiểu (bản ngắn)")),
    ("thai", N_("Giải thích bằng tiếng Thái")),
    ("hmong", N_("Giải thích bằng tiếng H'Mông")),
    ("other", N_("Ngôn ngữ khác, có người phiên dịch")),
)

# --- Services (ours; matches the referral service list in DESIGN §4) --------------------------------
SERVICE_KINDS = (
    ("shelter", N_("Nơi tạm lánh")),
    ("essential_needs", N_("Hỗ trợ nhu cầu thiết yếu")),
    ("counselling", N_("Tư vấn, hỗ trợ tâm lý")),
    ("medical", N_("Chăm sóc y tế")),
    ("legal_aid", N_("Trợ giúp pháp lý")),
    ("police", N_("Bảo vệ an toàn, can thiệp của công an")),
    ("economic_support", N_("Hỗ trợ kinh tế, sinh kế")),
    ("vocational_training", N_("Học nghề")),
    ("employment_counselling", N_("Tư vấn, giới thiệu việc làm")),
    ("education", N_("Hỗ trợ học tập")),
    ("travel_home", N_("Hỗ trợ đi lại về nơi cư trú")),
    ("other", N_("Khác")),
)

RISK_LEVELS = (
    ("low", N_("Thấp")),
    ("medium", N_("Trung bình")),
    ("high", N_("Cao")),
)

# --- Age bands -----------------------------------------------------------------------------------
# Under 16 is a child (Luật Trẻ em 2016, Điều 1), so 12-15 ends at the child boundary; 16-17 are
# still under 18, which the trafficking law and criminal procedure treat separately; 60+ are older
# persons (Luật Người cao tuổi). The DV statistics forms count victims under 16, 16-59 and 60+
# (indicator-module-anchors §3), so every band nests in those. Codes are "min_max" ages.
AGE_BANDS = (
    ("0_5", N_("0–5 tuổi")),
    ("6_11", N_("6–11 tuổi")),
    ("12_15", N_("12–15 tuổi")),
    ("16_17", N_("16–17 tuổi")),
    ("18_29", N_("18–29 tuổi")),
    ("30_44", N_("30–44 tuổi")),
    ("45_59", N_("45–59 tuổi")),
    ("60_plus", N_("Từ 60 tuổi trở lên")),
    ("unknown", N_("Chưa rõ")),
)
# Inclusive age limits in whole years (None = no upper limit).
AGE_BAND_LIMITS = {
    "0_5": (0, 5),
    "6_11": (6, 11),
    "12_15": (12, 15),
    "16_17": (16, 17),
    "18_29": (18, 29),
    "30_44": (30, 44),
    "45_59": (45, 59),
    "60_plus": (60, None),
}
CHILD_AGE_BANDS = ("0_5", "6_11", "12_15")  # under 16

# The victims' age groups of Circular 07/2017/TT-BVHTTDL (Phụ lục, mục III): under 16, women 16–59, 60 and over; a
# man of 16–59 is in none. The one label set of these groups: the statistics pages, the circular's workbook and
# the protection tables all show these words (an en dash, no spaces, as in AGE_BANDS above).
VICTIM_AGE_GROUPS = (
    ("under_16", N_("Dưới 16 tuổi")),
    ("women_16_59", N_("Phụ nữ 16–59 tuổi")),
    ("age_60_plus", N_("Từ 60 tuổi trở lên")),
)
MINOR_AGE_BANDS = (*CHILD_AGE_BANDS, "16_17")  # under 18

POVERTY_STATUSES = (
    ("poor", N_("Hộ nghèo")),
    ("near_poor", N_("Hộ cận nghèo")),
    ("none", N_("Không thuộc hộ nghèo, cận nghèo")),
    ("unknown", N_("Chưa rõ")),
)

# --- Closure (ours) ------------------------------------------------------------------------------
CLOSURE_REASONS = (
    ("goals_met", N_("Đã đạt mục tiêu hỗ trợ, an toàn ổn định")),
    ("transferred", N_("Chuyển hồ sơ sang đơn vị khác quản lý")),
    ("moved_away", N_("Chuyển nơi ở khỏi địa bàn")),
    ("client_withdrew", N_("Người được hỗ trợ không muốn tiếp tục")),
    ("lost_contact", N_("Mất liên lạc")),
    ("not_eligible", N_("Không thuộc đối tượng hoặc xác định không phải nạn nhân")),
    ("duplicate", N_("Hồ sơ trùng")),
    ("deceased", N_("Đã qua đời")),
    ("other", N_("Khác")),
)

# --- Preferred language (domain §4) ----------------------------------------------------------------
LANGUAGES = (
    ("vi", N_("Tiếng Việt")),
    ("thai", N_("Tiếng Thái")),
    ("hmong", N_("Tiếng H'Mông")),
    ("khmu", N_("Tiếng Khơ Mú")),
    ("sign", N_("Ngôn ngữ ký hiệu")),  # ours: for deaf survivors
    ("other", N_("Ngôn ngữ khác")),
)

CODE_LISTS = {
    "ethnic_groups": ETHNIC_GROUPS,
    "dv_act_groups": DV_ACT_GROUPS,
    "trafficking_statuses": TRAFFICKING_STATUSES,
    "exploitation_forms": EXPLOITATION_FORMS,
    "identification_channels": IDENTIFICATION_CHANNELS,
    "consent_methods": CONSENT_METHODS,
    "consent_purposes": CONSENT_PURPOSES,
    "service_kinds": SERVICE_KINDS,
    "risk_levels": RISK_LEVELS,
    "age_bands": AGE_BANDS,
    "poverty_statuses": POVERTY_STATUSES,
    "closure_reasons": CLOSURE_REASONS,
    "languages": LANGUAGES,
}


def age_band(age):
    """Return the age-band code for an age in whole years, or "unknown" for None."""
    if age is None:
        return "unknown"
    for code, (low, high) in AGE_BAND_LIMITS.items():
        if low <= age and (high is None or age <= high):
            return code
    raise ValueError(f"age out of range: {age}")


def validate():
    """Check every list; raise AssertionError on the first problem."""
    lists = dict(CODE_LISTS, **{f"dv_acts.{group}": acts for group, acts in DV_ACTS.items()})
    for name, items in lists.items():
        codes = [code for code, _ in items]
        assert len(codes) == len(set(codes)), f"{name}: duplicate codes"
        for code, label in items:
            assert code.isascii() and code == code.lower() and " " not in code and "-" not in code, (name, code)
            assert label and unicodedata.is_normalized("NFC", label), (name, code)
    ethnic = [code for code, _ in ETHNIC_GROUPS]
    assert ethnic[:54] == [f"{n:02d}" for n in range(1, 55)] and set(ethnic[54:]) == {"00", "99"}
    assert set(ETHNIC_ALIASES) <= set(ethnic) and set(ETHNIC_GROUPS_PINNED) <= set(ethnic)
    assert set(DV_ACTS) == {code for code, _ in DV_ACT_GROUPS}
    act_codes = [code for acts in DV_ACTS.values() for code, _ in acts]
    assert len(act_codes) == len(set(act_codes)) == len(DV_ACT_LEGAL_POINTS)
    assert set(act_codes) == set(DV_ACT_LEGAL_POINTS)
    assert set(AGE_BAND_LIMITS) == {code for code, _ in AGE_BANDS} - {"unknown"}
    assert [age_band(a) for a in (0, 5, 6, 15, 16, 17, 18, 59, 60, 120)] == [
        "0_5", "0_5", "6_11", "12_15", "16_17", "16_17", "18_29", "45_59", "60_plus", "60_plus"
    ]  # fmt: skip
    assert set(MINOR_AGE_BANDS) <= set(AGE_BAND_LIMITS)
