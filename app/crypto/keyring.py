"""The key ring: versioned key-encryption keys (KEKs), the blind-index root key and the audit key.

Stored as JSON in one file (instance/keys.json in development; in production a file named by
TINCAY_KEY_FILE, mode 0400, outside the application tree and the backup path). The database never
holds any of these keys, so a stolen database or backup alone reveals no protected field.
"""

import base64
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import clock
from .errors import KeyRingError

if TYPE_CHECKING:
    from .casekeys import CaseKeyStore  # casekeys imports this module

FORMAT = "tincay-keyring-1"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


@dataclass
class KeyRing:
    keks: dict[int, bytes]
    primary: int
    index_root: bytes
    audit_key: bytes
    retired: set[int] = field(default_factory=set)
    # Rows whose data key was destroyed: refused even if an older backup still holds their wrapped key.
    erased_ids: set[str] = field(default_factory=set)
    path: str | None = None
    # The erasure ledger: a small file of its own, writable by the app even when the key file is a read-only
    # systemd credential; kept with the keys (escrowed), never in the database backups.
    ledger_path: str | None = None
    # The per-case keys that erasure destroys (casekeys.py): a directory beside the ledger, never backed up
    # with the database, escrowed with the key file.
    case_keys: "CaseKeyStore | None" = None

    @property
    def store(self) -> "CaseKeyStore":
        """The case-key store, which every loaded ring has (load_or_create opens it)."""
        if self.case_keys is None:
            raise KeyRingError("no case-key store is open")
        return self.case_keys

    @classmethod
    def generate(cls) -> "KeyRing":
        return cls(
            keks={1: secrets.token_bytes(32)},
            primary=1,
            index_root=secrets.token_bytes(32),
            audit_key=secrets.token_bytes(32),
        )

    @classmethod
    def load(cls, path: str) -> "KeyRing":
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError as exc:
            raise KeyRingError(f"key file not found: {path}") from exc
        except (OSError, ValueError) as exc:
            raise KeyRingError(f"key file unreadable: {path}") from exc
        if data.get("format") != FORMAT:
            raise KeyRingError(f"key file has an unknown format: {path}")
        try:
            keks = {int(v): _unb64(k["key"]) for v, k in data["keks"].items()}
            ring = cls(
                keks=keks,
                primary=int(data["primary"]),
                index_root=_unb64(data["index_root"]),
                audit_key=_unb64(data["audit_key"]),
                retired={int(v) for v, k in data["keks"].items() if k.get("retired")},
                erased_ids=set(data.get("erased_ids", [])),
                path=path,
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise KeyRingError(f"key file is incomplete: {path}") from exc
        if ring.primary not in ring.keks or any(len(k) != 32 for k in ring.keks.values()):
            raise KeyRingError(f"key file is inconsistent: {path}")
        return ring

    def to_json(self) -> str:
        keks = {str(v): {"key": _b64(k), "retired": v in self.retired} for v, k in sorted(self.keks.items())}
        return json.dumps(
            {
                "format": FORMAT,
                "primary": self.primary,
                "keks": keks,
                "index_root": _b64(self.index_root),
                "audit_key": _b64(self.audit_key),
                "erased_ids": sorted(self.erased_ids),
                "saved_at": clock.now().isoformat(),
            },
            indent=2,
        )

    def save(self, path: str | None = None) -> None:
        """Write atomically (temp file + rename) with mode 0600, so a crash never leaves half a key file."""
        path = path or self.path
        if path is None:
            raise KeyRingError("no path to save the key file to")
        _atomic_write(path, self.to_json())
        self.path = path

    def record_erased(self, *row_ids: str) -> None:
        """Remember destroyed data keys in the erasure ledger (atomic rewrite), so no restore revives them."""
        self.erased_ids.update(row_ids)
        if not self.ledger_path:
            self.save()
            return
        _atomic_write(
            self.ledger_path, json.dumps({"format": "tincay-erased-1", "erased_ids": sorted(self.erased_ids)}, indent=1)
        )

    def load_ledger(self, ledger_path: str) -> None:
        self.ledger_path = ledger_path
        try:
            with open(ledger_path, encoding="utf-8") as fh:
                self.erased_ids.update(json.load(fh).get("erased_ids", []))
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            raise KeyRingError(f"erasure ledger unreadable: {ledger_path}") from exc

    def kek(self, version: int) -> bytes:
        try:
            return self.keks[version]
        except KeyError as exc:
            raise KeyRingError(f"key-encryption key v{version} is not in the key ring") from exc

    def add_primary(self) -> int:
        """Add a new KEK and make it primary; older ones stay for unwrapping until retired."""
        version = max(self.keks) + 1
        self.keks[version] = secrets.token_bytes(32)
        self.primary = version
        return version


def _atomic_write(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".keys-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def default_ledger(key_file: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(key_file)), "erased.json")


def load_or_create(
    path: str, create: bool, ledger: str | None = None, case_keys: str | None = None, create_store: bool | None = None
) -> KeyRing:
    """Load the key ring, its erasure ledger and its case-key store; create a fresh ring only when asked (setup
    in development). A missing case-key store is made only when asked (`create_store`, default: `create`):
    otherwise it is an error like a missing key file, since without it no case opens."""
    from .casekeys import CaseKeyStore, default_directory

    if os.path.exists(path) or not create:
        ring = KeyRing.load(path)
    else:
        ring = KeyRing.generate()
        ring.save(path)
    ring.load_ledger(ledger or default_ledger(path))
    ring.case_keys = CaseKeyStore(case_keys or default_directory(path, ledger))
    if not ring.case_keys.exists:
        if not (create if create_store is None else create_store):
            raise KeyRingError(
                f"case-key store not found: {ring.case_keys.directory} (restore it from escrow "
                "with the key file, or run `flask --app wsgi setup`)"
            )
        ring.case_keys.create_directory()
    return ring


# Other key files kept beside this one (the offline-capture key pair) are written the same way.
atomic_write = _atomic_write
