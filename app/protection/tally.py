"""The protection statistics' cells of a case (app/cases/tally.py), which app/protection/stats.py and the
statistics outputs (app/statistics) read instead of the sealed rows:

* the victim's age group in each year of an incident, for the Circular 07/2017 table "victims by age group".
  Only the group is counted (under 16, women 16–59, 60 and over): neither sex nor age band has a cell of its own;
* the case once per form of violence in each year of an incident of that form (the table of forms), and each
  incident by month and its one GBVIMS type (the GBVIMS monthly table);
* each perpetrator involved in an incident of a year, by sex and by relation (Circular 07 section II and the
  table by relation), once a year however many incidents;
* each perpetrator of each incident by the incident's month and the perpetrator's relation (the GBVIMS monthly
  table groups the relations when it reads them);
* each measure of Law 13/2022 Art. 22 by the year and by the month it was decided in (the Circular 07 table of
  measures; the GBVIMS services by month).

A perpetrator's sex, age band and relation (`Perpetrator.codes`), a measure's code and dates
(`Measure.details`) and an incident's dates (`Incident.dates`) are sealed with the case: these cells are where
the statistics find them, with no link to a case or a person.
"""

from collections.abc import Iterable

from sqlalchemy import select

from ..cases.models import Case
from ..cases.reference_data import CHILD_AGE_BANDS
from ..cases.tally import Cell, contributor, prefetcher, shared
from ..extensions import db
from .models import Incident, IncidentPerpetrator, Measure, Perpetrator

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


def incident_type(forms: set, sexual_kind: str | None, forced_marriage: bool) -> str | None:
    """The one GBVIMS type of an incident from its coded forms, sexual sub-form and forced-marriage mark (the
    first that matches, in GBVIMS order; app/statistics/gbvims.py shows them)."""
    if "sexual" in forms:
        return {"rape": "rape", "other_assault": "sexual_assault"}.get(sexual_kind or "", "sexual_unclassified")
    if "physical" in forms:
        return "physical"
    if forced_marriage:
        return "forced_marriage"
    return next((form for form in ("economic", "psychological") if form in forms), None)


@prefetcher
def _batch(case_ids: list[str]) -> dict:
    """The incidents and measures of a batch of cases, in two queries (setup's recount)."""
    found: dict = {(kind, case_id): [] for case_id in case_ids for kind in ("incidents", "measures")}
    for incident in db.session.scalars(select(Incident).where(Incident.case_id.in_(case_ids))):
        found[("incidents", incident.case_id)].append(incident)
    for measure in db.session.scalars(select(Measure).where(Measure.case_id.in_(case_ids))):
        found[("measures", measure.case_id)].append(measure)
    return found


def _incidents(case: Case) -> list[Incident]:
    """The case's incidents, read once for the three contributors below."""
    return shared(
        ("incidents", case.id), lambda: list(db.session.scalars(select(Incident).where(Incident.case_id == case.id)))
    )


@contributor
def victims_by_age_group(case: Case) -> Iterable[Cell]:
    """One cell per year with an incident of the case (its day, or the end or start of its period)."""
    group = age_group(case.sex, case.age_band)
    if group is None or not case.id:
        return
    for year in sorted({i.counting_day.year for i in _incidents(case) if i.counting_day}):
        yield ("victims_age_group", case.unit_id, str(year), "", group)


@contributor
def incidents(case: Case) -> Iterable[Cell]:
    """The case once per form of violence in each year with an incident of that form (the table of forms);
    each incident once by month and its one GBVIMS type (incident_type)."""
    if not case.id:
        return
    forms_by_year: set[tuple[int, str]] = set()
    for incident in _incidents(case):
        day = incident.counting_day
        if day is None:
            continue
        forms = incident.form_codes
        forms_by_year.update((day.year, form) for form in forms)
        kind = incident_type(set(forms), incident.sexual_kind, bool(incident.forced_marriage))
        if kind:
            yield ("incident_type", case.unit_id, f"{day.year}-{day.month:02d}", "", kind)
    for year, form in sorted(forms_by_year):
        yield ("incident_form", case.unit_id, str(year), "", form)


def _incident_days(case: Case):
    """(perpetrator id, the day the incident counts on) for each perpetrator of each incident of the case."""
    days = {i.id: i.counting_day for i in _incidents(case)}
    if not days:
        return
    rows = db.session.execute(
        select(IncidentPerpetrator.incident_id, IncidentPerpetrator.perpetrator_id).where(
            IncidentPerpetrator.incident_id.in_(list(days))
        )
    )
    for incident_id, perpetrator_id in rows:
        if days[incident_id] is not None:
            yield perpetrator_id, days[incident_id]


@contributor
def perpetrators(case: Case) -> Iterable[Cell]:
    """Each perpetrator by sex and by relation once in each year of an incident, and by relation in each month
    of each incident (one count per incident and perpetrator)."""
    if not case.id:
        return
    involved = list(_incident_days(case))
    if not involved:
        return
    people = {p.id: p for p in db.session.scalars(select(Perpetrator).where(Perpetrator.case_id == case.id))}
    years: set[tuple[str, int]] = set()
    for perpetrator_id, day in involved:
        person = people[perpetrator_id]
        years.add((perpetrator_id, day.year))
        yield ("perpetrator_month", case.unit_id, f"{day.year}-{day.month:02d}", "", person.relation)
    for perpetrator_id, year in sorted(years):
        person = people[perpetrator_id]
        yield ("perpetrator_sex", case.unit_id, str(year), "", person.sex)
        yield ("perpetrator_relation", case.unit_id, str(year), "", person.relation)


@contributor
def measures(case: Case) -> Iterable[Cell]:
    """Each measure in the year and in the month of its decision."""
    if not case.id:
        return
    mine = shared(
        ("measures", case.id), lambda: list(db.session.scalars(select(Measure).where(Measure.case_id == case.id)))
    )
    for measure in mine:
        day = measure.decided_on
        if day is None:
            continue
        yield ("measure", case.unit_id, str(day.year), "", measure.measure)
        yield ("measure_month", case.unit_id, f"{day.year}-{day.month:02d}", "", measure.measure)
