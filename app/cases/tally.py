"""The statistics' counts, kept in step with the cases and never linked to one.

The reports count cases per unit, period and category. Reading those from the case rows would need the
profile (sex, age band…) in plaintext beside each case, where it singles people out. Instead each case
*contributes* a set of cells (`contributions`), computed from its current data at the coarsest grain a
report uses (a quarter, a year, an age group); `refresh` moves the case's counts from the cells it last
contributed to its current ones, in the same transaction as the change. The cells a case last contributed
to are sealed under the case's key (`Case.tally_keys`): the counts table (`StatTally`) says how many, never
which case. Erasure destroys that key, so the link goes and the counts stay, as the statistics need.

Other areas add their cells with `@contributor` (protection: victims by age group in the years of their
incidents) and call `refresh(case)` after a change that moves them. A case out of the statistics (its consent
for statistics withdrawn: `Case.in_statistics`, kept by app/privacy/reactions.py) counts in no cell.
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


def contributions(case: Case) -> set[Cell]:
    """The cells the case counts in now: none when it is out of the statistics (consent withdrawn)."""
    if case.in_statistics is False:
        return set()
    with db.session.no_autoflush:
        return {tuple(cell) for function in CONTRIBUTORS for cell in function(case)}  # type: ignore[misc]


def kept_contributions(case: Case) -> set[Cell]:
    """The cells an erased case still counts in: what its kept summary (unit, kind, quarters) gives."""
    return set(_cases_open(case)) if case.in_statistics is not False else set()


def last_contributions(case: Case) -> set[Cell]:
    return {tuple(cell) for cell in (case.tally_keys or {}).get("cells", [])}  # type: ignore[misc]


def refresh(case: Case) -> None:
    """Move the case's counts from the cells it last counted in to its current ones (same transaction)."""
    if case.is_erased:
        return  # erased: its last counts stay, as statistics; the link to them went with its key
    old, new = last_contributions(case), contributions(case)
    if old == new and case.tally_keys is not None:
        return
    with db.session.no_autoflush:
        # In one order for everyone: two transactions moving counts between the same cells cannot deadlock.
        add_many({**dict.fromkeys(old - new, -1), **dict.fromkeys(new - old, 1)})
    seal(case, new)


def seal(case: Case, cells: set[Cell]) -> None:
    """Keep the cells the case now counts in, sealed under its key."""
    case.tally_keys = padded({"cells": sorted(list(cell) for cell in cells)})


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
    and after migration 1500 created the counts); returns how many cases were looked at. Idempotent.

    An empty counts table is built from scratch (`rebuild`). Otherwise each live case is moved from the cells it
    last counted in to its current ones (`refresh`), and erased cases are left alone: their counts stay as
    they were when they were erased (nothing links them to a case any more, so they can be neither moved nor
    recounted)."""
    from ..crypto.errors import CryptoError

    if db.session.scalar(select(StatTally.id).limit(1)) is None:
        return rebuild(batch)
    ids = db.session.scalars(select(Case.id).where(Case.erased_at.is_(None)).order_by(Case.id)).all()
    for start in range(0, len(ids), batch):
        for case in db.session.scalars(select(Case).where(Case.id.in_(ids[start : start + batch]))):
            try:
                refresh(case)
            except CryptoError:  # erased per the ledger (an older database restored) or damaged: cannot be opened
                continue
        db.session.flush()
    return len(ids)


def rebuild(batch: int = 500) -> int:
    """Recount every cell from the cases (a migration, or a repair); returns how many cases were counted.

    Live cases count in what they contribute now, and their cells are sealed again; erased cases keep counting
    in the cell their kept summary gives (unit, kind, quarters), with no link."""
    db.session.execute(StatTally.__table__.delete())
    ids = db.session.scalars(select(Case.id).order_by(Case.id)).all()
    for start in range(0, len(ids), batch):
        deltas: Counter[Cell] = Counter()
        for case in db.session.scalars(select(Case).where(Case.id.in_(ids[start : start + batch]))):
            cells = kept_contributions(case) if case.is_erased else contributions(case)
            deltas.update(cells)
            if not case.is_erased:
                seal(case, cells)
        add_many(deltas)
        db.session.flush()
    return len(ids)
