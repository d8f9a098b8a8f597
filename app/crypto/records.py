"""The one mechanism by which models hold protected fields.

A model mixes in ``EncryptedRecord`` (it then carries its own wrapped data key) and declares each
protected field once::

    class Case(EncryptedRecord, db.Model):
        full_name = Encrypted(blind=(BlindSpec("name", normalize_text), BlindSpec("name_fold", fold_diacritics)))

``Encrypted`` adds the BLOB column ``<name>_enc`` (and one integer column ``bidx_<index>`` per blind
index), seals on assignment and opens on read. Views and services only ever see plaintext
attributes; no code outside this package calls encrypt or decrypt.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app, g
from sqlalchemy import Integer, LargeBinary, event
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from ..types import UTCDateTime
from . import casekeys, envelope
from .blind import blind_index
from .errors import CryptoError, RecordDamaged, RecordErased
from .keyring import KeyRing

DEFAULT_BITS = 14  # at 100 000 records, about 6 rows share each hash: deliberate false positives


def current_keyring() -> KeyRing:
    """The app's key ring, its erasure ledger read again once per request (app context).

    Instances on several hosts (and the workers of one) share the ledger: an erasure on another instance must
    count here from the next request on, not from this process's next start (KeyRing.refresh_ledger). The case
    keys themselves are never cached between requests: the store is read at every unwrap (casekeys.get)."""
    ring = current_app.extensions["tincay_keyring"]
    if ring is not None and not g.get("_tc_ledger_read"):
        g._tc_ledger_read = True
        ring.refresh_ledger()
    return ring


@dataclass(frozen=True)
class BlindSpec:
    name: str
    normalize: Callable[[str], str]
    bits: int = DEFAULT_BITS


class EncryptedRecord:
    """Mixin: a row whose protected fields are sealed under its own data key (DEK)."""

    wrapped_dek: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    kek_version: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    erased_at = mapped_column(UTCDateTime, nullable=True)

    @classmethod
    def crypto_table(cls) -> str:
        return cls.__tablename__  # type: ignore[attr-defined]  # every subclass is a mapped table

    # The address (group, name) in the case-key store of the key that wraps this row's DEK, or None when
    # the row's DEK is wrapped by the KEK itself (rows that are not about a case: user accounts).
    def key_owner(self) -> tuple[str, str] | None:
        return None

    # The store key that belongs to this row alone and dies when the row is shredded ((group, None): the
    # whole group, e.g. a case and everything derived from it); None when the row only borrows a key.
    def owned_store_key(self) -> tuple[str, str | None] | None:
        return None

    def data_key(self) -> bytes:
        """This row's DEK, unwrapped once per instance; a new one is made for a new row."""
        cached = self.__dict__.get("_tc_dek")
        if cached is not None:
            return cached
        if self.erased_at is not None:
            raise RecordErased(self.crypto_table())
        ring = current_keyring()
        if self.id is None:  # type: ignore[has-type]  # the id column is declared by each model
            from ..extensions import new_uuid

            self.id = new_uuid()
        if self.wrapped_dek is None:
            dek = envelope.new_dek()
            self._wrap_new(ring, dek)
        else:
            if self.id in ring.erased_ids:
                raise RecordErased(self.crypto_table())
            dek = self._unwrap(ring)
        self.__dict__["_tc_dek"] = dek
        return dek

    def _wrap_new(self, ring: KeyRing, dek: bytes) -> None:
        owner = self.key_owner()
        if owner is None:
            self.wrapped_dek = envelope.wrap_dek(ring, dek, self.crypto_table(), self.id)
            self.kek_version = ring.primary
            return
        key = ring.store.get_or_create(ring, *owner)
        self.wrapped_dek = envelope.wrap_dek_under(key, dek, self.crypto_table(), self.id)
        self.kek_version = envelope.STORE_WRAPPED

    def _unwrap(self, ring: KeyRing) -> bytes:
        table = self.crypto_table()
        wrapped = self.wrapped_dek
        assert wrapped is not None  # data_key() makes a new one when there is none
        try:
            if not envelope.is_store_wrapped(wrapped):
                return envelope.unwrap_dek(ring, wrapped, table, self.id)
            owner = self.key_owner()
            key = ring.store.get(ring, *owner) if owner else None
            if key is None:
                # The store key is gone: destroyed by an erasure (the ledger says so), or the store is not
                # the one that belongs with this database. Another instance may have erased the case during
                # this request: look at the ledger again before calling it damaged.
                ring.refresh_ledger()
                if owner and owner[0] in ring.erased_ids:
                    raise RecordErased(table)
                raise RecordDamaged(table, self.id, "case key missing")
            return envelope.unwrap_dek_under(key, wrapped, table, self.id)
        except RecordErased:
            raise
        except CryptoError as exc:
            raise RecordDamaged(table, self.id, "wrapped_dek") from exc

    def rewrap(self, ring: KeyRing) -> bool:
        """Re-wrap the DEK under the primary KEK (key rotation); False when nothing was to do.

        A DEK wrapped by a case-store key is left as it is: rotation re-wraps the store's keys instead."""
        if self.wrapped_dek is None or self.kek_version == ring.primary or envelope.is_store_wrapped(self.wrapped_dek):
            return False
        dek = envelope.unwrap_dek(ring, self.wrapped_dek, self.crypto_table(), self.id)
        self.wrapped_dek = envelope.wrap_dek(ring, dek, self.crypto_table(), self.id)
        self.kek_version = ring.primary
        return True

    def move_to_store(self, ring: KeyRing) -> bool:
        """Re-wrap a KEK-wrapped DEK under this row's case-store key (the one-time move to final erasure)."""
        if self.wrapped_dek is None or self.key_owner() is None or envelope.is_store_wrapped(self.wrapped_dek):
            return False
        dek = envelope.unwrap_dek(ring, self.wrapped_dek, self.crypto_table(), self.id)
        self._wrap_new(ring, dek)
        return True

    def shred(self, erased_at) -> None:
        """Destroy the DEK and every ciphertext: the protected fields become unreadable for good.

        A store key owned by the row is destroyed once the transaction commits (schedule_destroy)."""
        owned = self.owned_store_key() if self.wrapped_dek is not None or self.id else None
        for name in encrypted_fields(type(self)):
            setattr(self, Encrypted.storage_name(name), None)
        self.wrapped_dek = None
        self.kek_version = None
        self.erased_at = erased_at
        self.__dict__.pop("_tc_dek", None)
        self.__dict__.pop("_tc_plain", None)
        if owned is not None:
            schedule_destroy(*owned)

    def blind_value(self, spec: "BlindSpec", value) -> int | None:
        """The blind index of one of this row's values (models with search scopes override it)."""
        return blind_hash(self.crypto_table(), spec, value)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


@event.listens_for(Mapper, "expire")
def _forget_plaintext(target, _attrs) -> None:
    """Expired columns are read again from the database, so the plaintext cached from them goes too.

    Without this, a rolled-back edit (e.g. a save refused as stale) would still show the value that was never
    saved, in place of the one someone else saved meanwhile.
    """
    if target is not None:  # None: the row object was already garbage-collected
        target.__dict__.pop("_tc_plain", None)


def encrypted_fields(cls) -> list[str]:
    return [name for klass in cls.__mro__ for name, value in vars(klass).items() if isinstance(value, Encrypted)]


class Encrypted:
    """A protected field: sealed with AES-256-GCM under the row's DEK, bound to table, column and row."""

    def __init__(self, kind: str = "text", blind: tuple[BlindSpec, ...] = ()):
        if kind not in ("text", "json", "date", "int"):
            raise ValueError(f"unknown encrypted kind {kind}")
        self.kind = kind
        self.blind = blind

    @staticmethod
    def storage_name(name: str) -> str:
        return f"{name}_enc"

    def __set_name__(self, owner, name):
        self.name = name
        self.storage = self.storage_name(name)
        # Declared here, before SQLAlchemy's declarative scan runs, so a model names each field once.
        setattr(owner, self.storage, mapped_column(self.storage, LargeBinary, nullable=True))
        for spec in self.blind:
            setattr(owner, f"bidx_{spec.name}", mapped_column(f"bidx_{spec.name}", Integer, nullable=True, index=True))

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        cache = obj.__dict__.setdefault("_tc_plain", {})
        if self.name in cache:
            return cache[self.name]
        blob = getattr(obj, self.storage)
        if blob is None:
            value = None
        else:
            aad = envelope.field_aad(obj.crypto_table(), self.name, obj.id)
            try:
                raw = envelope.open_sealed(obj.data_key(), blob, aad)
            except RecordErased:
                raise  # shredded on purpose (e.g. a row restored from an older backup): gone, not damaged
            except CryptoError as exc:
                raise RecordDamaged(obj.crypto_table(), obj.id, self.name) from exc
            value = self._decode(raw)
        cache[self.name] = value
        return value

    def __set__(self, obj, value):
        if value is None or value == "" or value == []:
            setattr(obj, self.storage, None)
            value = None if value in ("", None) else value
        else:
            aad = envelope.field_aad(obj.crypto_table(), self.name, obj.id if obj.id else _ensure_id(obj))
            setattr(obj, self.storage, envelope.seal(obj.data_key(), self._encode(value), aad))
        obj.__dict__.setdefault("_tc_plain", {})[self.name] = value
        for spec in self.blind:
            setattr(obj, f"bidx_{spec.name}", obj.blind_value(spec, value) if value else None)

    def _encode(self, value) -> bytes:
        if self.kind == "json":
            return json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
        if self.kind == "date":
            return value.isoformat().encode("ascii")
        return str(value).encode("utf-8")

    def _decode(self, raw: bytes):
        text = raw.decode("utf-8")
        if self.kind == "json":
            return json.loads(text)
        if self.kind == "date":
            return date.fromisoformat(text)
        if self.kind == "int":
            return int(text)
        return text


def _ensure_id(obj) -> str:
    from ..extensions import new_uuid

    obj.id = new_uuid()
    return obj.id


def blind_hash(table: str, spec: BlindSpec, value: str, scope: str | None = None) -> int | None:
    """The blind-index value of `value` for one index spec in one search scope (None for an empty value)."""
    normalized = spec.normalize(str(value))
    if not normalized:
        return None
    return blind_index(current_keyring().index_root, table, spec.name, normalized, spec.bits, scope)


# --- destroying case-store keys when (and only when) the erasure commits ------------------------------

_PENDING = "tc_destroy_keys"
_LEDGER = "tc_erased_ids"


def schedule_destroy(group: str, name: str | None = None) -> None:
    """Destroy a case-store key (name None: the whole group) after the current transaction commits.

    Not before: a transaction that fails leaves the record wholly readable, never half-erased. A process that
    dies between the commit and the destruction leaves the key to `keys sweep` (app.crypto.sweep)."""
    from ..extensions import db

    db.session.info.setdefault(_PENDING, set()).add((group, name))


def schedule_ledger(*row_ids: str) -> None:
    """Put ids on the erasure ledger when the current transaction commits (with the keys' destruction)."""
    from ..extensions import db

    db.session.info.setdefault(_LEDGER, set()).update(row_ids)


@event.listens_for(Session, "after_commit")
def _destroy_scheduled_keys(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction itself has not committed yet
    ledger = session.info.pop(_LEDGER, None)
    pending = session.info.pop(_PENDING, None)
    if ledger:
        try:
            current_keyring().record_erased(*sorted(ledger))
        except (OSError, CryptoError):
            # The erasure is committed; its keys must still go (below). The ids are missing from the ledger: on a
            # shared mount this is a lock the server refused (ENOLCK) or an unreachable share. Loud, not silent.
            logging.getLogger("tincay").exception("erased ids not written to the erasure ledger: %s", sorted(ledger))
    if not pending:
        return
    store = current_keyring().store
    for group, name in sorted(pending, key=lambda p: (p[0], p[1] or "")):
        try:
            store.destroy(group, name)
        except OSError:
            # Left for the sweep; the database already says the record is erased, so nothing opens it here.
            logging.getLogger("tincay").exception("case key %s/%s not destroyed yet; `keys sweep` will", group, name)
    if any(name != casekeys.DRAFT for _group, name in pending):  # an erasure, not a used-up draft
        _checkpoint_sqlite(session)


def _checkpoint_sqlite(session) -> None:
    """After an erasure on SQLite, copy the WAL into the database and truncate it to nothing: the old pages that
    still held the erased rows' wrapped keys go (secure_delete, set on every connection, zeroes the freed space
    in the database file itself). A reader holding an old snapshot can make the truncation wait or give up;
    the next erasure or SQLite's own checkpoint then finishes it."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=2000")
        busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.execute("PRAGMA busy_timeout=30000")
        if busy:
            logging.getLogger("tincay").warning("WAL checkpoint after an erasure could not finish (readers active)")
    finally:
        raw.close()


@event.listens_for(Session, "after_soft_rollback")
def _forget_scheduled_keys(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction (a savepoint restores its own, see attempt())
        session.info.pop(_PENDING, None)
        session.info.pop(_LEDGER, None)
