"""Engine, the scoped session, the unit of work and after-commit hooks.

The outermost service call is the transaction: `@transactional` commits when the outermost
decorated call returns and rolls back when it raises; nested calls only flush. Side effects
(email, push, task enqueue) register with `after_commit` so they never run for a rolled-back write.

SQLite (the embedded default) has one writer at a time, and in WAL mode a transaction that began as a
reader cannot become a writer once another connection has written meanwhile: SQLite answers
"database is locked" at once, whatever the busy timeout. So on SQLite:
- a use case begins as a writer: inside `@transactional` transactions start with `BEGIN IMMEDIATE`,
  which waits (busy timeout) for the write lock and then holds it to the commit, so the use case's
  reads and writes are one serialized unit, as its row locks make them on PostgreSQL; a read-only
  transaction left open from before (the request's sign-in check) is ended first;
- reads outside use cases begin deferred and never wait for or block a writer;
- a deferred transaction that has only read and then writes (code outside a use case: the worker,
  a session's last-seen touch) is restarted as `BEGIN IMMEDIATE` just before its first write,
  instead of failing: its earlier reads behave as under PostgreSQL's READ COMMITTED.

Before any of these becomes a writer it takes Hearth's own writer lock (hearth/sqlite_lock.py: an
flock on `<db>-writer.lock`, released right after its COMMIT/ROLLBACK), so writers queue in the
kernel and the next one is woken the moment the lock is free, instead of sleeping in SQLite's busy
handler. SQLite's busy timeout stays the fallback against writers outside Hearth.
"""

from __future__ import annotations

import functools
import logging
import select as io_select  # poll(); not sqlalchemy.select
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

from hearth import sqlite_lock

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
_writer: ContextVar[bool] = ContextVar("hearth_sqlite_writer", default=False)
log = logging.getLogger("hearth.db")
# connection.info key: the current SQLite transaction's state, "immediate" (a writer from BEGIN that
# has not written yet), "fresh" (deferred, nothing run yet), "read" (deferred, has only read) or
# "wrote" (has written).
TX_STATE = "hearth_sqlite_tx"
READS = ("SELECT", "WITH", "EXPLAIN", "VALUES")  # what Hearth sends that only reads (its CTEs only read)
NEUTRAL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA")


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin, so SAVEPOINTs work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    immediate = _writer.get()
    conn.info[TX_STATE] = "immediate" if immediate else "fresh"
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _take_writer_lock(dbapi_connection) -> None:
    """Hearth's writer lock, before this connection begins writing (none for a plain sqlite3 connection)."""
    take = getattr(dbapi_connection, "take_writer_lock", None)
    if take is not None:
        take()


def _sqlite_before_execute(conn, cursor, statement, _parameters, _context, _executemany) -> None:
    """Take the writer lock before a transaction writes; turn a deferred one that has only read into a writer."""
    state = conn.info.get(TX_STATE)
    if state not in ("fresh", "read", "immediate"):
        return
    head = statement.lstrip()[:16].upper()
    if head.startswith("BEGIN IMMEDIATE"):  # `_sqlite_begin` for a use case: queue here, not in SQLite
        _take_writer_lock(cursor.connection)
        return
    if head.startswith(NEUTRAL):
        return
    if head.startswith(READS):
        if state == "fresh":
            conn.info[TX_STATE] = "read"
        return
    if state == "immediate":
        conn.info[TX_STATE] = "wrote"  # `unlocked()` may no longer end it
        return
    if state == "fresh" or conn.in_nested_transaction():
        # A first statement that writes waits on the busy timeout by itself; inside a SAVEPOINT
        # (only the test harness reads there outside a use case) the transaction cannot be restarted.
        _take_writer_lock(cursor.connection)
        conn.info[TX_STATE] = "wrote"
        return
    # Nothing written yet: ending the transaction loses nothing but its old snapshot.
    log.debug("sqlite: a read transaction is about to write; restarting it as BEGIN IMMEDIATE: %.80s", statement)
    conn.info[TX_STATE] = "wrote"  # from here on, whatever happens: this statement writes
    cursor.execute("COMMIT")
    _take_writer_lock(cursor.connection)
    cursor.execute("BEGIN IMMEDIATE")  # waits on the busy timeout; raises "database is locked" only after it


def _sqlite_release(dbapi_connection, *_args) -> None:
    """Never keep the writer lock outside a transaction: after a failed BEGIN, and on return to the pool."""
    release = getattr(dbapi_connection, "release_writer_lock", None)
    if release is not None:
        release()


def _sqlite_handle_error(context) -> None:
    if context.connection is not None and not context.connection.invalidated:
        _sqlite_release(context.connection.connection.dbapi_connection)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys on, a long busy timeout for the worker beside the web
    and Hearth's writer lock (connections made by `sqlite_lock.Connection`)."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        kwargs["connect_args"] = {"factory": sqlite_lock.Connection, **kwargs["connect_args"]}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_before_execute)
        event.listen(engine, "handle_error", _sqlite_handle_error)
        event.listen(engine, "checkin", _sqlite_release)
        return engine
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_stale(engine)
    return engine


# A pooled server connection idle longer than this is pinged (SELECT 1) before use. One used more
# recently is only checked for a closed socket or a message waiting on it, which costs no round trip:
# a server that ended the connection (restart, pg_terminate_backend, idle timeout) has said so there.
PING_IDLE_SECONDS = 5.0
_USED_AT = "hearth_used_at"


def _ping_when_stale(engine: Engine) -> None:
    """`pool_pre_ping`, but without a round trip per checkout (SQLAlchemy's custom pessimistic check).

    pre-ping cost every request one more statement. A connection that fails the ping is discarded
    and the pool hands out a new one (DisconnectionError), so the request never sees the dead one;
    each other pooled connection is checked the same way on its own next checkout.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection, record) -> None:
        record.info[_USED_AT] = None  # just opened: nothing to check

    @event.listens_for(engine, "checkin")
    def _used(_dbapi_connection, record) -> None:
        record.info[_USED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy) -> None:
        used_at = record.info.get(_USED_AT, 0.0)
        if used_at is None or (time.monotonic() - used_at < PING_IDLE_SECONDS and _quiet(dbapi_connection)):
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: replace the connection, as pre-ping does
            raise exc.DisconnectionError(f"connection failed its ping: {error}") from error
        if not alive:
            raise exc.DisconnectionError("connection failed its ping")


def _quiet(dbapi_connection) -> bool:
    """True when the connection is open and nothing waits to be read on its socket (no error, no EOF)."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return False
    try:
        poller = io_select.poll()
        poller.register(dbapi_connection.fileno(), io_select.POLLIN | io_select.POLLPRI)
        return not poller.poll(0)
    except Exception:  # no poll() on this platform, or no socket: ping instead
        return False


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


def _end_read_transaction() -> None:
    """On SQLite, commit a transaction that began as a reader, so the next one begins as a writer.

    Only for a session that owns its connections: one joined to an outer transaction (the test
    harness's rolled-back connection) cannot end it, and has no other connection to race with.
    Objects loaded so far stay usable (no expiry on commit).
    """
    sess = session()
    if sess.in_transaction() and _owns_sqlite_connection(sess) and sess.connection().info.get(TX_STATE) in (
            "fresh", "read"):
        sess.commit()


@contextmanager
def unlocked() -> Iterator[None]:
    """Slow work that needs no database (password hashing) inside a use case: on SQLite, let other
    writers go meanwhile.

    When the use case has only read so far (nothing written, flushed or pending, no after-commit
    hook), its transaction is committed before the block, so the write lock is not held during it;
    the next statement begins a new writer. What was read stays loaded, as it would under
    PostgreSQL, whose row reads hold no lock either. Otherwise (and on PostgreSQL) nothing changes.
    """
    sess = session()
    if (sess.in_transaction() and _owns_sqlite_connection(sess) and not (sess.new or sess.dirty or sess.deleted)
            and not sess.info.get("after_commit")
            and sess.connection().info.get(TX_STATE) == "immediate"):
        sess.commit()
    yield


def _owns_sqlite_connection(sess: Session) -> bool:
    bind = sess.get_bind()
    return isinstance(bind, Engine) and bind.dialect.name == "sqlite"


P = ParamSpec("P")
R = TypeVar("R")


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """Make `fn` a use case: the outermost call commits on success and rolls back on error."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = _depth.get()
        token = _depth.set(depth + 1)
        writer = _writer.set(True)
        try:
            if depth == 0:
                _end_read_transaction()
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
            _writer.reset(writer)
            _depth.reset(token)

    return wrapper
