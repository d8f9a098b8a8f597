"""Crypto properties: round trip, tampering, row swap, wrong key, blind indexes, no plaintext on disk,
rotation interrupted then resumed, shredding, key file mode."""

import glob
import os
import stat
import unicodedata

import pytest
import sqlalchemy as sa

from app.crypto import blind, envelope
from app.crypto.errors import CryptoError, RecordDamaged, RecordErased
from app.crypto.keyring import KeyRing
from app.extensions import db

SECRET = "JBSWY3DPEHPK3PXPZZQQKNOWNSECRET7"


def _user(app, make_user, secret=SECRET):
    from app.auth.models import User

    record = make_user("counsellor", "03253")
    with app.app_context():
        user = db.session.get(User, record.id)
        user.totp_secret = secret
        db.session.commit()
        db.session.remove()
    return record.id


def _fresh(uid):
    from app.auth.models import User

    db.session.expire_all()
    db.session.expunge_all()
    return db.session.get(User, uid)


def _raw(uid, column="totp_secret_enc"):
    return db.session.execute(sa.text(f"SELECT {column} FROM user_account WHERE id = :id"), {"id": uid}).scalar()


def _write(uid, column, value):
    db.session.execute(sa.text(f"UPDATE user_account SET {column} = :v WHERE id = :id"), {"v": value, "id": uid})
    db.session.commit()


def test_round_trip(app, make_user, ctx):
    uid = _user(app, make_user)
    assert _fresh(uid).totp_secret == SECRET
    assert _raw(uid) and SECRET.encode() not in bytes(_raw(uid))


def test_tampered_ciphertext_is_damaged(app, make_user, ctx):
    uid = _user(app, make_user)
    blob = bytearray(_raw(uid))
    blob[-1] ^= 1
    _write(uid, "totp_secret_enc", bytes(blob))
    with pytest.raises(RecordDamaged):
        _fresh(uid).totp_secret


def test_ciphertext_swapped_between_rows_is_damaged_never_wrong_plaintext(app, make_user, ctx):
    a, b = _user(app, make_user, "AAAASECRETAAAA"), _user(app, make_user, "BBBBSECRETBBBB")
    blob_a, blob_b = bytes(_raw(a)), bytes(_raw(b))
    _write(a, "totp_secret_enc", blob_b)
    _write(b, "totp_secret_enc", blob_a)
    for uid in (a, b):
        with pytest.raises(RecordDamaged):
            _fresh(uid).totp_secret
    # the whole sealed record (DEK and ciphertext) moved to another row is refused too
    dek_b = bytes(_raw(b, "wrapped_dek"))
    _write(a, "wrapped_dek", dek_b)
    with pytest.raises(RecordDamaged):
        _fresh(a).totp_secret


def test_wrong_key_ring_fails(app, make_user, ctx):
    uid = _user(app, make_user)
    real = app.extensions["tincay_keyring"]
    app.extensions["tincay_keyring"] = KeyRing.generate()
    try:
        with pytest.raises((RecordDamaged, CryptoError)):
            _fresh(uid).totp_secret
    finally:
        app.extensions["tincay_keyring"] = real
    assert _fresh(uid).totp_secret == SECRET


def test_seal_is_bound_to_its_associated_data():
    dek = envelope.new_dek()
    blob = envelope.seal(dek, b"x", envelope.field_aad("t", "c", "row-1"))
    assert envelope.open_sealed(dek, blob, envelope.field_aad("t", "c", "row-1")) == b"x"
    for aad in (envelope.field_aad("t", "c", "row-2"), envelope.field_aad("t", "d", "row-1")):
        with pytest.raises(CryptoError):
            envelope.open_sealed(dek, blob, aad)


def _idx(value, fold=False):
    root = b"r" * 32
    norm = blind.normalize_text(value)
    if fold:
        norm = blind.fold_diacritics(norm)
    return blind.blind_index(root, "case_file", "name", norm, 32)


def test_nfc_and_nfd_give_the_same_index():
    name = "Lò Thị Mai"
    assert _idx(unicodedata.normalize("NFC", name)) == _idx(unicodedata.normalize("NFD", name))
    assert _idx("  LÒ   THỊ mai ") == _idx(name)
    assert _idx("Lo Thi Mai") != _idx(name)


def test_diacritic_free_index_matches():
    assert _idx("Lò Thị Mai", fold=True) == _idx("lo thi mai", fold=True)
    assert _idx("Đinh Văn Đức", fold=True) == _idx("dinh van duc", fold=True)
    assert _idx("Lò Thị Mai", fold=True) != _idx("lo thi man", fold=True)


def test_no_plaintext_in_the_sqlite_file_or_wal(app, make_user, ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("raw database file check is for SQLite")
    uid = _user(app, make_user)
    path = db.engine.url.database
    files = [f for f in glob.glob(path + "*") if os.path.isfile(f)]
    assert path in files
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        assert SECRET.encode() not in data, f
        assert SECRET.encode("utf-16-le") not in data, f
    assert _fresh(uid).totp_secret == SECRET


def test_rotation_interrupted_then_resumed(app, make_user, ctx, monkeypatch, tmp_path):
    from app.crypto import rotation

    ids = [_user(app, make_user, f"SECRET{i:04d}XYZ") for i in range(5)]
    ring = app.extensions["tincay_keyring"]
    old_primary = ring.primary
    calls = {"n": 0}
    real_commit = db.session.commit

    def failing_commit():
        real_commit()
        calls["n"] += 1
        if calls["n"] == 2:  # after the start record and the first batch
            raise RuntimeError("power cut")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        rotation.rotate(ring, batch=2, echo=lambda *a: None)
    monkeypatch.setattr(db.session, "commit", real_commit)
    db.session.rollback()
    reloaded = KeyRing.load(app.config["KEY_FILE"])
    assert reloaded.primary == old_primary + 1, "the new key must be on disk before any data key moves"
    assert rotation.remaining(reloaded.primary) > 0
    for uid in ids:
        assert _fresh(uid).totp_secret.startswith("SECRET")
    result = rotation.rotate(ring, batch=2, echo=lambda *a: None)
    assert result.remaining == 0 and ring.primary == old_primary + 1
    for uid in ids:
        user = _fresh(uid)
        assert user.kek_version == ring.primary
        assert user.totp_secret.startswith("SECRET")
    # idempotent: another run makes a new key and still reads everything
    rotation.rotate(ring, batch=2, echo=lambda *a: None)
    assert all(_fresh(uid).totp_secret.startswith("SECRET") for uid in ids)


def test_shred_makes_fields_unreadable(app, make_user, ctx):
    from app.extensions import utcnow

    uid = _user(app, make_user)
    user = _fresh(uid)
    user.shred(utcnow())
    db.session.commit()
    user = _fresh(uid)
    assert _raw(uid) is None and _raw(uid, "wrapped_dek") is None
    with pytest.raises(RecordErased):
        user.data_key()


def test_key_file_is_written_mode_0600(tmp_path):
    path = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.save(str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = KeyRing.load(str(path))
    assert again.primary == ring.primary and again.kek(ring.primary) == ring.kek(ring.primary)


def test_a_key_rings_repr_shows_no_key():
    """A repr ends up in tracebacks, log lines and assertion messages: the keys are not in it."""
    ring = KeyRing.generate()
    shown = repr(ring)
    for secret in (*ring.keks.values(), ring.index_root, ring.audit_key):
        assert repr(secret) not in shown and secret.hex() not in shown
    assert "primary=1" in shown
