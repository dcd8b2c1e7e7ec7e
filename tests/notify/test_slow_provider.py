"""Two live workers and a provider slower than the sending timeout: nothing is sent twice (issue 7, section 4).

The issue's case is 2 workers, a 25 s provider and a 10 s timeout (100 of 100 sent twice); scaled down
here to a 1.5 s provider and a 0.6 s timeout. Worker A claims the whole batch and sends one text at a
time; worker B keeps reclaiming and dispatching beside it, as a second `flask notify-worker` would.
The heartbeat keeps A's claims fresh, so B never takes them. With the heartbeat switched off, B takes
the batch back: then the fence stops A from sending the rest, and at most the text A had in flight
goes twice (whether it does depends on who is first when it comes back). Committed rows, real
threads with their own connections, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hearth import db
from hearth.models import AttemptOutcome, Notification, NotificationAttempt, NotificationStatus
from hearth.notify import claims
from hearth.notify.channels import Channels
from hearth.notify.channels.sms import SmsChannel
from hearth.notify.dispatcher import dispatch, reclaim_stuck

ROWS = 3
PROVIDER_SECONDS = 1.5
TIMEOUT = timedelta(seconds=0.6)


@pytest.fixture
def committed_texts():
    """ROWS due texts committed through their own connection (no recipient: a fixed route); deleted after."""
    engine = db.engine()
    prefix = f"slow-{uuid.uuid4().hex[:8]}:"
    with Session(engine) as s:
        rows = [Notification(idempotency_key=f"{prefix}{i}", kind="message", template="new_message", params={},
                             channel="sms", to_address=f"+1555010{i:04d}", locale="en") for i in range(ROWS)]
        s.add_all(rows)
        s.commit()
        ids = [r.id for r in rows]
    yield ids
    with Session(engine) as s:
        s.execute(delete(Notification).where(Notification.idempotency_key.startswith(prefix)))
        s.commit()


def _run_two_workers(ids: list[int], fake_sms) -> None:
    engine = db.engine()
    finished = threading.Event()
    a_claimed = threading.Event()
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        db.session.registry.set(Session(bind=engine, expire_on_commit=False))  # its own connection
        channels = Channels(sms=SmsChannel.from_settings(fake_sms.settings()))
        try:
            if name == "worker-b":
                a_claimed.wait(10)
            deadline = time.monotonic() + 30
            while not finished.is_set() and time.monotonic() < deadline:
                reclaim_stuck(TIMEOUT)
                summary = dispatch(channels, name, batch=10, sending_timeout=TIMEOUT)
                if name == "worker-a" and summary.claimed:
                    finished.set()  # A's one batch is done (B goes on until then)
                if name == "worker-b":
                    time.sleep(0.05)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            channels.close()
            db.session.remove()

    def watch_a_claim() -> None:
        with Session(engine) as s:
            while not a_claimed.is_set() and not finished.is_set():
                if s.scalar(select(Notification.claimed_by).where(Notification.id == ids[0])) == "worker-a":
                    a_claimed.set()
                s.rollback()
                time.sleep(0.01)

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("worker-a", "worker-b")]
    threads.append(threading.Thread(target=watch_a_claim))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    # B finishes whatever it took back.
    db.session.registry.set(Session(bind=engine, expire_on_commit=False))
    try:
        reclaim_stuck(timedelta(0))
        dispatch(Channels(sms=SmsChannel.from_settings(fake_sms.settings())), "worker-b", sending_timeout=TIMEOUT)
    finally:
        db.session.remove()


def _outcome(ids):
    with Session(db.engine()) as s:
        statuses = Counter(s.scalars(select(Notification.status).where(Notification.id.in_(ids))))
        attempts = s.execute(select(NotificationAttempt.notification_id, NotificationAttempt.outcome,
                                    NotificationAttempt.worker_id)
                             .where(NotificationAttempt.notification_id.in_(ids))).all()
    return statuses, attempts


def test_a_provider_slower_than_the_timeout_sends_nothing_twice(committed_texts, fake_sms):
    fake_sms.delay = PROVIDER_SECONDS
    _run_two_workers(committed_texts, fake_sms)
    deliveries = Counter(m["To"] for m in fake_sms.messages)
    assert len(deliveries) == ROWS and set(deliveries.values()) == {1}  # 0 duplicates, none lost
    statuses, attempts = _outcome(committed_texts)
    assert statuses == {NotificationStatus.SENT: ROWS}
    assert sorted((a.outcome, a.worker_id) for a in attempts) == [(AttemptOutcome.SENT, "worker-a")] * ROWS


def test_without_the_heartbeat_at_most_the_text_in_flight_goes_twice(committed_texts, fake_sms, monkeypatch):
    """The control: the same run with claims not renewed. The fence still limits the harm to what was in flight."""
    monkeypatch.setattr(claims.Heartbeat, "renew", lambda self: 0)
    fake_sms.delay = PROVIDER_SECONDS
    _run_two_workers(committed_texts, fake_sms)
    deliveries = Counter(m["To"] for m in fake_sms.messages)
    assert len(deliveries) == ROWS  # nothing lost
    assert sum(n - 1 for n in deliveries.values()) <= 1  # at most A's first text, in flight when B took over
    statuses, attempts = _outcome(committed_texts)
    assert statuses == {NotificationStatus.SENT: ROWS}
    by_worker = Counter(a.worker_id for a in attempts)
    assert by_worker["worker-a"] == 1 and by_worker["worker-b"] >= ROWS - 1  # A stopped after its first text
