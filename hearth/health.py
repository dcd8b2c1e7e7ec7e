"""Readiness checks for load balancers and operators: database, migrations, broker, notification backlog.

Answers say only "ok" or "failing" per check: no versions, counts or data (the endpoints are public).
A backlog of due notifications older than `READY_MAX_BACKLOG_SECONDS` means no worker is sending:
readiness fails and the app logs a warning, since a deployment without a worker otherwise sends
nothing, silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, text

from hearth import db
from hearth.clock import utcnow
from hearth.models.notification import Notification, NotificationStatus

log = logging.getLogger("hearth.health")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
OK, FAILING = "ok", "failing"


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


def _database() -> str:
    db.session.execute(text("SELECT 1"))
    return OK


def _migrations() -> str:
    current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    return OK if current == set(_heads()) else FAILING


def _broker(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return OK if client.ping() else FAILING
    finally:
        client.close()


def oldest_due_age(now=None) -> timedelta | None:
    """How long the oldest sendable notification has waited past its due time (None: nothing waits)."""
    now = now or utcnow()
    due = db.session.scalar(
        select(func.min(Notification.due_at)).where(
            Notification.status == NotificationStatus.PENDING,
            Notification.due_at <= now,
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        )
    )
    return None if due is None else now - due


def _backlog(max_seconds: int) -> str:
    age = oldest_due_age()
    return OK if age is None or age.total_seconds() <= max_seconds else FAILING


def readiness(settings: Mapping[str, Any]) -> dict[str, str]:
    """Each check's state; the caller answers 200 only when all are "ok". Never raises."""
    checks: dict[str, Any] = {"database": _database, "migrations": _migrations,
                              "notifications": lambda: _backlog(int(settings.get("READY_MAX_BACKLOG_SECONDS") or 600))}
    if settings.get("REDIS_URL"):
        checks["broker"] = lambda: _broker(settings["REDIS_URL"])
    result: dict[str, str] = {}
    for name, check in checks.items():
        try:
            result[name] = check()
        except Exception as exc:  # a check that cannot run is failing; say why in the log only
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            db.session.rollback()
            result[name] = FAILING
    if result.get("notifications") == FAILING:
        log.warning("due notifications have waited over %s s: is a notification worker running?",
                    settings.get("READY_MAX_BACKLOG_SECONDS") or 600)
    return result


class BacklogWatch:
    """Checks the outbox at most every `every` seconds per process and warns when nothing sends it."""

    def __init__(self, every: float, max_seconds: int) -> None:
        self.every, self.max_seconds = every, max_seconds
        self._next = 0.0

    def tick(self) -> None:
        if self.every <= 0 or time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self.every
        try:
            age = oldest_due_age()
        except Exception:  # the request itself will report a broken database
            db.session.rollback()
            return
        if age is not None and age.total_seconds() > self.max_seconds:
            log.warning("due notifications have waited %d s with nobody sending them: start a notification "
                        "worker (see docs/production.md)", int(age.total_seconds()))
