"""Only real tests are collected: a helper whose name starts with `test` (helpers.app_config was once
`test_config`) becomes a test of every module that imports it, and pytest runs it there with whatever fixtures
its arguments happen to name. Each name pytest would collect from a test module must be defined in that module."""

import importlib
import inspect
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _collectable(module) -> list[str]:
    """The names pytest's defaults (python_functions = "test*", python_classes = "Test*") would collect."""
    names = []
    for name, obj in vars(module).items():
        if name.startswith("test") and inspect.isfunction(obj) or name.startswith("Test") and inspect.isclass(obj):
            names.append(name)
    return names


def test_no_imported_helper_is_collected_as_a_test():
    strays = []
    for path in sorted(TESTS.glob("test_*.py")):
        module = importlib.import_module(path.stem)
        for name in _collectable(module):
            obj = getattr(module, name)
            if obj.__module__ != module.__name__:
                strays.append(f"{path.name}: {name} (from {obj.__module__})")
    assert not strays, "helpers collected as tests; rename them so that they do not start with 'test':\n" + "\n".join(
        strays
    )


def test_the_check_sees_an_imported_helper():
    import types

    module = types.ModuleType("test_example")
    exec("from helpers import app_config as test_config\ndef test_real(): pass", module.__dict__)
    found = [n for n in _collectable(module) if getattr(module, n).__module__ != module.__name__]
    assert found == ["test_config"]
