import os

import pytest
import redis


@pytest.fixture
def redis_url() -> str:
    """The test Redis (REDIS_TEST_URL, db 15 by default); a missing server fails, never skips."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    return url
