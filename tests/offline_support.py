"""A phone in Python: the same sealing as app/static/js/offline.js (ECDH P-256, HKDF-SHA256, AES-GCM, ECDSA),
so the server's checks can be tested without a browser. No tests here."""

import base64
import json
import os
import uuid
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = "tincay-offline-v1"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


class Phone:
    """A registered device: its signing key and the server key it was handed."""

    def __init__(self, client):
        self.client = client
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.device_id = None
        self.server = None

    def register(self, label="Điện thoại 1"):
        spki = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        response = self.client.post("/offline/devices", json={"public_key": b64(spki), "label": label})
        assert response.status_code == 201, response.get_data(as_text=True)
        self.device_id = response.get_json()["device"]
        self.refresh()
        return self

    def refresh(self) -> dict:
        state = self.client.get(f"/offline/state?device={self.device_id}").get_json()
        self.server = state.get("server")
        return state

    def seal(
        self, kind: str, fields: dict, case_ref: str = "", captured_at: str | None = None, item_id: str | None = None
    ) -> dict:
        item_id = item_id or str(uuid.uuid4())
        captured = captured_at or datetime.now(UTC).isoformat().replace("+00:00", "Z")
        header = "|".join((INFO, item_id, self.device_id, kind, case_ref, captured, str(self.server["version"])))
        eph = ec.generate_private_key(ec.SECP256R1())
        server_pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), base64.b64decode(self.server["key"]))
        shared = eph.exchange(ec.ECDH(), server_pub)
        salt, iv = os.urandom(16), os.urandom(12)
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO.encode()).derive(shared)
        ct = AESGCM(key).encrypt(iv, json.dumps({"fields": fields}).encode(), header.encode())
        epk = eph.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        parts = [b64(epk), b64(salt), b64(iv), b64(ct)]
        env = {
            "id": item_id,
            "device": self.device_id,
            "kind": kind,
            "case": case_ref,
            "captured_at": captured,
            "key_version": self.server["version"],
            "epk": parts[0],
            "salt": parts[1],
            "iv": parts[2],
            "ct": parts[3],
        }
        env["sig"] = self.sign(header, parts)
        return env

    def sign(self, header: str, parts: list[str]) -> str:
        der = self.key.sign("|".join([header, *parts]).encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def send(self, env: dict):
        return self.client.post("/offline/sync", json=env)
