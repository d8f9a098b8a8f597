"""The case-derived statistics of protection casework (Circular 07/2017/TT-BVHTTDL fields and the trafficking
figures), counted from plaintext codes and from the statistics' counts (stat_tally: cases by form of violence,
victims by age group, perpetrators by sex and relation, measures: what they are counted from is sealed with the
case) — nothing here decrypts — with the indicator module's small-cell suppression (app/indicators/derived.py:
primary "<5", complementary "x", per viewer).

Each table has one row per commune of the viewer's scope and one column per code, for one calendar year.
Tables where a case may fall in several columns (a case with both physical and psychological violence) have
no row totals: their columns are not parts of one whole.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import clock
from ..cases import tally
from ..cases.models import Case, StatTally, in_statistics
from ..cases.reference_data import VICTIM_AGE_GROUPS
from ..extensions import db
from ..indicators.derived import Cell, Table, protect
from ..units.models import Unit
from ..units.queries import nearest_of_kind, scope_ids
from ..web.i18n import translated
from . import reference_data as ref
from .models import (
    Entitlement,
    Identification,
    NoContactOrder,
)

ROOT_ROLES = ("monitor", "district_reviewer", "supervisor", "counsellor")
AGE_GROUPS = translated(VICTIM_AGE_GROUPS)  # Circular 07/2017 groups, their one label set


def root_unit(user) -> Unit | None:
    """The widest unit the user's statistics roles cover (a counsellor's trusted address: its commune)."""
    for role in ROOT_ROLES:
        for unit in user.units_for(role):
            return (nearest_of_kind(unit, ("commune",)) or unit) if role == "counsellor" else unit
    return None


def communes_of(root: Unit, year: int) -> list[Unit]:
    from ..indicators.queries import communes_of as indicator_communes

    return indicator_communes(root, date(year, 12, 31))


def _bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def commune_table(
    key: str, title, communes: list[Unit], columns: list[tuple[str, str]], counts: dict, *, additive: bool
) -> Table:
    """A commune × code table from {(unit_id, code): n}; a commune's row adds up the units of its subtree."""
    rows, unit_sets = [], []
    for commune in communes:
        ids = scope_ids(commune)
        unit_sets.append(frozenset(ids))
        rows.append([Cell(sum(counts.get((u, code), 0) for u in ids), frozenset(ids)) for code, _ in columns])
    all_ids = frozenset().union(*unit_sets) if unit_sets else frozenset()
    col_totals = [Cell(sum(r[j].value for r in rows), all_ids) for j in range(len(columns))]
    row_totals = (
        [Cell(sum(c.value for c in r), ids) for r, ids in zip(rows, unit_sets, strict=True)] if additive else None
    )
    grand = Cell(sum(c.value for c in col_totals), all_ids) if additive else None
    return Table(
        key,
        title,
        [c.name for c in communes],
        [label for _, label in columns],
        rows,
        col_totals,
        row_totals=row_totals,
        grand=grand,
    )


def _pairs(query) -> dict:
    return {(unit_id, code): n for unit_id, code, n in db.session.execute(query)}


def _coded(items) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in items]


def violence_forms(units, communes, year) -> Table:
    """Cases with an incident in the year, by form of violence (a case counts once per form): from the counts,
    since an incident's day is sealed with the case."""
    counts: dict = {}
    for unit_id, _year, _until, form, n in tally.counts("incident_form", units, StatTally.period == str(year)):
        counts[(unit_id, form)] = counts.get((unit_id, form), 0) + n
    return commune_table(
        "forms",
        _l("Vụ việc theo hình thức bạo lực"),
        communes,
        _coded(ref.VIOLENCE_FORMS),
        counts,
        additive=False,
    )


def _perpetrators_by(statistic, key, title, items, units, communes, year) -> Table:
    """Perpetrators involved in an incident of the year, by a coded field: from the counts (app/protection/
    tally.py), since the codes are sealed with the case."""
    counts: dict = {}
    for unit_id, _year, _until, code, n in tally.counts(statistic, units, StatTally.period == str(year)):
        counts[(unit_id, code)] = counts.get((unit_id, code), 0) + n
    return commune_table(key, title, communes, _coded(items), counts, additive=True)


def measures(units, communes, year) -> Table:
    """Measures decided in the year, by measure: from the counts (the measure is sealed with the case)."""
    counts: dict = {}
    for unit_id, _year, _until, code, n in tally.counts("measure", units, StatTally.period == str(year)):
        counts[(unit_id, code)] = counts.get((unit_id, code), 0) + n
    return commune_table(
        "measures",
        _l("Biện pháp bảo vệ, hỗ trợ đã áp dụng (Luật 13/2022, Điều 22)"),
        communes,
        _coded(ref.MEASURES),
        counts,
        additive=True,
    )


def orders(units, communes, year) -> Table:
    start, end = clock.start_of_day(date(year, 1, 1)), clock.end_of_day(date(year, 12, 31))
    query = (
        select(Case.unit_id, NoContactOrder.decider, func.count())
        .join(NoContactOrder, NoContactOrder.case_id == Case.id)
        .where(
            Case.unit_id.in_(units),
            in_statistics(),
            NoContactOrder.status == "granted",
            NoContactOrder.decided_at.between(start, end),
        )
        .group_by(Case.unit_id, NoContactOrder.decider)
    )
    return commune_table(
        "orders",
        _l("Quyết định cấm tiếp xúc theo thẩm quyền (Điều 25, 26)"),
        communes,
        _coded(ref.ORDER_DECIDERS),
        _pairs(query),
        additive=True,
    )


def age_groups(units, communes, year) -> Table:
    """Victims with an incident in the year: under 16, women 16–59, 60 and over (Circular 07/2017).

    Read from the statistics' counts (app/protection/tally.py keeps them), not from the cases: the victim's
    sex and age band are sealed with the case."""
    counts: dict = {}
    for unit_id, _period, _until, group, n in tally.counts("victims_age_group", units, StatTally.period == str(year)):
        counts[(unit_id, group)] = counts.get((unit_id, group), 0) + n
    return commune_table(
        "age_groups", _l("Người bị bạo lực theo nhóm tuổi"), communes, list(AGE_GROUPS), counts, additive=False
    )


def trafficking_identified(units, communes, year) -> Table:
    start, end = _bounds(year)
    query = (
        select(Case.unit_id, Identification.outcome, func.count())
        .join(Identification, Identification.case_id == Case.id)
        .where(
            Case.unit_id.in_(units),
            in_statistics(),
            Identification.outcome == "victim",
            Identification.outcome_on.between(start, end),
        )
        .group_by(Case.unit_id, Identification.outcome)
    )
    return commune_table(
        "identified",
        _l("Nạn nhân mua bán người được xác định (Luật 53/2024, Điều 27)"),
        communes,
        [("victim", _l("Số người"))],
        _pairs(query),
        additive=False,
    )


def regimes(units, communes, year) -> Table:
    start, end = _bounds(year)
    query = (
        select(Case.unit_id, Entitlement.regime, func.count())
        .join(Entitlement, Entitlement.case_id == Case.id)
        .where(Case.unit_id.in_(units), in_statistics(), Entitlement.granted_on.between(start, end))
        .group_by(Case.unit_id, Entitlement.regime)
    )
    return commune_table(
        "regimes",
        _l("Chế độ hỗ trợ đã duyệt (Nghị định 162/2025)"),
        communes,
        _coded(ref.REGIMES),
        _pairs(query),
        additive=True,
    )


def tables(root: Unit, year: int, viewer_units: frozenset) -> list[Table]:
    """Every table for the root's communes and the year, suppressed for the viewer."""
    communes = communes_of(root, year)
    units = list(scope_ids(root))
    built = [
        violence_forms(units, communes, year),
        _perpetrators_by(
            "perpetrator_sex",
            "perpetrator_sex",
            _l("Người gây bạo lực theo giới tính"),
            ref.SEXES,
            units,
            communes,
            year,
        ),
        _perpetrators_by(
            "perpetrator_relation",
            "perpetrator_relation",
            _l("Người gây bạo lực theo quan hệ"),
            ref.RELATIONS,
            units,
            communes,
            year,
        ),
        measures(units, communes, year),
        orders(units, communes, year),
        age_groups(units, communes, year),
        trafficking_identified(units, communes, year),
        regimes(units, communes, year),
    ]
    return [protect(t, viewer_units) for t in built]
