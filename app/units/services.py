"""Loading the reference units and lineage (idempotent), and the admin's unit changes."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import services as audit
from ..extensions import db
from ..services import ensure
from ..web.phone import NOT_A_VIETNAMESE_PHONE, is_vietnamese_phone
from . import reference_data
from .models import KINDS, Unit, UnitLineage
from .queries import by_code


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _known(code: str) -> Unit:
    """A unit the reference data names; validate() has checked that each lineage end is listed."""
    unit = by_code(code)
    if unit is None:
        raise LookupError(f"reference lineage names an unknown unit {code}")
    return unit


def load_reference() -> int:
    """Insert or update the reference units and lineage by code; returns how many units were added."""
    reference_data.validate()
    added = 0
    for spec in reference_data.UNITS:  # parents come before children in the data
        unit = by_code(spec["code"])
        parent = by_code(spec["parent"]) if spec["parent"] else None
        if unit is None:
            unit = Unit(code=spec["code"])
            db.session.add(unit)
            added += 1
        unit.kind, unit.name = spec["kind"], spec["name"]
        unit.official_code, unit.code_system = spec.get("official_code"), spec.get("code_system")
        unit.valid_from, unit.valid_to = _date(spec.get("valid_from")), _date(spec.get("valid_to"))
        _place(unit, parent)
        db.session.flush()
    for link in reference_data.LINEAGE:
        old, new = _known(link["old"]), _known(link["new"])
        exists = db.session.scalar(
            select(UnitLineage.id).where(UnitLineage.old_id == old.id, UnitLineage.new_id == new.id)
        )
        if exists is None:
            db.session.add(
                UnitLineage(old_id=old.id, new_id=new.id, effective=_date(link.get("effective")), note=link.get("note"))
            )
    db.session.flush()
    return added


def _place(unit: Unit, parent: Unit | None) -> None:
    unit.parent_id = parent.id if parent else None
    unit.path = (parent.path if parent else "/") + unit.code + "/"


def create_unit(
    *,
    code: str,
    kind: str,
    name: str,
    parent: Unit | None,
    valid_from=None,
    valid_to=None,
    work_phone: str | None = None,
    work_note: str | None = None,
    actor,
) -> Unit:
    """Add a unit (a new trusted address, agency or village) under an existing one."""
    code = (code or "").strip()
    ensure(code and all(ch.isalnum() or ch in "-_." for ch in code), _l("Mã chỉ gồm chữ, số và - _ ."), "code")
    ensure(by_code(code) is None, _l("Mã đơn vị này đã có."), "code")
    ensure(kind in KINDS, _l("Loại đơn vị không hợp lệ."), "kind")
    ensure(parent is not None or kind == "province", _l("Hãy chọn đơn vị cấp trên."), "parent")
    ensure(
        not (valid_from and valid_to and valid_to < valid_from),
        _l("Ngày hết hiệu lực phải sau ngày bắt đầu."),
        "valid_to",
    )
    unit = Unit(code=code, kind=kind, name=name.strip(), valid_from=valid_from, valid_to=valid_to)
    _place(unit, parent)
    _set_work_contact(unit, work_phone, work_note)
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "unit.create", unit, detail={"code": code, "kind": kind})
    return unit


def update_unit(
    unit: Unit,
    *,
    name: str,
    valid_from,
    valid_to,
    disabled: bool,
    work_phone: str | None = None,
    work_note: str | None = None,
    actor,
) -> None:
    """Rename, date or disable a unit, and set its work contact; one audited change of the unit."""
    ensure(
        not (valid_from and valid_to and valid_to < valid_from),
        _l("Ngày hết hiệu lực phải sau ngày bắt đầu."),
        "valid_to",
    )
    before = (unit.work_phone, unit.work_note)
    unit.name, unit.valid_from, unit.valid_to, unit.disabled = name.strip(), valid_from, valid_to, disabled
    _set_work_contact(unit, work_phone, work_note)
    # The office's number is reference data, but the trail holds ids and actions only: that it changed is enough.
    contact_changed = before != (unit.work_phone, unit.work_note)
    audit.record(
        actor, "unit.update", unit, detail={"code": unit.code, "disabled": disabled, "contact_changed": contact_changed}
    )
    db.session.flush()


def _set_work_contact(unit: Unit, work_phone: str | None, work_note: str | None) -> None:
    """An empty input clears the contact; a number must be one of the national plan (the form said so first)."""
    phone = (work_phone or "").strip()
    ensure(not phone or is_vietnamese_phone(phone), NOT_A_VIETNAMESE_PHONE, "work_phone")
    unit.work_phone = phone or None
    unit.work_note = (work_note or "").strip() or None


def add_lineage(old: Unit, new: Unit, effective, note: str, *, actor) -> UnitLineage:
    ensure(old.id != new.id, _l("Đơn vị cũ và mới phải khác nhau."), "new")
    link = UnitLineage(old_id=old.id, new_id=new.id, effective=effective, note=note)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "unit.lineage_add", link, detail={"old": old.code, "new": new.code})
    return link
