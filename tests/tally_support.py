"""Shared helpers for the tests of the statistics' counts (no tests here): the counts as stored, and what they
must be, recounted from the decrypted cases."""

from collections import Counter

from sqlalchemy import select

from app.extensions import db


def stored_cells() -> Counter:
    """The non-empty cells of `stat_tally`: (statistic, unit, period, until, category) -> count."""
    from app.cases.models import StatTally

    return Counter(
        {
            (t.statistic, t.unit_id, t.period, t.until, t.category): t.count
            for t in db.session.scalars(select(StatTally))
            if t.count
        }
    )


def recounted_cells() -> Counter:
    """What the counts must be: every live case's current cells, every erased case's kept summary."""
    from app.cases import tally
    from app.cases.models import Case

    found: Counter = Counter()
    for case in db.session.scalars(select(Case)):
        found.update(tally.kept_contributions(case) if case.is_erased else tally.contributions(case))
    return found
