"""Reference data that `setup` loads into any database, area by area, only when it changed.

Each loader inserts what is missing and updates what changed, by natural key (safe to run again). Its
version is a fingerprint of the data it loads (the text of its data module); `setup` records the version
it loaded in `reference_version`, so a re-run with the same data does no work, and changed data (a merged
commune, a new indicator) is loaded by the next `setup` without anyone remembering to bump a number.
"""

import hashlib
import inspect
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import Model, db, utcnow
from .types import UTCDateTime


@dataclass(frozen=True)
class Loader:
    name: str
    call: str  # "module:function"
    data: tuple[str, ...] = ()  # the modules that hold its data (their text is its version)
    # Commits its own batches and resumes an interrupted run (ReferenceProgress): it is called with the
    # version it loads and a function to print progress with, and the caller commits its last step.
    batched: bool = False

    def version(self) -> str:
        digest = hashlib.sha256(self.call.encode())
        for module in self.data:
            digest.update(inspect.getsource(import_module(module)).encode())
        return digest.hexdigest()

    def run(self, echo=None):
        module_name, func_name = self.call.split(":")
        function = getattr(import_module(module_name), func_name)
        return function(version=self.version(), echo=echo) if self.batched else function()


LOADERS = (
    Loader("audit_head", "app.audit.services:ensure_head"),
    Loader("units", "app.units.services:load_reference", ("app.units.reference_data",)),
    Loader("directory", "app.directory.services:load_reference", ("app.directory.reference_data",)),
    Loader("indicators", "app.indicators.services:load_catalogue", ("app.indicators.catalogue_data",)),
    # Only what is missing: the first notice version and the proposed retention lines (the officer's own stay).
    Loader("privacy", "app.privacy.services:load_reference", ("app.privacy.reference_data",)),
    # The statistics' counts: recounted when what a case contributes changes (these modules' text), and after
    # a migration that created or extended them (it forgets this version; a migration does not run app logic).
    # In committed batches, resumable (app/cases/tally.py recount): at a province's scale it takes minutes.
    Loader(
        "stat_tally",
        "app.cases.tally:bring_up_to_date",
        ("app.cases.tally", "app.protection.tally"),
        batched=True,
    ),
)


# Tables that hold reference data (kept when tests wipe the transactional tables between tests).
REFERENCE_TABLES = {
    "alembic_version",
    "reference_version",
    "unit",
    "unit_lineage",
    "indicator_def",
    "indicator_plan",
    "indicator_activity",
    "indicator_cycle_rule",
    "directory_service",
    "directory_service_area",
}
# Of the plan tables, only the 2022 plan's rows are reference data: plans made in the app are not.
PLAN_TABLES = ("indicator_cycle_rule", "indicator_def", "indicator_activity")
REFERENCE_PLAN = "TG-DA8-2021-2025"


class ReferenceVersion(Model):
    """The version of each loader's data last loaded into this database."""

    __tablename__ = "reference_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferenceProgress(Model):
    """How far a loader that commits in batches has got towards a version (app/cases/tally.py `recount`): its
    batches and this row are committed together, so an interrupted `setup` continues from the last one."""

    __tablename__ = "reference_progress"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))  # the version being loaded
    mode: Mapped[str] = mapped_column(String(10))  # the loader's own (tally: "move" or "scratch")
    after_id: Mapped[str | None] = mapped_column(String(36))  # the last row done, in id order (None: none yet)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)  # rows to do, as counted when this version began
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def call_each(specs) -> list:
    """Call every "module:function", in order (the demo seeders)."""
    results = []
    for spec in specs:
        module_name, func_name = spec.split(":")
        results.append(getattr(import_module(module_name), func_name)())
    return results


def load_all() -> None:
    """Run every loader, whatever was loaded before (tests, and a database being built)."""
    for loader in LOADERS:
        loader.run()


def load_changed(echo=None) -> list[str]:
    """Run the loaders whose data changed since this database last loaded it; returns their names. A batched
    loader commits as it goes (what the loaders before it did is committed with its first batch); its version
    is recorded only once it has finished, by the caller's commit."""
    loaded: dict[str, str] = {
        name: version
        for name, version in db.session.execute(select(ReferenceVersion.name, ReferenceVersion.version)).all()
    }
    ran = []
    for loader in LOADERS:
        version = loader.version()
        if loaded.get(loader.name) == version:
            continue
        loader.run(echo)
        db.session.merge(ReferenceVersion(name=loader.name, version=version, loaded_at=utcnow()))
        ran.append(loader.name)
    db.session.flush()
    return ran
