"""Directory services and the communes they cover.

A Service is what a counsellor refers to: a type of help (social protection, health, police…) given by a unit
(the agency whose officers receive the referral) in an area. Services are dated: a closed service keeps its
rows (old referrals name it) and points to its successor, so new work only ever reaches a live one.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit


class Service(Model):
    __tablename__ = "directory_service"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)  # reference_data.SERVICE_TYPES
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)  # the agency that runs it
    contact: Mapped[str] = mapped_column(String(300), default="")  # the office's channel, never a person's
    hours: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[list] = mapped_column(JSON, default=list)  # vi, thai, hmong
    accepts: Mapped[list] = mapped_column(JSON, default=list)  # dv, trafficking, children
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # the last day it worked
    successor_id: Mapped[str | None] = mapped_column(ForeignKey("directory_service.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    successor: Mapped["Service | None"] = relationship(remote_side=[id])
    areas: Mapped[list["ServiceArea"]] = relationship(back_populates="service", cascade="all, delete-orphan")

    def is_live(self, on: date | None = None) -> bool:
        """Open on that day (today by default), and so is the unit that runs it."""
        on = on or clock.today()
        return (
            (self.valid_from is None or self.valid_from <= on)
            and (self.valid_to is None or on <= self.valid_to)
            and self.unit.is_current(on)
        )

    @property
    def closed_on(self) -> date | None:
        """The first day it no longer worked ("giải thể từ …")."""
        from datetime import timedelta

        return self.valid_to + timedelta(days=1) if self.valid_to else None

    def live_successor(self, on: date | None = None) -> "Service | None":
        """The first live service down the successor chain (a successor may itself have closed)."""
        seen, nxt = {self.id}, self.successor
        while nxt is not None and nxt.id not in seen:
            if nxt.is_live(on):
                return nxt
            seen.add(nxt.id)
            nxt = nxt.successor
        return None


class ServiceArea(Model):
    """A unit (province or commune) a service covers: it covers every case whose unit lies there."""

    __tablename__ = "directory_service_area"
    __table_args__ = (UniqueConstraint("service_id", "unit_id", name="uq_directory_service_area"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("directory_service.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)

    service: Mapped[Service] = relationship(back_populates="areas")
    unit: Mapped[Unit] = relationship(lazy="joined")
