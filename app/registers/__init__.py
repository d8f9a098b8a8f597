"""Registers the reports count: safe-motherhood support payments and community events (2022 plan, Phụ biểu I.4,
I.2, III.1); the third register, the community models, lives in app/indicators (RegistryEntry)."""

from . import sources  # noqa: F401 - registers the value sources at start
