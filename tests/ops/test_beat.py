"""One scheduler: a second Celery beat holds no lock and sends nothing; the lock passes on when one dies."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import redis

from hearth.jobs.beat import BeatLock, SingleBeatScheduler
from hearth.jobs.celery_app import celery_app


def test_only_one_lock_holder_at_a_time(redis_url):
    client = redis.Redis.from_url(redis_url)
    key = f"test:beat:{uuid.uuid4().hex}"
    first, second = BeatLock(client, key=key, seconds=1), BeatLock(client, key=key, seconds=1)
    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True  # renewing is holding
    time.sleep(1.2)  # the holder died: its lease runs out
    assert second.hold() is True
    assert first.hold() is False
    second.release()
    assert first.hold() is True
    client.delete(key)


def test_a_second_scheduler_sends_nothing(redis_url, tmp_path, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", redis_url)
    sent: list[str] = []

    def make(name: str) -> SingleBeatScheduler:
        scheduler = SingleBeatScheduler(app=celery_app, schedule_filename=str(tmp_path / name / "schedule"))
        scheduler.apply_async = lambda entry, *a, **k: sent.append(f"{name}:{entry.name}")  # record, don't publish
        return scheduler

    one, two = make("one"), make("two")
    one.lock.key = two.lock.key = f"test:beat:{uuid.uuid4().hex}"
    for scheduler in (one, two):  # every entry due now
        for entry in scheduler.schedule.values():
            entry.last_run_at = datetime.now(UTC) - timedelta(hours=1)
    one.tick()
    two.tick()
    one.tick()
    two.tick()
    assert sent and all(s.startswith("one:") for s in sent), sent
    one.close()
    two.close()
    redis.Redis.from_url(redis_url).delete(one.lock.key)
