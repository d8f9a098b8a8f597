"""Field-level encryption: key ring, per-record data keys, encrypted fields, blind indexes.

Read the package in this order: keyring (who holds which key), envelope (data keys wrapped by
key-encryption keys, fields sealed under data keys), blind (searchable keyed hashes of normalised
values), records (the one model-layer mechanism that every encrypted model uses).
"""

from .errors import RecordDamaged, RecordErased  # noqa: F401
