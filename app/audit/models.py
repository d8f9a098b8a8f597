"""The audit trail: append-only entries chained by HMAC, and the one-row chain head.

Entries hold ids and actions only — never names, narratives or any other person data.
"""

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..types import UTCDateTime

GENESIS = "0" * 64


class AuditEntry(Model):
    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    result: Mapped[str] = mapped_column(String(20), default="ok")
    # The case an entry concerns (directly or through a plan, referral, note…): the case timeline.
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # JSON of ids, codes and enumerated values only.
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Model):
    """The chain head (always the row with id 1). Locking it serialises appends on PostgreSQL."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    entry_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class AuditRefusalCount(Model):
    """Refused anonymous requests, counted: one row per minute, address bucket, action and result.

    A flood of anonymous requests (wrong passwords for unknown names, rate-limited sign-ins) would otherwise
    write one permanent chained entry each and bury real events; counted, it costs one row per bucket per
    minute. The bucket is a keyed tag of the /24 (IPv4) or /48 (IPv6) network, never the address.
    Refusals by a signed-in user, or naming an account, are still chained one by one.
    """

    __tablename__ = "audit_refusal_count"

    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    action: Mapped[str] = mapped_column(String(60), primary_key=True)
    result: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
