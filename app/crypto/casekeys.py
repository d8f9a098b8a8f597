"""The case-key store: one destroyable key per case, kept OUTSIDE the database, so that erasure is final.

Why it exists. A case's data key (DEK) sealed under a key-encryption key (KEK) that lives on would make
erasure a promise, not a fact: a backup taken before the erasure still holds the wrapped DEK, and today's
key file still unwraps it. So every case has its own random 256-bit *case key*; the case's DEK (and the DEKs
of everything derived from the case: its referrals, drafts typed on its forms) is wrapped under it in the
database, and the case key itself is kept here, in a file wrapped by the KEK. Erasing the case destroys its
case key here. No key kept anywhere can unwrap the erased case any more, whatever backup is restored.

Layout: ``<store>/<group[:2]>/<group>/<name>.key``, where the group is the case id and the names are

* ``case`` — wraps the DEKs of the case, its case-keyed rows, its referrals and drafts of its forms;
* ``packet-<referral packet id>`` — one per referral packet, so a packet can be destroyed alone (consent
  withdrawn, referral closed) and every packet still dies with its case (the whole group goes);

and, for a draft typed on a form that has no case yet (the intake form), the group is the draft's id and
the name ``draft``; for a register entry that names a person but belongs to no case (a safe-motherhood
payment, app/registers), the group is the entry's id and the name ``record``; for an offline item a phone sent
that could not be saved and names no case (a rejected intake, app/offline), the group is the item's id and the
name ``offline`` (a rejected item that names a case is sealed under that case's key and dies with it).
Each file holds ``wrap(KEK, key)`` with associated data ``casekey|group|name|kek-version``,
so a file copied under another name does not open. Files and directories are created 0600/0700 and
written atomically (temporary file, fsync, rename, fsync of the directory).

Shared by several instances (two gunicorn instances on two hosts, the store and the erasure ledger on NFS;
README "Scale"): every operation here is one that NFS makes atomic on the server — create by link() (one
winner), replace by rename(), destroy by unlink() — and nothing is cached in a process: a key is read from its
file at every unwrap, so a key another host destroyed is not found from the next open on (close-to-open
consistency). Nothing here appends to a file (O_APPEND is not atomic between NFS clients). The one file that
several writers rewrite, the erasure ledger, is rewritten under a lock (keyring._ledger_lock); destroying and
re-wrapping (rotation) take the store's lock, so a rotation never writes back a key just destroyed. Left to the
sweep: a key made in a case's group by a request that began before another instance erased the case (its
commit comes after the group was destroyed): the database says the case is erased, so `keys sweep` destroys
the group again.

What is destroyed, and where copies could hide:

* the key file here: overwritten with zeros and fsynced, then unlinked, and the directory fsynced. A
  journalling file system or an SSD may keep the old blocks; what it keeps is still wrapped by the KEK, so
  the server's disk and the KEK would both be needed (full-disk encryption closes that too);
* the database: the erased rows lose their ciphertexts and wrapped DEKs in the same transaction; on SQLite
  with ``secure_delete`` on and a ``wal_checkpoint(TRUNCATE)`` after the erasure, on PostgreSQL old row
  versions linger until VACUUM reuses their space — ciphertext under a key that no longer exists;
* database backups: they hold the wrapped DEKs, never this store (it is not in the backup path): useless;
* escrow copies of this store made before the erasure: they DO hold the key. The store is escrowed like the
  key file but *replaced*, not accumulated: after erasures the new copy is escrowed and older copies are
  destroyed (README, "Keys and backups"). Erasure is final once no older escrow copy remains.

Order of an erasure (app.crypto.records.schedule_destroy): the database transaction shreds the rows; only
after it commits are the keys destroyed. If the transaction fails, nothing is destroyed (the case stays
wholly readable); if the process dies between the commit and the destruction, `keys sweep` (run by `setup`
and after every erasure) destroys the keys of every row the database says is erased.
"""

import errno
import fcntl
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from . import envelope
from .errors import CryptoError, KeyRingError

_NAME = re.compile(r"^(case|draft|record|offline|packet-[0-9a-f-]{36})$")
_GROUP = re.compile(r"^[0-9a-f-]{36}$")
CASE = "case"
DRAFT = "draft"
RECORD = "record"  # a register entry that is no case's (a safe-motherhood payment): its own key
OFFLINE = "offline"  # an offline item that could not be saved and names no case (app/offline): its own key


def packet_name(packet_id: str) -> str:
    return f"packet-{packet_id}"


class CaseKeyStore:
    """A directory of KEK-wrapped per-case keys; see the module docstring."""

    def __init__(self, directory: str):
        self.directory = os.path.abspath(directory)

    # --- creating and reading ----------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return os.path.isdir(self.directory)

    def create_directory(self) -> None:
        old = os.umask(0o077)
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
        finally:
            os.umask(old)

    def _path(self, group: str, name: str) -> str:
        if not _GROUP.match(group or "") or not _NAME.match(name or ""):
            raise CryptoError("invalid case-key address")
        return os.path.join(self.directory, group[:2], group, f"{name}.key")

    def get(self, ring, group: str, name: str = CASE) -> bytes | None:
        """The key at (group, name), unwrapped; None when it does not exist (destroyed, or never made).

        Read from the file at every call, never kept in memory between requests: on a store shared by several
        instances (README "Scale"), another host may have destroyed the key a moment ago. An open() over NFS
        asks the server (close-to-open consistency; a `nocto` mount would break this), so a key destroyed on
        another host is not found here from then on. ESTALE is the NFS way of saying the file was unlinked by
        another host between this open and the read: the key is gone. A read racing the destruction may also
        see the zeros written over the key: it does not unwrap (the wrap is authenticated), so nothing opens."""
        if not self.exists:
            raise KeyRingError(f"case-key store not found: {self.directory}")
        try:
            with open(self._path(group, name), "rb") as fh:
                wrapped = fh.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ESTALE:
                return None
            raise
        return envelope.unwrap_dek(ring, wrapped, _table(name), group)

    def get_or_create(self, ring, group: str, name: str = CASE) -> bytes:
        """The key at (group, name), made (and durably written) first if there is none yet."""
        found = self.get(ring, group, name)
        if found is not None:
            return found
        key = secrets.token_bytes(32)
        self._write(group, name, envelope.wrap_dek(ring, key, _table(name), group), exclusive=True)
        # Two processes may race to make the same key: whichever file won is the key.
        made = self.get(ring, group, name)
        if made is None:
            raise KeyRingError(f"case key {group}/{name} unreadable just after it was written")
        return made

    def has(self, group: str, name: str = CASE) -> bool:
        return os.path.exists(self._path(group, name))

    def _write(self, group: str, name: str, data: bytes, *, exclusive: bool = False) -> None:
        path = self._path(group, name)
        folder = os.path.dirname(path)
        old = os.umask(0o077)
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        finally:
            os.umask(old)
        try:
            os.fchmod(fd, 0o600)
            self._same_owner(fd, folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if exclusive:
                # link() is atomic on a local file system and on an NFS server: of two processes (or hosts) making
                # the same key, exactly one file wins. Over NFS a link whose reply was lost is resent and answers
                # EEXIST although it succeeded: harmless here, the caller reads whichever file is at the path.
                try:
                    os.link(tmp, path)  # fails if another process made the key first: theirs stands
                except FileExistsError:
                    pass
                os.unlink(tmp)
            else:
                os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        _fsync_dir(folder)

    def _same_owner(self, fd: int, folder: str | None) -> None:
        """Run as root (`keys rotate` with the root-only key file), keep the files the service's own."""
        if os.geteuid() != 0:
            return
        owner = os.stat(self.directory)
        if owner.st_uid == 0:
            return
        os.fchown(fd, owner.st_uid, owner.st_gid)
        if folder is not None:
            for path in (folder, os.path.dirname(folder)):
                os.chown(path, owner.st_uid, owner.st_gid)

    # --- destroying ----------------------------------------------------------------------------------

    def destroy(self, group: str, name: str | None = None) -> int:
        """Destroy one key, or (name None) every key of the group; return how many files were destroyed."""
        with self._exclusive():
            if name is not None:
                return int(_shred(self._path(group, name)))
            self._path(group, CASE)  # validates the group
            folder = os.path.join(self.directory, group[:2], group)
            if not os.path.isdir(folder):
                return 0
            count = sum(_shred(os.path.join(folder, entry)) for entry in os.listdir(folder))
            try:
                os.rmdir(folder)
            except OSError:
                pass
            _fsync_dir(os.path.dirname(folder))
            return count

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Destroying a key and re-wrapping one exclude each other, in every process on every host.

        `keys rotate` reads a key, wraps it under the new KEK and puts the file back with rename(): had an
        erasure (in the service, maybe on another host) destroyed the key in between, the rename would make the
        erased case's key exist again. So both hold an exclusive record lock on `<store>/.lock` (fcntl: on NFSv4
        held by the server), and a re-wrap that finds the key gone leaves it gone. Erasures are rare and a
        re-wrap is one small file, so neither waits long. The thread lock: POSIX locks belong to the process."""
        with _STORE_THREADS:
            path = os.path.join(self.directory, ".lock")
            old = os.umask(0o077)
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            finally:
                os.umask(old)
            try:
                self._same_owner(fd, None)
                fcntl.lockf(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    # --- listing (rotation, sweep, migration) ---------------------------------------------------------

    def entries(self) -> Iterator[tuple[str, str]]:
        """Every (group, name) in the store."""
        if not self.exists:
            return
        for shard in sorted(os.listdir(self.directory)):
            shard_dir = os.path.join(self.directory, shard)
            if len(shard) != 2 or not os.path.isdir(shard_dir):
                continue
            for group in sorted(os.listdir(shard_dir)):
                folder = os.path.join(shard_dir, group)
                if not _GROUP.match(group) or not os.path.isdir(folder):
                    continue
                for entry in sorted(os.listdir(folder)):
                    if entry.endswith(".key") and _NAME.match(entry[:-4]):
                        yield group, entry[:-4]

    def kek_version(self, group: str, name: str) -> int:
        with open(self._path(group, name), "rb") as fh:
            return envelope.wrapped_kek_version(fh.read())

    def rewrap(self, ring, group: str, name: str) -> bool:
        """Re-wrap one key under the primary KEK (key rotation); False when it already is, or is gone (an erasure
        destroyed it since the store was listed: it stays destroyed, see _exclusive)."""
        with self._exclusive():
            try:
                if self.kek_version(group, name) == ring.primary:
                    return False
            except FileNotFoundError:
                return False
            key = self.get(ring, group, name)
            if key is None:
                return False
            self._write(group, name, envelope.wrap_dek(ring, key, _table(name), group))
            return True


# One destroyer or re-wrapper at a time in this process (the record lock does not exclude threads of one process).
_STORE_THREADS = threading.Lock()


def _table(name: str) -> str:
    # The wrap's associated data names the store and the key: "casekey:<name>|<group>|<kek version>".
    return f"casekey:{name}"


def _shred(path: str) -> bool:
    """Overwrite a key file with zeros, fsync, unlink: the bytes do not linger in the file's blocks."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        os.write(fd, b"\0" * size)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.unlink(path)
    _fsync_dir(os.path.dirname(path))
    return True


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_directory(key_file: str, ledger: str | None = None) -> str:
    """Beside the erasure ledger (a directory the service may write), else beside the key file."""
    anchor = ledger or key_file
    return os.path.join(os.path.dirname(os.path.abspath(anchor)), "case-keys")
