"""The key ring: versioned key-encryption keys (KEKs), the blind-index root key and the audit key.

Stored as JSON in one file (instance/keys.json in development; in production a file named by
TINCAY_KEY_FILE, mode 0400, outside the application tree and the backup path). The database never
holds any of these keys, so a stolen database or backup alone reveals no protected field.
"""

import base64
import errno
import fcntl
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import clock
from .errors import KeyRingError

if TYPE_CHECKING:
    from .casekeys import CaseKeyStore  # casekeys imports this module

FORMAT = "tincay-keyring-1"
LEDGER_FORMAT = "tincay-erased-1"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


@dataclass
class KeyRing:
    # The keys themselves never appear in a repr (a traceback, a log line, a test's assertion message).
    keks: dict[int, bytes] = field(repr=False)
    primary: int
    index_root: bytes = field(repr=False)
    audit_key: bytes = field(repr=False)
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
    # (device, inode, size, mtime) of the ledger file as last read; None: read it again (refresh_ledger).
    _ledger_seen: tuple[int, int, int, int] | None = field(default=None, repr=False, compare=False)
    # erased_ids is replaced, never changed in place (a thread checking membership or sorting it never sees it
    # change); this lock makes two threads' replacements add up instead of one overwriting the other.
    _merging: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

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
        """Remember destroyed data keys in the erasure ledger, so no restore revives them.

        Several processes write the ledger: the workers of each gunicorn instance, and instances on other hosts
        sharing it over NFS. Each rewrites the whole file, so each must start from what is on disk *now*, not
        from the set it loaded at start (that lost every erasure made elsewhere since: the last writer won).
        Hence, under an exclusive lock: read the file, add the new ids, write it atomically (see _ledger_lock)."""
        self._add_erased(set(row_ids))
        if not self.ledger_path:
            self.save()
            return
        with _ledger_lock(self.ledger_path):
            on_disk, _seen = _read_ledger(self.ledger_path)
            merged = (on_disk or set()) | self.erased_ids
            _atomic_write(
                self.ledger_path,
                json.dumps({"format": LEDGER_FORMAT, "erased_ids": sorted(merged)}, indent=1),
                owner=_service_owner(self.ledger_path),
            )
            self._add_erased(merged)
            self._ledger_seen = None  # read it again next time: cheaper than trusting a stat taken here

    def _add_erased(self, ids: set[str]) -> None:
        with self._merging:
            self.erased_ids = self.erased_ids | ids

    def load_ledger(self, ledger_path: str) -> None:
        self.ledger_path = ledger_path
        self._ledger_seen = None
        self.refresh_ledger(strict=True)

    def refresh_ledger(self, *, strict: bool = False) -> None:
        """Take in the erasures other processes and hosts recorded since this process last looked.

        Called once per request (records.current_keyring) and whenever a case key is found missing, so that an
        instance never answers from a ledger it loaded before another instance erased a case. The ledger file is
        opened (not stat()ed: over NFS an open revalidates with the server — close-to-open consistency — while a
        stat may answer from the attribute cache for up to a minute) and read again only if it is another file
        or its size or time changed. Ids are only ever added: an older ledger put back never un-erases a case."""
        if not self.ledger_path:
            return
        try:
            ids, seen = _read_ledger(self.ledger_path, unless=self._ledger_seen)
        except KeyRingError:
            if strict:
                raise  # at start: a ledger that cannot be read stops the app (and says which file)
            return  # while serving: keep what is known; the erased rows themselves are shredded in the database
        if ids is not None:
            self._add_erased(ids)
        self._ledger_seen = seen

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


def _atomic_write(path: str, text: str, owner: tuple[int, int] | None = None) -> None:
    """Temporary file in the same directory, fsync, rename over the old one, fsync the directory.

    rename() is atomic on a local file system and on an NFS server alike: a reader (on any host) opens either
    the old file or the new one, never half of one. The directory's fsync makes the rename itself durable
    (over NFS the server has committed it before answering, with the export's default `sync`)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".keys-")
    try:
        os.fchmod(fd, 0o600)
        if owner is not None:
            os.fchown(fd, *owner)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _service_owner(path: str) -> tuple[int, int] | None:
    """(uid, gid) of the directory of `path` when this process runs as root and the directory is another user's
    (an operator command such as `keys sweep` run as root): the ledger and its lock stay the service's, which
    must go on reading and writing them. None otherwise (leave the owner as it is)."""
    if os.geteuid() != 0:
        return None
    folder = os.stat(os.path.dirname(os.path.abspath(path)))
    return None if folder.st_uid == 0 else (folder.st_uid, folder.st_gid)


def _read_ledger(
    path: str, unless: tuple[int, int, int, int] | None = None
) -> tuple[set[str] | None, tuple[int, int, int, int] | None]:
    """(ids, signature) of the ledger file; ids None when its signature is still `unless` (unchanged).

    A missing file is an empty ledger. ESTALE (NFS: the file this host had looked up was replaced by a rename on
    another host between the lookup and the read) is retried once: the second open looks the name up afresh."""
    for attempt in (1, 2):
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                seen = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                if seen == unless:
                    return None, seen
                raw = fh.read()
            break
        except FileNotFoundError:
            return set(), None
        except OSError as exc:
            if exc.errno == errno.ESTALE and attempt == 1:
                continue
            raise KeyRingError(f"erasure ledger unreadable: {path}") from exc
    try:
        return set(json.loads(raw.decode("utf-8")).get("erased_ids", [])), seen
    except ValueError as exc:
        raise KeyRingError(f"erasure ledger unreadable: {path}") from exc


# One writer of the ledger at a time in this process: POSIX record locks belong to the process, so two threads of
# one gunicorn worker would both "hold" the fcntl lock (and closing any descriptor of the lock file would drop it).
_LEDGER_THREADS = threading.Lock()


@contextmanager
def _ledger_lock(ledger_path: str) -> Iterator[None]:
    """Exclusive lock around a read-modify-write of the ledger, across processes and hosts.

    The lock is taken on a separate file, `<ledger>.lock`, never replaced: the ledger itself is replaced by
    rename at every write, so a lock on it would be on a file that a moment later is no longer the ledger.
    fcntl.lockf is a POSIX record lock: on NFSv4 the client sends it to the server (LOCK), so it excludes
    processes on other hosts too (NFSv3: through lockd/NLM). It does NOT when the share is mounted with
    `nolock` or `local_lock=all|posix` (the lock is then only local): README "Scale" lists the mount options.
    On Linux, taking the lock also makes the NFS client drop its cached data of the locked file, and an open
    after it revalidates the ledger's name, so the read that follows sees the last writer's file."""
    with _LEDGER_THREADS:
        old = os.umask(0o077)
        try:
            fd = os.open(ledger_path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        finally:
            os.umask(old)
        try:
            owner = _service_owner(ledger_path)
            if owner is not None:
                os.fchown(fd, *owner)
            fcntl.lockf(fd, fcntl.LOCK_EX)  # waits for the other writer; NFS `hard` mounts wait out a server restart
            yield
        finally:
            os.close(fd)  # releases the lock


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
