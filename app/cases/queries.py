"""Scoped reads of cases: a user only ever reaches the cases of the units their role covers."""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select

from ..crypto.blind import fold_diacritics, normalize_digits, normalize_text
from ..crypto.records import blind_hash
from ..extensions import db, utcnow
from ..units.queries import scope_ids
from .models import ID_NUMBER, NAME_INDEXES, NAME_YEAR, PHONE, BreakGlassGrant, Case


def scope_for(user, *roles: str) -> frozenset[str]:
    """Every unit id that `user` covers through any of `roles` (subtrees plus merged predecessors)."""
    ids: set[str] = set()
    for assignment in user.roles:
        if assignment.role in roles:
            ids |= scope_ids(assignment.unit)
    return frozenset(ids)


def visible_cases(user) -> Select:
    """The cases the user may list: counsellors and district reviewers, within their scope."""
    return select(Case).where(Case.unit_id.in_(scope_for(user, "counsellor", "district_reviewer")))


def case_for(user, case_id: str) -> Case | None:
    """Load one case only through the user's scope (None when it is not theirs or does not exist)."""
    return db.session.scalar(visible_cases(user).where(Case.id == case_id))


def active_grant(user, case: Case) -> BreakGlassGrant | None:
    return db.session.scalar(select(BreakGlassGrant).where(
        BreakGlassGrant.case_id == case.id, BreakGlassGrant.user_id == user.id,
        BreakGlassGrant.expires_at > utcnow()).order_by(BreakGlassGrant.expires_at.desc()).limit(1))


# --- the list, search and duplicate check: filter and sort on indexed summary columns -------------------

SORTS = {
    "opened": (Case.opened_on.desc(), Case.id),
    "next_followup": (Case.next_followup_on, Case.id),  # only cases with an open follow-up (see filtered_cases)
    "risk": (Case.risk_rank, Case.opened_on.desc(), Case.id),
}
PAGE_SIZE = 25
COUNT_CAP = 1000  # the list says "more than 1 000" rather than count every row: its cost stays flat
CODE_PATTERN = re.compile(r"^\s*(TG-\d{4}-\d{1,6})\s*$", re.IGNORECASE)


@dataclass
class CasePage:
    cases: list
    total: int  # at most COUNT_CAP + 1
    page: int
    has_next: bool

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP


def filtered_cases(user, *, kind="", status="", risk="", overdue=False, sort="opened",
                   today: date | None = None) -> Select:
    """The user's cases narrowed by the list filters (only summary columns, all indexed)."""
    stmt = visible_cases(user)
    if kind:
        stmt = stmt.where(Case.kind == kind)
    if status:
        stmt = stmt.where(Case.status == status)
    if risk:
        stmt = stmt.where(Case.risk_level == risk)
    if overdue:
        stmt = stmt.where(Case.next_followup_on < (today or date.today()))
    if sort == "next_followup":
        stmt = stmt.where(Case.next_followup_on.is_not(None))
    return stmt


def case_page(stmt: Select, *, sort: str = "opened", page: int = 1) -> CasePage:
    """One page of cases, sorted in SQL on an index; only these rows are ever decrypted."""
    total = db.session.scalar(select(func.count()).select_from(
        stmt.order_by(None).with_only_columns(Case.id).limit(COUNT_CAP + 1).subquery()))
    page = max(1, min(page, 1000))
    rows = db.session.scalars(stmt.order_by(*SORTS.get(sort, SORTS["opened"]))
                              .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return CasePage(list(rows[:PAGE_SIZE]), total, page, len(rows) > PAGE_SIZE)


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
    mine = select(Case).where(Case.unit_id.in_(scope_for(user, "counsellor")))
    table = Case.crypto_table()
    digits = normalize_digits(term)
    if len(digits) >= 6 and not re.search(r"[^\d\s+().-]", term):
        stmt = mine.where(or_(Case.bidx_phone == blind_hash(table, PHONE, term),
                                             Case.bidx_id_number == blind_hash(table, ID_NUMBER, term)))
        found = [c for c in db.session.scalars(stmt.limit(500))
                 if digits in (normalize_digits(c.phone or ""), normalize_digits(c.id_number or ""))]
    else:
        exact, folded = NAME_INDEXES
        stmt = mine.where(or_(Case.bidx_name == blind_hash(table, exact, term),
                                             Case.bidx_name_fold == blind_hash(table, folded, term)))
        found = [c for c in db.session.scalars(stmt.limit(500)) if _name_matches(term, c.full_name)]
    return sorted(found, key=lambda c: c.opened_on, reverse=True)[:limit]


def find_duplicates(user, *, full_name="", birth_year=None, phone="", id_number="", exclude_id=None) -> list[Case]:
    """Cases in the counsellor's scope that share name with birth year, phone or ID number with the input."""
    table = Case.crypto_table()
    conditions = []
    folded = fold_diacritics(full_name or "")
    if folded and birth_year:
        conditions.append(Case.bidx_name_year == blind_hash(table, NAME_YEAR, f"{folded}|{birth_year}"))
    if normalize_digits(phone or ""):
        conditions.append(Case.bidx_phone == blind_hash(table, PHONE, phone))
    if normalize_digits(id_number or ""):
        conditions.append(Case.bidx_id_number == blind_hash(table, ID_NUMBER, id_number))
    if not conditions:
        return []
    stmt = select(Case).where(Case.unit_id.in_(scope_for(user, "counsellor")), Case.erased_at.is_(None),
                              or_(*conditions))
    if exclude_id:
        stmt = stmt.where(Case.id != exclude_id)
    matches = []
    for candidate in db.session.scalars(stmt.limit(500)):
        year = candidate.birth_date.year if candidate.birth_date else candidate.birth_year
        same_name = bool(folded and birth_year) and year == birth_year and (
            fold_diacritics(candidate.full_name or "") == folded)
        same_phone = _same_digits(phone, candidate.phone)
        same_id = _same_digits(id_number, candidate.id_number)
        if same_name or same_phone or same_id:
            matches.append(candidate)
    return matches


def _same_digits(typed, stored) -> bool:
    typed = normalize_digits(typed or "")
    return bool(typed) and typed == normalize_digits(stored or "")
