"""The survivor's rights and the controller's duties under the 2025 personal-data law (Law 91/2025/QH15)."""

from . import workqueue  # noqa: F401 - registers the work-queue sources
