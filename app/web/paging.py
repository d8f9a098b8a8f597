"""The one pager: 25 rows at a time, newest or oldest first as the query says, with a link to the next
(templates/_pager.html draws it). `page_of` pages a plain query; a list read another way (the case list merges
one index walk per unit) reads its page number with `requested_page` and returns `cut(...)`.

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
    total: int | None = None  # when the list counts its rows (the case list, up to a cap)


def requested_page(arg: str = "page", last: int = LAST_PAGE) -> int:
    """The page number the request asks for in `arg` (1 when absent or not a page number)."""
    return whole_number(request.args.get(arg), 1, last) or 1


def cut(rows: list, number: int, size: int = PAGE_SIZE, arg: str = "page", total: int | None = None) -> Page:
    """A page from the rows read for it: up to `size` of them, and one more if there is a next page."""
    return Page(list(rows[:size]), number, len(rows) > size, arg, total)


def page_of(stmt: Select, arg: str = "page", size: int | None = None) -> Page:
    """The page of `stmt` named by the request's `arg`."""
    size = size or PAGE_SIZE
    number = requested_page(arg)
    rows = list(db.session.scalars(stmt.limit(size + 1).offset((number - 1) * size)))
    return cut(rows, number, size, arg)
