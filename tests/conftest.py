"""Test harness: the real migrations on SQLite or PostgreSQL, each test rolled back.

TEST_DATABASE_URL selects the database (PostgreSQL in CI); without it a temporary SQLite file.
HEARTH_REQUIRE_POSTGRES=1 makes a missing PostgreSQL server an error, never a skip.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from hearth import db
from hearth.security.passwords import use_fast_hashing
from tests.factories import PASSWORD
from tests.pgdb import private_database

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["tests.fakes.fixtures"] if (ROOT / "tests" / "fakes" / "fixtures.py").exists() else []


def database_url(tmp_root: Path) -> str:
    """A temporary SQLite file, or a database of this run's own beside TEST_DATABASE_URL (tests/pgdb.py)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        try:
            return private_database(url)
        except Exception as exc:  # a missing server must fail loudly, with the reason
            pytest.exit(f"cannot create a test database beside {url!r}: {exc}", returncode=3)
    if os.environ.get("HEARTH_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError("HEARTH_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    return f"sqlite:///{tmp_root / 'test.db'}"


def alembic_config() -> Config:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


def migrate(engine) -> None:
    """Build the schema from scratch with the real migrations."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    return database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def app(db_url, tmp_path_factory):
    use_fast_hashing()
    from hearth.app import create_app

    application = create_app({
        "DATABASE_URL": db_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "STAFF_TWO_FACTOR_REQUIRED": False,  # tests/portal/test_login.py and test_account*.py turn it on
        "MAIL_HOST": "",
        "SERVER_NAME": None,
        "BACKLOG_WARN_EVERY": 0,  # no outbox query slipped into requests whose statements tests count
        "FILE_STORAGE_DIR": str(tmp_path_factory.mktemp("uploads")),
    })

    def _fresh_g():
        # Tests keep one app context open (so the test's session survives requests); without
        # this, flask.g (and Flask-Login's cached user) would leak from one request to the next.
        from flask import g

        g.__dict__.clear()

    application.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    try:
        migrate(db.engine())
    except Exception as exc:  # a missing server must fail loudly, with the reason
        pytest.exit(f"cannot prepare the test database {db_url!r}: {exc}", returncode=3)
    return application


@pytest.fixture(autouse=True)
def db_session(app):
    """Run each test inside one outer transaction that is rolled back afterwards."""
    engine = db.engine()
    connection = engine.connect()
    outer = connection.begin()
    db.session.remove()
    db.SessionFactory.configure(bind=connection, join_transaction_mode="create_savepoint")
    ctx = app.app_context()
    ctx.push()
    try:
        yield db.session
    finally:
        ctx.pop()
        db.session.remove()
        db.SessionFactory.configure(bind=engine, join_transaction_mode="conditional_savepoint")
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch):
    """Fail any test that tries to reach a host other than this machine."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1", "")
                                          or sock.family == socket.AF_UNIX):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def login(client, user, password: str = PASSWORD):
    """Sign in through the real login form; returns the response."""
    return client.post("/login", data={"email": user.email, "password": password})


@pytest.fixture
def signed_in():
    return login


def pytest_collection_modifyitems(config, items):
    """Keep the browser tests on one xdist worker, so one demo server and one Chromium serve them all."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
