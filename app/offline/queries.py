"""Scoped loading for offline capture: own devices and items; a supervisor's view of devices in scope."""

from sqlalchemy import select

from ..auth.models import RoleAssignment
from ..cases.models import Case
from ..cases.queries import scope_for
from ..extensions import db
from .models import OfflineDevice, OfflineItem


def own_device(user, device_id: str) -> OfflineDevice | None:
    return db.session.scalar(
        select(OfflineDevice).where(OfflineDevice.id == device_id, OfflineDevice.user_id == user.id)
    )


def own_item(user, item_id: str) -> OfflineItem | None:
    return db.session.scalar(select(OfflineItem).where(OfflineItem.id == item_id, OfflineItem.user_id == user.id))


def _supervised_user_ids(user) -> set[str]:
    """Counsellors whose unit lies in the supervisor's scope."""
    scope = scope_for(user, "supervisor")
    if not scope:
        return set()
    return set(
        db.session.scalars(
            select(RoleAssignment.user_id).where(RoleAssignment.role == "counsellor", RoleAssignment.unit_id.in_(scope))
        )
    )


def visible_devices(user) -> list[OfflineDevice]:
    """My devices, and the devices of the counsellors I supervise; active first, newest first."""
    owners = _supervised_user_ids(user) | {user.id}
    rows = db.session.scalars(
        select(OfflineDevice)
        .where(OfflineDevice.user_id.in_(owners))
        .order_by(OfflineDevice.revoked_at.is_not(None), OfflineDevice.registered_at.desc())
    )
    return list(rows)


def visible_device(user, device_id: str) -> OfflineDevice | None:
    device = db.session.get(OfflineDevice, device_id)
    if device is None or device.user_id not in (_supervised_user_ids(user) | {user.id}):
        return None
    return device


def counsellor_case_by_code(user, code: str) -> Case | None:
    """A case of the counsellor's own scope, by its printed code."""
    return db.session.scalar(
        select(Case).where(Case.code == (code or "").strip().upper(), Case.unit_id.in_(scope_for(user, "counsellor")))
    )
