"""The value-source hook: an area registers a figure it counts; an indicator's definition names it."""

from datetime import date

import pytest

from app import valuesources


@pytest.fixture
def registered():
    calls = []

    @valuesources.value_source("test:events.participants", label="Người tham dự (thử)")
    def _participants(units, start, end):
        calls.append((units, start, end))
        return valuesources.SourceValue(7, breakdown={"sex": {"female": 4, "male": 3}})

    @valuesources.value_source("test:plain", label="Số đơn giản", kind="stock")
    def _plain(units, start, end):
        return len(units)

    yield calls
    valuesources._SOURCES.pop("test:events.participants")
    valuesources._SOURCES.pop("test:plain")


def test_a_registered_source_is_offered_and_computed_over_units_and_period(registered):
    assert "test:events.participants" in valuesources.names()
    assert ("test:plain", "Số đơn giản") in valuesources.choices()
    got = valuesources.compute("test:events.participants", {"u1", "u2"}, date(2026, 1, 1), date(2026, 3, 31))
    assert got == valuesources.SourceValue(7, None, {"sex": {"female": 4, "male": 3}})
    assert registered == [(frozenset({"u1", "u2"}), date(2026, 1, 1), date(2026, 3, 31))]
    assert valuesources.compute("test:plain", ["a", "b", "c"], date(2026, 1, 1), date(2026, 12, 31)).value == 3
    assert valuesources.get("test:plain").kind == "stock"


def test_an_unknown_source_and_a_badly_named_one_are_refused():
    with pytest.raises(valuesources.UnknownSource):
        valuesources.compute("register:nothing", set(), date(2026, 1, 1), date(2026, 1, 2))
    with pytest.raises(ValueError):
        valuesources.value_source("no-area-prefix", label="x")
    assert valuesources.get(None) is None
