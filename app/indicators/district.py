"""The district's own report to the province.

The district (the district Women's Union officer, role `reporter` at the district unit) reports for each
cycle to the province, like a commune reports to the district: the same form, the same validation, the same
states, against the district's deadline (10/9 and 25/1). Its figures start as the sum of its communes'
*confirmed* reports of the same cycle, which the officer reviews and may correct before sending; the
registry-derived figures are frozen at sending, as for a commune. The province reviewer (role
`district_reviewer` at unit 11) confirms or returns it.

After the 2025 reform there is no district: a district that no longer exists on the cycle's district
deadline has no report, and the new communes report straight to the province.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import services as audit
from ..extensions import db
from ..services import ensure
from ..units.models import Unit
from ..units.queries import scope_ids
from . import queries
from .models import ReportingCycle, Submission, SubmissionValue
from .plans import cycle_indicators, ensure_open

CONFIRMED = ("confirmed", "locked")


def has_report(cycle: ReportingCycle, unit: Unit) -> bool:
    """Whether `unit` files a district report in `cycle`: a district that exists on the district deadline."""
    return unit.kind == "district" and unit.is_current(cycle.district_due_on)


@dataclass
class Coverage:
    """Which communes of the district the figures are built from."""

    communes: list[Unit]
    confirmed: list[Submission] = field(default_factory=list)

    @property
    def pending(self) -> list[Unit]:
        done = {s.unit_id for s in self.confirmed}
        return [c for c in self.communes if c.id not in done]


def coverage(cycle: ReportingCycle, district: Unit) -> Coverage:
    """The district's communes for the cycle and their confirmed (or locked) reports."""
    communes = queries.expected_communes(cycle, district)
    subs = db.session.scalars(
        select(Submission).where(
            Submission.cycle_id == cycle.id,
            Submission.level == "commune",
            Submission.status.in_(CONFIRMED),
            Submission.unit_id.in_(list(scope_ids(district))),
        )
    ).all()
    return Coverage(communes, sorted(subs, key=lambda s: s.unit.code))


def aggregate(subs: list[Submission]) -> dict:
    """{(indicator_id, kind): (value, denominator, breakdown)} summed over the reports: counts, the numerators
    and denominators of percentages, and every disaggregation option."""
    sums: dict = {}
    for sub in subs:
        for row in sub.values:
            value, denominator, breakdown = sums.get((row.indicator_id, row.value_kind), (0, None, {}))
            if row.denominator is not None:
                denominator = (denominator or 0) + row.denominator
            for dim, parts in (row.breakdown or {}).items():
                into = breakdown.setdefault(dim, {})
                for option, number in parts.items():
                    into[option] = into.get(option, 0) + (number or 0)
            sums[(row.indicator_id, row.value_kind)] = (value + row.value, denominator, breakdown)
    return sums


def prefill(sub: Submission, *, actor) -> Coverage:
    """Put the sum of the communes' confirmed figures into the district's report (typed figures only);
    what the officer typed before is replaced."""
    ensure(sub.level == "district", _l("Chỉ báo cáo của huyện mới tổng hợp từ báo cáo các xã."))
    ensure(sub.is_editable, _l("Báo cáo đã gửi hoặc đã khóa, không sửa được."))
    ensure_open(sub.cycle.plan)
    found = coverage(sub.cycle, sub.unit)
    sums = aggregate(found.confirmed)
    for ind in cycle_indicators(sub.cycle):
        if ind.derived:
            continue  # frozen from the registry when the report is sent
        for kind in ("actual", "estimate"):
            row = sub.value(ind.id, kind)
            if (ind.id, kind) not in sums:
                if row is not None:
                    sub.values.remove(row)
                continue
            if row is None:  # rows are updated in place: the (report, indicator, kind) key stays unique
                row = SubmissionValue(indicator_id=ind.id, indicator=ind, value_kind=kind)
                sub.values.append(row)
            row.value, row.denominator, row.breakdown = sums[(ind.id, kind)]
    db.session.flush()
    audit.record(
        actor,
        "indicator.submission_prefill",
        sub,
        detail={"communes": len(found.communes), "confirmed": len(found.confirmed)},
    )
    return found
