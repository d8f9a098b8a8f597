"""Read-side helpers for the unit tree: subtrees, scopes through lineage, lookups by code."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .. import clock
from ..extensions import db
from .models import Unit, UnitLineage


def by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def subtree_ids(unit: Unit) -> set[str]:
    return _subtree(_tree(), unit.path)


def _subtree(tree: "_Tree", path: str) -> set[str]:
    return {unit_id for unit_path, unit_id in tree.paths if unit_path.startswith(path)}


def scope_ids(unit: Unit) -> frozenset[str]:
    """The units whose records a role at `unit` covers: its subtree plus, through the lineage, the
    subtrees of the old units that were merged into any of them (history rolls up to the new unit)."""
    cache = g.setdefault(_SCOPES, {}) if has_app_context() else {}
    if unit.id in cache:
        return cache[unit.id]
    tree = _tree()
    ids = _subtree(tree, unit.path)
    frontier = set(ids)
    while frontier:
        olds = {old for new in frontier for old in tree.olds.get(new, ())} - ids
        new_ids: set[str] = set()
        for old in olds:
            new_ids |= _subtree(tree, tree.path_of[old])
        frontier = new_ids - ids
        ids |= new_ids
    result = frozenset(ids)
    cache[unit.id] = result
    return result


def merged_olds() -> dict[str, list[str]]:
    """{new unit id: ids of the old units merged into it} (the lineage, read once per request)."""
    return _tree().olds


def fold_into_successors(units, start: date, end: date) -> dict[str, set[str]]:
    """{unit id: the ids it stands for} for the lines of a period start..end: a unit that no longer exists in the
    period stands inside the line of its successor through the lineage (a trusted address closed on 30/06/2025
    with its commune, inside its 2025-TA-nn), when that successor has a line; a unit not yet formed has no line.
    Every other unit has its own line, so nothing recorded is ever dropped and nothing counted twice."""
    units = list(units)
    successor = {old: new for new, olds in merged_olds().items() for old in olds}
    lines = {u.id: {u.id} for u in units if not (u.valid_from is not None and u.valid_from > end)}
    for unit in units:
        if unit.id not in lines or unit.exists_between(start, end):
            continue
        new, seen = successor.get(unit.id), {unit.id}
        while new is not None and new not in lines and new not in seen:
            seen.add(new)
            new = successor.get(new)
        if new is not None and new in lines and new != unit.id:
            lines[new] |= lines.pop(unit.id)
    return lines


def merged_ids(unit: Unit) -> frozenset[str]:
    """The unit and the old units merged into it, through the lineage at any depth; never the units below."""
    olds = merged_olds()
    ids, frontier = {unit.id}, {unit.id}
    while frontier:
        frontier = {old for new in frontier for old in olds.get(new, ())} - ids
        ids |= frontier
    return frozenset(ids)


@dataclass(frozen=True)
class _Tree:
    paths: tuple  # (path, id) of every unit
    path_of: dict  # id -> path
    olds: dict  # new id -> ids of the old units merged into it
    dates: dict = field(default_factory=dict)  # id -> (valid_from, valid_to)
    successor: dict = field(default_factory=dict)  # old id -> the id it was merged into


def _exists_on(dates: tuple, day: date) -> bool:
    valid_from, valid_to = dates
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def in_force_as(unit_id: str, day: date) -> str:
    """The unit that `unit_id` is on `day` through the lineage: itself while it exists; after it ended, the successor
    that exists that day (at any depth: TA-02, closed on 30/06/2025 with its commune, is 2025-TA-02 from 01/07/2025);
    before it began, its one predecessor that existed then. Otherwise itself (nothing recorded is ever dropped).

    What carries on through a merger (a trusted address, a commune's model in the registry) is counted where it
    stands on the day, so that it is never counted under a unit that no longer exists, nor twice."""
    tree = _tree()
    if unit_id not in tree.dates or _exists_on(tree.dates[unit_id], day):
        return unit_id
    successor = tree.successor
    current, seen = unit_id, {unit_id}
    valid_to = tree.dates[unit_id][1]
    while valid_to is not None and valid_to < day and current in successor and successor[current] not in seen:
        current = successor[current]
        seen.add(current)
        if _exists_on(tree.dates.get(current, (None, None)), day):
            return current
    before = [old for old in tree.olds.get(unit_id, ()) if _exists_on(tree.dates.get(old, (None, None)), day)]
    return before[0] if len(before) == 1 else unit_id


_TREE, _SCOPES, _BY_CODE, _SCOPE_OF = "_unit_tree", "_unit_scope", "_unit_by_code", "_unit_search_scope"


def _tree() -> _Tree:
    """Every unit's path and the lineage, read once per request: scopes are worked out in memory.

    A district has a few hundred units at most, and pages ask for many scopes (one per commune on the
    dashboard), so two small queries beat one query per subtree. Changes to units clear it (below)."""
    cached = g.get(_TREE) if has_app_context() else None
    if cached is not None:
        return cached
    rows = db.session.execute(select(Unit.path, Unit.id, Unit.valid_from, Unit.valid_to)).all()
    olds: dict[str, list[str]] = {}
    for new_id, old_id in db.session.execute(select(UnitLineage.new_id, UnitLineage.old_id)):
        olds.setdefault(new_id, []).append(old_id)
    tree = _Tree(
        tuple((path, unit_id) for path, unit_id, _from, _to in rows),
        {unit_id: path for path, unit_id, _from, _to in rows},
        olds,
        {unit_id: (valid_from, valid_to) for _path, unit_id, valid_from, valid_to in rows},
        {old: new for new, old_ids in olds.items() for old in old_ids},
    )
    if has_app_context():
        g.setdefault(_TREE, tree)
    return tree


@event.listens_for(Session, "after_flush")
def _forget_tree(session, _flush_context) -> None:
    if not has_app_context() or not any(name in g for name in (_TREE, _SCOPES, _BY_CODE, _SCOPE_OF)):
        return
    if any(isinstance(o, (Unit, UnitLineage)) for o in (*session.new, *session.dirty, *session.deleted)):
        for name in (_TREE, _SCOPES, _BY_CODE, _SCOPE_OF):
            g.pop(name, None)


def ancestors(unit: Unit) -> list[Unit]:
    """The unit and every unit above it, nearest first."""
    codes = [c for c in unit.path.strip("/").split("/") if c]
    units = _units_by_code(codes)
    return [units[c] for c in reversed(codes) if c in units]


def _units_by_code(codes: list[str]) -> dict[str, Unit]:
    """Units by code, remembered for the request: a list asks for the commune of each of its rows."""
    cache = g.setdefault(_BY_CODE, {}) if has_app_context() else {}
    # A command that clears its session between batches leaves detached units behind: look those up again.
    missing = [c for c in codes if c not in cache or cache[c] not in db.session]
    if missing:
        cache.update({u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(missing)))})
    return {c: cache[c] for c in codes if c in cache}


def nearest_of_kind(unit: Unit, kinds: tuple[str, ...]) -> Unit | None:
    """The closest unit at or above `unit` whose kind is one of `kinds` (e.g. the commune of a village)."""
    return next((u for u in ancestors(unit) if u.kind in kinds), None)


def search_scope(unit_id: str | None) -> str | None:
    """The search scope of a unit: the id of the commune at or above it (the unit itself above communes).

    Blind indexes are keyed per search scope (app/crypto/blind.py). The scope is the case's own commune as the
    tree records it, never remapped through the 2025 lineage: a case of an old commune keeps its old commune's
    values, and a user whose scope covers a merged commune and its predecessors searches each of them. So a
    merger changes nothing stored, and no index is ever recomputed because of one."""
    return _scope_map().get(unit_id) if unit_id else None


def search_scopes(unit_ids) -> list[str]:
    """The search scopes that a set of units covers (one per commune), sorted."""
    scopes = _scope_map()
    return sorted({scopes[u] for u in unit_ids if u in scopes})


def all_search_scopes() -> list[str]:
    """Every search scope of the installation (each commune, and each unit above communes)."""
    return sorted(set(_scope_map().values()))


def units_in_scopes(scopes) -> frozenset[str]:
    """Every unit whose search scope is one of `scopes`."""
    wanted = set(scopes)
    return frozenset(unit_id for unit_id, scope in _scope_map().items() if scope in wanted)


def _scope_map() -> dict[str, str]:
    """unit id -> search scope id for every unit, from one query, remembered for the request."""
    cached = g.get(_SCOPE_OF) if has_app_context() else None
    if cached is not None:
        return cached
    rows = db.session.execute(select(Unit.id, Unit.path, Unit.kind)).all()
    communes = {path: unit_id for unit_id, path, kind in rows if kind == "commune"}
    found = {}
    for unit_id, path, _kind in rows:
        codes = [c for c in path.strip("/").split("/") if c]
        prefixes = ("/" + "/".join(codes[:n]) + "/" for n in range(len(codes), 0, -1))
        found[unit_id] = next((communes[p] for p in prefixes if p in communes), unit_id)
    if has_app_context():
        g.setdefault(_SCOPE_OF, found)
    return found


def unit_choices(kinds: tuple[str, ...] | None = None, current_only: bool = False) -> list[tuple[str, str]]:
    """(id, label) pairs for a select, in tree order; the label shows the code and, for a unit not in force
    today, when it starts or stopped (unit_label)."""
    stmt = select(Unit).order_by(Unit.path)
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    units = db.session.scalars(stmt).all()
    if current_only:
        units = [u for u in units if u.is_current()]
    return [(u.id, unit_label(u)) for u in units]


def offered(units, start: date, end: date, keep: str | None = None) -> list[Unit]:
    """The units a picker offers for the period start..end: those that exist on some day of it (a commune
    merged on 1/7/2025 is offered for 2025, not for 2026: its history is reached by choosing an earlier
    year), never a disabled one; `keep` (the id already chosen) stays, so that an old record shows its unit.

    Only the choice changes with the period: what the user may see is decided by their scope, before."""
    return [u for u in units if u.id == keep or (not u.disabled and u.exists_between(start, end))]


def unit_label(unit: Unit, start: date | None = None, end: date | None = None, *, code: bool = True) -> str:
    """A unit as a picker shows it: "Xã Quài Tở (03295) — ngừng 7/2025" (see validity_note)."""
    note = validity_note(unit, start, end)
    name = f"{unit.name} ({unit.code})" if code else unit.name
    return f"{name} — {note}" if note else name


def _when(day: date, *, last: bool = False) -> str:
    """A validity date as short as a closed picker on a phone needs: the month ("7/2025") when the date is its
    first day (its last day, for `last`), the day ("15/03/2025") otherwise."""
    from ..web.filters import date_vn

    whole_month = (day + timedelta(days=1)).day == 1 if last and day < date.max else day.day == 1
    return f"{day.month}/{day.year}" if whole_month else date_vn(day)


def validity_note(unit: Unit, start: date | None = None, end: date | None = None) -> str:
    """How a picker marks a unit not in force for the whole of start..end (default: today): "từ 7/2025" for one
    that starts later, "ngừng 7/2025" for one that stopped (from that month on), "" for one in force. Short: a
    closed <select> shows one line, and at 360 px "Thị trấn Tuần Giáo — đã ngừng từ 01/07/2025" was cut.

    One place for these words: a unit not yet in force is not one that stopped."""
    from flask_babel import gettext

    start = start or clock.today()
    end = end or start
    starts_later = unit.valid_from is not None and unit.valid_from > start
    # Closed by its dates (not a unit whose last day is date.max: no day follows it).
    ends_before = unit.valid_to is not None and unit.valid_to < end and unit.valid_to < date.max
    if ends_before and not starts_later:
        assert unit.valid_to is not None  # for mypy: ends_before says so
        return gettext("ngừng %(day)s", day=_when(unit.valid_to + timedelta(days=1)))
    if unit.disabled:
        return gettext("đã ngừng")
    if starts_later and ends_before:
        assert unit.valid_from is not None and unit.valid_to is not None  # for mypy: both say so
        return gettext("từ %(start)s đến %(end)s", start=_when(unit.valid_from), end=_when(unit.valid_to, last=True))
    if starts_later:
        assert unit.valid_from is not None  # for mypy: starts_later says so
        return gettext("từ %(day)s", day=_when(unit.valid_from))
    return ""


def scope_for(user, *roles: str) -> frozenset[str]:
    """Every unit id `user` covers through any of `roles` (subtrees plus merged predecessors)."""
    ids: set[str] = set()
    for assignment in user.roles:
        if assignment.role in roles:
            ids |= scope_ids(assignment.unit)
    return frozenset(ids)
