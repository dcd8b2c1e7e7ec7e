"""Claims on outbox rows: who is sending a row, the fence every write goes through, and the heartbeat.

`claim_due` marks due rows "sending" with the worker's id and a fresh claim token, and commits before
anything is sent. Every later write of a claimed row says `WHERE id = :id AND claim_token = :mine`
and checks the row count, so a worker that lost its claim (the timeout passed, another worker took
the row) neither sends nor marks. While a worker works through a batch, `Heartbeat` renews its claims
from a thread of its own, so a slow provider never makes a live worker's rows look abandoned:
`reclaim_stuck` only takes back the rows of a worker that stopped (a crash, `kill -9`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from hearth import db
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, Notification, NotificationAttempt, NotificationStatus

log = logging.getLogger("hearth.notify")


class Claim(list[int]):
    """The ids one `claim_due` call took, with the token that proves they are still this worker's."""

    def __init__(self, ids: list[int], token: str, worker_id: str) -> None:
        super().__init__(ids)
        self.token = token
        self.worker_id = worker_id


def new_token() -> str:
    return uuid.uuid4().hex


def mine(claim: Claim):
    """The WHERE clause of every write to a claimed row: still sending, still under this claim."""
    return (
        Notification.status == NotificationStatus.SENDING,
        Notification.claim_token == claim.token,
        Notification.claimed_by == claim.worker_id,
    )


def claim_due(batch: int, worker_id: str, *, now: datetime | None = None) -> Claim:
    """Mark up to `batch` due rows as being sent by `worker_id` under a new token and commit."""
    now = now or utcnow()
    token = new_token()
    due = (
        select(Notification.id)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.due_at <= now,
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        )
        .order_by(Notification.due_at, Notification.id)
        .limit(batch)
    )
    claim = (
        update(Notification)
        .where(Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.SENDING, claimed_by=worker_id, claimed_at=now, claim_token=token)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Lock the due rows other workers have not locked, then mark them, in one short transaction.
        locked = list(db.session.scalars(due.with_for_update(skip_locked=True)))
        stmt = claim.where(Notification.id.in_(locked)) if locked else None
    else:
        # SQLite has one writer at a time: a single guarded UPDATE is atomic.
        stmt = claim.where(Notification.id.in_(due.scalar_subquery()))
    ids = sorted(db.session.scalars(stmt).all()) if stmt is not None else []
    db.session.commit()
    return Claim(ids, token, worker_id)


def fence(claim: Claim, ids: list[int], now: datetime) -> set[int]:
    """Of `ids`, the rows still held under `claim` (their claim renewed to `now`); flushes, never commits.

    Called right before a send: a row missing from the answer was taken back, and must not be sent.
    """
    if not ids:
        return set()
    stmt = (
        update(Notification)
        .where(Notification.id.in_(ids), *mine(claim))
        .values(claimed_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return set(db.session.scalars(stmt).all())


def reclaim_stuck(timeout: timedelta, *, now: datetime | None = None) -> int:
    """Put rows whose claim was not renewed for `timeout` (their worker stopped) back in the queue.

    Attempts those rows left in flight are closed as "unknown": the message may have gone out.
    """
    now = now or utcnow()
    stuck = list(db.session.scalars(
        update(Notification)
        .where(Notification.status == NotificationStatus.SENDING, Notification.claimed_at < now - timeout)
        .values(status=NotificationStatus.PENDING, claimed_by=None, claimed_at=None, claim_token=None,
                last_error="reclaimed after the sending timeout")
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ))
    if stuck:
        db.session.execute(
            update(NotificationAttempt)
            .where(NotificationAttempt.notification_id.in_(stuck), NotificationAttempt.outcome.is_(None))
            .values(outcome=AttemptOutcome.UNKNOWN, finished_at=now,
                    error="the worker stopped during the send: it may have reached the person")
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if stuck:
        log.warning("reclaimed %d notifications stuck in sending", len(stuck))
    return len(stuck)


class Heartbeat:
    """Renew a claim every `interval` seconds from a thread with its own connection, while a batch runs.

    Use as a context manager around the sending of a claimed batch. Without it a batch that takes
    longer than the sending timeout (a slow SMTP or SMS provider) would be taken back and sent twice.
    """

    def __init__(self, claim: Claim, interval: float) -> None:
        self.claim = claim
        self.interval = max(interval, 0.05)
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"claim-heartbeat-{claim.token[:8]}", daemon=True)

    def __enter__(self) -> Heartbeat:
        if self.claim:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.renew()
            except Exception:  # a missed beat is survivable: the fence still stops a stolen row
                log.exception("renewing the claim %s failed", self.claim.token)

    def renew(self) -> int:
        """Push the claim's `claimed_at` to now, in a transaction of its own; returns the rows still held."""
        with db.engine().begin() as conn:
            count = conn.execute(
                update(Notification).where(*mine(self.claim)).values(claimed_at=utcnow())
            ).rowcount
        self.beats += 1
        return count
