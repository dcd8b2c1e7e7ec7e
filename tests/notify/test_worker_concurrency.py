"""Two workers with their own connections dispatch the same outbox at once: every row goes out once.

Runs on PostgreSQL (the production engine, where claims use FOR UPDATE SKIP LOCKED) with committed
rows, which it removes afterwards. SQLite has a single writer, so the race cannot happen there.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hearth import db
from hearth.models import Notification, NotificationAttempt, NotificationStatus
from hearth.notify.channels import Channels
from hearth.notify.channels.email import EmailChannel
from hearth.notify.dispatcher import claim_due, process

ROWS = 60
BATCH = 5


@pytest.fixture
def committed_rows():
    """ROWS due email notifications committed through their own connection; deleted afterwards."""
    engine = db.engine()
    if engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL only (SQLite has one writer)")
    prefix = f"concurrency-{uuid.uuid4().hex[:8]}:"
    with Session(engine) as s:
        rows = [
            Notification(
                idempotency_key=f"{prefix}{i}",
                kind="message",
                template="new_message",
                params={},
                channel="email",
                to_address=f"person{i}@example.test",
                locale="en",
            )
            for i in range(ROWS)
        ]
        s.add_all(rows)
        s.commit()
        ids = [r.id for r in rows]
    yield ids
    with Session(engine) as s:
        s.execute(delete(Notification).where(Notification.idempotency_key.startswith(prefix)))
        s.commit()


def test_two_workers_never_send_the_same_row_twice(committed_rows, smtp_server):
    engine = db.engine()
    start = threading.Barrier(2)
    claimed: dict[str, list[int]] = {"worker-a": [], "worker-b": []}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        db.session.registry.set(Session(bind=engine, expire_on_commit=False))  # its own connection
        channels = Channels(email=EmailChannel.from_settings(smtp_server.settings))
        try:
            start.wait()
            while ids := claim_due(BATCH, name):
                claimed[name].extend(ids)
                process(ids, channels, name)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            db.session.remove()

    threads = [threading.Thread(target=work, args=(name,)) for name in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors

    mine = set(committed_rows)
    a, b = set(claimed["worker-a"]) & mine, set(claimed["worker-b"]) & mine
    assert a and b, "both workers should have taken part"
    assert a.isdisjoint(b)
    assert a | b == mine

    deliveries = Counter(m["To"] for m in smtp_server.messages)
    assert len(deliveries) == ROWS and set(deliveries.values()) == {1}

    with Session(engine) as s:
        statuses = Counter(s.scalars(select(Notification.status).where(Notification.id.in_(mine))))
        attempts = Counter(
            s.scalars(
                select(NotificationAttempt.notification_id).where(
                    NotificationAttempt.notification_id.in_(mine)
                )
            )
        )
    assert statuses == {NotificationStatus.SENT: ROWS}
    assert set(attempts.values()) == {1} and len(attempts) == ROWS
