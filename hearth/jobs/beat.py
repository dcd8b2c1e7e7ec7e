"""One scheduler, however many are started: Celery beat ticks only while it holds a Redis lock.

Two beats (a restarted worker's embedded `--beat` beside an orphaned one, or two scheduler units by
mistake) would each send every periodic task. With `--scheduler hearth.jobs.beat:SingleBeatScheduler`
only the holder of `hearth:beat-lock` sends; the other waits and takes over within `LOCK_SECONDS` of
the holder dying. The lock is renewed on every tick, by its owner only (a compare-and-set script).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from pathlib import Path

from celery.beat import PersistentScheduler

log = logging.getLogger("hearth.jobs.beat")
LOCK_KEY = os.environ.get("BEAT_LOCK_KEY", "hearth:beat-lock")
LOCK_SECONDS = int(os.environ.get("BEAT_LOCK_SECONDS", "30"))

# Take the lock when free, or extend it when we hold it; answers 1 when we hold it afterwards.
_ACQUIRE_OR_RENEW = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class BeatLock:
    """A lease in Redis held by one owner at a time; `hold()` takes or renews it."""

    def __init__(self, client, *, key: str = LOCK_KEY, seconds: int = LOCK_SECONDS, owner: str | None = None):
        self.client, self.key, self.ttl_ms = client, key, int(seconds * 1000)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._acquire = client.register_script(_ACQUIRE_OR_RENEW)
        self._release = client.register_script(_RELEASE)

    def hold(self) -> bool:
        return bool(self._acquire(keys=[self.key], args=[self.owner, self.ttl_ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.owner])


class SingleBeatScheduler(PersistentScheduler):
    """Celery's persistent scheduler that sends nothing unless this process holds the beat lock."""

    def __init__(self, *args, **kwargs):
        import redis

        if kwargs.get("schedule_filename"):  # e.g. instance/celerybeat-schedule before the app made instance/
            Path(kwargs["schedule_filename"]).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)
        self.lock = BeatLock(redis.Redis.from_url(self.app.conf.broker_url, socket_timeout=5))
        self._holding = False

    def tick(self, *args, **kwargs):
        try:
            holding = self.lock.hold()
        except Exception as exc:  # the broker is down: nobody can send anyway; try again shortly
            log.warning("beat lock unavailable (%s); not sending", type(exc).__name__)
            return min(5.0, LOCK_SECONDS / 3)
        if holding != self._holding:
            log.info("this beat %s the scheduler lock (%s)", "holds" if holding else "lost", self.lock.owner)
            self._holding = holding
        if not holding:
            return min(5.0, LOCK_SECONDS / 3)
        return min(super().tick(*args, **kwargs), LOCK_SECONDS / 3)

    def close(self):
        try:
            if self._holding:
                self.lock.release()
        except Exception:  # the lease runs out by itself
            pass
        super().close()
