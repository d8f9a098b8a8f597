"""Loading the directory (idempotent), the province's changes to it, and moving open referrals of a closed
service to its live successor without rewriting what was sent."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..audit import services as audit
from ..extensions import db
from ..services import ensure, ensure_found
from ..units.models import Unit
from ..units.queries import by_code as unit_by_code
from ..units.services import _place
from . import reference_data
from .models import Service, ServiceArea
from .queries import by_code


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _reference_unit(code: str) -> Unit:
    """A unit the reference data names: the regions come with `setup`, the agencies from _load_units()."""
    unit = unit_by_code(code)
    if unit is None:
        raise LookupError(f"the reference data names unit {code}, which is not in the database")
    return unit


def _reference_service(code: str) -> Service:
    service = by_code(code)
    if service is None:
        raise LookupError(f"the reference data names service {code}, which is not in the database")
    return service


def _load_units() -> None:
    for spec in reference_data.AGENCY_UNITS:
        unit, parent = unit_by_code(spec["code"]), unit_by_code(spec["parent"])
        if unit is None:
            unit = Unit(code=spec["code"], kind="agency", name=spec["name"])
            _place(unit, parent)
            db.session.add(unit)
        unit.name, unit.valid_from, unit.valid_to = spec["name"], _date(spec["valid_from"]), _date(spec["valid_to"])
        _place(unit, parent)
    db.session.flush()


def load_reference() -> int:
    """Insert or update the reference services by code (and the agencies that run them); returns how many
    services were added. Then moves open referrals of closed services to their successors."""
    reference_data.validate()
    _load_units()
    added = 0
    for spec in reference_data.SERVICES:
        service, runner = by_code(spec["code"]), _reference_unit(spec["unit"])
        areas = [_reference_unit(code).id for code in spec["areas"]]
        if service is None:
            service = Service(code=spec["code"])
            db.session.add(service)
            added += 1
        service.name, service.kind, service.unit_id = spec["name"], spec["kind"], runner.id
        service.contact, service.hours, service.note = spec["contact"], spec["hours"], spec["note"]
        service.languages, service.accepts = list(spec["languages"]), list(spec["accepts"])
        service.valid_from, service.valid_to = _date(spec["valid_from"]), _date(spec["valid_to"])
        _set_areas(service, areas)
        db.session.flush()
    for spec in reference_data.SERVICES:
        if spec["successor"]:
            _reference_service(spec["code"]).successor_id = _reference_service(spec["successor"]).id
    db.session.flush()
    map_open_referrals(actor="setup")
    return added


def _set_areas(service: Service, unit_ids: list[str]) -> None:
    have = {a.unit_id for a in service.areas}
    for unit_id in unit_ids:
        if unit_id not in have:
            service.areas.append(ServiceArea(unit_id=unit_id))
    for area in list(service.areas):
        if area.unit_id not in unit_ids:
            service.areas.remove(area)


def map_open_referrals(*, actor, on: date | None = None) -> int:
    """Open referrals to a closed service are handled by its live successor's agency from now on.

    What was sent is not rewritten: `agency_id` and `service_id` keep the original addressee; only
    `successor_agency_id` is set, and the audit trail says when and to whom. Returns how many moved."""
    from sqlalchemy import or_

    from ..referrals.models import OPEN_STATUSES, Referral

    on = on or clock.today()
    closed = {s.id: s for s in db.session.scalars(select(Service)) if not s.is_live(on) and s.live_successor(on)}
    if not closed:
        return 0
    by_agency: dict[str, Service] = {}
    for service in sorted(closed.values(), key=lambda s: s.code):
        by_agency.setdefault(service.unit_id, service)
    moved = 0
    for referral in db.session.scalars(
        select(Referral).where(
            Referral.status.in_(OPEN_STATUSES),
            or_(Referral.service_id.in_(closed), (Referral.service_id.is_(None) & Referral.agency_id.in_(by_agency))),
        )
    ):
        service = closed.get(referral.service_id or "") or by_agency[referral.agency_id]
        successor = service.live_successor(on)
        if successor is None or referral.successor_agency_id == successor.unit_id:
            continue  # (every closed service has a live successor: see `closed`)
        referral.successor_agency_id = successor.unit_id
        audit.record(
            actor,
            "referral.successor",
            referral,
            detail={"from_service": service.id, "to_service": successor.id, "agency_id": successor.unit_id},
        )
        moved += 1
    db.session.flush()
    return moved


def save_service(service: Service | None, data: dict, *, actor) -> Service:
    """Add or change a directory service (the province's directory pages)."""
    ensure(
        data.get("valid_to") is None or data.get("valid_from") is None or data["valid_from"] <= data["valid_to"],
        _l("Ngày hết hiệu lực phải sau ngày bắt đầu."),
        "valid_to",
    )
    no_agency = _l("Vui lòng chọn cơ quan thực hiện.")
    unit = ensure_found(db.session.get(Unit, data.get("unit_id") or ""), no_agency, "unit_id")
    ensure(unit.kind == "agency", no_agency, "unit_id")
    successor = db.session.get(Service, data["successor_id"]) if data.get("successor_id") else None
    ensure(
        successor is None or (service is None or successor.id != service.id),
        _l("Dịch vụ không thể thay thế chính nó."),
        "successor_id",
    )
    ensure(
        data.get("valid_to") is None or successor is not None,
        _l("Dịch vụ ngừng hoạt động cần có dịch vụ thay thế."),
        "successor_id",
    )
    ensure(data.get("areas"), _l("Vui lòng chọn địa bàn phục vụ."), "areas")
    code = (data.get("code") or "").strip()
    if service is None:
        ensure(code and by_code(code) is None, _l("Mã dịch vụ đã có hoặc còn trống."), "code")
        service = Service(code=code)
        db.session.add(service)
    service.name, service.kind, service.unit_id = data["name"].strip(), data["kind"], unit.id
    service.contact, service.hours = (data.get("contact") or "").strip(), (data.get("hours") or "").strip()
    service.languages, service.accepts = list(data.get("languages") or []), list(data.get("accepts") or [])
    service.valid_from, service.valid_to = data.get("valid_from"), data.get("valid_to")
    service.successor_id = successor.id if successor else None
    _set_areas(service, list(data["areas"]))
    db.session.flush()
    audit.record(
        actor,
        "directory.save",
        service,
        detail={"code": service.code, "kind": service.kind, "closed": service.valid_to is not None},
    )
    if service.valid_to is not None:
        map_open_referrals(actor=actor)
    return service
