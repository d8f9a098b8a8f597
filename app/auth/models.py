"""Users, their roles (each scoped to a unit) and their server-side sessions."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto.records import Encrypted, EncryptedRecord
from ..extensions import Model, new_uuid, utcnow
from ..types import UTCDateTime
from ..units.models import Unit

ROLES = ("counsellor", "supervisor", "district_reviewer", "agency_officer", "dpo", "reporter", "monitor", "admin")
# Roles that see person-level data: TOTP is required for them in production.
PERSON_DATA_ROLES = frozenset({"counsellor", "supervisor", "district_reviewer", "agency_officer", "dpo"})
# Roles that need a second factor in production: the case readers and the administrator of accounts.
SECOND_FACTOR_ROLES = PERSON_DATA_ROLES | {"admin"}


class User(EncryptedRecord, UserMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    totp_secret = Encrypted()
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # The last TOTP time step accepted: a code of that step or earlier is a replay.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    # Set by an approved second-factor reset: the password still works, but the account signs in only after its
    # owner enrols a new authenticator through the one-time link (never by password alone).
    totp_by_link: Mapped[bool] = mapped_column(default=False, server_default=false())
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def units_for(self, role: str) -> list[Unit]:
        return [r.unit for r in self.roles if r.role == role]

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names() & set(roles))

    def needs_totp(self, required_by_config: bool) -> bool:
        return required_by_config and bool(self.role_names() & SECOND_FACTOR_ROLES)


class RoleAssignment(Model):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="uq_role_assignment"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[Unit] = relationship(lazy="joined")


class UserSession(Model):
    """A login, held on the server: the cookie carries only a random token whose hash is the id."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    # False until the second factor is given, when the user has TOTP.
    totp_ok: Mapped[bool] = mapped_column(default=False)
    # When this session last gave a fresh second factor: privileged steps need it within STEP_UP_MAX_AGE.
    stepped_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ThrottleCounter(Model):
    """Failed-attempt counters when no Redis is configured: one row per key, counted by one atomic upsert."""

    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer)  # epoch seconds of the fixed window
    count: Mapped[int] = mapped_column(Integer, default=0)


class RecoveryCode(Model):
    """One single-use recovery code of a second factor, kept only as its SHA-256 (it is 60 random bits)."""

    __tablename__ = "recovery_code"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SetupLink(Model):
    """A one-time link with which a case reader sets their own password and second factor (or, after a
    second-factor reset, enrols a new authenticator only); only its hash is kept, it expires and it works once.
    It is handed over by the approver, never by an administrator."""

    __tablename__ = "setup_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "full": the owner sets password and second factor; "totp": the second factor only (the password stays).
    purpose: Mapped[str] = mapped_column(String(8), default="full", server_default="full")

    user: Mapped[User] = relationship()


class KnownDevice(Model):
    """A browser where this account completed a full sign-in (OWASP "device cookie"): the cookie holds a random
    256-bit token, only its SHA-256 is kept. Failed sign-ins that present it are counted apart from the account's
    shared budget, so an attack from elsewhere does not lock the owner out. No address, no browser name."""

    __tablename__ = "known_device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
