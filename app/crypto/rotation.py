"""Key rotation: a new primary KEK, then every data key re-wrapped in small committed batches.

Resumable and idempotent: the new key is saved to the key file before any data key is touched; a
run that finds data keys still on older KEKs continues with them instead of making yet another key.
Only wrapped DEKs change: field ciphertexts stay as they are, so rotation is fast. The case-key store's
keys are KEK-wrapped too: they are re-wrapped first (each file atomically), then the rows whose DEK is
wrapped by the KEK itself; a DEK wrapped by a case-store key needs nothing.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from ..extensions import Base, db, transaction
from . import envelope
from .keyring import KeyRing
from .records import EncryptedRecord


@dataclass
class RotationResult:
    rewrapped: int
    remaining: int


def encrypted_models() -> list[type[Any]]:
    """Every mapped model that carries its own data key."""
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, EncryptedRecord)]


def _on_old_keys(model, primary: int):
    return select(model).where(
        model.wrapped_dek.is_not(None),
        or_(
            model.kek_version.is_(None), (model.kek_version != primary) & (model.kek_version != envelope.STORE_WRAPPED)
        ),
    )


def _store_on_old_keys(ring: KeyRing, version: int | None = None) -> list[tuple[str, str]]:
    """The case-store keys wrapped by another KEK than the primary (or by `version`)."""
    store = ring.store
    return [
        (g, n)
        for g, n in store.entries()
        if (store.kek_version(g, n) == version if version is not None else store.kek_version(g, n) != ring.primary)
    ]


def remaining(primary: int, ring: KeyRing | None = None) -> int:
    rows = sum(
        db.session.scalar(select(func.count()).select_from(_on_old_keys(m, primary).subquery()))
        for m in encrypted_models()
    )
    return rows + (len(_store_on_old_keys(ring)) if ring is not None and ring.case_keys else 0)


def rotate(ring: KeyRing, *, batch: int = 500, echo=print) -> RotationResult:
    from ..audit import services as audit

    if remaining(ring.primary, ring) == 0:
        old = ring.primary
        ring.add_primary()
        ring.save()  # saved first: a crash later leaves a ring that still opens every data key
        with transaction():
            audit.record("cli", "keys.rotate_start", detail={"from": old, "to": ring.primary})
        echo(f"keys: new primary key v{ring.primary}")
    else:
        echo(f"keys: resuming rotation to v{ring.primary}")
    done = 0
    for group, name in _store_on_old_keys(ring):
        done += ring.store.rewrap(ring, group, name)
    for model in encrypted_models():
        while True:
            with transaction():  # one committed batch: an interrupted rotation resumes where it stopped
                rows = db.session.scalars(_on_old_keys(model, ring.primary).limit(batch)).all()
                for row in rows:
                    row.rewrap(ring)
            if not rows:
                break
            done += len(rows)
    left = remaining(ring.primary, ring)
    with transaction():
        audit.record("cli", "keys.rotate_done", detail={"primary": ring.primary, "rewrapped": done, "remaining": left})
    return RotationResult(done, left)


def retire(ring: KeyRing, version: int) -> None:
    if version == ring.primary:
        raise ValueError("the primary key cannot be retired")
    if version not in ring.keks:
        raise ValueError(f"no key v{version}")
    in_use = sum(
        db.session.scalar(select(func.count()).select_from(m).where(m.kek_version == version)) or 0
        for m in encrypted_models()
    ) + len(_store_on_old_keys(ring, version))
    if in_use:
        raise ValueError(f"{in_use} data keys still use v{version}: run `keys rotate` first")
    ring.retired.add(version)
    ring.save()
