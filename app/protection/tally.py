"""The protection statistics' cells of a case (app/cases/tally.py): the victim's age group in each year of an
incident, for the Circular 07/2017 table "victims by age group" (app/protection/stats.py reads the counts).

Only the group is counted (under 16, women 16–59, 60 and over), the coarsest grain the table needs: neither
sex nor age band is kept in a cell of their own.
"""

from collections.abc import Iterable

from sqlalchemy import select

from ..cases.models import Case
from ..cases.reference_data import CHILD_AGE_BANDS
from ..cases.tally import Cell, contributor
from ..extensions import db
from .models import Incident

WORKING_AGE = ("16_17", "18_29", "30_44", "45_59")


def age_group(sex: str, band: str) -> str | None:
    """The Circular 07/2017 age group of a victim, None when the person is in none of them (a man of 16–59)."""
    if band in CHILD_AGE_BANDS:
        return "under_16"
    if band == "60_plus":
        return "age_60_plus"
    if band in WORKING_AGE and sex == "female":
        return "women_16_59"
    return None


@contributor
def victims_by_age_group(case: Case) -> Iterable[Cell]:
    """One cell per year with an incident of the case (its day, or the end or start of its period)."""
    group = age_group(case.sex, case.age_band)
    if group is None or not case.id:
        return
    days = db.session.execute(
        select(Incident.occurred_on, Incident.period_to, Incident.period_from).where(Incident.case_id == case.id)
    )
    for year in sorted({next(d for d in row if d is not None).year for row in days if any(row)}):
        yield ("victims_age_group", case.unit_id, str(year), "", group)
