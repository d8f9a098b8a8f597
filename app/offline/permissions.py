"""Object policies for offline capture: a device is its owner's (and its supervisor's, to revoke)."""

from ..auth.permissions import policy
from .models import OfflineCase, OfflineDevice, OfflineItem
from .queries import visible_device


@policy(OfflineDevice)
def device_policy(user, action: str, device: OfflineDevice) -> bool:
    return action == "revoke" and visible_device(user, device.id) is not None


@policy(OfflineItem)
def item_policy(user, action: str, item: OfflineItem) -> bool:
    return action == "read" and item.user_id == user.id


@policy(OfflineCase)
def offline_case_policy(user, action: str, row: OfflineCase) -> bool:
    return action == "edit" and row.user_id == user.id
