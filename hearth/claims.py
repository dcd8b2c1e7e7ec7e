"""Deciding and writing in one statement: the cure for check-then-act on shared state.

`claim(obj, *conditions, **values)` sets `values` on `obj`'s row only while `conditions` still hold,
in one conditional UPDATE, and says whether this call won. Under parallel requests exactly one
caller sees True for a state change such as "pending -> used"; on PostgreSQL a loser waits for the
winner's commit and then finds the condition false. The object's changed attributes are reloaded
from the row on next access.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, inspect, update

from hearth import db


def claim(obj: Any, *conditions: ColumnElement[bool], **values: Any) -> bool:
    """Write `values` to `obj`'s row if `conditions` hold (one UPDATE); True when this call changed it."""
    model = type(obj)
    key = inspect(obj).identity
    pk = inspect(model).primary_key
    where = [column == value for column, value in zip(pk, key, strict=True)]
    changed = db.session.execute(update(model).where(*where, *conditions).values(**values)
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.expire(obj, list(values))
    return changed == 1
