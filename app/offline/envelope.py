"""Opening what a phone sealed: check the device's signature, then ECDH + HKDF + AES-GCM.

The browser (app/static/js/offline.js, WebCrypto only) seals each item for the server:
    ephemeral ECDH P-256 key pair; shared = ECDH(ephemeral private, server offline public key);
    key = HKDF-SHA256(shared, salt=16 random bytes, info="tincay-offline-v1"), 256 bits;
    ct = AES-256-GCM(key, iv=12 random bytes, plaintext=JSON, aad=HEADER);
and signs ``HEADER | epk | salt | iv | ct`` with the device's non-extractable ECDSA P-256 key (SHA-256,
the raw r‖s form WebCrypto gives). HEADER binds the item id, device, kind, target case and capture time,
so none of them can be swapped without breaking both the tag and the signature. The plain text exists on the
phone only while the form is typed; the phone cannot open what it stored, having no server private key.
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .keys import OfflineKeyError, private_key
from .models import ITEM_KINDS

INFO = b"tincay-offline-v1"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class BadEnvelope(ValueError):
    """The item is malformed, tampered with, or not signed by the device it names."""


@dataclass(frozen=True)
class Envelope:
    item_id: str
    device_id: str
    kind: str
    case_ref: str
    captured_at: datetime
    key_version: int
    epk: bytes
    salt: bytes
    iv: bytes
    ct: bytes
    sig: bytes
    raw_captured_at: str

    def header(self) -> bytes:
        return "|".join(
            (
                "tincay-offline-v1",
                self.item_id,
                self.device_id,
                self.kind,
                self.case_ref,
                self.raw_captured_at,
                str(self.key_version),
            )
        ).encode("ascii")

    def signed_bytes(self) -> bytes:
        return b"|".join((self.header(), *(base64.b64encode(x) for x in (self.epk, self.salt, self.iv, self.ct))))


def parse(data) -> Envelope:
    """Read the JSON the device sent; refuse anything that is not exactly the expected shape."""
    if not isinstance(data, dict):
        raise BadEnvelope("not an object")
    try:
        env = Envelope(
            item_id=_match(data["id"], UUID),
            device_id=_match(data["device"], UUID),
            kind=_member(data["kind"], ITEM_KINDS),
            case_ref=_case_ref(data.get("case") or ""),
            captured_at=_instant(data["captured_at"]),
            key_version=_version(data["key_version"]),
            epk=_b64(data["epk"], 65),
            salt=_b64(data["salt"], 16),
            iv=_b64(data["iv"], 12),
            ct=_b64(data["ct"]),
            sig=_b64(data["sig"], 64),
            raw_captured_at=str(data["captured_at"]),
        )
    except (KeyError, TypeError) as exc:
        raise BadEnvelope("missing or mistyped field") from exc
    return env


def verify(env: Envelope, device_public_key: bytes) -> None:
    """Check the device's signature over the whole item."""
    try:
        key = serialization.load_der_public_key(device_public_key)
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise TypeError("a device signs with an EC (P-256) key")
        r, s = int.from_bytes(env.sig[:32], "big"), int.from_bytes(env.sig[32:], "big")
        key.verify(encode_dss_signature(r, s), env.signed_bytes(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise BadEnvelope("signature") from exc


def open_payload(env: Envelope) -> dict:
    """Decrypt the item with the server's offline private key of its version."""
    try:
        server = private_key(env.key_version)
        epk = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), env.epk)
        shared = server.exchange(ec.ECDH(), epk)
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=env.salt, info=INFO).derive(shared)
        plain = AESGCM(key).decrypt(env.iv, env.ct, env.header())
        payload = json.loads(plain.decode("utf-8"))
    except (InvalidTag, ValueError, UnicodeDecodeError, OfflineKeyError) as exc:
        raise BadEnvelope("ciphertext") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
        raise BadEnvelope("payload shape")
    return payload


def _match(value, pattern) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise BadEnvelope("id")
    return value


def _member(value, allowed) -> str:
    if value not in allowed:
        raise BadEnvelope("kind")
    return value


def _case_ref(value) -> str:
    if value and not (isinstance(value, str) and UUID.match(value)):
        raise BadEnvelope("case")
    return value


def _instant(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadEnvelope("captured_at") from exc
    if moment.tzinfo is None:
        raise BadEnvelope("captured_at")
    return moment.astimezone(UTC)


def _version(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 10_000:
        raise BadEnvelope("key_version")
    return value


def _b64(value, size: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadEnvelope("base64") from exc
    if size is not None and len(raw) != size:
        raise BadEnvelope("length")
    return raw
