"""Organisational units: one tree (province → district → commune → village, with trusted addresses
and agencies under the unit they serve), dated, with a lineage table for mergers."""

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import Model, new_uuid

KINDS = ("province", "district", "commune", "village", "trusted_address", "agency")


class Unit(Model):
    __tablename__ = "unit"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # Materialised path of codes ("/11/099/03253/"): a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(400), index=True)
    official_code: Mapped[str | None] = mapped_column(String(20))
    code_system: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    disabled: Mapped[bool] = mapped_column(default=False)
    # The office's work contact, set by the admin (never by the reference loaders, which leave it alone): the
    # number of the office, not of a person, so plain reference data that both sides of a referral may see.
    work_phone: Mapped[str | None] = mapped_column(String(20))
    work_note: Mapped[str | None] = mapped_column(String(120))  # e.g. office hours "Thứ 2–6, 7h30–17h"

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])

    def is_current(self, on: date | None = None) -> bool:
        on = on or clock.today()
        return not self.disabled and self.exists_between(on, on)

    def exists_between(self, start: date, end: date) -> bool:
        """By its dates, the unit exists on some day of start..end (a unit merged in mid-year exists in that
        year); whether it is disabled is another matter (see is_current)."""
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or start <= self.valid_to)

    @property
    def work_phone_dial(self) -> str:
        """The work phone as a `tel:` link dials it: digits, with a leading + kept."""
        phone = self.work_phone or ""
        return ("+" if phone.startswith("+") else "") + "".join(ch for ch in phone if ch.isdigit())

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.kind}>"


class UnitLineage(Model):
    """`old` became (part of) `new` on `effective`: history stays on `old` and rolls up to `new`."""

    __tablename__ = "unit_lineage"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    old_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    new_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    effective: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))

    old: Mapped[Unit] = relationship(foreign_keys=[old_id])
    new: Mapped[Unit] = relationship(foreign_keys=[new_id])
