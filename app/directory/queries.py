"""Reading the directory: which live services cover a place, which one replaced a closed one, picker search."""

from datetime import date

from sqlalchemy import select

from .. import clock
from ..crypto.blind import fold_diacritics
from ..extensions import db
from ..units.models import Unit
from ..units.queries import ancestors, merged_olds
from .models import Service, ServiceArea


def area_ids(unit: Unit) -> set[str]:
    """The units whose services reach `unit`: it and everything above it, and the units those merged into
    (a case of an old commune is served by the new commune's services)."""
    newer: dict[str, set[str]] = {}
    for new, olds in merged_olds().items():
        for old in olds:
            newer.setdefault(old, set()).add(new)
    ids = {u.id for u in ancestors(unit)}
    frontier = set(ids)
    while frontier:
        frontier = {n for old in frontier for n in newer.get(old, ())} - ids
        ids |= frontier
    result = set(ids)
    for new_id in ids - {u.id for u in ancestors(unit)}:  # the new commune's province covers it too
        new_unit = db.session.get_one(Unit, new_id)
        result |= {u.id for u in ancestors(new_unit)}
    return result


def matches(service: Service, query: str) -> bool:
    """Picker search: every word of the query in the name or the agency, with or without diacritics."""
    words = fold_diacritics(query or "").casefold().split()
    text = fold_diacritics(f"{service.name} {service.unit.name} {service.code}").casefold()
    return all(word in text for word in words)


def offered(unit: Unit, *, kind: str = "", query: str = "", on: date | None = None) -> list[Service]:
    """The live services covering `unit` (of one type, matching a search), by type and name."""
    on = on or clock.today()
    # IN (subquery), not JOIN … DISTINCT: PostgreSQL has no equality on the JSON columns.
    stmt = select(Service).where(
        Service.id.in_(select(ServiceArea.service_id).where(ServiceArea.unit_id.in_(area_ids(unit))))
    )
    if kind:
        stmt = stmt.where(Service.kind == kind)
    found = [s for s in db.session.scalars(stmt) if s.is_live(on) and matches(s, query)]
    return sorted(found, key=lambda s: (s.kind, s.name))


def by_code(code: str) -> Service | None:
    return db.session.scalar(select(Service).where(Service.code == code))


def closed_service_of_agency(agency_id: str, on: date | None = None) -> Service | None:
    """A closed service the agency ran (for old referrals and links that name only the agency)."""
    for service in db.session.scalars(select(Service).where(Service.unit_id == agency_id).order_by(Service.code)):
        if not service.is_live(on):
            return service
    return None


def all_services() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.kind, Service.name)))
