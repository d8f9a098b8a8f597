"""One running instance of the app, in a process of its own, driven line by line (tests/test_crypto_shared_store.py).

Two of these stand for two instances on two hosts: each loads the key ring, the erasure ledger and the case-key
store once at start, as a gunicorn worker does, and keeps whatever it keeps in memory between requests. Each
command is one JSON line on stdin and runs in an app context of its own (as a request does); its answer is one
JSON line on stdout. The config comes as JSON in the environment variable TINCAY_TEST_INSTANCE.

    {"op": "create", "names": [...]}      open a case per name (one transaction each) -> {"ids": [...]}
    {"op": "read", "ids": [...]}          each case's full name, None when erased, or the error's class name
    {"op": "erase", "ids": [...]}         erase each case (one transaction each) -> {"erased": n}
    {"op": "open_old", "rows": [...]}     open rows as an older backup holds them (hex columns) -> names or errors
    {"op": "case_keys", "ids": [...]}     whether this instance finds each case's key in the store -> {"found": [...]}
    {"op": "ledger"}                      the erased ids this instance knows -> {"erased_ids": [...]}
"""

import json
import os
import sys

sys.path[:0] = [
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
]

from app import create_app  # noqa: E402
from app.crypto.errors import CryptoError  # noqa: E402
from app.extensions import db  # noqa: E402


def attempt(fn):
    try:
        return fn()
    except CryptoError as exc:
        return type(exc).__name__


def run(op: dict, actor_id: str):
    from app.auth.models import User
    from app.cases.models import Case
    from app.cases.services import erase_case
    from app.crypto.records import current_keyring
    from reliability.support import new_case

    if op["op"] == "create":
        ids = []
        for name in op["names"]:
            case = new_case(db.session.get(User, actor_id), full_name=name)
            db.session.commit()
            ids.append(case.id)
        return {"ids": ids}
    if op["op"] == "read":
        return {"names": [attempt(lambda i=i: db.session.get(Case, i).full_name) for i in op["ids"]]}
    if op["op"] == "erase":
        for case_id in op["ids"]:
            erase_case(db.session.get(Case, case_id), db.session.get(User, actor_id))
            db.session.commit()
        return {"erased": len(op["ids"])}
    if op["op"] == "open_old":
        names = []
        for row in op["rows"]:
            # The row as the older backup holds it, read through this instance's key ring and store.
            old = Case(id=row["id"], kek_version=row["kek_version"])
            old.wrapped_dek = bytes.fromhex(row["wrapped_dek"])
            old.full_name_enc = bytes.fromhex(row["full_name_enc"])
            names.append(attempt(lambda old=old: old.full_name))
        return {"names": names}
    if op["op"] == "case_keys":
        ring = current_keyring()
        return {"found": [ring.store.get(ring, i) is not None for i in op["ids"]]}
    if op["op"] == "ledger":
        return {"erased_ids": sorted(current_keyring().erased_ids)}
    raise ValueError(op["op"])


def main() -> int:
    settings = json.loads(os.environ["TINCAY_TEST_INSTANCE"])
    app = create_app("testing", settings["config"])
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        with app.app_context():
            try:
                answer = run(json.loads(line), settings["actor"])
            except Exception as exc:  # the test shows it; the instance goes on, as a server would
                db.session.rollback()
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            finally:
                db.session.remove()
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
