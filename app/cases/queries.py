"""Scoped reads of cases: a user only ever reaches the cases of the units their role covers."""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select, union_all

from .. import clock
from ..crypto.blind import fold_diacritics, normalize_digits, normalize_text
from ..crypto.records import blind_hash
from ..extensions import db, utcnow
from ..units.queries import all_search_scopes, scope_for, search_scope, search_scopes, units_in_scopes
from ..web.paging import PAGE_SIZE, Page, cut
from .models import ID_NUMBER, NAME_INDEXES, NAME_YEAR, PHONE, BreakGlassGrant, Case


def visible_cases(user) -> Select:
    """The cases the user may list: counsellors, supervisors and district reviewers, within their scope."""
    return select(Case).where(Case.unit_id.in_(scope_for(user, "counsellor", "supervisor", "district_reviewer")))


def case_for(user, case_id: str) -> Case | None:
    """Load one case only through the user's scope (None when it is not theirs or does not exist)."""
    return db.session.scalar(visible_cases(user).where(Case.id == case_id))


def active_grant(user, case: Case) -> BreakGlassGrant | None:
    return db.session.scalar(
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.case_id == case.id,
            BreakGlassGrant.user_id == user.id,
            BreakGlassGrant.expires_at > utcnow(),
        )
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    )


# --- the list, search and duplicate check: filter and sort on indexed summary columns -------------------

SORTS = ("opened", "next_followup", "risk")
COUNT_CAP = 1000  # the list says "more than 1 000" rather than count every row: its cost stays flat
CODE_PATTERN = re.compile(r"^\s*(TG-\d{4}-\d{1,6})\s*$", re.IGNORECASE)


@dataclass
class CaseFilter:
    """The list's filters and sort: summary columns only, never person data."""

    kind: str = ""
    status: str = ""
    risk: str = ""
    overdue: bool = False
    sort: str = "opened"

    def conditions(self, columns, today: date) -> list:
        """WHERE conditions on `columns` (the case table, or a per-unit subquery of it)."""
        conds = []
        if self.kind:
            conds.append(columns.kind == self.kind)
        if self.status:
            conds.append(columns.status == self.status)
        if self.risk:
            conds.append(columns.risk_level == self.risk)
        if self.overdue:
            conds.append(columns.next_followup_on < today)
        if self.sort == "next_followup":
            conds.append(columns.next_followup_on.is_not(None))
        return conds


def _order(columns, sort: str) -> tuple:
    """The ORDER BY of a sort, matching the direction of its (unit, …) index exactly, so nothing is sorted."""
    if sort == "next_followup":
        return columns.next_followup_on, columns.id
    if sort == "risk":
        return columns.risk_rank.desc(), columns.opened_on.desc(), columns.id.desc()
    return columns.opened_on.desc(), columns.id.desc()


def case_page(user, flt: CaseFilter, page: int = 1, today: date | None = None) -> Page:
    """One page of the user's cases, filtered and sorted in SQL; only these rows are ever decrypted.

    Each unit of the scope is read through its own (unit, sort column) index, at most one page deep, and
    the pieces are merged: the cost depends on the page and the number of units, not on the number of cases.
    `total` counts at most COUNT_CAP + 1 rows (the list then says "more than 1 000").
    """
    today = today or clock.today()
    units = sorted(scope_for(user, "counsellor", "supervisor", "district_reviewer"))
    page = max(1, min(page, 400))
    if not units:
        return cut([], 1, total=0)
    conds = flt.conditions(Case, today)
    total = db.session.scalar(
        select(func.count()).select_from(
            select(Case.id).where(Case.unit_id.in_(units), *conds).limit(COUNT_CAP + 1).subquery()
        )
    )
    depth = page * PAGE_SIZE + 1
    columns = (Case.id, Case.opened_on, Case.next_followup_on, Case.risk_rank)
    parts = [
        select(
            select(*columns)
            .where(Case.unit_id == unit_id, *conds)
            .order_by(*_order(Case, flt.sort))
            .limit(depth)
            .subquery()
        )
        for unit_id in units
    ]
    merged = union_all(*parts).subquery()
    ids = db.session.scalars(
        select(merged.c.id).order_by(*_order(merged.c, flt.sort)).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    found = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(ids[:PAGE_SIZE])))}
    rows = [found[i] for i in ids[:PAGE_SIZE] if i in found]
    return Page(rows, page, len(ids) > PAGE_SIZE, "page", total)


def _name_matches(term: str, candidate: str | None) -> bool:
    if not candidate:
        return False
    # A term typed without diacritics matches any accenting; one typed with them must match exactly.
    if normalize_text(term) == fold_diacritics(term):
        return fold_diacritics(candidate) == fold_diacritics(term)
    return normalize_text(candidate) == normalize_text(term)


def search_cases(user, term: str, limit: int = 50) -> list[Case]:
    """Cases matching a code, or exactly a name, phone or ID number (blind index, confirmed by decryption)."""
    term = (term or "").strip()
    if not term:
        return []
    code = CODE_PATTERN.match(term)
    if code:
        return list(db.session.scalars(visible_cases(user).where(Case.code == code.group(1).upper())))
    # Matching on identity is for the counsellors of the case only: a reviewer must not learn who is a case.
    scope = scope_for(user, "counsellor")
    scopes = search_scopes(scope)
    digits = normalize_digits(term)
    if len(digits) >= 6 and not re.search(r"[^\d\s+().-]", term):
        found = [
            c
            for c in _candidates(
                scope,
                _indexed(Case.bidx_phone, PHONE, term, scopes),
                _indexed(Case.bidx_id_number, ID_NUMBER, term, scopes),
            )
            if digits in (normalize_digits(c.phone or ""), normalize_digits(c.id_number or ""))
        ]
    else:
        exact, folded = NAME_INDEXES
        found = [
            c
            for c in _candidates(
                scope,
                _indexed(Case.bidx_name, exact, term, scopes),
                _indexed(Case.bidx_name_fold, folded, term, scopes),
            )
            if _name_matches(term, c.full_name)
        ]
    return sorted(found, key=lambda c: c.opened_on, reverse=True)[:limit]


CANDIDATE_LIMIT = 500


def _indexed(column, spec, value: str, scopes: list[str]):
    """`column` holds the value's blind index under the keys of one of the scopes (one value per commune)."""
    table = Case.crypto_table()
    values = sorted({v for v in (blind_hash(table, spec, value, scope=s) for s in scopes) if v is not None})
    return column.in_(values)


def _candidates(scope: frozenset, *matches) -> list[Case]:
    """The cases of the scope whose blind index equals one of `matches`, before any decryption.

    The first query asks only for the blind index values, so that every database starts from those indexes
    (with the unit in the SQL as well, SQLite, which has no statistics, walked every case of the unit), and
    reads just (id, unit) of each hit: a common name may fill its bucket across a whole province, and a cap
    on that list could cut off the very cases of this scope. The scope is applied to those pairs; only the
    cases inside it are loaded, and nothing is decrypted before the caller confirms a match."""
    hits = db.session.execute(select(Case.id, Case.unit_id).where(or_(*matches)))
    ids = [hit.id for hit in hits if hit.unit_id in scope][:CANDIDATE_LIMIT]
    if not ids:
        return []
    return list(db.session.scalars(select(Case).where(Case.id.in_(ids))))


def find_duplicates(user, *, full_name="", birth_year=None, phone="", id_number="", exclude_id=None) -> list[Case]:
    """Cases in the counsellor's scope that share name with birth year, phone or ID number with the input."""
    scope = scope_for(user, "counsellor")
    folded = fold_diacritics(full_name or "")
    conditions = _duplicate_conditions(search_scopes(scope), folded, birth_year, phone, id_number)
    if not conditions:
        return []
    return _confirmed(_candidates(scope, *conditions), folded, birth_year, phone, id_number, exclude_id)


def _duplicate_conditions(scopes, folded, birth_year, phone, id_number) -> list:
    conditions = []
    if folded and birth_year:
        conditions.append(_indexed(Case.bidx_name_year, NAME_YEAR, f"{folded}|{birth_year}", scopes))
    if normalize_digits(phone or ""):
        conditions.append(_indexed(Case.bidx_phone, PHONE, phone, scopes))
    if normalize_digits(id_number or ""):
        conditions.append(_indexed(Case.bidx_id_number, ID_NUMBER, id_number, scopes))
    return conditions


def _confirmed(candidates, folded, birth_year, phone, id_number, exclude_id=None) -> list[Case]:
    """The candidates that really share name with birth year, phone or ID number (after decryption)."""
    matches = []
    for candidate in candidates:
        if candidate.erased_at is not None or candidate.id == exclude_id:
            continue
        year = candidate.birth_date.year if candidate.birth_date else candidate.birth_year
        same_name = (
            bool(folded and birth_year)
            and year == birth_year
            and (fold_diacritics(candidate.full_name or "") == folded)
        )
        if same_name or _same_digits(phone, candidate.phone) or _same_digits(id_number, candidate.id_number):
            matches.append(candidate)
    return matches


def duplicates_elsewhere(user, *, full_name="", birth_year=None, phone="", id_number="") -> tuple[list[str], int]:
    """The search scopes (communes) OUTSIDE the user's own where a case shares name with birth year, phone or
    ID number with the input, and how many scopes were asked.

    On purpose: the indexes of other communes are keyed apart (unlinkable), so this computes each other scope's
    values. The caller shows commune names only (never a case) and audits the check."""
    own = set(search_scopes(scope_for(user, "counsellor")))
    others = sorted(set(all_search_scopes()) - own)
    folded = fold_diacritics(full_name or "")
    conditions = _duplicate_conditions(others, folded, birth_year, phone, id_number)
    if not conditions or not others:
        return [], len(others)
    found = _confirmed(_candidates(units_in_scopes(others), *conditions), folded, birth_year, phone, id_number)
    scopes = {search_scope(c.unit_id) for c in found} - own
    return sorted(s for s in scopes if s is not None), len(others)


def _same_digits(typed, stored) -> bool:
    typed = normalize_digits(typed or "")
    return bool(typed) and typed == normalize_digits(stored or "")
