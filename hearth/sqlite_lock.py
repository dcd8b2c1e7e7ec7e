"""A fair, wake-on-release write lock in front of SQLite's own (hearth/db.py takes and gives it back).

Why: every audited read writes its audit event, so on SQLite every use case is a writer and they
queue for SQLite's one write lock. SQLite's busy handler makes a waiting writer *sleep* (1, 2, 5,
10 … 100 ms) and retry instead of waking it when the lock is released, so under load the lock sits
idle between holders and waits of seconds appear. An exclusive `flock` on `<db>-writer.lock` is
handed over by the kernel the moment its holder lets go. Each Hearth connection takes it just before
its transaction becomes a writer and gives it back right after its COMMIT or ROLLBACK, so SQLite's
own lock is then free at once; SQLite's busy timeout stays the fallback against writers outside
Hearth (the sqlite3 shell, a backup).

Each connection opens the lock file itself (its own open file description), so threads of one
process exclude each other as processes do; in front of it, threads of one process queue on a
process-wide lock (see `WriterLock`). The kernel drops the flock when the file is closed, also when
a process dies. No lock file for in-memory databases; no lock on Windows (no fcntl).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from urllib.parse import unquote, urlsplit

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler alone, as before
    fcntl = None  # type: ignore[assignment]

SUFFIX = "-writer.lock"


def lock_path(database: object, uri: bool = False) -> str | None:
    """`<db>-writer.lock` beside a database file; None for in-memory or temporary databases."""
    name = os.fsdecode(database) if isinstance(database, bytes | os.PathLike) else str(database)
    if uri and name.startswith("file:"):
        parts = urlsplit(name)
        if "mode=memory" in parts.query:
            return None
        name = unquote(parts.path)
    if name in ("", ":memory:") or name.startswith("file::memory:"):
        return None
    return os.path.abspath(name) + SUFFIX


_process_locks: dict[tuple[int, str], threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    """This process's queue for `path` (keyed by pid too: a lock copied by fork is the parent's)."""
    key = (os.getpid(), path)
    lock = _process_locks.get(key)
    if lock is None:
        with _process_locks_guard:
            lock = _process_locks.setdefault(key, threading.Lock())
    return lock


class WriterLock:
    """One connection's hold on the writer lock: `acquire` (waits up to `timeout` s), `release`, `close`.

    Two levels, both woken on release: threads of this process first take the process's lock for the
    file (a `threading.Lock`, whose timed wait blocks in C without the GIL), then the one that has it
    takes the `flock` against other processes, trying every millisecond or less (`_flock`). Both waits
    are bounded by the busy timeout as SQLite's was ("database is locked" after it), and only one
    thread per process ever polls the flock.
    """

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.held = False
        self._fd: int | None = None
        self._pid = 0
        self._queue: threading.Lock | None = None

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # after a fork the description is the parent's
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._pid = os.getpid()
            self.held = False
        return self._fd

    def acquire(self) -> None:
        if self.held and self._pid == os.getpid():
            return
        fd = self._descriptor()
        queue = _process_lock(self.path)
        if not queue.acquire(timeout=self.timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            self._flock(fd)
        except BaseException:
            queue.release()
            raise
        self._queue = queue
        self.held = True

    def _flock(self, fd: int) -> None:
        """Take the flock against other processes within `timeout` s ("database is locked" after it).

        Blocking `flock` has no timeout, and a process whose write transaction never ends (a stuck
        request, a debugger) must not hang the others forever. So: one non-blocking try, then tries
        every 0.2-1 ms (only one thread per process polls: the others wait on the process lock), a
        wake-up delay of at most a millisecond against SQLite's 1-100 ms sleeps.
        """
        deadline = time.monotonic() + self.timeout
        pause = 0.0002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.001)

    def release(self) -> None:
        if self.held and self._fd is not None and self._pid == os.getpid():
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._release_queue()

    def _release_queue(self) -> None:
        queue, self._queue, self.held = self._queue, None, False
        if queue is not None and self._pid == os.getpid():
            queue.release()

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None and self._pid == os.getpid():
            os.close(fd)  # releases the flock if held
        self._release_queue()


class Connection(sqlite3.Connection):
    """A sqlite3 connection that gives the writer lock back as soon as its transaction ends.

    Passed as `factory` to sqlite3.connect (connect_args). COMMIT and ROLLBACK through `commit()`
    and `rollback()` (SQLAlchemy's, the pool's reset on return) release it; so does `close()`.
    """

    writer_lock: WriterLock | None = None

    def __init__(self, database, timeout: float = 5.0, *args, **kwargs) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        path = lock_path(database, bool(kwargs.get("uri"))) if fcntl is not None else None
        self.writer_lock = WriterLock(path, timeout) if path else None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_writer_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_writer_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.writer_lock is not None:
                self.writer_lock.close()

    def take_writer_lock(self) -> None:
        if self.writer_lock is not None:
            self.writer_lock.acquire()

    def release_writer_lock(self) -> None:
        """Release unless a transaction is still open (a COMMIT that failed keeps it until the rollback)."""
        lock = self.writer_lock
        if lock is not None and lock.held:
            try:
                open_tx = self.in_transaction
            except sqlite3.ProgrammingError:  # closed
                open_tx = False
            if not open_tx:
                lock.release()

    def __del__(self) -> None:
        lock = self.writer_lock
        if lock is not None:
            lock.close()
