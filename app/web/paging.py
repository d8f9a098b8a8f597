"""Pages of a list: 25 rows at a time, newest or oldest first as the query says, with a link to the next.

Offset paging is enough here: a unit's lists hold thousands of rows, not millions, and each query walks an
index in the list's order. One row more than the page is read to know whether there is a next page, so no
list is ever counted.
"""

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select

from ..extensions import db
from .forms import whole_number

PAGE_SIZE = 25
LAST_PAGE = 10_000  # a page number past this is someone typing in the address bar


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool
    arg: str  # the query-string argument that carries this list's page number


def page_of(stmt: Select, arg: str = "page", size: int | None = None) -> Page:
    """The page of `stmt` named by the request's `arg` (1 when absent or not a page number)."""
    size = size or PAGE_SIZE
    number = whole_number(request.args.get(arg), 1, LAST_PAGE) or 1
    rows = list(db.session.scalars(stmt.limit(size + 1).offset((number - 1) * size)))
    return Page(rows[:size], number, len(rows) > size, arg)
