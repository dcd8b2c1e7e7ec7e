"""Per-run PostgreSQL databases, so two test runs (or two xdist workers) can share one server.

TEST_DATABASE_URL names the server and a base name (e.g. `.../test`); each run makes databases named
`<base>_<run>_<worker>[_<purpose>]` beside it and drops them when the process exits. The run id is
pytest-xdist's shared `PYTEST_XDIST_TESTRUNUID` when present (one id for all workers of a run), else a
random one for this process.
"""

from __future__ import annotations

import atexit
import os
import re
import uuid

from sqlalchemy.engine import URL, make_url

_RUN = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)[:10]
_CREATED: list[tuple[str, str]] = []  # (admin conninfo, database name), dropped at exit


def _admin(url: URL) -> str:
    """A libpq conninfo for the server's maintenance database (psycopg, autocommit DDL)."""
    return url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def private_database(base_url: str, purpose: str = "") -> str:
    """Create a fresh database for this run and worker; returns its SQLAlchemy URL.

    Raises psycopg.OperationalError when the server is not reachable (the caller fails the run loudly).
    """
    import psycopg

    url = make_url(base_url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = "_".join(part for part in (url.database or "test", _RUN, worker, purpose) if part)
    name = re.sub(r"[^a-z0-9_]", "_", name.lower())[:63]
    admin = _admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _CREATED.append((admin, name))
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop one database made by `private_database` now (also forgotten for the exit sweep)."""
    import psycopg

    name = make_url(url).database
    for entry in [e for e in _CREATED if e[1] == name]:
        _CREATED.remove(entry)
        with psycopg.connect(entry[0], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@atexit.register
def _drop_all() -> None:
    import psycopg

    for admin, name in reversed(_CREATED):
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error:
            pass  # the server went away; nothing left to tidy
    _CREATED.clear()
