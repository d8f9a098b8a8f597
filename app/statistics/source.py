"""Every read of a case's demographic (quasi-identifying) fields that the statistics outputs make, in one place.

Sex, age band, ethnic group, disability, poverty status, village and the dates a case was opened and closed
tell who a person is once they are put together. The outputs of this package (the Circular 07/2017 Excel,
the national-database export, the GBVIMS tables) reach them only through the functions below, so that
moving those fields out of the plaintext summary tier (into the encrypted tier, with the figures fed by a
counts table) changes this module and nothing else. The protection area's own coded rows (incidents, forms,
perpetrators, measures, orders) are not demographic and are read where they are used.

Those fields are now sealed with each case (`Case.profile`), and the figures read the statistics' counts
(`StatTally`, kept in step by app/cases/tally.py and app/protection/tally.py) at the grain the circular needs:
victims by unit, incident year and age group; cases by unit, kind and the quarter they were opened in.
Erased cases keep counting there (erasure keeps the counts, cuts the link); cases out of the statistics
(consent withdrawn) count nowhere. Only `profiles`, a record-level read, opens the sealed profiles.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..cases import tally
from ..cases.models import Case, Consent, StatTally, in_statistics
from ..extensions import db
from ..protection.tally import age_group

# The victims' age groups of Circular 07/2017/TT-BVHTTDL: under 16, women 16–59, 60 and over. Men of 16–59
# are in none of them (the circular counts women of working age only).
UNDER_16, WOMEN_16_59, AGE_60_PLUS = "under_16", "women_16_59", "age_60_plus"
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
    return age_group(sex, age_band)


def victims_by_group(unit_ids, year: int) -> dict[tuple[str, str], int]:
    """{(unit id, Circular 07 age group): victims with an incident in the year}, from the counts."""
    counts: dict[tuple[str, str], int] = {}
    for unit_id, _year, _until, group, n in tally.counts("victims_age_group", unit_ids, StatTally.period == str(year)):
        counts[(unit_id, group)] = counts.get((unit_id, group), 0) + n
    return counts


def opened_in_year(unit_ids, kinds: tuple[str, ...], year: int) -> dict[str, int]:
    """{unit id: cases of these kinds opened in the year} (the victims a trusted address received), of the
    cases that count in statistics (the counts hold no other)."""
    counts: dict[str, int] = {}
    for unit_id, _opened, _closed, _kind, n in tally.counts(
        "cases_open", unit_ids, StatTally.category.in_(kinds), StatTally.period.between(f"{year}-Q1", f"{year}-Q4")
    ):
        counts[unit_id] = counts.get(unit_id, 0) + n
    return counts


def profiles(case_ids) -> dict[str, Profile]:
    """{case id: Profile} for the cases of the selectable (erased ones left out: nothing of them is exported).

    A record-level read: the profile is opened (decrypted) case by case, through the model's attributes; the
    export that calls it is step-up, audited and for the province only."""
    cases = db.session.scalars(select(Case).where(Case.id.in_(case_ids), Case.erased_at.is_(None)))
    return {
        c.id: Profile(
            c.id,
            c.unit_id,
            c.kind,
            c.status,
            c.sex,
            c.age_band,
            c.ethnic_code,
            bool(c.disability),
            c.poverty_status,
            c.opened_on,
            c.closed_on,
        )
        for c in cases
    }


def statistics_consented(case_ids, on: date) -> set[str]:
    """The cases of the selectable that count in statistics (not restricted, consent not withdrawn: the case's
    `in_statistics`) and whose consent ledger holds a valid "statistics" consent on `on`.

    A record leaves the system only for a person who agreed to statistical use, has not withdrawn it and has
    not asked to restrict processing (PDP Law 91/2025: withdrawal stops processing for that purpose, derived
    statistics included)."""
    rows = db.session.execute(
        select(Consent.case_id)
        .join(Case, Case.id == Consent.case_id)
        .where(
            Consent.case_id.in_(case_ids),
            in_statistics(),
            Consent.purpose == "statistics",
            Consent.withdrawn_on.is_(None),
            Consent.given_on <= on,
            (Consent.expires_on.is_(None)) | (Consent.expires_on >= on),
        )
    )
    return {case_id for (case_id,) in rows}
