"""Reference data that `setup` loads into any database, idempotently, area by area."""

from importlib import import_module

# "module:function" — each loader inserts what is missing and updates what changed, by natural key.
LOADERS = (
    "app.audit.services:ensure_head",
    "app.units.services:load_reference",
    "app.indicators.services:load_catalogue",
)


# Tables that hold reference data (kept when tests wipe the transactional tables between tests).
REFERENCE_TABLES = {"alembic_version", "unit", "unit_lineage", "indicator_def", "indicator_plan", "indicator_activity"}


def call_each(specs) -> list:
    """Call every "module:function", in order."""
    results = []
    for spec in specs:
        module_name, func_name = spec.split(":")
        results.append(getattr(import_module(module_name), func_name)())
    return results


def load_all() -> None:
    call_each(LOADERS)
