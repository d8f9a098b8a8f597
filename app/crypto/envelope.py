"""Envelope encryption: one random data key (DEK) per record, wrapped by a key-encryption key (KEK).

Field format (one BLOB per field): version byte | key id (4 bytes, always 0: the record's own DEK)
| nonce (12) | ciphertext + GCM tag (16). Associated data binds the ciphertext to its place:
``table|column|row-uuid|scheme-version``, so a ciphertext moved to another row or column fails.
Wrapped DEK format: version byte | KEK version (4 bytes) | nonce (12) | wrapped key + tag; its
associated data is ``dek|table|row-uuid|kek-version``. Version 1 is wrapped by a KEK of the key ring;
version 2 (KEK version field 0) by a destroyable key of the case-key store (see casekeys.py), with
associated data ``dek|table|row-uuid|store``.
"""

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import CryptoError, KeyRingError
from .keyring import KeyRing

FIELD_VERSION = 1
WRAP_VERSION = 1
STORE_WRAP_VERSION = 2
STORE_WRAPPED = 0  # the kek_version column of a row whose DEK is wrapped by a case-store key, not a KEK
NONCE_SIZE = 12
_HEADER = struct.Struct(">BI")


def new_dek() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _dek_aad(table: str, row_id: str, kek_version: int) -> bytes:
    return f"dek|{table}|{row_id}|{kek_version}".encode()


def wrap_dek(ring: KeyRing, dek: bytes, table: str, row_id: str) -> bytes:
    """Wrap a DEK under the primary KEK."""
    version = ring.primary
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(ring.kek(version)).encrypt(nonce, dek, _dek_aad(table, row_id, version))
    return _HEADER.pack(WRAP_VERSION, version) + nonce + sealed


def wrapped_kek_version(wrapped: bytes) -> int:
    return _HEADER.unpack_from(wrapped)[1]


def unwrap_dek(ring: KeyRing, wrapped: bytes, table: str, row_id: str) -> bytes:
    """Unwrap a DEK; raise CryptoError if the wrapping was tampered with or moved to another row."""
    if len(wrapped) < _HEADER.size + NONCE_SIZE + 16:
        raise CryptoError("wrapped data key is truncated")
    fmt, version = _HEADER.unpack_from(wrapped)
    if fmt != WRAP_VERSION:
        raise CryptoError("unknown wrapped-key format")
    nonce = wrapped[_HEADER.size : _HEADER.size + NONCE_SIZE]
    try:
        return AESGCM(ring.kek(version)).decrypt(
            nonce, wrapped[_HEADER.size + NONCE_SIZE :], _dek_aad(table, row_id, version)
        )
    except (InvalidTag, KeyRingError) as exc:
        raise CryptoError("data key does not unwrap") from exc


def wrap_dek_under(key: bytes, dek: bytes, table: str, row_id: str) -> bytes:
    """Wrap a DEK under a case-store key (format 2)."""
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(key).encrypt(nonce, dek, f"dek|{table}|{row_id}|store".encode())
    return _HEADER.pack(STORE_WRAP_VERSION, STORE_WRAPPED) + nonce + sealed


def is_store_wrapped(wrapped: bytes) -> bool:
    return bool(wrapped) and wrapped[0] == STORE_WRAP_VERSION


def unwrap_dek_under(key: bytes, wrapped: bytes, table: str, row_id: str) -> bytes:
    """Unwrap a format-2 DEK; raise CryptoError if it was tampered with or moved to another row."""
    if len(wrapped) < _HEADER.size + NONCE_SIZE + 16 or not is_store_wrapped(wrapped):
        raise CryptoError("wrapped data key is truncated or not store-wrapped")
    nonce = wrapped[_HEADER.size : _HEADER.size + NONCE_SIZE]
    try:
        return AESGCM(key).decrypt(nonce, wrapped[_HEADER.size + NONCE_SIZE :], f"dek|{table}|{row_id}|store".encode())
    except InvalidTag as exc:
        raise CryptoError("data key does not unwrap") from exc


def field_aad(table: str, column: str, row_id: str) -> bytes:
    return f"{table}|{column}|{row_id}|{FIELD_VERSION}".encode()


def seal(dek: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt one field value with a fresh random nonce."""
    nonce = os.urandom(NONCE_SIZE)
    return _HEADER.pack(FIELD_VERSION, 0) + nonce + AESGCM(dek).encrypt(nonce, plaintext, aad)


def open_sealed(dek: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt one field value; raise CryptoError on any tampering, truncation or wrong place."""
    if len(blob) < _HEADER.size + NONCE_SIZE + 16:
        raise CryptoError("ciphertext is truncated")
    fmt, _key_id = _HEADER.unpack_from(blob)
    if fmt != FIELD_VERSION:
        raise CryptoError("unknown field format")
    nonce = blob[_HEADER.size : _HEADER.size + NONCE_SIZE]
    try:
        return AESGCM(dek).decrypt(nonce, blob[_HEADER.size + NONCE_SIZE :], aad)
    except InvalidTag as exc:
        raise CryptoError("ciphertext does not authenticate") from exc
