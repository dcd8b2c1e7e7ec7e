"""Deciding and writing in one statement: the cure for check-then-act on shared state.

`claim(obj, *conditions, **values)` sets `values` on `obj`'s row only while `conditions` still hold,
in one conditional UPDATE, and says whether this call won. Under parallel requests exactly one
caller sees True for a state change such as "pending -> used"; on PostgreSQL a loser waits for the
winner's commit and then finds the condition false. The object's changed attributes are reloaded
from the row on next access.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, inspect, select, update

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


def lock(model: Any, ident: Any) -> None:
    """Hold the row lock of `model` row `ident` until the transaction ends, so a check-then-insert done
    under it runs one at a time per row (SQLite has one writer at a time anyway).

    PostgreSQL: FOR NO KEY UPDATE, which does not wait for the key-share locks that inserts referencing
    the row (audit events, ...) take, so two requests that both wrote such a row cannot deadlock here.
    """
    pk = inspect(model).primary_key[0]
    db.session.execute(select(pk).where(pk == ident).with_for_update(key_share=True))
