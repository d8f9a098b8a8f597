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

import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db, transaction, utcnow
from .models import Case, StatTally, padded

Cell = tuple[str, str, str, str, str]  # statistic, unit id, period, until, category
CONTRIBUTORS: list[Callable[[Case], Iterable[Cell]]] = []
CELL_FIELDS = ("statistic", "unit_id", "period", "until", "category")
# What several contributors of one case read (its incidents): read once per `contributions` call, not once each.
_SHARED: ContextVar[dict | None] = ContextVar("tally_shared", default=None)
PREFETCHERS: list[Callable[[list[str]], dict]] = []


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


def prefetcher(function: Callable[[list[str]], dict]):
    """Register a function that reads, for a batch of case ids, what contributors read through `shared` (a dict
    of `shared` keys, one for every id of the batch): the recount then asks once a batch, not once a case."""
    PREFETCHERS.append(function)
    return function


def contributions(case: Case, prefetched: dict | None = None) -> Counter[Cell]:
    """The cells the case counts in now, each as many times as it counts there: none when it is out of the
    statistics (consent withdrawn). `prefetched`: what the prefetchers read for the case's batch (`recount`)."""
    if case.in_statistics is False:
        return Counter()
    token = _SHARED.set(prefetched if prefetched is not None else {})
    try:
        with db.session.no_autoflush:
            return Counter(tuple(cell) for function in CONTRIBUTORS for cell in function(case))  # type: ignore[misc]
    finally:
        _SHARED.reset(token)


def shared(key, read: Callable[[], list]) -> list:
    """`read()`, once for all the contributors of one `contributions` call (the recount opens every case: each
    query saved there is saved a million times)."""
    found = _SHARED.get()
    if found is None:
        return read()
    if key not in found:
        found[key] = read()
    return found[key]


def kept_contributions(case: Case) -> Counter[Cell]:
    """The cells an erased case still counts in: what its kept summary (unit, kind, quarters) gives."""
    return Counter(_cases_open(case)) if case.in_statistics is not False else Counter()


def last_contributions(case: Case) -> Counter[Cell]:
    return Counter(tuple(cell) for cell in (case.tally_keys or {}).get("cells", []))


def refresh(case: Case) -> None:
    """Move the case's counts from the cells it last counted in to its current ones (same transaction)."""
    if case.is_erased:
        return  # erased: its last counts stay, as statistics; the link to them went with its key
    hold(case)
    old, new = last_contributions(case), contributions(case)
    if old == new and case.tally_keys is not None:
        return
    with db.session.no_autoflush:
        # In one order for everyone: two transactions moving counts between the same cells cannot deadlock.
        add_many({cell: new[cell] - old[cell] for cell in old.keys() | new.keys()})
    seal(case, new)


def hold(case: Case) -> None:
    """Lock the case's row until this transaction ends, and make sure the cells it was last counted in are the
    last committed ones.

    setup's recount (`recount`) may run while the app serves: it locks the rows of its batch the same way
    (PostgreSQL: SELECT … FOR UPDATE; on SQLite every transaction takes the database's write lock first, so
    they run one at a time). Whichever comes second reads what the first committed, so a case is moved once,
    from the cells it really counted in. When the recount moved this case after the request read it (the
    version went up): an unchanged case is read again; a changed one is a concurrent edit, refused as the
    version check of its UPDATE would refuse it (StaleDataError)."""
    state = inspect(case)
    if not state.persistent:
        return  # being created: nothing else can count it yet
    with db.session.no_autoflush:
        current = db.session.scalar(select(Case.version).where(Case.id == case.id).with_for_update())
    if current is None or current == case.version:
        return
    if state.modified:
        raise StaleDataError(f"case {case.id}: version {case.version} read, {current} committed since")
    db.session.refresh(case)


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
    from sqlalchemy.dialects import postgresql, sqlite

    table = StatTally.__table__
    values = {**dict(zip(CELL_FIELDS, cell, strict=True)), "count": delta}
    keys, bump = list(CELL_FIELDS), {"count": table.c.count + delta}
    if db.session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(StatTally).values(**values)
        db.session.execute(pg.on_conflict_do_update(index_elements=keys, set_=bump))
    else:
        lite = sqlite.insert(StatTally).values(**values)
        db.session.execute(lite.on_conflict_do_update(index_elements=keys, set_=bump))


def counts(statistic: str, unit_ids, *conditions) -> list[tuple[str, str, str, str, int]]:
    """(unit, period, until, category, count) of a statistic's non-empty cells in the units."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(StatTally.unit_id, StatTally.period, StatTally.until, StatTally.category, StatTally.count).where(
                StatTally.statistic == statistic,
                StatTally.unit_id.in_(list(unit_ids)),
                StatTally.count > 0,
                *conditions,
            )
        )
    ]


# --- the recount run by setup ---------------------------------------------------------------------------------
#
# When what a case contributes changes (this module or a contributor's text: the loader's version in
# app/reference.py), or a migration forgets that version, setup recounts. At a province's scale (a million cases,
# each opened with its own key) that is many minutes, so it is done in batches of cases in id order, each batch
# one committed transaction together with the progress row (`ReferenceProgress`, name "stat_tally"): after a
# crash or Ctrl-C the next setup continues after the last committed batch, and the version is recorded only when
# the last batch is done. Counting a live case again is harmless anyway (it moves from the cells sealed in it to
# its current ones, and both are committed together), so a batch done twice cannot count twice; the progress
# row only saves the work.

MOVE = "move"  # move every live case to its current cells; erased cases keep what they counted
SCRATCH = "scratch"  # counts never built (migration 1500): live cases counted and sealed, erased ones by summary
PROGRESS = "stat_tally"
RETRIES = 5  # a batch that PostgreSQL picked as a deadlock's victim is done again


@dataclass
class Recount:
    """What a run of `recount` did."""

    cases: int = 0  # cases looked at by this run
    batches: int = 0
    longest: float = 0.0  # seconds of the longest batch transaction
    seconds: float = 0.0
    mode: str = MOVE


def _loader_version() -> str:
    from ..reference import LOADERS

    return next(loader for loader in LOADERS if loader.name == PROGRESS).version()


def bring_up_to_date(version: str | None = None, echo: Callable[[str], None] | None = None, batch: int = 1000) -> int:
    """setup's loader "stat_tally": count every case as the contributors now say (`recount`); returns how many
    cases were looked at. Commits batch by batch; the caller commits the end (the recorded version)."""
    return recount(version or _loader_version(), batch=batch, echo=echo).cases


def recount(version: str, batch: int = 1000, echo: Callable[[str], None] | None = None) -> Recount:
    """Bring the counts to `version`, in committed batches of `batch` cases, resuming an interrupted run.

    Counts never built (no "cases_open" cell: every counted case has one) are built from the cases (mode
    "scratch": an erased case counts in the cell its kept summary gives, once, so such a build is always
    finished before anything else, whatever version it began under). Otherwise (mode "move") each live case is
    moved from the cells it last counted in to its current ones, and erased cases are left alone: their counts
    stay as they were when they were erased (nothing links them to a case any more).

    The rows of a batch are locked (`hold` locks a case the app changes): the app may serve meanwhile, except
    during a build from scratch (an erasure in the middle of it could count a case twice or never).
    The last step removes the progress row without committing: the caller commits it with the version."""
    from ..reference import ReferenceProgress

    summary = Recount()
    began = shown = time.perf_counter()
    with transaction():
        row = _begin(version)
        summary.mode, total, done = row.mode, row.total, row.done
    if echo:
        echo(
            f"setup: recounting the statistics (stat_tally, {summary.mode}): {total:,} cases in batches of "
            f"{batch:,}, "
            + (f"continuing after {done:,}; " if done else "")
            + "an interrupted setup continues from the last batch. "
            + (
                "KEEP THE SERVICE STOPPED until it ends (the counts are being built from scratch)."
                if summary.mode == SCRATCH
                else "The service may keep running."
            )
        )
    while True:
        tick = time.perf_counter()
        looked, finished = _batch_again_if_deadlocked(batch)
        took = time.perf_counter() - tick
        if looked:
            summary.cases += looked
            summary.batches += 1
            summary.longest = max(summary.longest, took)
            done += looked
        now = time.perf_counter()
        if echo and looked and now - shown >= 5:
            shown = now
            rate = summary.cases / max(now - began, 1e-9)
            echo(f"setup: statistics recount {done:,}/{total:,} cases ({rate:,.0f} a second)")
        if not finished:
            continue
        row = db.session.scalar(select(ReferenceProgress).where(ReferenceProgress.name == PROGRESS))
        if row is not None and row.version != version:
            # A build from scratch begun under an older version is finished: now every live case as this one counts.
            with transaction():
                row = _begin(version, restart=True)
                summary.mode, total, done = row.mode, row.total, 0
            continue
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        break
    summary.seconds = time.perf_counter() - began
    if echo:
        echo(
            f"setup: statistics recount finished: {summary.cases:,} cases in {summary.batches:,} batches, "
            f"{summary.seconds:,.0f} s, the longest batch {summary.longest:.1f} s"
        )
    return summary


def _never_built() -> bool:
    return db.session.scalar(select(StatTally.id).where(StatTally.statistic == "cases_open").limit(1)) is None


def _begin(version: str, restart: bool = False):
    """The progress row to continue from: the one there (same version, or a build from scratch, finished
    first), else a new one from the first case."""
    from ..reference import ReferenceProgress

    row = db.session.scalar(select(ReferenceProgress).where(ReferenceProgress.name == PROGRESS).with_for_update())
    if row is not None and not restart and (row.version == version or row.mode == SCRATCH):
        return row
    mode = MOVE if restart or not _never_built() else SCRATCH
    counted = select(func.count()).select_from(Case)
    total = db.session.scalar(counted.where(Case.erased_at.is_(None)) if mode == MOVE else counted) or 0
    if row is None:
        row = ReferenceProgress(name=PROGRESS)
        db.session.add(row)
    row.version, row.mode, row.after_id, row.done, row.total = version, mode, None, 0, total
    row.started_at = row.updated_at = utcnow()
    db.session.flush()
    return row


def _batch_again_if_deadlocked(size: int) -> tuple[int, bool]:
    for attempt in range(RETRIES):
        try:
            with transaction():
                return _batch(size)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in ("40P01", "40001") or attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _batch(size: int) -> tuple[int, bool]:
    """Count the next `size` cases after the progress row's last one, lock them, and move the row on (one
    transaction, committed by the caller); returns (cases looked at, whether none was left)."""
    from ..crypto.errors import CryptoError
    from ..reference import ReferenceProgress

    row = db.session.scalar(select(ReferenceProgress).where(ReferenceProgress.name == PROGRESS).with_for_update())
    if row is None:
        return 0, True
    query = select(Case.id).order_by(Case.id).limit(size).with_for_update()
    if row.after_id is not None:
        query = query.where(Case.id > row.after_id)
    if row.mode == MOVE:
        query = query.where(Case.erased_at.is_(None))
    ids = db.session.scalars(query).all()
    if not ids:
        return 0, True
    deltas: Counter[Cell] = Counter()
    prefetched: dict = {}
    for read in PREFETCHERS:  # after the lock: what they read cannot change before the commit
        prefetched.update(read(list(ids)))
    for case in db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)):
        if case.is_erased:
            if row.mode == SCRATCH:
                deltas.update(kept_contributions(case))
            continue
        try:
            old, new = last_contributions(case), contributions(case, prefetched)
        except CryptoError:  # erased per the ledger (an older database restored) or damaged: cannot be opened
            if row.mode == SCRATCH:
                deltas.update(kept_contributions(case))
            continue
        if old == new and case.tally_keys is not None:
            continue
        deltas.update(new)
        deltas.subtract(old)
        seal(case, new)
    add_many(dict(deltas))
    row.after_id, row.done, row.updated_at = ids[-1], row.done + len(ids), utcnow()
    db.session.flush()
    return len(ids), False
