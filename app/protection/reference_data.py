"""The coded lists of protection casework, as data: code, Vietnamese and English label, validity dates.

Codes are stable lowercase ASCII and are what the database stores (plaintext, so that statistics can count
them without decrypting anything); labels may be reworded without touching records. A code that the law
retires gets a `valid_to`: old records keep showing it, new forms no longer offer it. Where a list follows a
legal text the comment names the article (see /work/shared/reference/legal-2026.md); otherwise it is ours.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale

LAW_13 = date(2023, 7, 1)  # Law 13/2022/QH15 on domestic violence in force
LAW_53 = date(2025, 7, 1)  # Law 53/2024/QH15 on trafficking in persons in force
DECREE_162 = date(2025, 7, 1)


@dataclass(frozen=True)
class Code:
    code: str
    vi: str
    en: str
    valid_from: date = date(2000, 1, 1)
    valid_to: date | None = None
    article: str = ""

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @property
    def label(self) -> str:
        return self.en if str(get_locale() or "vi") == "en" else self.vi


def _codes(*rows, valid_from: date = date(2000, 1, 1)) -> tuple[Code, ...]:
    return tuple(Code(code, vi, en, valid_from, None, *rest) for code, vi, en, *rest in rows)


# Where the violence happened (ours; Circular 07/2017/TT-BVHTTDL asks for the form, not the place).
PLACE_TYPES = _codes(
    ("home", "Trong nhà", "At home"),
    ("field", "Nương rẫy, ruộng", "In the fields"),
    ("market", "Chợ, nơi công cộng", "Market or public place"),
    ("workplace", "Nơi làm việc", "Workplace"),
    ("online", "Trên mạng, điện thoại", "Online or by phone"),
    ("other", "Nơi khác", "Elsewhere"),
)

# Forms of violence as counted by Circular 07/2017/TT-BVHTTDL (physical, psychological, sexual, economic).
VIOLENCE_FORMS = _codes(
    ("physical", "Thân thể", "Physical"),
    ("psychological", "Tinh thần", "Psychological"),
    ("sexual", "Tình dục", "Sexual"),
    ("economic", "Kinh tế", "Economic"),
)

# Sexual violence, told apart as GBVIMS does (its first two incident types): rape, and any other sexual assault.
# Law 13/2022/QH15 Art. 3(1) lists forced sex among the acts of domestic violence; Circular 07/2017 counts both as
# "sexual" (the form above), so this sub-form never changes the circular's figures.
SEXUAL_KINDS = _codes(
    ("rape", "Hiếp dâm, cưỡng ép quan hệ tình dục", "Rape (forced intercourse)"),
    ("other_assault", "Xâm hại tình dục khác (không giao cấu)", "Other sexual assault (no intercourse)"),
)

# Forced marriage as a coded act of the incident: Law 13/2022/QH15 Art. 3(1) lists forcing someone into child
# marriage, marriage or divorce among the acts of domestic violence. Circular 07/2017 has no such form (a forced
# marriage is counted there under the forms ticked with it), so it is a mark of its own, not a fifth form.
FORCED_MARRIAGE_ARTICLE = "Luật 13/2022/QH15, Điều 3 khoản 1"

SEXES = _codes(("female", "Nữ", "Female"), ("male", "Nam", "Male"), ("unknown", "Chưa rõ", "Unknown"))

PERPETRATOR_AGE_BANDS = _codes(
    ("under_18", "Dưới 18", "Under 18"),
    ("18_29", "18–29", "18–29"),
    ("30_44", "30–44", "30–44"),
    ("45_59", "45–59", "45–59"),
    ("60_plus", "Từ 60 trở lên", "60 and over"),
    ("unknown", "Chưa rõ", "Unknown"),
)

RELATIONS = _codes(
    ("husband", "Chồng", "Husband"),
    ("wife", "Vợ", "Wife"),
    ("ex_partner", "Chồng/vợ cũ, người từng chung sống", "Former partner"),
    ("parent", "Cha, mẹ", "Parent"),
    ("child", "Con", "Child"),
    ("in_law", "Gia đình nhà chồng/vợ", "In-law"),
    ("other_family", "Người thân khác", "Other family"),
    ("acquaintance", "Người quen", "Acquaintance"),
    ("stranger", "Người lạ", "Stranger"),
    ("broker", "Người môi giới, kẻ mua bán người", "Broker or trafficker"),
)

# Protective and support measures, Law 13/2022/QH15 Art. 22 (khoản 1).
MEASURES = _codes(
    ("stop_violence", "Buộc chấm dứt hành vi bạo lực", "Order to stop the violence", "Luật 13/2022, Điều 22"),
    ("summon", "Triệu tập người có hành vi bạo lực", "Summon the perpetrator", "Luật 13/2022, Điều 22"),
    ("no_contact", "Cấm tiếp xúc", "No-contact order", "Luật 13/2022, Điều 22, 25, 26"),
    ("shelter_essentials", "Nơi tạm lánh, nhu cầu thiết yếu", "Shelter and essential needs", "Luật 13/2022, Điều 22"),
    ("medical", "Chăm sóc y tế", "Medical care", "Luật 13/2022, Điều 22"),
    ("legal_psych", "Trợ giúp pháp lý, tư vấn tâm lý", "Legal aid and counselling", "Luật 13/2022, Điều 22"),
    (
        "behaviour_education",
        "Giáo dục, hỗ trợ chuyển đổi hành vi",
        "Behaviour-change education",
        "Luật 13/2022, Điều 22",
    ),
    ("community_criticism", "Góp ý, phê bình trong cộng đồng dân cư", "Community criticism", "Luật 13/2022, Điều 22"),
    ("community_service", "Thực hiện công việc phục vụ cộng đồng", "Community service", "Luật 13/2022, Điều 22"),
    (
        "administrative_criminal",
        "Biện pháp xử lý hành chính, ngăn chặn theo tố tụng hình sự",
        "Administrative or criminal-procedure measures",
        "Luật 13/2022, Điều 22",
    ),
    valid_from=LAW_13,
)

MEASURE_DECIDERS = _codes(
    ("commune_chair", "Chủ tịch UBND xã", "Commune chair"),
    ("commune_police", "Công an xã", "Commune police"),
    ("court", "Tòa án", "Court"),
    ("trusted_address", "Địa chỉ tin cậy", "Trusted address"),
    ("health_facility", "Cơ sở y tế", "Health facility"),
    ("other", "Cơ quan khác", "Other body"),
)

MEASURE_OUTCOMES = _codes(
    ("ongoing", "Đang thực hiện", "Ongoing"),
    ("complied", "Đã chấp hành", "Complied with"),
    ("breached", "Bị vi phạm", "Breached"),
    ("ended", "Đã kết thúc", "Ended"),
)

# Who asked for a no-contact order (Law 13/2022 Art. 25 khoản 1).
ORDER_REQUESTERS = _codes(
    ("victim", "Người bị bạo lực", "The victim"),
    ("guardian", "Người giám hộ, người đại diện", "Guardian or representative"),
    (
        "competent_body",
        "Cơ quan, tổ chức có thẩm quyền (có đồng ý của người bị bạo lực)",
        "Competent body with the victim's consent",
    ),
    (
        "chair_initiative",
        "Chủ tịch UBND xã tự quyết định khi tính mạng bị đe dọa",
        "Commune chair's own initiative (life threatened)",
    ),
    valid_from=LAW_13,
)

ORDER_DECIDERS = _codes(
    (
        "commune_chair",
        "Chủ tịch UBND xã (Điều 25: tối đa 3 ngày)",
        "Commune chair (Art. 25: up to 3 days)",
        "Luật 13/2022, Điều 25",
    ),
    ("court", "Tòa án (Điều 26: tối đa 4 tháng)", "Court (Art. 26: up to 4 months)", "Luật 13/2022, Điều 26"),
    valid_from=LAW_13,
)

# Who receives a copy of a commune chair's decision (Law 13/2022 Art. 25).
COPY_RECIPIENTS = _codes(
    ("perpetrator", "Người có hành vi bạo lực", "The perpetrator"),
    ("victim", "Người bị bạo lực", "The victim"),
    ("police_chief", "Trưởng Công an xã", "Commune police chief"),
    ("village_head", "Trưởng thôn, bản", "Village head"),
)

# The only reasons for contact during an order, Decree 76/2023/NĐ-CP Art. 18.
EXCEPTION_REASONS = _codes(
    ("wedding", "Tổ chức, tham dự đám cưới", "A wedding"),
    ("funeral", "Tổ chức, tham dự đám tang", "A funeral"),
    ("illness_accident", "Người thân ốm nặng, tai nạn", "Serious illness or accident"),
    ("disaster", "Thiên tai, thảm họa", "A natural disaster"),
)

# Who received the person first (Law 53/2024/QH15 Art. 27).
RECEIVERS = _codes(
    ("commune", "UBND xã", "Commune People's Committee"),
    ("police", "Công an", "Police"),
    ("border_guard", "Bộ đội Biên phòng", "Border guard"),
    ("other", "Cơ quan, tổ chức khác", "Other body"),
    valid_from=LAW_53,
)

ID_OUTCOMES = _codes(
    ("pending", "Đang xác minh", "Pending"),
    ("victim", "Là nạn nhân", "Victim"),
    ("not_victim", "Không phải nạn nhân", "Not a victim"),
)

# Evidence of victim status (Law 53/2024 Art. 32–33): documents of domestic and foreign bodies, and statements
# (domain-vietnam.md §2). Grouping ours.
EVIDENCE_KINDS = _codes(
    ("police_confirmation", "Giấy xác nhận của Công an", "Police confirmation"),
    ("border_guard_confirmation", "Giấy xác nhận của Bộ đội Biên phòng", "Border guard confirmation"),
    ("health_dept_confirmation", "Văn bản xác nhận của Sở Y tế", "Provincial health department's confirmation"),
    ("foreign_authority", "Giấy tờ của cơ quan có thẩm quyền nước ngoài", "Document of a foreign authority"),
    ("criminal_procedure", "Văn bản tố tụng hình sự (khởi tố, bản án)", "Criminal-procedure document"),
    ("person_statement", "Lời khai của người đó hoặc người thân", "Statement of the person or a relative"),
    (
        "witness_statement",
        "Lời khai của người làm chứng, nạn nhân khác hoặc người phạm tội",
        "Statement of a witness, another victim or the trafficker",
    ),
    ("other", "Giấy tờ khác", "Other document"),
    valid_from=LAW_53,
)

# Support regimes of Decree 162/2025 Art. 17–25; `article` names the article where legal-2026.md gives it.
REGIMES = _codes(
    (
        "essential_needs",
        "Nhu cầu thiết yếu (tối đa 120 ngày)",
        "Essential needs (up to 120 days)",
        "Nghị định 162/2025, Điều 17",
    ),
    ("travel_home", "Chi phí đi lại về nơi cư trú", "Travel home", "Nghị định 162/2025, Điều 17–25"),
    ("medical", "Hỗ trợ y tế", "Medical support", "Nghị định 162/2025, Điều 17–25"),
    ("psychological", "Hỗ trợ tâm lý", "Psychological support", "Nghị định 162/2025, Điều 17–25"),
    ("legal_aid", "Trợ giúp pháp lý", "Legal aid", "Nghị định 162/2025, Điều 17–25"),
    (
        "schooling_vocational",
        "Hỗ trợ học văn hóa, học nghề",
        "Schooling and vocational training",
        "Nghị định 162/2025, Điều 24",
    ),
    ("initial_hardship", "Trợ cấp khó khăn ban đầu", "Initial hardship allowance", "Nghị định 162/2025, Điều 24"),
    ("loan", "Vay vốn Ngân hàng Chính sách xã hội", "Loan (Bank for Social Policies)", "Nghị định 162/2025, Điều 25"),
    (
        "job_counselling",
        "Tư vấn việc làm (Trung tâm dịch vụ việc làm)",
        "Job counselling (job centre)",
        "Nghị định 162/2025, Điều 25",
    ),
    valid_from=DECREE_162,
)

RESPONSIBLE_BODIES = _codes(
    ("commune_committee", "UBND xã", "Commune People's Committee"),
    ("health_dept", "Sở Y tế", "Provincial health department"),
    ("social_work_centre", "Trung tâm công tác xã hội", "Social-work centre"),
    ("health_facility", "Cơ sở y tế", "Health facility"),
    ("legal_aid_centre", "Trung tâm trợ giúp pháp lý", "Legal aid centre"),
    ("nhcsxh", "Ngân hàng Chính sách xã hội", "Bank for Social Policies"),
    ("job_centre", "Trung tâm dịch vụ việc làm", "Job centre"),
    ("school", "Nhà trường, cơ sở giáo dục nghề nghiệp", "School or vocational college"),
    ("other", "Cơ quan khác", "Other body"),
)

# How a trusted address told the commune People's Committee it received a victim (Law 13/2022 Art. 19).
NOTICE_METHODS = _codes(
    ("in_person", "Trực tiếp", "In person"),
    ("phone", "Điện thoại", "By phone"),
    ("written", "Văn bản", "In writing"),
    ("electronic", "Tin nhắn, thư điện tử", "Message or e-mail"),
)

# The risk reassessment: the same questions each time (ours, after the common lethality screens).
RISK_QUESTIONS = _codes(
    ("threats_to_kill", "Đe dọa giết", "Threats to kill"),
    ("weapon", "Có hoặc dọa dùng hung khí", "Weapon used or threatened"),
    ("strangulation", "Bóp cổ, làm ngạt thở", "Strangulation"),
    ("escalation", "Bạo lực tăng dần về mức độ, tần suất", "Escalating violence"),
    ("pregnancy", "Đang mang thai", "Pregnancy"),
    ("children_at_risk", "Trẻ em trong nhà gặp nguy hiểm", "Children at risk"),
    ("perpetrator_access", "Người gây bạo lực vẫn tiếp cận được", "Perpetrator still has access"),
    ("isolation", "Bị cô lập, không có người hỗ trợ", "Isolation"),
)
# Any of these alone makes the risk high: each is a strong predictor of lethal violence.
CRITICAL_QUESTIONS = ("threats_to_kill", "weapon", "strangulation")

LISTS = {
    "place": PLACE_TYPES,
    "form": VIOLENCE_FORMS,
    "sexual_kind": SEXUAL_KINDS,
    "sex": SEXES,
    "age": PERPETRATOR_AGE_BANDS,
    "relation": RELATIONS,
    "measure": MEASURES,
    "decider": MEASURE_DECIDERS,
    "outcome": MEASURE_OUTCOMES,
    "requester": ORDER_REQUESTERS,
    "order_decider": ORDER_DECIDERS,
    "recipient": COPY_RECIPIENTS,
    "reason": EXCEPTION_REASONS,
    "receiver": RECEIVERS,
    "id_outcome": ID_OUTCOMES,
    "evidence": EVIDENCE_KINDS,
    "regime": REGIMES,
    "body": RESPONSIBLE_BODIES,
    "notice_method": NOTICE_METHODS,
    "risk_question": RISK_QUESTIONS,
}


def codes(items: tuple[Code, ...]) -> tuple[str, ...]:
    return tuple(c.code for c in items)


def choices(items: tuple[Code, ...], on: date | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a form: only the codes valid on `on` (today when not given)."""
    from .. import clock

    day = on or clock.today()
    return [(c.code, c.label) for c in items if c.applies_on(day)]


def labels() -> dict[str, dict[str, str]]:
    """Every list as {code: label} in the reader's language, for the templates (old codes included)."""
    return {name: {c.code: c.label for c in items} for name, items in LISTS.items()}


def find(items: tuple[Code, ...], code: str) -> Code | None:
    return next((c for c in items if c.code == code), None)
