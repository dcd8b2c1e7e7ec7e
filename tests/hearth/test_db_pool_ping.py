"""PostgreSQL pool: a connection the server ended is never handed to a request, without a ping per checkout.

hearth.db replaced `pool_pre_ping` (one `SELECT 1` round trip before every request's first
statement) by a check of the connection's socket, with a real ping only after it sat idle a while.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hearth import db


@pytest.fixture
def pg_engine(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL pool (SQLite connections are files, never ended by a server)")
    engine = db.make_engine(db_url, pool_size=2, max_overflow=0)
    pings = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
    engine.pings = pings  # type: ignore[attr-defined]
    try:
        yield engine
    finally:
        engine.dispose()


def _pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(pid: int, db_url: str) -> None:
    """End one server process the way an administrator (or a restart) would, and wait until it is gone."""
    other = db.make_engine(db_url)
    try:
        with other.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()
    finally:
        other.dispose()


def test_recently_used_connection_is_reused_without_a_ping(pg_engine):
    first = _pid(pg_engine)
    for _ in range(5):
        assert _pid(pg_engine) == first
    assert pg_engine.pings == []


def test_terminated_backend_is_replaced_before_the_next_use(pg_engine, db_url):
    first = _pid(pg_engine)
    _terminate(first, db_url)
    second = _pid(pg_engine)  # the same pooled connection would fail; the pool gives a new one
    assert second != first
    assert len(pg_engine.pings) == 1  # its socket told: pinged (and failed) though used just now
    assert _pid(pg_engine) == second


def test_terminated_backend_is_replaced_for_the_app_session(pg_engine, db_url, monkeypatch):
    """What a request does: the scoped session's first statement after the server ended its connection."""
    monkeypatch.setattr(db, "_engine", pg_engine)
    db.session.remove()
    db.SessionFactory.configure(bind=pg_engine)
    try:
        first = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.remove()
        _terminate(first, db_url)
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    finally:
        db.session.remove()
        monkeypatch.undo()
        db.SessionFactory.configure(bind=db.engine())


def test_idle_connection_is_pinged_and_replaced_when_dead(pg_engine, db_url, monkeypatch):
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0.0)
    first = _pid(pg_engine)
    assert _pid(pg_engine) == first
    assert len(pg_engine.pings) == 1  # idle past the limit: pinged, and alive
    _terminate(first, db_url)
    assert _pid(pg_engine) != first
