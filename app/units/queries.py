"""Read-side helpers for the unit tree: subtrees, scopes through lineage, lookups by code."""

from flask import g
from sqlalchemy import select

from ..extensions import db
from .models import Unit, UnitLineage


def by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def subtree_ids(unit: Unit) -> set[str]:
    return set(db.session.scalars(select(Unit.id).where(Unit.path.startswith(unit.path))))


def scope_ids(unit: Unit) -> frozenset[str]:
    """The units whose records a role at `unit` covers: its subtree plus, through the lineage, the
    subtrees of the old units that were merged into any of them (history rolls up to the new unit)."""
    cache = g.setdefault("_unit_scope", {}) if _has_g() else {}
    if unit.id in cache:
        return cache[unit.id]
    ids = subtree_ids(unit)
    frontier = set(ids)
    while frontier:
        olds = set(db.session.scalars(select(UnitLineage.old_id).where(UnitLineage.new_id.in_(frontier))))
        olds -= ids
        new_ids: set[str] = set()
        for old in db.session.scalars(select(Unit).where(Unit.id.in_(olds))):
            new_ids |= subtree_ids(old)
        frontier = new_ids - ids
        ids |= new_ids
    result = frozenset(ids)
    cache[unit.id] = result
    return result


def ancestors(unit: Unit) -> list[Unit]:
    """The unit and every unit above it, nearest first."""
    codes = [c for c in unit.path.strip("/").split("/") if c]
    units = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    return [units[c] for c in reversed(codes) if c in units]


def nearest_of_kind(unit: Unit, kinds: tuple[str, ...]) -> Unit | None:
    """The closest unit at or above `unit` whose kind is one of `kinds` (e.g. the commune of a village)."""
    return next((u for u in ancestors(unit) if u.kind in kinds), None)


def _has_g() -> bool:
    from flask import has_app_context
    return has_app_context()


def unit_choices(kinds: tuple[str, ...] | None = None, current_only: bool = False) -> list[tuple[str, str]]:
    """(id, label) pairs for a select, in tree order; the label shows kind and code."""
    stmt = select(Unit).order_by(Unit.path)
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    units = db.session.scalars(stmt).all()
    if current_only:
        units = [u for u in units if u.is_current()]
    return [(u.id, f"{u.name} ({u.code})") for u in units]
