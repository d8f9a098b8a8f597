"""A payment's person data is sealed at rest under the payment's own store key, and its erasure is final:
neither the database file nor an old copy of the row opens once the key is destroyed."""

import pytest
from helpers import sqlite_file_bytes
from registers_support import PERSON, payment

from app.extensions import db


@pytest.fixture
def req(app):
    with app.test_request_context():
        yield
        db.session.remove()


def _needles(value: str) -> set[bytes]:
    return {value.encode(), value.encode("utf-16-le"), value.replace(" ", "").encode()}


def test_no_payment_person_data_reaches_the_database_in_plaintext(app, req):
    from app.registers.models import SafeMotherhoodPayment

    paid = payment()
    db.session.commit()
    row = db.session.execute(
        db.select(SafeMotherhoodPayment.__table__).where(SafeMotherhoodPayment.id == paid.id)
    ).one()
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    for name, value in PERSON.items():
        for needle in _needles(value):
            assert needle not in stored, f"{name} stored in plaintext"
    assert row.full_name_enc and row.wrapped_dek
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        path = db.engine.url.database
        db.session.remove()
        raw = sqlite_file_bytes(path)
        assert raw
        for name, value in PERSON.items():
            for needle in _needles(value):
                assert needle not in raw, f"{name} found in the database file"
    fresh = db.session.get(SafeMotherhoodPayment, paid.id)
    assert fresh.full_name == PERSON["full_name"]  # …and opens for whoever loads it through the app


def test_the_payment_is_sealed_under_its_own_store_key_and_erasure_destroys_it(app, req):
    from app.crypto import casekeys, envelope
    from app.crypto.errors import CryptoError
    from app.crypto.records import current_keyring
    from app.registers import services
    from app.registers.models import SafeMotherhoodPayment

    paid = payment()
    db.session.commit()
    ring = current_keyring()
    assert envelope.is_store_wrapped(paid.wrapped_dek)
    assert ring.store.has(paid.id, casekeys.RECORD)
    old_wrapped, old_name = paid.wrapped_dek, paid.full_name_enc  # what an old backup holds
    services.erase_payment_person(paid, actor="test")
    db.session.commit()
    assert not ring.store.has(paid.id, casekeys.RECORD)
    fresh = db.session.get(SafeMotherhoodPayment, paid.id)
    assert fresh.is_erased and fresh.full_name is None and fresh.wrapped_dek is None
    assert (fresh.amount, fresh.voucher_number) == (1_200_000, "PC-001")  # the accounts keep the payment
    # The backup attack: the old row's wrapped key and ciphertext, with today's key file, open nothing.
    assert ring.store.get(ring, paid.id, casekeys.RECORD) is None
    with pytest.raises(CryptoError):
        envelope.unwrap_dek(ring, old_wrapped, "register_payment", paid.id)  # no KEK unwraps it either
    assert old_name not in b"".join(v for v in (fresh.full_name_enc, fresh.id_number_enc) if v)
