"""The statistics' counts, kept in step with the cases and never linked to one.

The reports count cases per unit, period and category. Reading those from the case rows would need the
profile (sex, age band…) in plaintext beside each case, where it singles people out. Instead each case
*contributes* a set of cells (`contributions`), computed from its current data at the coarsest grain a
report uses (a quarter, a year, an age group); `refresh` moves the case's counts from the cells it last
contributed to its current ones, in the same transaction as the change. The cells a case last contributed
to are sealed under the case's key (`Case.tally_keys`): the counts table (`StatTally`) says how many, never
which case. Erasure destroys that key, so the link goes and the counts stay, as the statistics need.

Other areas add their cells with `@contributor` (protection: victims by age group in the years of their
incidents, perpetrators by sex and relation) and call `refresh(case)` after a change that moves them. A case
may count more than once in a cell (two perpetrators of one sex): contributions are a multiset (`Counter`).
A case out of the statistics (its consent for statistics withdrawn: `Case.in_statistics`, kept by
app/privacy/reactions.py) counts in no cell.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import select

from ..extensions import db
from .models import Case, StatTally, padded

Cell = tuple[str, str, str, str, str]  # statistic, unit id, period, until, category
CONTRIBUTORS: list[Callable[[Case], Iterable[Cell]]] = []
CELL_FIELDS = ("statistic", "unit_id", "period", "until", "category")


def contributor(function: Callable[[Case], Iterable[Cell]]):
    """Register a function giving the cells a (live) case counts in."""
    CONTRIBUTORS.append(function)
    return function


def quarter(day: date | None) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else ""


@contributor
def _cases_open(case: Case) -> Iterable[Cell]:
    """The case in its unit, kind, quarter opened and quarter closed (the indicator "open during a year")."""
    if case.unit_id and case.opened_on and case.kind:
        yield ("cases_open", case.unit_id, quarter(case.opened_on), quarter(case.closed_on), case.kind)


def contributions(case: Case) -> Counter[Cell]:
    """The cells the case counts in now, each as many times as it counts there: none when it is out of the
    statistics (consent withdrawn)."""
    if case.in_statistics is False:
        return Counter()
    with db.session.no_autoflush:
        return Counter(tuple(cell) for function in CONTRIBUTORS for cell in function(case))  # type: ignore[misc]


def kept_contributions(case: Case) -> Counter[Cell]:
    """The cells an erased case still counts in: what its kept summary (unit, kind, quarters) gives."""
    return Counter(_cases_open(case)) if case.in_statistics is not False else Counter()


def last_contributions(case: Case) -> Counter[Cell]:
    return Counter(tuple(cell) for cell in (case.tally_keys or {}).get("cells", []))  # type: ignore[misc]


def refresh(case: Case) -> None:
    """Move the case's counts from the cells it last counted in to its current ones (same transaction)."""
    if case.is_erased:
        return  # erased: its last counts stay, as statistics; the link to them went with its key
    old, new = last_contributions(case), contributions(case)
    if old == new and case.tally_keys is not None:
        return
    with db.session.no_autoflush:
        # In one order for everyone: two transactions moving counts between the same cells cannot deadlock.
        add_many({cell: new[cell] - old[cell] for cell in old.keys() | new.keys()})
    seal(case, new)


def seal(case: Case, cells: Iterable[Cell] | Counter[Cell]) -> None:
    """Keep the cells the case now counts in (a cell once for each time it counts there), sealed under its key."""
    counted = cells if isinstance(cells, Counter) else Counter(cells)
    case.tally_keys = padded({"cells": sorted(list(cell) for cell in counted.elements())})


def add_many(deltas: dict[Cell, int]) -> None:
    """Apply many cells' changes at once (bulk seeding and rebuilds)."""
    for cell, delta in sorted(deltas.items()):
        if delta:
            add(cell, delta)


def add(cell: Cell, delta: int) -> None:
    """Add `delta` to one cell, atomically (an upsert: two transactions adding to one new cell both count)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = StatTally.__table__
    stmt = insert(table).values(**dict(zip(CELL_FIELDS, cell, strict=True)), count=delta)
    db.session.execute(
        stmt.on_conflict_do_update(index_elements=list(CELL_FIELDS), set_={"count": table.c.count + delta})
    )


def counts(statistic: str, unit_ids, *conditions) -> list[tuple[str, str, str, str, int]]:
    """(unit, period, until, category, count) of a statistic's non-empty cells in the units."""
    return [
        tuple(row)
        for row in db.session.execute(  # type: ignore[misc]
            select(StatTally.unit_id, StatTally.period, StatTally.until, StatTally.category, StatTally.count).where(
                StatTally.statistic == statistic,
                StatTally.unit_id.in_(list(unit_ids)),
                StatTally.count > 0,
                *conditions,
            )
        )
    ]


def bring_up_to_date(batch: int = 500) -> int:
    """Count every case as the contributors now say (run by `setup` when this module or a contributor changed,
    and after a migration that created or extended the counts); returns how many cases were looked at.
    Idempotent.

    Counts never built (no "cases_open" cell: every counted case has one) are built from the cases
    (`count_from_scratch`). Otherwise each live case is moved from the cells it last counted in to its current
    ones (`refresh`), and erased cases are left alone: their counts stay as they were when they were erased
    (nothing links them to a case any more, so they can be neither moved nor recounted)."""
    from ..crypto.errors import CryptoError

    if db.session.scalar(select(StatTally.id).where(StatTally.statistic == "cases_open").limit(1)) is None:
        return count_from_scratch(batch)
    ids = db.session.scalars(select(Case.id).where(Case.erased_at.is_(None)).order_by(Case.id)).all()
    for start in range(0, len(ids), batch):
        for case in db.session.scalars(select(Case).where(Case.id.in_(ids[start : start + batch]))):
            try:
                refresh(case)
            except CryptoError:  # erased per the ledger (an older database restored) or damaged: cannot be opened
                continue
        db.session.flush()
    return len(ids)


def count_from_scratch(batch: int = 500) -> int:
    """Count every case into counts never built (migration 1500 made them empty); returns how many cases.

    Live cases count in what they contribute now, and their cells are sealed; erased cases count in the cell
    their kept summary gives (unit, kind, quarters), with no link. Cells already there are added to, not
    replaced: a migration may have put the counts of erased cases there that only it could still read
    (2200: their perpetrators' codes, before the plaintext columns went)."""
    from ..crypto.errors import CryptoError

    ids = db.session.scalars(select(Case.id).order_by(Case.id)).all()
    for start in range(0, len(ids), batch):
        deltas: Counter[Cell] = Counter()
        for case in db.session.scalars(select(Case).where(Case.id.in_(ids[start : start + batch]))):
            if case.is_erased:
                deltas.update(kept_contributions(case))
                continue
            try:
                cells = contributions(case)
            except CryptoError:  # erased per the ledger (an older database restored) or damaged
                deltas.update(kept_contributions(case))
                continue
            deltas.update(cells)
            seal(case, cells)
        add_many(deltas)
        db.session.flush()
    return len(ids)
