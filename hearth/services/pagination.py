"""One page of a list and the two statements that fetch it, shared by every paginated use case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from hearth import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list, with what a pager needs."""

    items: list[T]
    page: int
    per_page: int
    total: int
    # False when the count stopped at a bound (see paginate_bounded): there are more than `total` rows.
    total_exact: bool = True

    @property
    def pages(self) -> int:
        """Pages known to exist: when the count is a lower bound, at least the next one too."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or not self.total_exact  # a bounded count holds every row up to this page


def clamp(page: int, per_page: int, max_per_page: int) -> tuple[int, int]:
    """A page number of at least 1 and a page length between 1 and `max_per_page`."""
    return max(1, int(page)), min(max(1, int(per_page)), max_per_page)


def paginate(stmt: Select, count_stmt: Select, page: int, per_page: int) -> tuple[list[Any], int]:
    """Run one count and one LIMIT/OFFSET query: two statements whatever the page length."""
    total = db.session.scalar(count_stmt) or 0
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return rows, total


# A practice-wide list counts at most this many rows (1,001 index entries cost well under a millisecond):
# an exact COUNT(*) reads every matching row, so its cost grows with the practice (285 ms at 1,000,000).
COUNT_BOUND = 1000


def paginate_bounded(stmt: Select, count_rows: Select, page: int, per_page: int,
                     bound: int | None = None, paged: bool = True) -> tuple[list[Any], int, bool]:
    """Like paginate, but counting stops past max(`bound` (default COUNT_BOUND), the rows up to this page): returns
    (rows, total, exact); with exact False there are more than `total` rows and the pager offers the
    next page. `count_rows` selects the matching rows (any one column); `paged` False: `stmt` already
    holds its LIMIT/OFFSET (say in a subquery). Two statements.
    """
    limit = max(COUNT_BOUND if bound is None else bound, page * per_page) + 1
    counted = db.session.scalar(select(func.count()).select_from(count_rows.order_by(None).limit(limit).subquery()))
    if paged:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.execute(stmt).unique().all()
    if counted >= limit:
        return rows, limit - 1, False
    return rows, counted or 0, True
