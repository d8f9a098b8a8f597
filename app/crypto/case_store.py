"""The database side of the case-key store: moving existing rows onto it, and the sweep after a crash.

* `move_to_store` — rows made before the store existed have their DEK wrapped by the KEK; each is re-wrapped
  under its case-store key (made on the way), in committed batches; resumable and idempotent. `setup` runs it.
* `sweep` — destroys the store keys of every row the database says is erased (a process that died between
  an erasure's commit and the destruction of its keys), and the keys of drafts and rejected offline items
  that no longer exist. It never
  destroys the key of a live case, even one this database does not know (it may be a newer case and this an
  older database). `setup` and `keys sweep` run it.
* `repair_ledger` — puts on the erasure ledger every erased row the database knows and the ledger lacks: an
  erasure committed but whose ledger write failed (on a shared mount: a lock the server refused, the share
  gone; the erasure still destroyed its keys and logged the ids). `setup` and `keys sweep` run it too.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db, transaction
from . import envelope
from .keyring import KeyRing
from .rotation import encrypted_models


@dataclass
class MoveResult:
    moved: int


def _store_models() -> list[type[Any]]:
    """Models whose rows wrap their DEK under a case-store key (they override key_owner)."""
    from .records import EncryptedRecord

    return [m for m in encrypted_models() if m.key_owner is not EncryptedRecord.key_owner]


def move_to_store(ring: KeyRing, *, batch: int = 500) -> MoveResult:
    from ..audit import services as audit

    moved = 0
    for model in _store_models():
        ids = db.session.scalars(
            select(model.id).where(
                model.wrapped_dek.is_not(None),
                model.erased_at.is_(None),
                model.kek_version.is_(None) | (model.kek_version != envelope.STORE_WRAPPED),
            )
        ).all()
        for start in range(0, len(ids), batch):
            with transaction():  # one committed batch
                for row in db.session.scalars(select(model).where(model.id.in_(ids[start : start + batch]))):
                    owner = row.key_owner()
                    if row.id in ring.erased_ids or owner[0] in ring.erased_ids:
                        continue  # erased (an older database restored): never make its case a key again
                    moved += row.move_to_store(ring)
    if moved:
        with transaction():
            audit.record("cli", "keys.move_to_store", detail={"moved": moved})
    return MoveResult(moved)


def sweep(ring: KeyRing) -> int:
    """Destroy the store keys the database says should be gone; return how many keys were destroyed."""
    store = ring.store
    destroyed = 0
    for model in _store_models():
        for row in db.session.scalars(select(model).where(model.erased_at.is_not(None))):
            owned = row.owned_store_key()
            if owned is not None:
                destroyed += store.destroy(*owned)
    # Rows that own a key of their own name (drafts, rejected offline items): a key whose row is gone goes too.
    for model in _store_models():
        name = getattr(model, "orphan_key_name", None)
        if name is None:
            continue
        groups = {g for g, n in store.entries() if n == name}
        if groups:
            alive = set(db.session.scalars(select(model.id).where(model.id.in_(groups))))
            for group in groups - alive:
                destroyed += store.destroy(group, name)
    db.session.close()  # only read: end the transaction (nothing to commit)
    return destroyed


def repair_ledger(ring: KeyRing) -> int:
    """Add to the erasure ledger the erased rows it lacks; return how many ids were added."""
    ring.refresh_ledger()
    missing: set[str] = set()
    for model in _store_models():
        erased = db.session.scalars(select(model.id).where(model.erased_at.is_not(None)))
        missing.update(row_id for row_id in erased if row_id not in ring.erased_ids)
    db.session.close()  # only read
    if missing:
        ring.record_erased(*sorted(missing))
    return len(missing)
