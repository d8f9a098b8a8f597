"""The clocks of the personal-data law for a survivor's requests and for breaches (legal-2026.md §5).

Law 91/2025/QH15 on personal data protection (in force 1/1/2026) and Decree 356/2025/NĐ-CP. The figures are
those of legal-2026.md §5. Articles as /work/shared/reference gives them: the acknowledgement and the answer
periods with their one extension are Decree 356 Art. 5 (security-anchors.md §5); refusals Law Art. 14(2),(5);
the copy without third parties Art. 15(2)(a); breaches Law Art. 23 and Decree 356 Art. 28–29 (legal-2026.md §5).
Not given there, and so not cited (no article is guessed): the longer periods where third parties are involved
and the most an extension may add (legal-2026.md §5 gives the figures only), and the kinds of legal hold
(reference_data.HOLD_KINDS).
"""

from datetime import date

from ..deadlines import Rule

IN_FORCE = date(2026, 1, 1)  # Law 91/2025/QH15 takes effect
LAW = "Luật 91/2025/QH15; Nghị định 356/2025/NĐ-CP"
# Decree 356/2025 Art. 5: the acknowledgement, the answer periods and one extension each (security-anchors.md §5).
DEADLINES = "Nghị định 356/2025/NĐ-CP Điều 5"

# Every request is acknowledged within 2 working days (Decree 356/2025 Art. 5; legal-2026.md §5).
ACKNOWLEDGE = Rule("dsr.acknowledge", 2, "working_days", DEADLINES, "Xác nhận đã nhận yêu cầu", valid_from=IN_FORCE)

# Answer periods by kind: (days, days where third parties are involved, the most one extension may add).
# The base periods (10/15/20 days) and the single extension are Decree 356/2025 Art. 5; the longer periods with
# third parties and the extension maxima are legal-2026.md §5's figures, for which the reference gives no
# article: none is cited for them.
ANSWER_DAYS = {
    "view_copy": (10, 15, 10),
    "correct": (10, 15, 10),
    "withdraw_consent": (15, 20, 15),
    "restrict": (15, 20, 15),
    "object": (15, 20, 15),
    "delete": (20, 30, 20),
    "protective": (15, 20, 15),  # asking for protective measures of one's data: the restriction/objection periods
}


def answer_rule(kind: str, third_parties: bool) -> Rule:
    days, with_third, _ = ANSWER_DAYS[kind]
    return Rule(
        f"dsr.answer.{kind}",
        with_third if third_parties else days,
        "days",
        DEADLINES,
        "Trả lời yêu cầu",
        valid_from=IN_FORCE,
    )


def max_extension(kind: str) -> int:
    """The most one extension may add (one extension only: Decree 356/2025 Art. 5)."""
    return ANSWER_DAYS[kind][2]


# A breach is notified to the authority within 72 hours of its detection (Law 91/2025 Art. 23; content on
# form 08, Decree 356/2025 Art. 28–29). Counted from detection, not from the breach (security-anchors.md §5).
BREACH_NOTIFY = Rule(
    "breach.notify",
    72,
    "hours",
    "Luật 91/2025/QH15 Điều 23; Nghị định 356/2025 Điều 28–29",
    "Thông báo vi phạm cho cơ quan chuyên trách",
    valid_from=IN_FORCE,
)
