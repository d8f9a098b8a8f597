"""Errors the crypto layer raises; views turn them into clear messages, never into a 500."""


class CryptoError(Exception):
    """Base class for every crypto failure."""


class RecordDamaged(CryptoError):
    """A ciphertext failed authentication: tampered, swapped between rows, or under an unknown key."""

    def __init__(self, table: str, row_id: str, column: str):
        super().__init__(f"record damaged: {table} {row_id} {column}")
        self.table, self.row_id, self.column = table, row_id, column


class RecordErased(CryptoError):
    """The record's data key was destroyed (crypto-shredded): its protected fields are gone for good."""


class KeyRingError(CryptoError):
    """The key file is missing, unreadable or inconsistent."""
