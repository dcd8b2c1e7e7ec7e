"""Rate limits shared by every worker process through Redis, and the client address behind trusted proxies.

Issue 7, section 6: with 3 gunicorn workers 59 of 80 attempts passed (each process kept its own
count), and behind a proxy every client shared one bucket. Redis: REDIS_TEST_URL, else db 11.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from hearth.models import UserSession
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("REDIS_TEST_URL") or "redis://127.0.0.1:6379/11"
CONFIRM = "/api/v1/auth/password-reset/confirm"  # limited to 10/minute per address; a bad token never reaches the DB

WORKER = """
import json, sys
from hearth.app import create_app
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "test", "TESTING": True, "RATELIMIT_ENABLED": True,
                  "REDIS_URL": sys.argv[2], "RATELIMIT_STORAGE_URI": "", "MAIL_HOST": ""})
client = app.test_client()
print(json.dumps([client.post("/api/v1/auth/password-reset/confirm", json={"token": "bad", "password": "x"},
                              environ_base={"REMOTE_ADDR": sys.argv[3]}).status_code for _ in range(6)]))
"""


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    conn = redis.Redis.from_url(REDIS)
    try:
        conn.ping()
    except redis.ConnectionError:
        if os.environ.get("REDIS_TEST_URL"):
            raise
        pytest.skip(f"no Redis at {REDIS}")
    yield conn
    conn.close()


def _worker(tmp_path, address: str) -> list[int]:
    """One separate Python process (as a gunicorn worker is) sending 6 requests from `address`."""
    done = subprocess.run([sys.executable, "-c", WORKER, f"sqlite:///{tmp_path / 'unused.db'}", REDIS, address],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "REDIS_URL": "", "RATELIMIT_STORAGE_URI": "", "TRUSTED_PROXIES": "0"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _address() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"  # a fresh bucket for each run


def test_two_worker_processes_share_one_count_through_redis(tmp_path, redis_db):
    address, other = _address(), _address()
    try:
        first = _worker(tmp_path, address)
        second = _worker(tmp_path, address)
        assert first == [422] * 6
        assert second == [422] * 4 + [429] * 2  # 10 per minute in all, not 10 per process
        assert any(f"/hearth/{address}/".encode() in key for key in redis_db.scan_iter("LIMITS:*"))
        assert _worker(tmp_path, other)[0] == 422  # another address has its own count
    finally:
        for key in redis_db.scan_iter("LIMITS:*"):
            if f"/{address}/".encode() in key or f"/{other}/".encode() in key:
                redis_db.delete(key)


def test_redis_url_becomes_the_limit_storage_unless_one_is_named(app):
    from hearth.app import create_app

    keys = ("DATABASE_URL", "SECRET_KEY", "TESTING")
    shared = create_app({**{k: app.config[k] for k in keys}, "SKIP_DB_CONFIGURE": True, "REDIS_URL": REDIS,
                         "RATELIMIT_STORAGE_URI": "", "RATELIMIT_ENABLED": False})
    assert shared.config["RATELIMIT_STORAGE_URI"] == REDIS
    named = create_app({**{k: app.config[k] for k in keys}, "SKIP_DB_CONFIGURE": True, "REDIS_URL": REDIS,
                        "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": False})
    assert named.config["RATELIMIT_STORAGE_URI"] == "memory://"
    alone = create_app({**{k: app.config[k] for k in keys}, "SKIP_DB_CONFIGURE": True, "REDIS_URL": "",
                        "RATELIMIT_STORAGE_URI": "", "RATELIMIT_ENABLED": False})
    assert alone.config["RATELIMIT_STORAGE_URI"] == "memory://"


def _limited_app(app, proxies: int):
    from hearth.app import create_app

    keys = ("DATABASE_URL", "TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "MAIL_HOST", "STAFF_TWO_FACTOR_REQUIRED")
    return create_app({**{k: app.config[k] for k in keys}, "SKIP_DB_CONFIGURE": True, "RATELIMIT_ENABLED": True,
                       "RATELIMIT_STORAGE_URI": "memory://", "TRUSTED_PROXIES": proxies})


@pytest.fixture
def behind_one_proxy(app):
    from hearth.extensions import limiter

    try:
        yield _limited_app(app, 1)
    finally:
        limiter.reset()
        limiter.enabled = False


@pytest.fixture
def no_proxy(app):
    from hearth.extensions import limiter

    try:
        yield _limited_app(app, 0)
    finally:
        limiter.reset()
        limiter.enabled = False


def _confirm(client, forwarded: str):
    return client.post(CONFIRM, json={"token": "bad", "password": "x"}, environ_base={"REMOTE_ADDR": "10.9.9.9"},
                       headers={"X-Forwarded-For": forwarded})


def test_behind_a_trusted_proxy_each_client_has_its_own_count(behind_one_proxy):
    client = behind_one_proxy.test_client()
    assert [_confirm(client, "203.0.113.7").status_code for _ in range(10)] == [422] * 10
    assert _confirm(client, "203.0.113.7").status_code == 429
    assert _confirm(client, "203.0.113.8").status_code == 422  # a second client behind the same proxy
    # Only the hop the trusted proxy added counts: a client cannot pick its own address.
    assert _confirm(client, "198.51.100.1, 203.0.113.7").status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(no_proxy):
    client = no_proxy.test_client()
    assert [_confirm(client, f"203.0.113.{n}").status_code for n in range(10)] == [422] * 10
    assert _confirm(client, "203.0.113.99").status_code == 429  # all from the proxy's one socket address


def test_sessions_record_the_client_address_behind_a_trusted_proxy(behind_one_proxy, db_session):
    user = make_user()
    r = behind_one_proxy.test_client().post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD},
                                            environ_base={"REMOTE_ADDR": "10.9.9.9"},
                                            headers={"X-Forwarded-For": "203.0.113.7"})
    assert r.status_code == 201
    assert db_session.scalar(select(UserSession.ip).where(UserSession.user_id == user.id)) == "203.0.113.7"
