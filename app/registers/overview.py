"""The registers' overview: the year's figures per commune, suppressed for whoever does not keep them.

A payment names a mother and an event counts the women of a village: one payment to a Khơ Mú mother of a
small commune, or three women at a dialogue, can tell a neighbour who it was. The overview therefore follows the
statistics' disclosure control (app/indicators/derived.py, the same threshold as app/statistics): a commune's
count is shown in clear only to the reporter of that commune (who keeps the register); for the monitor and every
role above the commune, a count below the threshold (zero included) reads "<5", and a further cell is hidden
("x") wherever a total minus the visible cells would give it back. Each column is protected as its own additive
table (communes and their total); money follows its count (an amount is hidden with the payments it sums), and
the women among the participants are a column of their own.
"""

from dataclasses import dataclass
from datetime import date

from ..indicators.derived import Cell, Table, protect
from . import counts

COLUMNS = ("mothers", "payments", "events", "dialogues", "people", "women")


@dataclass
class Line:
    """One line of the overview: a commune (or the total), each column's cell and the amount paid."""

    unit: object  # the commune, None for the total
    cells: dict  # column -> (Table, Cell)
    amount: int

    def amount_hidden(self) -> bool:
        return self.cells["payments"][1].suppressed


def _figures(ids, start: date, end: date) -> tuple[dict, int]:
    payments = counts.payments(ids, start, end)
    people = counts.participants(ids, start, end)
    values = {
        "mothers": counts.mothers_supported(ids, start, end).value,
        "payments": payments.value,
        "events": counts.events(ids, start, end).value,
        "dialogues": counts.events(ids, start, end, kind="policy_dialogue").value,
        "people": people.value,
        "women": people.breakdown["sex"]["female"],
    }
    return values, payments.amount


def build(communes: list[tuple], scope: frozenset, start: date, end: date, viewer_units: frozenset) -> list[Line]:
    """The lines of the overview, one per (commune, its unit ids), then the total of `scope`, protected for a viewer
    who keeps the registers of `viewer_units` (the reporter's communes; nothing for the monitor or a reviewer)."""
    figures = [(commune, ids, *_figures(ids, start, end)) for commune, ids in communes]
    total_values, total_amount = _figures(scope, start, end)
    lines = [Line(commune, {}, amount) for commune, _ids, _values, amount in figures]
    total = Line(None, {}, total_amount)
    for column in COLUMNS:
        cells = [[Cell(values[column], frozenset(ids))] for _commune, ids, values, _amount in figures]
        table = protect(
            Table(column, "", [], [column], cells, col_totals=[Cell(total_values[column], frozenset(scope))]),
            viewer_units,
        )
        for line, row in zip(lines, cells, strict=True):
            line.cells[column] = (table, row[0])
        total.cells[column] = (table, table.col_totals[0])
    return [*lines, total]
