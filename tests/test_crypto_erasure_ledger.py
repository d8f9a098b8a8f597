"""Erasures are remembered in a ledger of their own, so the key file can stay a read-only credential."""

import hashlib
import json

from app.crypto.keyring import KeyRing, load_or_create


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_erasure_goes_to_the_ledger_and_leaves_the_key_file_untouched(tmp_path):
    key_file = tmp_path / "credentials" / "keys.json"
    ledger = tmp_path / "state" / "erased.json"
    ring = load_or_create(str(key_file), create=True, ledger=str(ledger))
    before = digest(key_file)
    ring.record_erased("case-1", "packet-2")
    assert digest(key_file) == before  # the read-only credential is never rewritten
    assert json.loads(ledger.read_text())["erased_ids"] == ["case-1", "packet-2"]
    assert oct(ledger.stat().st_mode & 0o777) == "0o600"
    reloaded = load_or_create(str(key_file), create=False, ledger=str(ledger))
    assert {"case-1", "packet-2"} <= reloaded.erased_ids


def test_ids_erased_before_the_ledger_existed_are_still_refused(tmp_path):
    key_file = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.erased_ids.add("old-case")
    ring.save(str(key_file))
    reloaded = load_or_create(str(key_file), create=False, create_store=True)  # a key file from before the store
    assert "old-case" in reloaded.erased_ids
