"""Key rotation: a new primary KEK, then every data key re-wrapped in small committed batches.

Resumable and idempotent: the new key is saved to the key file before any data key is touched; a
run that finds data keys still on older KEKs continues with them instead of making yet another key.
Only wrapped DEKs change: field ciphertexts stay as they are, so rotation is fast.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..extensions import db
from .keyring import KeyRing
from .records import EncryptedRecord


@dataclass
class RotationResult:
    rewrapped: int
    remaining: int


def encrypted_models() -> list[type]:
    """Every mapped model that carries its own data key."""
    return [m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, EncryptedRecord)]


def _on_old_keys(model, primary: int):
    return select(model).where(model.wrapped_dek.is_not(None),
                               or_(model.kek_version.is_(None), model.kek_version != primary))


def remaining(primary: int) -> int:
    return sum(db.session.scalar(select(func.count()).select_from(_on_old_keys(m, primary).subquery()))
               for m in encrypted_models())


def rotate(ring: KeyRing, *, batch: int = 500, echo=print) -> RotationResult:
    from ..audit import services as audit

    if remaining(ring.primary) == 0:
        old = ring.primary
        ring.add_primary()
        ring.save()  # saved first: a crash later leaves a ring that still opens every data key
        audit.record("cli", "keys.rotate_start", detail={"from": old, "to": ring.primary})
        db.session.commit()
        echo(f"keys: new primary key v{ring.primary}")
    else:
        echo(f"keys: resuming rotation to v{ring.primary}")
    done = 0
    for model in encrypted_models():
        while True:
            rows = db.session.scalars(_on_old_keys(model, ring.primary).limit(batch)).all()
            if not rows:
                break
            for row in rows:
                row.rewrap(ring)
            done += len(rows)
            db.session.commit()
    left = remaining(ring.primary)
    audit.record("cli", "keys.rotate_done", detail={"primary": ring.primary, "rewrapped": done, "remaining": left})
    db.session.commit()
    return RotationResult(done, left)


def retire(ring: KeyRing, version: int) -> None:
    if version == ring.primary:
        raise ValueError("the primary key cannot be retired")
    if version not in ring.keks:
        raise ValueError(f"no key v{version}")
    in_use = sum(db.session.scalar(select(func.count()).select_from(m).where(m.kek_version == version))
                 for m in encrypted_models())
    if in_use:
        raise ValueError(f"{in_use} data keys still use v{version}: run `keys rotate` first")
    ring.retired.add(version)
    ring.save()
