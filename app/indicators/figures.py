"""The figures of the dashboard and of the Excel report, computed once so that both show the same numbers.

For each indicator: the target and the achievement of the whole unit (district, province or commune) and
of each commune under it, with the rate. Stock indicators and the savings-group shares come from the
registry at the period end; the other indicators from the communes' reports of the year.
"""

from dataclasses import dataclass, field
from datetime import date

from ..units.models import Unit
from ..units.queries import scope_ids
from . import formula, queries
from .models import IndicatorDef
from .rules import percent


@dataclass
class Figure:
    unit: Unit
    target: int | None
    value: int | float | None  # the count, or the numerator of a percentage; a formula may give a fraction
    denominator: int | None = None
    provisional: bool = False
    breakdown: dict = field(default_factory=dict)  # {dimension: {option: n}}, where the indicator is disaggregated

    @property
    def achieved(self) -> float | int | None:
        """What is shown as achieved: the count, or the percentage for a percentage indicator."""
        if self.denominator is not None:
            return percent(self.value, self.denominator)
        return self.value

    @property
    def rate(self) -> float | None:
        """Achievement against the target, in percent."""
        achieved = self.achieved
        if achieved is None or not self.target:
            return None
        return round(100 * achieved / self.target, 1)


@dataclass
class IndicatorFigures:
    indicator: IndicatorDef
    total: Figure
    communes: list[Figure] = field(default_factory=list)

    @property
    def lines(self) -> list[Figure]:
        """The total, then each commune; a commune's own report has no commune below it (no second line)."""
        return [self.total, *(f for f in self.communes if f.unit.id != self.total.unit.id)]


@dataclass
class Report:
    root: Unit
    year: int
    period_end: date
    target_year: int | None  # None: the phase targets are shown
    rows: list[IndicatorFigures]
    communes: list[Unit]
    plan: object = None  # the IndicatorPlan the figures are of


def build(root: Unit, year: int, *, target_year: int | None = None, only: Unit | None = None, plan=None) -> Report:
    """All figures of `root` (or only of the commune `only`) for `year`, against the year's plan (or `plan`)."""
    from . import plans

    plan = plan or plans.for_year(year)
    start, period_end = date(year, 1, 1), date(year, 12, 31)
    focus = only or root
    inds = plans.indicators(plan, start, period_end)  # those in force in the year
    if not focus.exists_between(start, period_end):
        # A unit that does not exist in the year (the district abolished on 1/7/2025, asked about 2026) has no
        # figures of that year and no commune lines: what was recorded there is counted under its successors.
        book = queries.TargetBook(target_year)
        rows = [IndicatorFigures(ind, Figure(focus, queries.target_for(ind, focus, year, book), None)) for ind in inds]
        return Report(focus, year, period_end, target_year, rows, [], plan)
    # the lines: the communes that exist in the year (none of those merged away before it began)
    communes = (
        [only]
        if only is not None
        else [c for c in queries.communes_of(root, period_end) if c.exists_between(start, period_end)]
    )
    all_units = scope_ids(focus)
    subs = queries.counted_submissions(year, all_units, plan)
    units = [(focus, all_units)] + [(c, scope_ids(c)) for c in communes]
    # the registry's stock on each line's day (a unit that ended in the year: its last day, queries.stock_day)
    days = {u.id: queries.stock_day(u, period_end) for u, _ids in units}
    entries = {day: queries.active_entries(all_units, day) for day in set(days.values())}
    registry = {
        u.id: queries.counted_values(inds, ids, start, period_end, entries[days[u.id]], stock_on=days[u.id])
        for u, ids in units
    }
    rows, book = [], queries.TargetBook(target_year)
    for ind in inds:
        total, *per = [_figure(ind, u, ids, registry[u.id], subs, book) for u, ids in units]
        rows.append(IndicatorFigures(ind, total, per))
    _formulas(rows)
    return Report(focus, year, period_end, target_year, rows, communes, plan)


def _formulas(rows: list[IndicatorFigures]) -> None:
    """Fill the computed indicators of each line from the other indicators' figures of the same line."""
    computed = [(r, r.indicator.formula) for r in rows if r.indicator.formula]
    for position in range(len(rows[0].lines) if rows else 0):
        values = {r.indicator.code: r.lines[position].achieved for r in rows if not r.indicator.formula}
        for row, text in computed:
            figure = row.lines[position]
            figure.value = formula.evaluate(text, values)
            values[row.indicator.code] = figure.value


def _figure(ind, unit, units, registry, subs, book) -> Figure:
    target = queries.target_for(ind, unit, book.year, book)
    if ind.formula:
        return Figure(unit, target, None)  # filled from the other figures (see _formulas)
    if ind.derived:
        value, denominator, breakdown = registry.get(ind.code, (None, None, {}))
        return Figure(unit, target, value, denominator, breakdown=breakdown)
    found = queries.reported_figure(ind, [s for s in subs if s.unit_id in units])
    denominator = found.denominator
    if ind.is_percent and found.value is not None and denominator is None:
        denominator = 0
    breakdown = queries.disaggregated(ind, found.breakdown)
    return Figure(unit, target, found.value, denominator if ind.is_percent else None, found.provisional, breakdown)
