"""Engine, the scoped session, the unit of work and after-commit hooks.

The outermost service call is the transaction: `@transactional` commits when the outermost
decorated call returns and rolls back when it raises; nested calls only flush. Side effects
(email, push, task enqueue) register with `after_commit` so they never run for a rolled-back write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


SessionFactory = sessionmaker(expire_on_commit=False)
session: scoped_session[Session] = scoped_session(SessionFactory)
_engine: Engine | None = None
_depth: ContextVar[int] = ContextVar("hearth_tx_depth", default=0)


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin, so SAVEPOINTs work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys on and a long busy timeout for the worker beside the web."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def configure(url: str, **kwargs: Any) -> Engine:
    """Bind the global session to a new engine for `url`."""
    global _engine
    if _engine is not None:
        session.remove()
        _engine.dispose()
    _engine = make_engine(url, **kwargs)
    SessionFactory.configure(bind=_engine)
    return _engine


def engine() -> Engine:
    if _engine is None:
        raise RuntimeError("hearth.db.configure() was not called")
    return _engine


def is_postgres() -> bool:
    return engine().dialect.name == "postgresql"


def after_commit(fn: Callable[[], Any]) -> None:
    """Run `fn` once the current transaction commits; dropped if it rolls back."""
    session().info.setdefault("after_commit", []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(sess: Session) -> None:
    hooks = sess.info.pop("after_commit", [])
    for hook in hooks:
        hook()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(sess: Session) -> None:
    sess.info.pop("after_commit", None)


P = ParamSpec("P")
R = TypeVar("R")


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """Make `fn` a use case: the outermost call commits on success and rolls back on error."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = _depth.get()
        token = _depth.set(depth + 1)
        try:
            result = fn(*args, **kwargs)
            if depth == 0:
                session.commit()
            else:
                session.flush()
            return result
        except BaseException:
            if depth == 0:
                session.rollback()
            raise
        finally:
            _depth.reset(token)

    return wrapper
