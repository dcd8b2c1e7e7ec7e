"""One page of a list and the two statements that fetch it, shared by every paginated use case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from hearth import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list, with what a pager needs."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp(page: int, per_page: int, max_per_page: int) -> tuple[int, int]:
    """A page number of at least 1 and a page length between 1 and `max_per_page`."""
    return max(1, int(page)), min(max(1, int(per_page)), max_per_page)


def paginate(stmt: Select, count_stmt: Select, page: int, per_page: int) -> tuple[list[Any], int]:
    """Run one count and one LIMIT/OFFSET query: two statements whatever the page length."""
    total = db.session.scalar(count_stmt) or 0
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return rows, total
