"""The clocks of the impact-assessment dossier (legal-2026.md §5), counted by the shared deadline engine.

Law 91/2025/QH15 Art. 21–22 and Decree 356/2025/NĐ-CP Art. 19–20: the dossier (form 10 with annex 02a) is made
within 60 days of starting the processing, updated every 6 months, and within 10 days of a reorganisation
(form 03a). The law counts these in days, not working days.
"""

from ..deadlines import Rule
from .reference_data import IN_FORCE

ARTICLE = "Luật 91/2025/QH15 Điều 21–22; Nghị định 356/2025/NĐ-CP Điều 19–20"

DOSSIER_FIRST = Rule("dpia.first", 60, "days", ARTICLE, "Lập hồ sơ đánh giá tác động", valid_from=IN_FORCE)
DOSSIER_REVIEW = Rule(
    "dpia.review", 6, "months", ARTICLE, "Cập nhật hồ sơ đánh giá tác động định kỳ", valid_from=IN_FORCE
)
DOSSIER_REORGANISATION = Rule(
    "dpia.reorganisation",
    10,
    "days",
    ARTICLE,
    "Cập nhật hồ sơ đánh giá tác động sau khi tổ chức lại",
    valid_from=IN_FORCE,
)
