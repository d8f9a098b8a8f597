"""Plausibility warnings on a report's figures. They never block saving or sending: they are shown beside the
field to the person typing and to the reviewer, who decides. The hard errors (women ≤ total, a percentage
≤ 100, …) stay in rules.py and refuse the save.

What is checked, from what the system already holds about the unit:

* a count more than `factor`× the unit's figure of last year (the ActivityInfo complaint: a typo of one
  extra digit goes straight into the province's totals);
* in the update round, a full-year actual below the actual already reported in the preliminary round, or far
  from the preliminary full-year estimate; in the preliminary round, a full-year estimate below the actual
  to date;
* a count far above the unit's target (the year's target, else the phase's);
* a registry-derived (stock) figure that differs from the registry as it is now (the registry changed
  after the report was sent); for a district, a figure that differs from the sum of its communes'
  confirmed reports.

Thresholds: INDICATOR_PLAUSIBILITY in the config overrides PLAUSIBILITY below.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..units.queries import merged_ids, scope_ids
from ..web.filters import number
from . import plans, queries
from .forms import field_name
from .models import ReportingCycle, Submission
from .rules import percent

PLAUSIBILITY = {
    "factor": 3,  # more than 3× last year
    "estimate_tolerance": 0.5,  # an actual more than 50% away from the preliminary estimate
    "rate_points": 20,  # a rate more than 20 percentage points away from the preliminary estimate
    "target_margin": 2,  # more than twice the target
}


def settings() -> dict:
    return {**PLAUSIBILITY, **(current_app.config.get("INDICATOR_PLAUSIBILITY") or {})}


def derived_key(indicator) -> str:
    """Where the warning of a registry-derived figure is shown (its row in the registry table)."""
    return f"derived-{indicator.code}"


def _reports(unit_ids, level: str, year: int, round_: str | None = None) -> list[Submission]:
    stmt = (
        select(Submission)
        .join(ReportingCycle)
        .where(
            ReportingCycle.year == year,
            Submission.unit_id.in_(list(unit_ids)),
            Submission.level == level,
            Submission.status.in_(queries.COUNTED_STATUSES),
        )
    )
    if round_:
        stmt = stmt.where(ReportingCycle.round == round_)
    return list(db.session.scalars(stmt))


def _sum(subs, indicator_id: str, kind: str) -> tuple[int | None, int | None]:
    rows = [r for s in subs if (r := s.value(indicator_id, kind)) is not None]
    if not rows:
        return None, None
    denominators = [r.denominator for r in rows if r.denominator is not None]
    return sum(r.value for r in rows), (sum(denominators) if denominators else None)


def warnings(sub: Submission, typed: dict, communes: dict | None = None) -> dict[str, list[str]]:
    """{input name or derived key: [messages]} for the figures `typed` ({(indicator_id, kind): (value,
    denominator, breakdown)}, as on the form); `communes`: the district's sum of its communes' confirmed
    figures, in the same shape."""
    limits = settings()
    found: dict[str, list[str]] = {}
    # The unit and the old units merged into it: a new commune's last year is its predecessors' last year.
    units = merged_ids(sub.unit)
    year, unit = sub.cycle.year, sub.unit
    # Last year per unit: the update where sent (sorted last, so it wins), else the preliminary round.
    last_year = sorted(_reports(units, sub.level, year - 1), key=lambda s: s.cycle.round == "update")
    last = {s.unit_id: s for s in last_year}
    preliminary = _reports(units, sub.level, year, "preliminary") if sub.cycle.round == "update" else []
    year_book, phase_book = queries.TargetBook(year), queries.TargetBook(None)

    def add(key, message):
        found.setdefault(key, []).append(message)

    for ind in plans.cycle_indicators(sub.cycle):
        if ind.derived:
            continue
        for kind in ("actual", "estimate"):
            value, denominator, _parts = typed.get((ind.id, kind), (None, None, None))
            if value is None:
                continue
            key = field_name(ind, kind, "value")
            full_year = kind == "estimate" or sub.cycle.round == "update"
            if not ind.is_percent and full_year:
                before = _best_last_year(ind, list(last.values()))
                if before and value > limits["factor"] * before:
                    add(
                        key,
                        _(
                            "Gấp hơn %(n)s lần số năm trước (%(before)s): vui lòng kiểm tra lại.",
                            n=number(limits["factor"]),
                            before=number(before),
                        ),
                    )
                target = queries.target_for(ind, unit, year, year_book)
                target = target if target is not None else queries.target_for(ind, unit, None, phase_book)
                if target and value > limits["target_margin"] * target:
                    add(
                        key,
                        _(
                            "Vượt xa chỉ tiêu (%(target)s): gấp %(times)s lần.",
                            target=number(target),
                            times=number(round(value / target, 1)),
                        ),
                    )
            if kind == "estimate":
                actual = typed.get((ind.id, "actual"), (None,))[0]
                if not ind.is_percent and actual is not None and value < actual:
                    add(
                        key,
                        _(
                            "Số ước cả năm (%(value)s) nhỏ hơn số đã thực hiện (%(actual)s).",
                            value=number(value),
                            actual=number(actual),
                        ),
                    )
            elif preliminary:
                _against_preliminary(ind, value, denominator, preliminary, limits, lambda m, k=key: add(k, m))
            if communes is not None and (ind.id, kind) in communes:
                total, total_den, _parts = communes[(ind.id, kind)]
                if (value, denominator) != (total, total_den):
                    shown = _show((total, total_den))
                    add(key, _("Khác tổng các xã đã xác nhận (%(total)s).", total=shown))
    _stock(sub, communes, add)
    return found


def _best_last_year(ind, subs) -> int | None:
    """Last year's figure: the update's actual where sent, else the preliminary full-year estimate."""
    total = None
    for s in subs:
        row = s.value(ind.id, "actual") if s.cycle.round == "update" else s.value(ind.id, "estimate")
        if row is not None:
            total = (total or 0) + row.value
    return total


def _against_preliminary(ind, value, denominator, preliminary, limits, add) -> None:
    so_far, so_far_den = _sum(preliminary, ind.id, "actual")
    estimate, estimate_den = _sum(preliminary, ind.id, "estimate")
    if ind.is_percent:
        rate, expected = percent(value, denominator), percent(estimate, estimate_den)
        if rate is not None and expected is not None and abs(rate - expected) > limits["rate_points"]:
            add(_("Khác xa tỷ lệ ước trong báo cáo sơ bộ (%(rate)s%%).", rate=number(expected)))
        return
    if so_far is not None and value < so_far:
        add(_("Thấp hơn số đã báo cáo đến thời điểm báo cáo sơ bộ (%(before)s).", before=number(so_far)))
    elif estimate and abs(value - estimate) > limits["estimate_tolerance"] * estimate:
        add(_("Khác xa số ước cả năm trong báo cáo sơ bộ (%(estimate)s).", estimate=number(estimate)))


def _stock(sub: Submission, communes, add) -> None:
    """Registry-derived figures: as sent against the registry now; the district's against its communes'."""
    live = queries.registry_figures(scope_ids(sub.unit), queries.stock_day(sub.unit, sub.cycle.period_end))
    for ind in plans.cycle_indicators(sub.cycle):
        if not ind.derived or ind.code not in live:
            continue
        frozen = sub.value(ind.id, "actual") if not sub.is_editable else None
        shown = (frozen.value, frozen.denominator) if frozen is not None else live[ind.code]
        if frozen is not None and shown != live[ind.code]:
            add(
                derived_key(ind),
                _("Sổ mô hình hiện nay cho số khác (%(now)s): sổ đã thay đổi sau khi gửi.", now=_show(live[ind.code])),
            )
        if communes is not None and (ind.id, "actual") in communes:
            total = communes[(ind.id, "actual")][:2]
            if total != shown:
                add(derived_key(ind), _("Khác tổng các xã đã xác nhận (%(total)s).", total=_show(total)))


def _show(pair) -> str:
    value, denominator = pair
    return f"{number(value)}/{number(denominator)}" if denominator is not None else number(value)
