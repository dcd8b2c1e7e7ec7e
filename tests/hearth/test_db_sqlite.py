"""SQLite transactions that will write begin as writers (hearth/db.py), on a database file of their own."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from hearth import db


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    yield engine
    engine.dispose()


@pytest.fixture
def own_session(engine, monkeypatch):
    """The global session on `engine`, as in production (not joined to the test's rolled-back connection)."""
    db.session.remove()
    monkeypatch.setattr(db, "_engine", engine)
    db.SessionFactory.configure(bind=engine, join_transaction_mode="conditional_savepoint")
    yield db.session
    db.session.remove()


def _bump_elsewhere(engine) -> None:
    with engine.begin() as other:
        other.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))


def test_a_read_transaction_that_writes_after_another_commit_does_not_fail(engine):
    """Plain SQLite answers "database is locked" here at once; the transaction is restarted as a writer."""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 0
        assert conn.info[db.TX_STATE] == "read"
        _bump_elsewhere(engine)  # another connection writes after this one began reading
        conn.execute(text("UPDATE counter SET n = n + 10 WHERE id = 1"))
        assert conn.info[db.TX_STATE] == "wrote"
        conn.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 11


def test_a_use_case_ends_the_read_transaction_and_begins_immediate(own_session, engine):
    own_session.execute(text("SELECT n FROM counter"))  # the request's reads before the use case
    assert own_session.connection().info[db.TX_STATE] == "read"
    _bump_elsewhere(engine)
    seen = {}

    @db.transactional
    def add_one():
        seen["state"] = db.session.connection().info[db.TX_STATE]
        n = db.session.execute(text("SELECT n FROM counter")).scalar_one()
        db.session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})

    add_one()
    assert seen["state"] == "immediate"
    own_session.execute(text("SELECT 1"))  # after the use case, reads begin deferred again
    assert own_session.connection().info[db.TX_STATE] == "read"
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 2


def test_use_cases_racing_read_then_write_lose_no_update(own_session, engine):
    """Read-decide-write in a use case is one serialized unit on SQLite: 8 threads × 5 increments = 40."""

    @db.transactional
    def add_one():
        n = db.session.execute(text("SELECT n FROM counter")).scalar_one()
        threading.Event().wait(0.001)  # let another thread run between the read and the write
        db.session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})

    errors = []

    def worker():
        try:
            for _ in range(5):
                add_one()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 40


def test_a_first_statement_that_writes_needs_no_restart(engine):
    with engine.connect() as conn:
        conn.execute(text("UPDATE counter SET n = 5 WHERE id = 1"))
        assert conn.info[db.TX_STATE] == "wrote"
        conn.rollback()


def test_unlocked_lets_other_writers_go_while_a_use_case_hashes(own_session, engine):
    """A use case that has only read gives the write lock back for slow work (password hashing)."""
    seen = {}

    @db.transactional
    def sign_in_like():
        db.session.execute(text("SELECT n FROM counter")).scalar_one()
        with db.unlocked():
            other = threading.Thread(target=_bump_elsewhere, args=(engine,))
            other.start()
            other.join(10)  # with the lock held, it would wait 30 s for it
            seen["other finished"] = not other.is_alive()
        db.session.execute(text("UPDATE counter SET n = n + 10 WHERE id = 1"))
        seen["state"] = db.session.connection().info[db.TX_STATE]

    sign_in_like()
    assert seen == {"other finished": True, "state": "wrote"}
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 11


def test_unlocked_keeps_the_lock_once_the_use_case_wrote(own_session, engine):
    @db.transactional
    def wrote_then_hashes():
        db.session.execute(text("UPDATE counter SET n = 1 WHERE id = 1"))
        with db.unlocked():
            assert db.session.connection().info[db.TX_STATE] == "wrote"  # not committed half-way
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        wrote_then_hashes()
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 0


def test_unlocked_never_commits_a_restarted_transaction_that_wrote(own_session, engine):
    own_session.execute(text("SELECT n FROM counter"))
    _bump_elsewhere(engine)
    own_session.execute(text("UPDATE counter SET n = 100 WHERE id = 1"))  # restarted as a writer, then wrote
    with db.unlocked():
        pass
    own_session.rollback()
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 1
