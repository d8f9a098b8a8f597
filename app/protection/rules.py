"""The legal clocks of protection casework, each declared next to the article that sets it.

Every clock is a `deadlines.Rule`; pages, validation and the work queue all ask the same engine, so "còn 5 giờ"
means the same everywhere. Day rules end at 23:59 Việt Nam time of their last day (see app/deadlines/engine.py).
"""

from datetime import date, datetime, timedelta

from ..cases.reference_data import N_
from ..deadlines import Rule, due_at

# Law 13/2022/QH15 Art. 25 khoản 2: the commune chair decides on a request within 12 hours of receiving it.
ORDER_DECISION = Rule(
    "no_contact.decision",
    12,
    "hours",
    "Luật 13/2022/QH15, Điều 25",
    N_("Quyết định cấm tiếp xúc trong 12 giờ"),
    valid_from=date(2023, 7, 1),
)
# Law 13/2022/QH15 Art. 25: a commune chair's no-contact order lasts at most 3 days each time.
ORDER_CHAIR_MAX = Rule(
    "no_contact.chair_max",
    3,
    "days",
    "Luật 13/2022/QH15, Điều 25",
    N_("Cấm tiếp xúc do Chủ tịch UBND xã quyết định: tối đa 3 ngày"),
    valid_from=date(2023, 7, 1),
)
# Law 13/2022/QH15 Art. 26: a court's no-contact order lasts at most 4 months.
ORDER_COURT_MAX = Rule(
    "no_contact.court_max",
    4,
    "months",
    "Luật 13/2022/QH15, Điều 26",
    N_("Cấm tiếp xúc do Tòa án quyết định: tối đa 4 tháng"),
    valid_from=date(2023, 7, 1),
)
# Decree 76/2023/NĐ-CP Art. 18: each exception contact during an order lasts at most 4 hours.
EXCEPTION_MAX = Rule(
    "no_contact.exception_max",
    4,
    "hours",
    "Nghị định 76/2023/NĐ-CP, Điều 18",
    N_("Mỗi lần tiếp xúc không quá 4 giờ"),
    valid_from=date(2023, 8, 1),
)
# Law 53/2024/QH15 Art. 27: Sở Y tế verifies with the provincial police within 3 days of being notified.
VERIFICATION = Rule(
    "trafficking.verification",
    3,
    "days",
    "Luật 53/2024/QH15, Điều 27",
    N_("Xác minh nạn nhân với Công an tỉnh trong 3 ngày"),
    valid_from=date(2025, 7, 1),
)
# Decree 162/2025/NĐ-CP Art. 17: essential needs are supported for at most 120 days.
ESSENTIAL_NEEDS_MAX = Rule(
    "regime.essential_needs",
    120,
    "days",
    "Nghị định 162/2025/NĐ-CP, Điều 17",
    N_("Hỗ trợ nhu cầu thiết yếu tối đa 120 ngày"),
    valid_from=date(2025, 7, 1),
)

ORDER_MAX = {"commune_chair": ORDER_CHAIR_MAX, "court": ORDER_COURT_MAX}
REGIME_LIMITS = {"essential_needs": ESSENTIAL_NEEDS_MAX}
# An entitlement warns this long before its legal limit (a week: time to arrange what comes after).
ENTITLEMENT_WARNING = timedelta(days=7)
ORDER_WARNING = timedelta(days=1)  # "warns a day before it ends" (issue #16)

ALL = (ORDER_DECISION, ORDER_CHAIR_MAX, ORDER_COURT_MAX, EXCEPTION_MAX, VERIFICATION, ESSENTIAL_NEEDS_MAX)


def order_latest_end(decider: str, start: datetime) -> datetime:
    """The latest moment an order decided by `decider` and starting at `start` may run to."""
    return due_at(ORDER_MAX[decider], start)


def limit_end(regime: str, started_on: date) -> datetime | None:
    """When an entitlement started on `started_on` reaches its legal limit (None: the regime has none here).

    The start day counts as day 1: 120 days from 1 March end on 28 June at 23:59."""
    rule = REGIME_LIMITS.get(regime)
    if rule is None:
        return None
    from .. import clock

    return due_at(rule, clock.start_of_day(started_on - timedelta(days=1)))


def verification_due(notified_on: date) -> datetime:
    """Day 3 after Sở Y tế was notified, at 23:59 Việt Nam time."""
    from .. import clock

    return due_at(VERIFICATION, clock.start_of_day(notified_on))
