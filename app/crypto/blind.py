"""Blind indexes: truncated keyed hashes of normalised values, for exact search without plaintext.

Each (table, field, variant, search scope) has its own key derived from the index root with HKDF, so
equal values in different fields do not share hashes, and the same name in two search scopes (communes)
gives unrelated values: the indexes of one commune cannot be joined with another's to follow a person.
A search computes the value once per scope it covers. Truncation to a few bits is deliberate: several records
share each hash (false positives), which hides equality between records; candidates are confirmed
after decryption.
"""

import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SPACES = re.compile(r"\s+")
# Zero-width and bidi controls never belong in a name or number typed by a person.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def normalize_text(value: str) -> str:
    """NFC, case-folded, invisible characters dropped, spaces collapsed: 'Lò  Thị MAI' -> 'lò thị mai'."""
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value or ""))
    return _SPACES.sub(" ", value.casefold()).strip()


def fold_diacritics(value: str) -> str:
    """Strip Vietnamese diacritics after normalising: 'lò thị mai' -> 'lo thi mai', đ -> d."""
    decomposed = unicodedata.normalize("NFD", normalize_text(value))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d"))


def normalize_digits(value: str) -> str:
    """Keep digits only; a leading +84 becomes 0 so that phone numbers compare as dialled."""
    digits = re.sub(r"\D", "", value or "")
    if (value or "").strip().startswith("+84"):
        digits = "0" + digits[2:]
    return digits


@lru_cache(maxsize=4096)
def _field_key(index_root: bytes, table: str, index_name: str, scope: str | None = None) -> bytes:
    info = (f"bidx|v2|{table}|{index_name}|{scope}" if scope else f"bidx|v1|{table}|{index_name}").encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(index_root)


def blind_index(
    index_root: bytes, table: str, index_name: str, normalized: str, bits: int, scope: str | None = None
) -> int:
    """The truncated HMAC-SHA256 of a normalised value, as a non-negative integer of `bits` bits, under the key
    of one search scope (an id; None only for tables whose rows are searched all together)."""
    key = _field_key(index_root, table, index_name, scope)
    digest = hmac.new(key, normalized.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") >> (32 - bits)
