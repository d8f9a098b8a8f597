"""Scoped reads of the indicator module: which units a user covers, registry-derived figures, achieved vs
target per unit, the target cascade check and the review queue with lateness.

Roll-up through lineage: a unit's figures are summed over `scope_ids(unit)`, which holds its subtree and
the old communes merged into it. Rows recorded before the 2025 merger stay on the old commune (history
under the old names) and count for the new one.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import clock, valuesources
from ..extensions import db
from ..units.models import Unit
from ..units.queries import (
    ancestors,
    in_force_as,
    merged_ids,
    merged_olds,
    nearest_of_kind,
    offered,
    scope_for,
    scope_ids,
)
from .models import IndicatorDef, IndicatorTarget, RegistryEntry, ReportingCycle, Submission
from .rules import DISAGGREGATION_OPTIONS

COUNTED_STATUSES = ("submitted", "confirmed", "locked")  # drafts and returned reports do not count yet
VIEW_ROLES = ("monitor", "district_reviewer", "reporter", "counsellor", "admin")


def receiving_unit(sub: Submission) -> Unit | None:
    """The unit a report goes to: the nearest unit above its unit that exists in the cycle's period, whatever the
    plan's shape. Since 1/7/2025 there is no district (legal-2026.md §1: communes report straight to the
    province): a commune whose tree still names the abolished district reports to the province in a 2026 round,
    while in 2024 and 2025 (the district existed on days of those periods) it reports to the district."""
    start, end = sub.cycle.period_start, sub.cycle.period_end
    above = sub.unit.parent
    while above is not None and not above.exists_between(start, end):
        above = above.parent
    return above


def district_in_period(cycle: ReportingCycle, root: Unit) -> bool:
    """Whether the reports seen from `root` pass through a district in the cycle's period: the plan has the district
    as its middle level and a district above or under `root` exists on some day of the period. So a 2026 round of a
    plan that kept the 2022 shape says "hạn xã gửi tỉnh" (no district since 1/7/2025, legal-2026.md §1), and a 2025
    round of the old communes still says "hạn xã gửi huyện"."""
    if cycle.plan is not None and not cycle.plan.middle_level:
        return False
    start, end = cycle.period_start, cycle.period_end
    above = [u for u in ancestors(root) if u.kind == "district"]
    below = db.session.scalars(select(Unit).where(Unit.id.in_(list(scope_ids(root))), Unit.kind == "district"))
    return any(u.exists_between(start, end) for u in [*above, *below])


def reviews(user, sub: Submission) -> bool:
    """Whether `user` confirms (or returns) `sub`: a reviewer of a unit strictly above the report's whose scope
    holds the unit the report goes to (receiving_unit).

    A reviewer never confirms a report of their own unit (nor of the old units merged into it): the district
    reviewer at 099 confirms its communes' reports of 2021-2025, never a 2026 report, which goes to the province;
    the province reviewer at 11 confirms the district's report and the reports of the communes under it.
    """
    receiver = receiving_unit(sub)
    for assignment in user.roles:
        if assignment.role != "district_reviewer":
            continue
        ids = scope_ids(assignment.unit)
        if sub.unit_id in ids - merged_ids(assignment.unit) and (receiver is None or receiver.id in ids):
            return True
    return False


def root_unit(user) -> Unit | None:
    """The unit whose figures the user sees first: the widest unit of their indicator roles.

    A counsellor's unit is a trusted address: they see its commune.
    """
    for role in VIEW_ROLES:
        for unit in user.units_for(role):
            if role == "counsellor":
                return nearest_of_kind(unit, ("commune",)) or unit
            return unit
    return None


def indicators(plan=None) -> list[IndicatorDef]:
    """The indicators of `plan` (by default the plan of this year, see plans.for_year), in the plan's order."""
    from . import plans

    return plans.indicators(plan or plans.current())


# --- registry-derived figures ----------------------------------------------------------------------------


def stock_day(unit: Unit, end: date) -> date:
    """The day a unit's registry stock is counted on for a period ending on `end`: the period end, or the unit's
    last day when it ended before (an old commune's 2025 report counts its models of 30/06/2025; after that day
    they stand under its successor, see standing_entries)."""
    return unit.valid_to if unit.valid_to is not None and unit.valid_to < end else end


def active_entries(units, day: date) -> list[RegistryEntry]:
    """The models active at `day` that stand in `units` on that day (standing_entries)."""
    rows = db.session.scalars(
        select(RegistryEntry).where(RegistryEntry.unit_id.in_(list(units)), RegistryEntry.founded_on <= day)
    )
    return standing_entries([e for e in rows if e.active_on(day)], units, day)


def entry_stands_in(entry: RegistryEntry, day: date) -> str:
    """The unit a model stands in on `day` through the lineage (units.queries.in_force_as): a trusted address model
    where its address is (TA-02 until 30/06/2025, 2025-TA-02 after), any other model where its commune is (the
    old commune, then the new one it was merged into)."""
    return in_force_as(entry.address_unit_id or entry.unit_id, day)


def standing_entries(entries: list[RegistryEntry], units, day: date) -> list[RegistryEntry]:
    """The models of `entries` that stand in `units` on `day` (entry_stands_in), a trusted address once: the
    address registered under its old commune and again as its successor is one address. So a model of a commune
    merged on 1/7/2025 never counts under the abolished district or its old commune after 30/06/2025, and counts
    under them before."""
    units = set(units)
    kept, addresses = [], set()
    for entry in sorted(entries, key=lambda e: (e.founded_on, e.id)):
        where = entry_stands_in(entry, day)
        if where not in units:
            continue
        if entry.kind == "trusted_address" and entry.address_unit_id:
            if where in addresses:
                continue
            addresses.add(where)
        kept.append(entry)
    return kept


def registry_figures(
    units, day: date, entries: list[RegistryEntry] | None = None, inds=None
) -> dict[str, tuple[int, int | None]]:
    """{indicator code: (value, denominator)} derived from the models active at `day` in `units` (standing there
    on that day, each trusted address once)."""
    entries = active_entries(units, day) if entries is None else standing_entries(entries, units, day)
    figures: dict[str, tuple[int, int | None]] = {}
    for ind in inds if inds is not None else indicators():
        if ind.kind == "stock" and ind.model_kind:
            chosen = [e for e in entries if e.kind == ind.model_kind and (ind.code != "CT2.3" or e.applies_gals)]
            figures[ind.code] = (len(chosen), None)
    savings = [e for e in entries if e.kind == "savings_group"]
    members = sum(e.members_total for e in savings)
    figures["CT2.1"] = (sum(e.members_linked_finance for e in savings), members)
    figures["CT2.2"] = (sum(e.members_livelihood for e in savings), members)
    return figures


def counted_figures(
    inds, units, start: date, end: date, entries: list[RegistryEntry] | None = None, stock_on: date | None = None
) -> dict:
    """{code: (value, denominator)} of the indicators that are counted, not typed: the registry's stock at `end`
    (or `stock_on`, see stock_day), and the value sources' figures over start..end (registered by other areas, see
    app.valuesources)."""
    values = counted_values(inds, units, start, end, entries, stock_on)
    return {code: (value, denominator) for code, (value, denominator, _parts) in values.items()}


def counted_values(
    inds, units, start: date, end: date, entries: list[RegistryEntry] | None = None, stock_on: date | None = None
) -> dict:
    """{code: (value, denominator, breakdown)}: counted_figures with the breakdown a value source gives (e.g. an
    event register's participants by sex and by ethnic group), kept for the dimensions the indicator is
    disaggregated by and the options a report has (the registry's stock carries none)."""
    values: dict[str, tuple[int | None, int | None, dict]] = {
        code: (v, d, {}) for code, (v, d) in registry_figures(units, stock_on or end, entries, inds).items()
    }
    for ind in inds:
        if ind.source and valuesources.get(ind.source) is not None:
            found = valuesources.compute(ind.source, units, start, end)
            values[ind.code] = (found.value, found.denominator, disaggregated(ind, found.breakdown))
    return values


def disaggregated(ind: IndicatorDef, breakdown: dict | None) -> dict:
    """The parts of `breakdown` a report of `ind` carries: its disaggregations, with the report's options."""
    kept = {}
    for dim in ind.disaggregation or []:
        options = dict(DISAGGREGATION_OPTIONS.get(dim, ()))
        parts = {o: int(n) for o, n in ((breakdown or {}).get(dim) or {}).items() if o in options and n is not None}
        if parts:
            kept[dim] = parts
    return kept


def registry_totals(units, day: date, entries: list[RegistryEntry] | None = None) -> dict:
    """Per registry kind: models active, members, women, ethnic-minority members, meetings held (from
    `entries`, the active models of a wider scope read once, when given)."""
    totals: dict[str, dict] = {}
    entries = active_entries(units, day) if entries is None else standing_entries(entries, units, day)
    for e in entries:
        t = totals.setdefault(e.kind, {"count": 0, "members": 0, "women": 0, "ethnic_minority": 0, "meetings": 0})
        t["count"] += 1
        t["members"] += e.members_total
        t["women"] += e.members_women
        t["ethnic_minority"] += e.members_ethnic_minority
        t["meetings"] += e.meetings_held
    return totals


# --- reported figures ----------------------------------------------------------------------------------


def counted_submissions(year: int, units, plan=None) -> list[Submission]:
    query = (
        select(Submission)
        .join(ReportingCycle)
        .where(
            ReportingCycle.year == year,
            Submission.unit_id.in_(list(units)),
            Submission.status.in_(COUNTED_STATUSES),
            Submission.level == "commune",
        )
    )
    if plan is not None:
        query = query.where(ReportingCycle.plan_id == plan.id)
    return list(db.session.scalars(query))


@dataclass
class Reported:
    """A figure summed over the units' reports: value, denominator, breakdown, and whether it is provisional."""

    value: int | None = None
    denominator: int | None = None
    provisional: bool = False
    breakdown: dict = field(default_factory=dict)

    def add(self, sub: Submission, row) -> None:
        self.value = (self.value or 0) + row.value
        if row.denominator is not None:
            self.denominator = (self.denominator or 0) + row.denominator
        for dim, parts in (row.breakdown or {}).items():
            into = self.breakdown.setdefault(dim, {})
            for option, number in parts.items():
                into[option] = into.get(option, 0) + int(number or 0)
        self.provisional |= sub.status == "submitted" or row.value_kind == "estimate"


def reported_figure(indicator: IndicatorDef, subs: list[Submission]) -> Reported:
    """The units' best reports of the year, added up (with their breakdowns).

    Per unit: the update round's actual if sent, else the sum of its quarterly reports' actuals (a plan that
    reports by quarter), else the preliminary estimate for the full year. The figure is provisional while any
    report counted is an estimate or not yet confirmed.
    """
    quarters: dict[str, list[Submission]] = {}
    for sub in subs:
        if sub.cycle.round == "quarter":
            quarters.setdefault(sub.unit_id, []).append(sub)
    if quarters and not any(s.cycle.round == "update" for s in subs):
        return _quarter_sum(indicator, quarters)
    best: dict[str, Submission] = {}
    for sub in (s for s in subs if s.cycle.round != "quarter"):
        current = best.get(sub.unit_id)
        if current is None or (sub.cycle.round == "update" and current.cycle.round != "update"):
            best[sub.unit_id] = sub
    found = Reported()
    for sub in best.values():
        kinds = ("actual",) if sub.cycle.round == "update" else ("estimate", "actual")
        row = next((sub.value(indicator.id, k) for k in kinds if sub.value(indicator.id, k) is not None), None)
        if row is not None:
            found.add(sub, row)
    return found


def _quarter_sum(indicator: IndicatorDef, quarters: dict) -> Reported:
    """The year so far from quarterly reports: counts add up; a stock is the latest quarter's figure."""
    found = Reported()
    for subs in quarters.values():
        rows = [(s, s.value(indicator.id, "actual")) for s in sorted(subs, key=lambda s: s.cycle.period)]
        rows = [(s, r) for s, r in rows if r is not None]
        if indicator.kind == "stock":
            rows = rows[-1:]
        for sub, row in rows:
            found.add(sub, row)
    return found


def locking_report(unit_id: str, day: date) -> Submission | None:
    """The commune's sent report that counted `day` (its period covers the day, sent on or after it), while no
    report covering the day is returned for correction; None when the day is open.

    The report is the commune's that holds `unit_id` in its scope (a commune merged in 2025 reports under its
    successor). A preliminary round sent on 5/9 locks the days up to 5/9 only: the rest of the year is still to
    be recorded and counted by the update round."""
    return locking_reports({(unit_id, day)}).get((unit_id, day))


def locking_reports(pairs: set[tuple[str, date]]) -> dict[tuple[str, date], Submission]:
    """locking_report for each (unit id, day) of a list at once: the reports of each year are read once."""
    found: dict[tuple[str, date], Submission] = {}
    scopes: dict[str, frozenset[str]] = {}
    for year in {day.year for _, day in pairs}:
        subs = list(
            db.session.scalars(
                select(Submission)
                .join(ReportingCycle)
                .where(
                    ReportingCycle.year == year,
                    Submission.level == "commune",
                    Submission.status.in_((*COUNTED_STATUSES, "returned")),
                )
            )
        )
        for sub in subs:
            scopes.setdefault(sub.id, frozenset(scope_ids(sub.unit)))
        for unit_id, day in pairs:
            if day.year != year:
                continue
            covering = [
                s for s in subs if s.cycle.period_start <= day <= s.cycle.period_end and unit_id in scopes[s.id]
            ]
            if any(s.status == "returned" for s in covering):
                continue
            sent = [(s, s.submitted_at) for s in covering if s.submitted_at is not None]
            sent = [(s, at) for s, at in sent if day <= clock.local_date(at)]
            if sent:
                found[(unit_id, day)] = min(sent, key=lambda pair: pair[1])[0]
    return found


# --- targets ---------------------------------------------------------------------------------------------


class TargetBook:
    """Every target of one period and the lineage, read once: a page asks for hundreds of them."""

    def __init__(self, year: int | None):
        year_clause = IndicatorTarget.year.is_(None) if year is None else IndicatorTarget.year == year
        self.values = {
            (t.indicator_id, t.unit_id): t.value for t in db.session.scalars(select(IndicatorTarget).where(year_clause))
        }
        self.olds = merged_olds()
        self.year = year

    def target(self, indicator: IndicatorDef, unit_id: str, kind: str) -> int | None:
        """The unit's own target; for a new commune without one, its predecessors' targets added up; for the
        plan's district (or the province above it) without one, the plan's phase target."""
        value = self.values.get((indicator.id, unit_id))
        if value is not None:
            return value
        if kind == "commune" and not indicator.is_percent:
            olds = [self.values.get((indicator.id, old)) for old in self.olds.get(unit_id, [])]
            if any(v is not None for v in olds):
                return sum(v or 0 for v in olds)
        if self.year is None and kind in ("district", "province"):
            return indicator.phase_target
        return None


def target_for(indicator: IndicatorDef, unit: Unit, year: int | None, book: TargetBook | None = None) -> int | None:
    """The target of `unit` for `year` (None: the phase); see TargetBook.target."""
    return (book or TargetBook(year)).target(indicator, unit.id, unit.kind)


@dataclass
class CascadeCheck:
    indicator: IndicatorDef
    parent_target: int | None
    commune_sum: int | None
    per_commune: dict = field(default_factory=dict)  # unit id -> target

    @property
    def state(self) -> str:
        """ "ok", "under", "over", "empty" (no commune targets) or "rate" (percentages do not add up)."""
        if self.indicator.is_percent:
            return "rate"
        if self.commune_sum is None or self.parent_target is None:
            return "empty"
        if self.commune_sum == self.parent_target:
            return "ok"
        return "under" if self.commune_sum < self.parent_target else "over"

    @property
    def gap(self) -> int:
        return (self.parent_target or 0) - (self.commune_sum or 0)


def cascade(parent: Unit, communes: list[Unit], year: int | None, plan=None) -> list[CascadeCheck]:
    """For each indicator: the parent's target against the sum of its communes' targets."""
    checks, book = [], TargetBook(year)
    for ind in indicators(plan):
        per = {c.id: target_for(ind, c, year, book) for c in communes}
        given = [v for v in per.values() if v is not None]
        checks.append(CascadeCheck(ind, target_for(ind, parent, year, book), sum(given) if given else None, per))
    return checks


# --- communes and the review queue ------------------------------------------------------------------------


def communes_of(root: Unit, day: date) -> list[Unit]:
    """The communes under `root` that exist on `day`; when none does (a unit closed in 2025), all of them."""
    ids = scope_ids(root)
    rows = list(
        db.session.scalars(select(Unit).where(Unit.id.in_(list(ids)), Unit.kind == "commune").order_by(Unit.code))
    )
    if root.kind == "commune":
        rows = [root]
    current = [u for u in rows if u.is_current(day)]
    return current or rows


def communes_offered(root: Unit, day: date, start: date, end: date) -> list[Unit]:
    """The communes of communes_of(root, day) that a picker or a grid to fill offers for the period start..end:
    never one that had ended before it began, nor one formed after it ended. For 2026 the abolished district
    has none to offer, although its old communes stay the lines of its figures (their trusted addresses' cases
    still count there); its history is reached by choosing an earlier year."""
    return offered(communes_of(root, day), start, end)


@dataclass
class QueueRow:
    unit: Unit
    submission: Submission | None
    due_on: date
    late_days: int  # days after the deadline (submitted late, or still not submitted)

    @property
    def state(self) -> str:
        return self.submission.status if self.submission else "not_started"


def lateness(sub: Submission | None, due_on: date, today: date) -> int:
    """Days late: the first sending counts (a report sent on time and returned is not late); unsent
    reports are late from the day after the deadline ("trước ngày" is read as "on or before")."""
    if sub is not None and sub.first_submitted_at is not None:
        return max(0, (clock.local_date(sub.first_submitted_at) - due_on).days)
    return max(0, (today - due_on).days)


def expected_communes(cycle: ReportingCycle, root: Unit) -> list[Unit]:
    """The communes under `root` that report in the cycle: those of communes_of(root, deadline) that exist on
    some day of the cycle's period (Unit.exists_between). A commune merged on 1/7/2025 is still expected for
    2024 and 2025 (it existed in them), never for 2026: the abolished district's 2026 queue is empty."""
    return [
        c for c in communes_of(root, cycle.commune_due_on) if c.exists_between(cycle.period_start, cycle.period_end)
    ]


def queue(cycle: ReportingCycle, root: Unit, today: date | None = None) -> list[QueueRow]:
    """Every commune under `root` expected to report in the cycle (expected_communes): its report (or none), the
    deadline and days late."""
    today = today or clock.today()
    due = cycle.commune_due_on
    communes = expected_communes(cycle, root)
    subs = {
        s.unit_id: s
        for s in db.session.scalars(
            select(Submission).where(Submission.cycle_id == cycle.id, Submission.unit_id.in_([c.id for c in communes]))
        )
    }
    return [QueueRow(c, subs.get(c.id), due, lateness(subs.get(c.id), due, today)) for c in communes]


@dataclass
class CommuneLine:
    """One line of the province's view of a cycle: a commune as it exists today, with its own report (if it
    existed on the deadline) and, folded in, the reports of the old communes merged into it (never counted as
    late: a commune that no longer exists sends nothing more)."""

    unit: Unit
    own: QueueRow | None = None
    merged: list[QueueRow] = field(default_factory=list)

    @property
    def rows(self) -> list[QueueRow]:
        return ([self.own] if self.own else []) + self.merged

    @property
    def late_days(self) -> int:
        return self.own.late_days if self.own else 0

    @property
    def state(self) -> str:
        """The own report's state; for a line of merged communes only, the least advanced of theirs."""
        if self.own is not None:
            return self.own.state
        return min(
            (r.state for r in self.merged), key=lambda s: URGENCY.index(s) if s in URGENCY else 0, default="not_started"
        )

    @property
    def urgency(self) -> tuple:
        """Late first, then missing, returned, drafts, sent, confirmed."""
        late = self.late_days > 0 and self.state in ("not_started", "draft", "returned")
        return (
            0 if late else 1,
            URGENCY.index(self.state) if self.state in URGENCY else 0,
            -self.late_days,
            self.unit.name,
        )


URGENCY = ("not_started", "returned", "draft", "submitted", "confirmed", "locked")


def province_view(cycle: ReportingCycle, root: Unit, today: date | None = None) -> list[CommuneLine]:
    """Every commune's report of the cycle, late and missing first; a commune merged since the deadline is shown
    once, inside the line of the commune that succeeded it, with its report's state and no days late."""
    today = today or clock.today()
    successor = {old: new for new, olds in merged_olds().items() for old in olds}
    lines: dict[str, CommuneLine] = {}
    for row in queue(cycle, root, today):
        new_id = successor.get(row.unit.id)
        if row.unit.is_current(today) or new_id is None:
            lines.setdefault(row.unit.id, CommuneLine(row.unit)).own = row
            continue
        while new_id in successor and not _unit(new_id).is_current(today):
            new_id = successor[new_id]  # merged again later: shown under the commune that exists today
        if row.submission is None or row.submission.first_submitted_at is None:
            row.late_days = 0  # never sent before the merger: nothing more will come, it is not "late" for ever
        lines.setdefault(new_id, CommuneLine(_unit(new_id))).merged.append(row)
    return sorted(lines.values(), key=lambda line: line.urgency)


def _unit(unit_id: str) -> Unit:
    found = db.session.get(Unit, unit_id)
    assert found is not None, unit_id
    return found


def district_queue(cycle: ReportingCycle, root: Unit, today: date | None = None) -> list[QueueRow]:
    """The district reports of the cycle under `root` (a district's own, a province's districts): the report
    (or none), the district deadline and days late. A district that no longer exists on its deadline (after
    the 2025 reform) has no report to send."""
    today = today or clock.today()
    due = cycle.district_due_on
    districts = [
        u
        for u in db.session.scalars(
            select(Unit).where(Unit.id.in_(list(scope_ids(root))), Unit.kind == "district").order_by(Unit.code)
        )
        if u.is_current(due)
    ]
    subs = {
        s.unit_id: s
        for s in db.session.scalars(
            select(Submission).where(Submission.cycle_id == cycle.id, Submission.unit_id.in_([d.id for d in districts]))
        )
    }
    return [QueueRow(d, subs.get(d.id), due, lateness(subs.get(d.id), due, today)) for d in districts]


def cycles(plan=None) -> list[ReportingCycle]:
    """The cycles (of `plan`, when given), the latest first."""
    query = select(ReportingCycle).order_by(
        ReportingCycle.year.desc(), ReportingCycle.period.desc(), ReportingCycle.round.desc()
    )
    if plan is not None:
        query = query.where(ReportingCycle.plan_id == plan.id)
    return list(db.session.scalars(query))


def submission_for(user, submission_id: str) -> Submission | None:
    """A report, only if it belongs to a unit the user covers as reporter, reviewer or administrator."""
    units = scope_for(user, "reporter", "district_reviewer", "admin")
    return db.session.scalar(select(Submission).where(Submission.id == submission_id, Submission.unit_id.in_(units)))


def maintained_units(user, day: date) -> frozenset[str]:
    """The units whose models `user` keeps up on `day`: the scopes of their reporter roles at units in force that day.
    A role left on a unit that has ended (the district abolished on 1/7/2025, an old commune) maintains nothing
    any more; what its models became is kept up by the successor's reporter (their scope holds the old units)."""
    ids: set[str] = set()
    for assignment in user.roles:
        if assignment.role == "reporter" and assignment.unit.is_current(day):
            ids |= scope_ids(assignment.unit)
    return frozenset(ids)


def maintains(user, entry: RegistryEntry, day: date, units: frozenset[str] | None = None) -> bool:
    """Whether `user` may update `entry` on `day`: the unit it stands in that day (entry_stands_in: its commune, or
    the commune's successor after a merger) exists and is one they maintain (maintained_units)."""
    where = db.session.get(Unit, entry_stands_in(entry, day))
    units = maintained_units(user, day) if units is None else units
    return where is not None and where.is_current(day) and where.id in units


def registry_for(user, entry_id: str) -> RegistryEntry | None:
    units = scope_for(user, "reporter", "district_reviewer")
    return db.session.scalar(
        select(RegistryEntry).where(RegistryEntry.id == entry_id, RegistryEntry.unit_id.in_(units))
    )
