"""Hearth's SQLite writer lock (hearth/sqlite_lock.py): taken before a transaction writes, given back
right after it ends, whatever the way it ends; and real parallel requests (threads in two processes)
on one database file with no "database is locked" and every audit event kept."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, exc, func, select, text

from hearth import db, sqlite_lock


def held_by_someone(path: str) -> bool:
    """Whether some other open file description holds the lock file."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # releases it if this probe got it
    return False


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'lock.db'}", connect_args={"check_same_thread": False,
                                                                              "timeout": 0.5})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    yield engine
    engine.dispose()


@pytest.fixture
def lock_file(tmp_path):
    return str(tmp_path / "lock.db") + "-writer.lock"


@pytest.fixture
def own_session(engine, monkeypatch):
    """The global session on `engine`, as in production (not joined to the test's rolled-back connection)."""
    db.session.remove()
    monkeypatch.setattr(db, "_engine", engine)
    db.SessionFactory.configure(bind=engine, join_transaction_mode="conditional_savepoint")
    yield db.session
    db.session.remove()


def test_the_lock_file_sits_beside_the_database_and_memory_databases_have_none(engine, lock_file, tmp_path):
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, sqlite_lock.Connection) and raw.writer_lock.path == lock_file
    memory = db.make_engine("sqlite://")
    with memory.connect() as conn:
        assert conn.connection.dbapi_connection.writer_lock is None
        conn.execute(text("CREATE TABLE t (id INTEGER)"))  # writes without a lock file
    memory.dispose()
    assert sqlite_lock.lock_path("file:x?mode=memory", uri=True) is None
    assert sqlite_lock.lock_path("file:" + str(tmp_path / "a b.db") + "?cache=shared", uri=True) == str(
        tmp_path / "a b.db") + "-writer.lock"


def test_a_use_case_holds_the_lock_from_its_first_statement_to_its_commit(own_session, lock_file):
    seen = []

    @db.transactional
    def add_one():
        seen.append(held_by_someone(lock_file))  # not yet: the transaction begins at the first statement
        db.session.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
        seen.append(held_by_someone(lock_file))

    add_one()
    assert seen == [False, True]
    assert not held_by_someone(lock_file)


def test_the_lock_goes_with_a_rollback_and_with_a_failed_statement(own_session, lock_file):
    @db.transactional
    def fails(sql):
        db.session.execute(text("SELECT n FROM counter"))
        assert held_by_someone(lock_file)
        db.session.execute(text(sql))

    with pytest.raises(exc.IntegrityError):
        fails("INSERT INTO counter (id, n) VALUES (1, 1)")  # the primary key is taken
    assert not held_by_someone(lock_file)
    with pytest.raises(exc.OperationalError):
        fails("UPDATE no_such_table SET n = 1")
    assert not held_by_someone(lock_file)
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 0
    assert not held_by_someone(lock_file)  # a read outside a use case takes no lock


def test_deferred_transactions_take_it_at_their_first_write_and_give_it_back(engine, lock_file):
    with engine.connect() as conn:
        conn.execute(text("SELECT n FROM counter"))
        assert not held_by_someone(lock_file)  # readers never queue
        conn.execute(text("UPDATE counter SET n = 1 WHERE id = 1"))  # restarted as BEGIN IMMEDIATE
        assert held_by_someone(lock_file)
        conn.commit()
        assert not held_by_someone(lock_file)
        conn.execute(text("UPDATE counter SET n = 2 WHERE id = 1"))  # a first statement that writes
        assert held_by_someone(lock_file)
        conn.rollback()
        assert not held_by_someone(lock_file)


def test_never_held_by_a_connection_back_in_the_pool(engine, lock_file):
    conn = engine.connect()
    conn.execute(text("UPDATE counter SET n = 1 WHERE id = 1"))
    assert held_by_someone(lock_file)
    conn.close()  # the pool's reset rolls back
    assert not held_by_someone(lock_file)
    with engine.connect() as conn:  # the same pooled connection, unchanged
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 0
        conn.connection.dbapi_connection.take_writer_lock()  # held outside any transaction
        assert held_by_someone(lock_file)
    assert not held_by_someone(lock_file)  # the checkin gives it back


def test_invalidating_or_closing_a_connection_releases_it(engine, lock_file):
    conn = engine.connect()
    conn.execute(text("UPDATE counter SET n = 1 WHERE id = 1"))
    assert held_by_someone(lock_file)
    conn.invalidate()
    assert not held_by_someone(lock_file)
    conn.close()
    raw = engine.raw_connection()
    raw.driver_connection.take_writer_lock()
    assert held_by_someone(lock_file)
    raw.driver_connection.close()
    assert not held_by_someone(lock_file)
    raw.invalidate()


def test_a_wait_longer_than_the_busy_timeout_fails_as_sqlite_would(own_session, engine, lock_file):
    """Another connection of this process holds it for longer than the busy timeout (0.5 s here):
    "database is locked", as SQLite answered; nothing kept."""
    holder = engine.connect()
    holder.execute(text("UPDATE counter SET n = 100 WHERE id = 1"))

    began = time.monotonic()
    try:
        with pytest.raises(exc.OperationalError, match="database is locked"):
            add_one()
        assert 0.4 < time.monotonic() - began < 5
        assert held_by_someone(lock_file)  # still the holder's
    finally:
        holder.rollback()
        holder.close()
    assert not held_by_someone(lock_file)
    add_one()
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 1
    assert not held_by_someone(lock_file)


def _hold_in_another_process(path: str, seconds: float, held) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    held.set()
    time.sleep(seconds)
    os.close(fd)


@db.transactional
def add_one() -> None:
    """The use case the tests run: one write to the counter."""
    db.session.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))


def _held_elsewhere(path: str, seconds: float):
    """A forked process that holds the flock for `seconds` (started, and holding, when this returns)."""
    ctx = multiprocessing.get_context("fork")
    held = ctx.Event()
    other = ctx.Process(target=_hold_in_another_process, args=(path, seconds, held))
    other.start()
    assert held.wait(10)
    return other


def test_a_writer_waits_for_another_process_and_goes_when_it_lets_go(own_session, lock_file):
    other = _held_elsewhere(lock_file, 0.3)

    began = time.monotonic()
    add_one()  # within the 0.5 s busy timeout: waits for the other process, goes as soon as it lets go
    assert time.monotonic() - began > 0.1
    other.join(10)
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 1
    assert not held_by_someone(lock_file)


def test_a_process_that_never_lets_go_does_not_hang_the_others(own_session, lock_file):
    """Another process holds the flock past the busy timeout (a stuck request): "database is locked"
    after the timeout, as SQLite answered, not a wait without end; nothing kept."""
    other = _held_elsewhere(lock_file, 3.0)

    began = time.monotonic()
    try:
        with pytest.raises(exc.OperationalError, match="database is locked"):
            add_one()
        assert 0.4 < time.monotonic() - began < 2.5
    finally:
        other.join(10)
    add_one()
    assert own_session.execute(text("SELECT n FROM counter")).scalar_one() == 1
    assert not held_by_someone(lock_file)


def test_a_failed_begin_immediate_gives_the_lock_back(own_session, engine, lock_file, tmp_path):
    """A writer outside Hearth (no lock file) still wins by SQLite's busy timeout, as before."""
    outsider = sqlite3.connect(str(tmp_path / "lock.db"), isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")

    try:
        with pytest.raises(exc.OperationalError, match="database is locked"):
            add_one()
        assert not held_by_someone(lock_file)
    finally:
        outsider.execute("ROLLBACK")
        outsider.close()
    add_one()
    assert not held_by_someone(lock_file)


def test_waiters_are_woken_when_the_holder_commits(own_session, engine, lock_file):
    """A writer waiting for the lock starts as soon as the holder commits. SQLite's busy handler alone
    sleeps 1, 2, 5 … 100 ms between tries: after a 240 ms hold it would next try at 328 ms, ~88 ms late."""
    gaps = []
    for _ in range(5):
        committed, started = [], []
        holding = threading.Event()

        def holder(holding=holding, committed=committed):
            with engine.connect() as conn:
                conn.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
                holding.set()
                time.sleep(0.24)
                conn.commit()
                committed.append(time.monotonic())

        thread = threading.Thread(target=holder)
        thread.start()
        holding.wait(5)
        with engine.connect() as conn:
            conn.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
            started.append(time.monotonic())
            conn.commit()
        thread.join(5)
        gaps.append(started[0] - committed[0])
    assert sorted(gaps)[2] < 0.04, gaps


def test_postgresql_engines_get_no_lock():
    engine = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not event.contains(engine, "before_cursor_execute", db._sqlite_before_execute)
    assert not event.contains(engine, "checkin", db._sqlite_release)
    engine.dispose()


# ---- real parallel requests: threads in two processes, one database file ----

THREADS = 4
READS = 15


def _app(url: str):
    from hearth.app import create_app
    from hearth.security.passwords import use_fast_hashing

    use_fast_hashing()
    return create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                       "RATELIMIT_ENABLED": False, "MAIL_HOST": "", "SERVER_NAME": None, "BACKLOG_WARN_EVERY": 0})


def _prepare(url: str) -> None:
    """In a process of its own: the real migrations and the demo practice on the database file."""
    from hearth import demo
    from tests.conftest import migrate

    app = _app(url)
    with app.app_context():
        migrate(db.engine())
        demo.seed()
        db.session.commit()


def _patients(url: str) -> list[tuple[str, int]]:
    """(email, patient id) of the demo patients who sign in without two-factor (read with an engine of
    its own: the test process's global session stays on the suite's database)."""
    from hearth import demo
    from hearth.models import Patient, User

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(User.email, Patient.id).join(Patient, Patient.user_id == User.id)
                .where(User.email != demo.NURSE_EMAIL).order_by(Patient.id)).all()
    finally:
        engine.dispose()
    return [(email, pid) for email, pid in rows]


def _read_in_threads(url: str, people: list[tuple[str, int]], start, results) -> None:
    """In one process: THREADS threads, each signs in and makes READS audited reads as fast as it can."""
    from hearth import demo

    app = _app(url)
    out = []
    lock = threading.Lock()

    def reader(i):
        email, pid = people[i % len(people)]
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"email": email, "password": demo.DEMO_PASSWORD})
        mine = [("sign-in", token.status_code, "" if token.status_code < 500 else token.get_data(True))]
        auth = {"Authorization": f"Bearer {(token.get_json() or {}).get('access_token')}"}
        start.wait(60)
        for n in range(READS):
            path = f"/api/v1/patients/{pid}" if n % 2 else f"/api/v1/patients/{pid}/appointments"
            r = client.get(path, headers=auth)
            mine.append(("profile" if n % 2 else "appointments", r.status_code,
                         "" if r.status_code < 500 else r.get_data(True)))
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    results.put(out)


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="the writer lock is SQLite's")
def test_parallel_audited_reads_in_two_processes_lose_no_audit_event_and_never_see_a_locked_database(tmp_path):
    from hearth.models import AuditEvent

    url = f"sqlite:///{tmp_path / 'parallel.db'}"
    ctx = multiprocessing.get_context("spawn")
    prep = ctx.Process(target=_prepare, args=(url,))
    prep.start()
    prep.join(300)
    assert prep.exitcode == 0
    people = _patients(url)
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_read_in_threads, args=(url, people[k::2], start, results)) for k in range(2)]
    for proc in procs:
        proc.start()
    time.sleep(0.5)
    start.set()
    gathered = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    answers = [a for part in gathered for a in part]
    assert len(answers) == 2 * THREADS * (READS + 1)
    assert [a for a in answers if a[1] != (201 if a[0] == "sign-in" else 200)] == []
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            views = conn.execute(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.resource_type == "profile", AuditEvent.action == "view")).scalar_one()
            lists = conn.execute(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.resource_type == "appointment", AuditEvent.action == "list")).scalar_one()
    finally:
        engine.dispose()
    assert views == sum(1 for a in answers if a[0] == "profile")
    assert lists == sum(1 for a in answers if a[0] == "appointments")
