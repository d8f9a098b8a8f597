"""Protection casework: the dated legal steps of a case.

Coded fields (forms of violence, measure, decider, regime…) stay plaintext codes so that the statistics count
them without decrypting, except a perpetrator's sex, age band and relation: beside the case's unit they point
at a household, so they are sealed with the case (`Perpetrator.codes`) and the statistics read counts
(app/protection/tally.py). Everything that could tell who a person is or what happened in
their words (a perpetrator's identity, notes, document references, the risk answers) is sealed under the
CASE's data key (`CaseKeyed`), so erasing the case erases it too.

* Incident — one episode of violence, with its forms (IncidentViolence) and the perpetrators involved;
* Perpetrator — coded sex, age band and relation, sealed together; identity sealed;
* Measure — a protective or support measure of Law 13/2022 Art. 22 (what, who, outcome and dates sealed);
* NoContactOrder — Art. 25 (commune chair) or Art. 26 (court); a renewal is a new order pointing at the old;
  with its copies sent (OrderCopy), breaches (OrderBreach) and exception contacts (ExceptionContact,
  Decree 76/2023 Art. 18);
* Identification — trafficking identification (Law 53/2024 Art. 27), with its evidence (Art. 32–33);
* Entitlement — a support regime of Decree 162/2025 Art. 17–25;
* AddressNotice — the trusted address's notification to the UBND xã (Law 13/2022 Art. 19);
* RiskAssessment — the structured risk reassessment at a follow-up.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..cases.models import Case, CaseKeyed, sealed_field
from ..crypto.records import Encrypted
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime


def _case_fk():
    return mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)


def _id():
    return mapped_column(String(36), primary_key=True, default=new_uuid)


def _user_fk():
    return mapped_column(ForeignKey("user_account.id"), nullable=True)


CODES_SIZE = 128  # bytes: every perpetrator's codes seal to one length (a length must not tell "male" from "female")


MEASURE_SIZE = 256  # bytes: every measure's sealed details have one length


def _code_field(name: str):
    return sealed_field("codes", name, CODES_SIZE)


class Perpetrator(CaseKeyed, Model):
    __tablename__ = "protection_perpetrator"

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    # Sex, age band and relation: codes, but a husband of 30–44 beside a commune's few cases is a person, so
    # they are sealed (and padded to one size); the statistics read counts (app/protection/tally.py).
    codes = Encrypted(kind="json")
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    full_name = Encrypted()
    phone = Encrypted()
    address = Encrypted()
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")

    sex = property(*_code_field("sex"))
    age_band = property(*_code_field("age_band"))
    relation = property(*_code_field("relation"))


DATES_SIZE = 128  # bytes: an exact day and an approximate period seal to one length


def _incident_day(name: str):
    read, write = sealed_field("dates", name, DATES_SIZE, day=True)

    def write_and_count(incident, value):
        write(incident, value)
        day = incident.counting_day
        incident.quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else None

    return read, write_and_count


class Incident(CaseKeyed, Model):
    __tablename__ = "protection_incident"

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    # An exact day, or an approximate period (from/to) when the person cannot say which day it was: sealed with
    # the case (`dates`), since the night it happened is what the neighbours know. In clear only the quarter of
    # the day it counts on (`counting_day`), which the national export selects a period by in SQL; the tables
    # by year and month read the counts (app/protection/tally.py). Erasure clears the quarter too.
    dates = Encrypted(kind="json")
    quarter: Mapped[str | None] = mapped_column(String(7), index=True)
    place_type: Mapped[str] = mapped_column(String(12))
    reported_to_police: Mapped[bool] = mapped_column(Boolean, default=False)
    # Coded for the GBVIMS types (app/statistics/gbvims.py): rape or other sexual assault when the forms include
    # "sexual" (None on incidents recorded before the sub-form existed), and forced (child) marriage, an act of
    # Law 13/2022 Art. 3(1) that is none of Circular 07's four forms.
    sexual_kind: Mapped[str | None] = mapped_column(String(20))
    forced_marriage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    description = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    forms: Mapped[list["IncidentViolence"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    perpetrators: Mapped[list[Perpetrator]] = relationship(secondary="protection_incident_perpetrator", lazy="selectin")

    occurred_on = property(*_incident_day("occurred_on"))
    period_from = property(*_incident_day("period_from"))
    period_to = property(*_incident_day("period_to"))

    @property
    def form_codes(self) -> list[str]:
        return sorted(f.form for f in self.forms)

    @property
    def counting_day(self) -> date | None:
        """The day the incident counts on: its exact day, else the end, else the start of its period."""
        return self.occurred_on or self.period_to or self.period_from

    @property
    def sort_day(self) -> date:
        return self.counting_day or clock.local_date(self.created_at)


class IncidentViolence(Model):
    """One form of violence of an incident: a row each, so the statistics count them in SQL."""

    __tablename__ = "protection_incident_form"

    incident_id: Mapped[str] = mapped_column(ForeignKey("protection_incident.id", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(String(20), primary_key=True)


class IncidentPerpetrator(Model):
    __tablename__ = "protection_incident_perpetrator"

    incident_id: Mapped[str] = mapped_column(ForeignKey("protection_incident.id", ondelete="CASCADE"), primary_key=True)
    perpetrator_id: Mapped[str] = mapped_column(
        ForeignKey("protection_perpetrator.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Measure(CaseKeyed, Model):
    """A protective or support measure of Law 13/2022/QH15 Art. 22, decided or applied.

    Which measure, who decided it, its outcome and its dates are sealed with the case (`details`): a commune
    chair's decision of a given day is known around the commune. No deadline or list reads them in SQL; the
    statistics read counts (app/protection/tally.py)."""

    __tablename__ = "protection_measure"

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details = Encrypted(kind="json")  # measure, decided_by, outcome, decided_on, start_on, end_on
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")

    measure = property(*sealed_field("details", "measure", MEASURE_SIZE))
    decided_by = property(*sealed_field("details", "decided_by", MEASURE_SIZE))
    outcome = property(*sealed_field("details", "outcome", MEASURE_SIZE, default="ongoing"))
    decided_on = property(*sealed_field("details", "decided_on", MEASURE_SIZE, day=True))
    start_on = property(*sealed_field("details", "start_on", MEASURE_SIZE, day=True))
    end_on = property(*sealed_field("details", "end_on", MEASURE_SIZE, day=True))


class NoContactOrder(CaseKeyed, Model):
    """One decision (or request awaiting one): Art. 25 by the commune chair, Art. 26 by a court.

    A renewal is a new decision, so a new row with `renewal_of_id`; an order is never silently extended."""

    __tablename__ = "protection_order"
    __table_args__ = (Index("ix_protection_order_status_end", "status", "ends_at"),)

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    perpetrator_id: Mapped[str | None] = mapped_column(ForeignKey("protection_perpetrator.id", ondelete="SET NULL"))
    renewal_of_id: Mapped[str | None] = mapped_column(ForeignKey("protection_order.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="requested", index=True)  # requested, granted, refused
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_number: Mapped[str | None] = mapped_column(String(40))
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    perpetrator: Mapped[Perpetrator | None] = relationship()
    renewal_of: Mapped["NoContactOrder | None"] = relationship(remote_side=[id])
    copies: Mapped[list["OrderCopy"]] = relationship(back_populates="order", order_by="OrderCopy.sent_on")
    breaches: Mapped[list["OrderBreach"]] = relationship(back_populates="order", order_by="OrderBreach.occurred_at")
    exceptions: Mapped[list["ExceptionContact"]] = relationship(
        back_populates="order", order_by="ExceptionContact.starts_at"
    )

    def in_force(self, at: datetime | None = None) -> bool:
        at = at or clock.now()
        return (
            self.status == "granted"
            and self.starts_at is not None
            and self.ends_at is not None
            and self.starts_at <= at <= self.ends_at
        )

    def has_ended(self, at: datetime | None = None) -> bool:
        return self.status == "granted" and self.ends_at is not None and (at or clock.now()) > self.ends_at


class OrderCopy(Model):
    __tablename__ = "protection_order_copy"

    id: Mapped[str] = _id()
    order_id: Mapped[str] = mapped_column(ForeignKey("protection_order.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = _case_fk()
    recipient: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()
    order: Mapped[NoContactOrder] = relationship(back_populates="copies")


class OrderBreach(CaseKeyed, Model):
    __tablename__ = "protection_order_breach"

    id: Mapped[str] = _id()
    order_id: Mapped[str] = mapped_column(ForeignKey("protection_order.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = _case_fk()
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_to_police: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    description = Encrypted()

    case: Mapped[Case] = relationship()
    order: Mapped[NoContactOrder] = relationship(back_populates="breaches")


class ExceptionContact(CaseKeyed, Model):
    """A contact allowed during an order (Decree 76/2023 Art. 18): a listed reason, form 09 co-signed by the
    supervisor, at most 4 hours."""

    __tablename__ = "protection_exception"

    id: Mapped[str] = _id()
    order_id: Mapped[str] = mapped_column(ForeignKey("protection_order.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = _case_fk()
    reason: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    form09_on: Mapped[date] = mapped_column(Date)  # the day the request on Mẫu số 09 was made
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending, cosigned
    requested_by_id: Mapped[str | None] = _user_fk()
    cosigned_by_id: Mapped[str | None] = _user_fk()
    cosigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    order: Mapped[NoContactOrder] = relationship(back_populates="exceptions")


class Identification(CaseKeyed, Model):
    """Trafficking identification of one case (Law 53/2024/QH15 Art. 27)."""

    __tablename__ = "protection_identification"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    received_by: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date] = mapped_column(Date)
    brought_to_commune_on: Mapped[date | None] = mapped_column(Date)
    urgent_support: Mapped[bool] = mapped_column(Boolean, default=False)
    health_dept_notified_on: Mapped[date | None] = mapped_column(Date, index=True)
    verified_with_police_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    outcome_on: Mapped[date | None] = mapped_column(Date)
    being_protected: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="identification", order_by="Evidence.created_at")


class Evidence(CaseKeyed, Model):
    """A document evidencing victim status (Law 53/2024 Art. 32–33): coded kind, sealed reference."""

    __tablename__ = "protection_evidence"

    id: Mapped[str] = _id()
    identification_id: Mapped[str] = mapped_column(
        ForeignKey("protection_identification.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[str] = _case_fk()
    kind: Mapped[str] = mapped_column(String(30))
    issued_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reference = Encrypted()  # the document's number and issuer: can point to the person

    case: Mapped[Case] = relationship()
    identification: Mapped[Identification] = relationship(back_populates="evidence")


class Entitlement(CaseKeyed, Model):
    """A support regime of Decree 162/2025/NĐ-CP Art. 17–25, time-limited where the decree says so."""

    __tablename__ = "protection_entitlement"

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    regime: Mapped[str] = mapped_column(String(30), index=True)
    responsible_body: Mapped[str] = mapped_column(String(30))
    granted_on: Mapped[date] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(Integer)  # đồng, where money is involved
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")


class AddressNotice(CaseKeyed, Model):
    """The trusted address told the UBND xã that it received this victim (Law 13/2022/QH15 Art. 19)."""

    __tablename__ = "protection_address_notice"

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    notified_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(12))
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")


class RiskAssessment(CaseKeyed, Model):
    """The same coded questions at each follow-up. The answers are sealed; the score and level stay plain,
    like the case's own risk level (summary tier), so the trend and the work queue need no decryption."""

    __tablename__ = "protection_risk"

    id: Mapped[str] = _id()
    case_id: Mapped[str] = _case_fk()
    followup_id: Mapped[str | None] = mapped_column(ForeignKey("case_followup.id", ondelete="SET NULL"))
    assessed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(10), index=True)
    # Set when the level rose to high: the safety plan must be reviewed, the supervisor is told (work queue).
    review_needed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[str | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers = Encrypted(kind="json")  # {question code: true/false}
    note = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")


CASE_PARTS = (
    Perpetrator,
    Incident,
    Measure,
    NoContactOrder,
    OrderCopy,
    OrderBreach,
    ExceptionContact,
    Identification,
    Evidence,
    Entitlement,
    AddressNotice,
    RiskAssessment,
)
