"""Case records in three tiers.

* summary — plaintext only what scoping and the work lists sort and filter on: code, kind, unit, status,
  risk level, dates; the person's profile (sex, age band, ethnic group, disability, poverty status, village)
  is sealed like identity (`Case.profile`), because in a small commune those fields single a person out;
  the statistics read counts kept apart (`StatTally`, app/cases/tally.py), never linked to a case;
* identity — encrypted, blind-indexed where searched: names, birth date, ID number, phone, address…;
* narrative — encrypted: what happened, the assessment, safety plan and safe-contact protocol.

Every row hanging off a case (consents, follow-ups, services, notes, grants) seals its protected
fields under the case's own data key (`CaseKeyed`), so destroying that one key erases them all.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, not_, select, text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..crypto import casekeys
from ..crypto import rows as raw_rows
from ..crypto.blind import fold_diacritics, normalize_digits, normalize_text
from ..crypto.records import BlindSpec, Encrypted, EncryptedRecord, blind_hash
from ..extensions import Model, db, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit

KINDS = ("dv", "trafficking", "both")
STATUSES = ("open", "closed")
RISK_RANKS = {"high": 2, "medium": 1, "low": 0}
NAME_INDEXES = (BlindSpec("name", normalize_text), BlindSpec("name_fold", fold_diacritics))
NAME_YEAR = BlindSpec("name_year", lambda v: v)  # value is "<folded name>|<year>", built by the model
PHONE = BlindSpec("phone", normalize_digits, bits=16)
ID_NUMBER = BlindSpec("id_number", normalize_digits, bits=16)
BLIND_FIELDS = (
    ("full_name", NAME_INDEXES[0]),
    ("full_name", NAME_INDEXES[1]),
    ("phone", PHONE),
    ("id_number", ID_NUMBER),
)
BIDX_SCHEME = 2


PROFILE_DEFAULTS = {
    "sex": "",
    "age_band": "",
    "ethnic_code": "",
    "ethnic_list": "GSO",
    "disability": False,
    "poverty_status": "",
    "village_id": None,
}
SEALED_SIZE = 256  # bytes: every profile (and list of tally cells up to this size) seals to the same length
MANNER_SIZE = 128  # bytes: every consent's manner (method, given by, language) seals to one length
SERVICE_SIZE = 128  # bytes: every service's codes and dates seal to one length
CLOSURE_SIZE = 64  # bytes: every closure reason seals to one length (the longest code is 15 characters)


def padded(values: dict, size: int = SEALED_SIZE) -> dict:
    """`values` padded so that its sealed JSON is a multiple of `size` bytes (app/crypto/rows.py)."""
    return raw_rows.padded(values, size)


def sealed_field(store: str, name: str, size: int, *, day: bool = False, default: str = ""):
    """(getter, setter) of an attribute kept in the sealed JSON field `store`, padded to `size` bytes so that
    the length of the ciphertext tells no value; `day`: an ISO date. For codes no query reads in SQL: in clear,
    beside a commune's few cases, they would single a person out (README, "Quasi-identifiers")."""

    def read(row):
        value = (getattr(row, store) or {}).get(name)
        if day:
            return date.fromisoformat(value) if value else None
        return value or default

    def write(row, value):
        values = {k: v for k, v in (getattr(row, store) or {}).items() if k != "pad"}
        values[name] = (value.isoformat() if value else None) if day else (value or default)
        setattr(row, store, padded(values, size))

    return read, write


def _profile_field(name: str):
    def read(case):
        return (case.profile or {}).get(name, PROFILE_DEFAULTS[name])

    def write(case, value):
        values = {k: v for k, v in (case.profile or PROFILE_DEFAULTS).items() if k != "pad"}
        values[name] = PROFILE_DEFAULTS[name] if value is None and name != "village_id" else value
        case.profile = padded(values)

    return read, write


def _closure_field():
    """(getter, setter) of the closure reason, kept in the sealed `closure`: None while the case is open."""

    def read(case) -> str | None:
        return (case.closure or {}).get("reason") or None

    def write(case, value: str | None) -> None:
        case.closure = padded({"reason": value}, CLOSURE_SIZE) if value else None

    return read, write


class Case(EncryptedRecord, Model):
    __tablename__ = "case_record"
    # The list reads each unit through one of these, already in the order asked (see queries.case_page).
    __table_args__ = (
        Index("ix_case_record_unit_opened", "unit_id", "opened_on", "id"),
        Index("ix_case_record_unit_followup", "unit_id", "next_followup_on", "id"),
        Index("ix_case_record_unit_risk", "unit_id", "risk_rank", "opened_on", "id"),
        # The indicator figures count the cases of a unit open during a year, by kind, from this index
        # alone (it covers the query): no row is read, however many cases there are.
        # in_statistics is part of it, so that a withdrawn consent keeps the count covered by the index.
        Index("ix_case_record_unit_kind_span", "unit_id", "kind", "opened_on", "closed_on", "in_statistics"),
        # The few cases left out of the figures, for the referral counts (a partial index: a plain one on a
        # flag would tempt SQLite's planner to walk every counted case instead of the unit index above).
        Index(
            "ix_case_record_out_of_statistics",
            "id",
            sqlite_where=text("in_statistics = 0"),
            postgresql_where=text("NOT in_statistics"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # shown to people, never used as a key
    kind: Mapped[str] = mapped_column(String(12), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    risk_level: Mapped[str] = mapped_column(String(10), default="medium", index=True)
    # 2 high, 1 medium, 0 low: the list sorts by risk on this index (kept in step by set_risk_rank below).
    risk_rank: Mapped[int] = mapped_column(Integer, default=1, server_default="1", index=True)
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # The earliest open follow-up: kept here so that the list sorts and filters on an index.
    next_followup_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Whether the case counts in derived figures (indicators, protection statistics). It turns false when the
    # survivor withdraws consent for the purpose "statistics" (Law 91/2025; Decree 356/2025 Art. 6, see
    # legal-2026.md §5: withdrawal stops processing for that purpose, derived statistics included) and true
    # again with a new statistics consent; app/privacy/reactions.py keeps it, from the consent events.
    # Every figure filters on STATISTICS_PREDICATE below, this one plaintext column, and nothing else.
    in_statistics: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    __mapper_args__ = {"version_id_col": version}

    # The profile: sex (female, male, other, unknown), age band, ethnic group (code and list), disability,
    # poverty status, village. Sealed, and padded to one size, so neither the bytes nor their length tell a value.
    profile = Encrypted(kind="json")
    # Why the case was closed ({"reason": a code of reference_data.CLOSURE_REASONS}; NULL while open): sealed and
    # padded to one length. "deceased", "not_eligible" or "client_withdrew" beside a commune's few cases says
    # what happened to a person; no query reads it in SQL, and erasure takes it with the key (migration 2950).
    closure = Encrypted(kind="json")
    # The statistic cells the case last added one to (app/cases/tally.py): sealed, so the counts table holds no
    # link to a case, and erasure (which destroys this key) leaves the counts while cutting the link.
    tally_keys = Encrypted(kind="json")
    # identity tier
    full_name = Encrypted(blind=NAME_INDEXES)
    other_names = Encrypted()
    birth_date = Encrypted(kind="date")
    birth_year = Encrypted(kind="int")  # when only an estimate is known
    id_number = Encrypted(blind=(ID_NUMBER,))
    phone = Encrypted(blind=(PHONE,))
    address_detail = Encrypted()
    guardian = Encrypted(kind="json")  # {"name", "relation", "phone"} for a child
    preferred_language = Encrypted()
    interpreter_needed = Encrypted()  # "yes"/"no": whether the survivor needs one is itself sensitive
    # narrative tier
    domestic_violence = Encrypted(kind="json")  # acts, perpetrator, relation, how reported, measures, orders
    trafficking = Encrypted(kind="json")  # status, destination, exploitation, dates, identification, minor
    reported_by = Encrypted()  # who reported the case: kept confidential
    assessment = Encrypted(kind="json")  # risk reasons, needs
    safety_plan = Encrypted()
    safe_contact = Encrypted(kind="json")  # channel, time window, code word
    incident = Encrypted()  # what happened, in the counsellor's words

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")

    bidx_name_year = mapped_column(Integer, nullable=True, index=True)
    if TYPE_CHECKING:  # the blind-index columns Encrypted(blind=...) adds when the class is built
        bidx_name: Mapped[int | None]
        bidx_name_fold: Mapped[int | None]
        bidx_phone: Mapped[int | None]
        bidx_id_number: Mapped[int | None]
    # 2: the indexes are keyed per commune (search scope); NULL: made with the one key of the installation
    # before, and `keys reindex` (run by setup) recomputes them.
    bidx_scheme: Mapped[int | None] = mapped_column(Integer, nullable=True)

    IDENTITY_FIELDS = (
        "full_name",
        "other_names",
        "birth_date",
        "birth_year",
        "id_number",
        "phone",
        "address_detail",
        "guardian",
        "preferred_language",
        "interpreter_needed",
    )
    NARRATIVE_FIELDS = (
        "domestic_violence",
        "trafficking",
        "reported_by",
        "assessment",
        "safety_plan",
        "safe_contact",
        "incident",
    )
    SUMMARY_FIELDS = (
        "code",
        "kind",
        "unit_id",
        "village_id",
        "status",
        "sex",
        "age_band",
        "ethnic_code",
        "disability",
        "poverty_status",
        "risk_level",
        "opened_on",
        "closed_on",
    )

    # The profile's fields read and written as attributes (forms, pages, packets), sealed together in `profile`.
    sex = property(*_profile_field("sex"))
    age_band = property(*_profile_field("age_band"))
    ethnic_code = property(*_profile_field("ethnic_code"))
    ethnic_list = property(*_profile_field("ethnic_list"))
    disability = property(*_profile_field("disability"))
    poverty_status = property(*_profile_field("poverty_status"))
    village_id = property(*_profile_field("village_id"))
    closure_reason = property(*_closure_field())

    @property
    def village(self) -> Unit | None:
        return db.session.get(Unit, self.village_id) if self.village_id else None

    def key_owner(self) -> tuple[str, str]:
        return self.id, casekeys.CASE  # the case key in the case-key store: erasure destroys it

    def owned_store_key(self) -> tuple[str, None]:
        return self.id, None  # the whole group: the case key and every referral packet key of the case

    def search_scope(self) -> str | None:
        """The commune whose blind-index keys this case's indexes use (units.queries.search_scope)."""
        from ..units.queries import search_scope

        return search_scope(self.unit_id)

    def blind_value(self, spec: BlindSpec, value) -> int | None:
        scope = self.search_scope()
        return blind_hash(self.crypto_table(), spec, value, scope=scope) if scope else None

    def refresh_blind_indexes(self) -> None:
        """Every blind index of the case, under its commune's keys: after intake, an edit or a move to another
        unit (another commune means other keys), and by `flask --app wsgi keys reindex`."""
        for name, spec in BLIND_FIELDS:
            value = getattr(self, name)
            setattr(self, f"bidx_{spec.name}", self.blind_value(spec, value) if value else None)
        year = self.birth_date.year if self.birth_date else self.birth_year
        name = fold_diacritics(self.full_name or "")
        self.bidx_name_year = self.blind_value(NAME_YEAR, f"{name}|{year}") if name and year else None
        self.bidx_scheme = BIDX_SCHEME

    @validates("risk_level")
    def set_risk_rank(self, _key, value):
        self.risk_rank = RISK_RANKS.get(value, 1)
        return value

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class CaseKeyed:
    """A row whose protected fields are sealed under its case's data key (one key erases all)."""

    if TYPE_CHECKING:  # what the mapped classes that mix this in have
        __tablename__: str
        case: Case

    @classmethod
    def crypto_table(cls) -> str:
        return cls.__tablename__

    def data_key(self) -> bytes:
        return self.case.data_key()


def in_statistics():
    """The one condition of every derived figure: the case counts (consent for statistics not withdrawn)."""
    return Case.in_statistics.is_(True)


def out_of_statistics():
    """The ids of the cases left out of every figure (few: read through their index)."""
    # Rendered "in_statistics = 0" on SQLite, "NOT in_statistics" on PostgreSQL: the partial index's own terms.
    return select(Case.id).where(not_(Case.in_statistics))


def _case_fk():
    return mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)


class CaseCounter(Model):
    """The last case number given in a year: codes are TG-<year>-<number>."""

    __tablename__ = "case_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Consent(CaseKeyed, Model):
    """One entry of the consent ledger: for one purpose (and, to share, one named agency)."""

    __tablename__ = "case_consent"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    purpose: Mapped[str] = mapped_column(String(30))  # services, share_with_agency, statistics
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))  # who explained it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The evidence of consent (Decree 356/2025 Art. 6): the version of the sensitive-data notice that was read
    # to the person (app/privacy keeps the versions), and in which language it was explained.
    notice_id: Mapped[str | None] = mapped_column(ForeignKey("privacy_notice.id"))
    witness = Encrypted()
    note = Encrypted()
    # How it was given, by whom and in which language: no query reads them, and in clear they told what the
    # sealed profile hides (a guardian's consent says "a child"; the language of the explanation, the ethnic
    # group), so they are sealed with the case, padded to one size (migration 2740).
    manner = Encrypted(kind="json")
    method = property(*sealed_field("manner", "method", MANNER_SIZE))  # signed, thumbprint, verbal_with_witness
    given_by = property(*sealed_field("manner", "given_by", MANNER_SIZE))  # self, guardian, child_and_guardian
    language = property(*sealed_field("manner", "language", MANNER_SIZE))  # reference_data.CONSENT_LANGUAGES

    case: Mapped[Case] = relationship(lazy="joined")
    agency: Mapped[Unit | None] = relationship()

    def is_valid(self, on: date) -> bool:
        return self.withdrawn_on is None and self.given_on <= on and (self.expires_on is None or on <= self.expires_on)


class FollowUp(CaseKeyed, Model):
    __tablename__ = "case_followup"
    # The work queue and the count in every counsellor's navigation bar (app/cases/work.py): the user's open
    # follow-ups due by next week, read from this index alone (it holds the case id: no heap fetch) in (due date,
    # id) order and cut at the rows shown, before any case is joined. Without it PostgreSQL reads every follow-up
    # ever assigned to the user (done ones too) and sorts them, on every page: at 1 000 000 cases over 45 communes
    # 3 640 rows for the 200 shown (bench/scale.py).
    __table_args__ = (Index("ix_case_followup_assignee_open_due", "assignee_id", "status", "due_on", "id", "case_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    due_on: Mapped[date] = mapped_column(Date, index=True)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open, done, cancelled
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What created it, for reminders driven by other areas (e.g. "livelihood:<plan-id>:6m").
    source: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purpose = Encrypted()
    outcome = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")


class CaseService(CaseKeyed, Model):
    """A service in the case plan: shelter, counselling, medical, legal aid, police, economic support…"""

    __tablename__ = "case_service"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notes = Encrypted()
    # The kind of service (a medical examination, a shelter, legal aid…), its status and dates: the case plan
    # reads them from the case page, never in SQL, so they are sealed with the case, padded to one size
    # (migration 2740): in clear they singled out every demo case beside its trusted address.
    codes = Encrypted(kind="json")
    kind = property(*sealed_field("codes", "kind", SERVICE_SIZE))
    status = property(*sealed_field("codes", "status", SERVICE_SIZE, default="planned"))  # in_progress, done, cancelled
    start_on = property(*sealed_field("codes", "start_on", SERVICE_SIZE, day=True))
    end_on = property(*sealed_field("codes", "end_on", SERVICE_SIZE, day=True))

    case: Mapped[Case] = relationship(lazy="joined")


class CaseNote(CaseKeyed, Model):
    """Append-only notes; a correction is a new note that supersedes the old one, which is kept; a withdrawal
    only marks the note (the text is kept, encrypted, as history)."""

    __tablename__ = "case_note"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("case_note.id"))
    # A withdrawn note (and the versions it corrected) leaves the page; its text stays here, encrypted.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    body = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")


class BreakGlassGrant(CaseKeyed, Model):
    """A district reviewer's emergency, time-limited, read-only access to a whole case."""

    __tablename__ = "case_break_glass"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = _case_fk()
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason = Encrypted()

    case: Mapped[Case] = relationship(lazy="joined")


class EraseRequest(Model):
    """Erasure on a data-subject request or at the end of retention: asked by an admin, confirmed by a
    district reviewer; the reason is an enumerated code, not free text, because admins see no case content."""

    __tablename__ = "case_erase_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))  # subject_request, retention_end
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, done, refused
    requested_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatTally(Model):
    """How many cases fall in one cell of a statistic: what the reports read, with no link to any case.

    A cell is (statistic, unit, period, until, category): e.g. ("cases_open", trusted address, "2026-Q1" opened,
    "2026-Q3" closed or "" open, "dv"), ("victims_age_group", unit, "2026", "", "under_16"). Kept in step by
    app/cases/tally.py in the transaction of each change."""

    __tablename__ = "stat_tally"
    __table_args__ = (
        UniqueConstraint("statistic", "unit_id", "period", "until", "category", name="uq_stat_tally_cell"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    statistic: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2026-Q1" (a quarter) or "2026" (a year)
    until: Mapped[str] = mapped_column(String(7), default="")  # "2026-Q3": closed in that quarter; "": open
    category: Mapped[str] = mapped_column(String(20), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
