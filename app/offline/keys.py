"""The server's offline-capture key pair: phones seal what they capture to its public key.

An ECDH P-256 key pair per version, in its own file beside the key ring (instance/offline-keys.json, or
TINCAY_OFFLINE_KEY_FILE), mode 0600, escrowed with the key file and never in a database backup. Only the
newest version is handed to devices; older private keys stay until no device can still hold items sealed to
them (a device fetches the newest public key at every contact), then `keys offline-retire` drops them.
"""

import base64
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

from ..crypto.keyring import atomic_write

FORMAT = "tincay-offline-keys-1"


class OfflineKeyError(RuntimeError):
    """The offline key file is missing or unusable."""


def key_path(app=None) -> str:
    app = app or current_app
    return app.config.get("OFFLINE_KEY_FILE") or os.path.join(
        os.path.dirname(os.path.abspath(app.config["KEY_FILE"])), "offline-keys.json"
    )


def _load(path: str) -> dict:
    if not os.path.exists(path) and current_app and current_app.config["APP_CONFIG"] != "production":
        ensure_key_file(path)  # development and tests, like the key ring; production: `setup` makes it
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError as exc:
        raise OfflineKeyError(f"offline key file not found: {path}") from exc
    except (OSError, ValueError) as exc:
        raise OfflineKeyError(f"offline key file unreadable: {path}") from exc
    if data.get("format") != FORMAT or str(data.get("primary")) not in data.get("keys", {}):
        raise OfflineKeyError(f"offline key file is inconsistent: {path}")
    return data


def _new_pair() -> str:
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return base64.b64encode(der).decode("ascii")


def ensure_key_file(path: str) -> bool:
    """Create the key file with a first pair if it does not exist; True when it was created."""
    if os.path.exists(path):
        return False
    atomic_write(path, json.dumps({"format": FORMAT, "primary": 1, "keys": {"1": _new_pair()}}, indent=2))
    return True


def rotate(path: str) -> int:
    """Add a new pair and make it the one handed to devices; the old ones still open pending items."""
    data = _load(path)
    version = max(int(v) for v in data["keys"]) + 1
    data["keys"][str(version)] = _new_pair()
    data["primary"] = version
    atomic_write(path, json.dumps(data, indent=2))
    return version


def retire(path: str, version: int) -> None:
    """Drop an old private key (items sealed to it can no longer be opened)."""
    data = _load(path)
    if str(version) == str(data["primary"]):
        raise OfflineKeyError("the primary offline key cannot be retired")
    data["keys"].pop(str(version), None)
    atomic_write(path, json.dumps(data, indent=2))


def private_key(version: int) -> ec.EllipticCurvePrivateKey:
    data = _load(key_path())
    encoded = data["keys"].get(str(version))
    if encoded is None:
        raise OfflineKeyError(f"offline key version {version} is not kept")
    key = serialization.load_der_private_key(base64.b64decode(encoded), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise OfflineKeyError(f"offline key version {version} is not a P-256 key")
    return key


def public_key() -> tuple[int, bytes]:
    """(version, uncompressed P-256 point) of the key devices seal to now."""
    version = int(_load(key_path())["primary"])
    point = (
        private_key(version)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return version, point
