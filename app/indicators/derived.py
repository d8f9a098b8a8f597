"""Case-derived figures, computed from the case, livelihood and referral records (never typed), with
small-cell suppression.

Three tables, for the units of a scope and one calendar year:

1. survivors supported by trusted addresses, by kind of case (rows: trusted addresses; columns: kinds;
   row totals, column totals, grand total). A case counts when it was open at some time in the year;
2. trafficking survivors with livelihood support, and the amounts disbursed (rows: communes): cases of
   kind trafficking or both with a disbursement paid in the year, and the sum of those disbursements;
3. referrals sent and completed, by receiving agency (rows: agencies; columns: sent in the year by the
   units, i.e. from a case of theirs at the time, and of those, completed). Completed is part of sent, so
   there are column totals but no row totals.

Suppression method (statistical disclosure control, applied per viewer):

* a cell is *known* to the viewer when every unit whose cases it counts is inside the viewer's counsellor
  scope: case workers of a unit see their own figures in clear; nobody else does (monitor, reviewers,
  reporters and counsellors of other units);
* primary suppression: every cell that is not known and is below SMALL_CELL_THRESHOLD (zero included)
  shows "<5" (the threshold);
* secondary (complementary) suppression: the table is a set of additive *lines* (each row with its total,
  each column with its total, the row totals with the grand total, the column totals with the grand total).
  While some line holds exactly one hidden cell, a total minus the visible cells would give it back, so the
  smallest visible, not-known cell of that line is hidden too (a total if nothing else is left). Hidden
  complementary cells show "x";
* interval check: in a line whose total is visible, the hidden cells must add up to the difference; with
  the bounds a reader knows (a "<5" cell lies in 0..4, an "x" cell is at least 5), a cell could still be
  pinned to one value (two "<5" cells adding up to 8 are both 4). Such a line gets one more hidden cell;
* money follows people: a disbursed amount is hidden whenever the count of its row is hidden, and the
  total amount whenever the total count is.

The loop ends because every step hides one more cell. What it does not cover: differencing across two
separately published tables of overlapping scopes (e.g. this year against the phase); every table here is
published for one scope and one year only, and the commune view is always a row of the district view.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from .. import clock
from ..cases import tally
from ..cases.models import Case, StatTally, in_statistics, out_of_statistics
from ..extensions import db
from ..livelihood.models import Disbursement, LivelihoodPlan
from ..referrals.models import Referral
from ..units.models import Unit
from ..units.queries import fold_into_successors, scope_ids

KIND_LABELS = {"dv": _l("Bạo lực gia đình"), "trafficking": _l("Mua bán người"), "both": _l("Cả hai")}
NO_DATA = _l("chưa có dữ liệu")


@dataclass(eq=False)
class Cell:
    value: int
    units: frozenset  # the units whose cases the cell counts
    state: str = "shown"  # shown, small (primary), hidden (complementary)
    known: bool = False

    @property
    def suppressed(self) -> bool:
        return self.state != "shown"


@dataclass
class Table:
    key: str
    title: str
    row_labels: list
    col_labels: list
    cells: list  # rows of Cells
    col_totals: list
    row_totals: list | None = None
    grand: Cell | None = None
    amounts: list | None = None  # per row: (amount, Cell it follows) for the livelihood table
    amount_total: int | None = None
    available: bool = True

    def lines(self) -> list[list[Cell]]:
        """Every additive relation of the table, the total last."""
        lines = []
        for i, row in enumerate(self.cells):
            if self.row_totals is not None:
                lines.append([*row, self.row_totals[i]])
        for j, total in enumerate(self.col_totals):
            lines.append([row[j] for row in self.cells] + [total])
        if self.row_totals is not None and self.grand is not None:
            lines.append([*self.row_totals, self.grand])
            lines.append([*self.col_totals, self.grand])
        return lines

    def all_cells(self) -> list[Cell]:
        cells = [c for row in self.cells for c in row] + list(self.col_totals)
        cells += list(self.row_totals or []) + ([self.grand] if self.grand is not None else [])
        return cells

    def show(self, cell: Cell) -> str:
        """What a viewer reads in the cell."""
        if cell.state == "small":
            return f"<{threshold()}"
        if cell.state == "hidden":
            return "x"
        return str(cell.value)

    def show_amount(self, i: int | None) -> str | int | None:
        """The amount of row i (None: the total), hidden with its count."""
        if i is None:
            follows = self.col_totals[0]
            amount = self.amount_total
        else:
            amount, follows = (self.amounts or [])[i][0], self.cells[i][0]
        return "x" if follows.suppressed else amount


def threshold() -> int:
    return int(current_app.config.get("SMALL_CELL_THRESHOLD", 5))


def protect(table: Table, viewer_units: frozenset) -> Table:
    """Apply primary and complementary suppression for one viewer (see the module docstring)."""
    limit = threshold()
    for cell in table.all_cells():
        cell.known = bool(cell.units) and cell.units <= viewer_units
        cell.state = "small" if (not cell.known and cell.value < limit) else "shown"
    changed = True
    while changed:
        changed = False
        for line in table.lines():
            hidden = [c for c in line if c.suppressed]
            if not hidden or (len(hidden) > 1 and not _pinned(line, limit)):
                continue
            candidates = [c for c in line if not c.suppressed and not c.known]
            if candidates:
                min(candidates, key=lambda c: c.value).state = "hidden"
                changed = True
    return table


def _pinned(line: list[Cell], limit: int) -> bool:
    """Whether the line's visible total and bounds fix some hidden cell to one value."""
    total, parts = line[-1], line[:-1]
    if total.suppressed:
        return False
    hidden = [c for c in parts if c.suppressed]
    rest = total.value - sum(c.value for c in parts if not c.suppressed)
    bounds = [(0, limit - 1) if c.state == "small" else (limit, rest) for c in hidden]
    for i in range(len(hidden)):
        low_others = sum(b[0] for j, b in enumerate(bounds) if j != i)
        high_others = sum(b[1] for j, b in enumerate(bounds) if j != i)
        low, high = max(bounds[i][0], rest - high_others), min(bounds[i][1], rest - low_others)
        if low >= high:
            return True
    return False


# --- the three tables ---------------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def trusted_address_support(units: frozenset, year: int) -> Table:
    """Survivors whose case a trusted address handled in the year, by kind of case."""
    found = list(
        db.session.scalars(
            select(Unit).where(Unit.id.in_(list(units)), Unit.kind == "trusted_address").order_by(Unit.code)
        )
    )
    # One line per address of the year: an address closed with its commune on 30/06/2025 is inside the line of its
    # successor under the new commune (the same address), so a case still open there counts once, in 2026 too.
    lines = fold_into_successors(found, *_year_bounds(year))
    addresses = [a for a in found if a.id in lines]
    kinds = list(KIND_LABELS)
    # From the statistics' counts (app/cases/tally.py): cases by unit, kind and the quarters they were opened and
    # closed in. Open at some time in the year: opened by its last quarter, not closed before its first.
    counts: dict[tuple[str, str], int] = {}
    for unit_id, _opened, _closed, kind, n in tally.counts(
        "cases_open",
        [unit_id for a in addresses for unit_id in lines[a.id]],
        StatTally.period <= f"{year}-Q4",
        or_(StatTally.until == "", StatTally.until >= f"{year}-Q1"),
    ):
        counts[(unit_id, kind)] = counts.get((unit_id, kind), 0) + n
    # a disabled address has a line only for what was counted there
    addresses = [
        a for a in addresses if not a.disabled or any(u == unit_id for u in lines[a.id] for unit_id, _ in counts)
    ]
    cells = [
        [Cell(sum(counts.get((u, k), 0) for u in lines[a.id]), frozenset(lines[a.id])) for k in kinds]
        for a in addresses
    ]
    all_ids = frozenset(u for a in addresses for u in lines[a.id])
    row_totals = [Cell(sum(c.value for c in r), frozenset(lines[a.id])) for r, a in zip(cells, addresses, strict=True)]
    return Table(
        "trusted_address",
        _l("Người được địa chỉ tin cậy hỗ trợ, theo loại vụ việc"),
        [a.name for a in addresses],
        [KIND_LABELS[k] for k in kinds],
        cells,
        col_totals=[Cell(sum(r[j].value for r in cells), all_ids) for j in range(len(kinds))],
        row_totals=row_totals,
        grand=Cell(sum(c.value for r in cells for c in r), all_ids),
    )


def trafficking_livelihood(communes: list[Unit], year: int) -> Table:
    """Trafficking survivors with livelihood support paid in the year, and the amounts, per commune."""
    per_unit = _livelihood_paid_by_unit(year)
    rows, amounts = [], []
    for commune in communes:
        ids = scope_ids(commune)
        # A case sits in exactly one unit, so the per-unit counts of distinct cases add up per commune.
        people = sum(per_unit[u][0] for u in ids if u in per_unit)
        cell = Cell(people, frozenset(ids))
        rows.append([cell])
        amounts.append((sum(per_unit[u][1] for u in ids if u in per_unit), cell))
    all_ids = frozenset().union(*(r[0].units for r in rows)) if rows else frozenset()
    return Table(
        "livelihood",
        _l("Nạn nhân mua bán người được hỗ trợ sinh kế và số tiền đã giải ngân"),
        [c.name for c in communes],
        [_l("Số người")],
        rows,
        col_totals=[Cell(sum(r[0].value for r in rows), all_ids)],
        amounts=amounts,
        amount_total=sum(a for a, _ in amounts),
    )


def _livelihood_paid_by_unit(year: int) -> dict[str, tuple[int, int]]:
    """unit id -> (trafficking survivors paid in the year, amount paid), in one query.

    It starts from the year's disbursements (few, through their date index) rather than from the
    cases of each commune (many), so its cost follows the payments, not the number of cases. The kind
    is filtered here, not in SQL: a condition on the case's kind would tempt the planner to start from
    the (many) cases of that kind."""
    start, end = _year_bounds(year)
    found = db.session.execute(
        select(
            Case.unit_id, Case.kind, func.count(func.distinct(Case.id)), func.coalesce(func.sum(Disbursement.amount), 0)
        )
        .select_from(Disbursement)
        .join(LivelihoodPlan, Disbursement.plan_id == LivelihoodPlan.id)
        .join(Case, LivelihoodPlan.case_id == Case.id)
        .where(Disbursement.paid_on >= start, Disbursement.paid_on <= end, in_statistics())
        .group_by(Case.unit_id, Case.kind)
    )
    per_unit: dict[str, tuple[int, int]] = {}
    for unit_id, kind, people, amount in found:
        if kind in ("trafficking", "both"):  # a case has one kind: distinct counts add up across kinds
            before = per_unit.get(unit_id, (0, 0))
            per_unit[unit_id] = (before[0] + int(people), before[1] + int(amount))
    return per_unit


def referrals_by_agency(units: frozenset, year: int) -> Table:
    """Referrals sent in the year by the units (the unit of the case when it was sent), and how many of them
    were completed, by agency."""
    # From the year's referrals through their date index, without touching the cases: the sending unit is
    # kept on the referral. The scope is applied here: a list of units in the SQL could make a planner start
    # from their cases instead.
    per_agency: dict[str, list[int]] = {}
    for agency_id, unit_id, sent, done in db.session.execute(
        select(Referral.agency_id, Referral.sender_unit_id, func.count(), func.sum(_completed(Referral)))
        .where(
            Referral.sent_at >= clock.start_of_day(date(year, 1, 1)),
            Referral.sent_at < clock.start_of_day(date(year + 1, 1, 1)),
            Referral.case_id.not_in(out_of_statistics()),
        )
        .group_by(Referral.agency_id, Referral.sender_unit_id)
    ):
        if unit_id in units:
            counts = per_agency.setdefault(agency_id, [0, 0])
            counts[0] += int(sent)
            counts[1] += int(done or 0)
    agencies = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(list(per_agency))))}
    found = sorted(per_agency.items(), key=lambda item: agencies[item[0]].name)
    cells = [[Cell(sent, units), Cell(done, units)] for _, (sent, done) in found]
    return Table(
        "referrals",
        _l("Chuyển gửi theo cơ quan tiếp nhận"),
        [agencies[a].name for a, _ in found],
        [_l("Đã gửi"), _l("Đã hoàn thành")],
        cells,
        col_totals=[Cell(sum(r[j].value for r in cells), units) for j in range(2)],
    )


def _completed(referral_model):
    from sqlalchemy import case

    return case((referral_model.status == "completed", 1), else_=0)


def tables(root_units: frozenset, communes: list[Unit], year: int, viewer_units: frozenset) -> list[Table]:
    """The three tables, protected for the viewer."""
    built = (
        trusted_address_support(root_units, year),
        trafficking_livelihood(communes, year),
        referrals_by_agency(root_units, year),
    )
    return [protect(table, viewer_units) for table in built]
