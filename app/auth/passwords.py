"""Password hashing (argon2id) and the password policy: length and a list of common passwords.

No composition rules (NIST 800-63B, ASVS 6.2.5): a long phrase beats 'P@ssw0rd!'.
"""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 256


@lru_cache(maxsize=4)
def _hasher_for(params: tuple) -> PasswordHasher:
    return PasswordHasher(*params) if params else PasswordHasher()


def _hasher() -> PasswordHasher:
    """argon2id with RFC 9106 defaults (t=3, 64 MiB, p=4); tests may configure cheaper parameters."""
    from flask import current_app, has_app_context

    params = tuple(current_app.config.get("ARGON2_PARAMS") or ()) if has_app_context() else ()
    return _hasher_for(params)


# Common choices in Vietnam that international lists miss.
_VIETNAMESE_COMMON = (
    "matkhau123",
    "matkhau1234",
    "123456789a",
    "1234567890",
    "0123456789",
    "anhyeuem123",
    "emyeuanh123",
    "vietnam123",
    "vietnam1234",
    "tuangiao123",
    "dienbien123",
    "hoilienhiep",
    "abc123456789",
    "qwertyuiop",
    "iloveyou123",
    "password123",
    "11111111111",
    "88888888888",
    "66666666666",
)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # 30 000 most common passwords

    return frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(_VIETNAMESE_COMMON)


def policy_problem(password: str, username: str = "") -> str | None:
    """A Vietnamese message saying what is wrong with the password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Mật khẩu quá dài (tối đa %(n)d ký tự).", n=MAX_LENGTH))
    lowered = password.casefold()
    if lowered in common_passwords() or (username and username.casefold() in lowered):
        return str(_l("Mật khẩu này quá phổ biến hoặc dễ đoán. Hãy chọn một cụm từ khác."))
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def dummy_hash() -> str:
    """A hash to verify against when the username is unknown, so both paths take the same time."""
    return _dummy_for(_hasher())


@lru_cache(maxsize=4)
def _dummy_for(hasher: PasswordHasher) -> str:
    return hasher.hash("tin-cay-timing-equaliser")
