"""Sealing and opening one field of a case-keyed row from its raw column values, without the models.

Migrations may not import the app's models: a model describes the schema at head, and a migration runs
against the schema of its own revision (a column added later would make the model's SELECT fail on an old
database). A migration that must seal or open data reads the raw columns with SQL and calls these functions,
which use the key ring and the case-key store exactly as `Encrypted` does (same key, same associated data,
same format), so what a migration sealed the models open, and back.
"""

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from . import casekeys, envelope
from .errors import RecordErased
from .keyring import KeyRing


def case_data_key(
    ring: KeyRing, table: str, row_id: str, wrapped: bytes | None, group: str
) -> tuple[bytes, bytes | None]:
    """The data key of a row keyed to the case `group` (a case row: its own id), from its raw `wrapped_dek`.

    Returns (key, new wrapped key or None): a row that had no data key yet gets one, wrapped under the case's
    store key, which the caller writes to `wrapped_dek` (with `kek_version` = envelope.STORE_WRAPPED). Raises
    RecordErased for a case on the erasure ledger or whose store key is gone, CryptoError on a damaged key."""
    if group in ring.erased_ids or row_id in ring.erased_ids:
        raise RecordErased(table)
    if wrapped is None:
        dek = envelope.new_dek()
        made = ring.store.get_or_create(ring, group, casekeys.CASE)
        return dek, envelope.wrap_dek_under(made, dek, table, row_id)
    stored = bytes(wrapped)
    if not envelope.is_store_wrapped(stored):
        return envelope.unwrap_dek(ring, stored, table, row_id), None
    key = ring.store.get(ring, group, casekeys.CASE)
    if key is None:
        raise RecordErased(table)
    return envelope.unwrap_dek_under(key, stored, table, row_id), None


def seal_json(dek: bytes, table: str, column: str, row_id: str, value: Any) -> bytes:
    """The stored bytes of an `Encrypted(kind="json")` field `column` holding `value`."""
    plain = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return envelope.seal(dek, plain, envelope.field_aad(table, column, row_id))


def open_json(dek: bytes, table: str, column: str, row_id: str, blob: bytes | None) -> Any:
    """The value of an `Encrypted(kind="json")` field from its stored bytes (None when empty)."""
    if blob is None:
        return None
    return json.loads(envelope.open_sealed(dek, bytes(blob), envelope.field_aad(table, column, row_id)))


def padded(values: dict, size: int) -> dict:
    """`values` with a "pad" entry that brings its JSON to a multiple of `size` bytes (ASCII values), so that
    the length of the sealed bytes tells no value."""
    values = {**values, "pad": ""}
    length = len(json.dumps(values, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    values["pad"] = "0" * (-length % size)
    return values


def live_case_keys(ring: KeyRing, connection: sa.Connection) -> Callable[[str, bytes | None], bytes | None]:
    """For a migration: a function (case id, the case's raw `wrapped_dek`) -> the case's data key, opened once
    per case, or None for a case erased per the ledger or whose store key is gone. A case with no data key yet
    gets one, written to its row."""
    found: dict[str, bytes | None] = {}

    def key(case_id: str, wrapped: bytes | None) -> bytes | None:
        if case_id not in found:
            try:
                dek, new_wrapped = case_data_key(ring, "case_record", case_id, wrapped, case_id)
            except RecordErased:
                dek, new_wrapped = None, None
            if new_wrapped is not None:
                connection.execute(
                    sa.text("UPDATE case_record SET wrapped_dek = :w, kek_version = :v WHERE id = :id"),
                    {"w": new_wrapped, "v": envelope.STORE_WRAPPED, "id": case_id},
                )
            found[case_id] = dek
        return found[case_id]

    return key
