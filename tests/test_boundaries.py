"""Areas talk through app/events.py, never by an import that hides a cycle from the import contracts
(pyproject.toml [tool.importlinter], run by `make test`): no import of an area by a string, no import
guarded by `except ImportError`."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
# The start-up lists (app/__init__.py) and the "module:function" registries of setup and the demo seed are
# the only places that name modules in strings; they sit above every area.
ORCHESTRATORS = {"__init__.py", "reference.py", "demo.py"}


def _sources():
    for path in sorted(APP.rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def test_no_import_is_guarded_by_except_import_error():
    guarded = re.compile(r"except\s*\(?[^)\n]*(ImportError|ModuleNotFoundError)")
    found = [str(p) for p, text in _sources() if guarded.search(text)]
    assert found == []


def test_no_area_imports_another_by_a_string():
    found = [
        str(p)
        for p, text in _sources()
        if p.relative_to(APP).as_posix() not in ORCHESTRATORS and re.search(r"import_module\(|__import__\(", text)
    ]
    assert found == []
