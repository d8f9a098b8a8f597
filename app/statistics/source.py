"""Every read of a case's demographic (quasi-identifying) fields that the statistics outputs make, in one place.

Sex, age band, ethnic group, disability, poverty status, village and the dates a case was opened and closed
tell who a person is once they are put together. The outputs of this package (the Circular 07/2017 Excel,
the national-database export, the GBVIMS tables) reach them only through the functions below, so that
moving those fields out of the plaintext summary tier (into the encrypted tier, with the figures fed by a
counts table) changes this module and nothing else. The protection area's own coded rows (incidents, forms,
perpetrators, measures, orders) are not demographic and are read where they are used.

Nothing here decrypts; the functions take the cases to read as a SQL selectable of case ids (the caller's
filter: its scope, its incidents of the period), so they never widen a scope.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select

from ..cases.models import Case, Consent, in_statistics
from ..cases.reference_data import CHILD_AGE_BANDS
from ..extensions import db

# The victims' age groups of Circular 07/2017/TT-BVHTTDL: under 16, women 16–59, 60 and over. Men of 16–59
# are in none of them (the circular counts women of working age only).
UNDER_16, WOMEN_16_59, AGE_60_PLUS = "under_16", "women_16_59", "age_60_plus"
WORKING_AGE_BANDS = ("16_17", "18_29", "30_44", "45_59")
KINH = "01"  # the GSO code of the Kinh majority (app/cases/reference_data.py, ETHNIC_GROUPS)


@dataclass(frozen=True)
class Profile:
    """The summary-tier description of one case, as the record-level export needs it (raw codes)."""

    case_id: str
    unit_id: str
    kind: str
    status: str
    sex: str
    age_band: str
    ethnic_code: str
    disability: bool
    poverty_status: str
    opened_on: date
    closed_on: date | None


def circular_group(sex: str, age_band: str) -> str | None:
    """The Circular 07/2017 age group of a victim, or None when the circular counts them in no group."""
    if age_band in CHILD_AGE_BANDS:
        return UNDER_16
    if age_band == "60_plus":
        return AGE_60_PLUS
    if age_band in WORKING_AGE_BANDS and sex == "female":
        return WOMEN_16_59
    return None


def victims_by_group(case_ids) -> dict[tuple[str, str], int]:
    """{(unit id, Circular 07 age group): distinct cases} for the cases of the selectable."""
    rows = db.session.execute(
        select(Case.unit_id, Case.sex, Case.age_band, func.count(distinct(Case.id)))
        .where(Case.id.in_(case_ids)).group_by(Case.unit_id, Case.sex, Case.age_band))
    counts: dict[tuple[str, str], int] = {}
    for unit_id, sex, band, n in rows:
        group = circular_group(sex, band)
        if group:
            counts[(unit_id, group)] = counts.get((unit_id, group), 0) + n
    return counts


def opened_between(unit_ids, kinds: tuple[str, ...], start: date, end: date) -> dict[str, int]:
    """{unit id: cases of these kinds opened from start to end} (the victims a trusted address received), of
    the cases that count in statistics."""
    rows = db.session.execute(
        select(Case.unit_id, func.count()).where(Case.unit_id.in_(list(unit_ids)), Case.kind.in_(kinds),
                                                 Case.opened_on.between(start, end), Case.erased_at.is_(None),
                                                 in_statistics())
        .group_by(Case.unit_id))
    return {unit_id: n for unit_id, n in rows}


def profiles(case_ids) -> dict[str, Profile]:
    """{case id: Profile} for the cases of the selectable (erased ones left out: nothing of them is exported).

    Read through the model's attributes, not its columns, so that the same code serves when the profile is
    sealed (a record-level export then opens it: it is step-up, audited and for the province only)."""
    cases = db.session.scalars(select(Case).where(Case.id.in_(case_ids), Case.erased_at.is_(None)))
    return {c.id: Profile(c.id, c.unit_id, c.kind, c.status, c.sex, c.age_band, c.ethnic_code, bool(c.disability),
                          c.poverty_status, c.opened_on, c.closed_on) for c in cases}


def statistics_consented(case_ids, on: date) -> set[str]:
    """The cases of the selectable that count in statistics (not restricted, consent not withdrawn: the case's
    `in_statistics`) and whose consent ledger holds a valid "statistics" consent on `on`.

    A record leaves the system only for a person who agreed to statistical use, has not withdrawn it and has
    not asked to restrict processing (PDP Law 91/2025: withdrawal stops processing for that purpose, derived
    statistics included)."""
    rows = db.session.execute(
        select(Consent.case_id).join(Case, Case.id == Consent.case_id)
        .where(Consent.case_id.in_(case_ids), in_statistics(), Consent.purpose == "statistics",
               Consent.withdrawn_on.is_(None), Consent.given_on <= on,
               (Consent.expires_on.is_(None)) | (Consent.expires_on >= on)))
    return {case_id for (case_id,) in rows}
