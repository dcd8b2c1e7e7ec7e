"""Claim due outbox rows, send them through their channel, and record what happened.

Claiming commits `status="sending"` with the worker's id before anything is sent, so concurrent
workers (threads, processes, the Celery task beside `flask notify-worker`) never pick the same row:
PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, SQLite with a guarded UPDATE (it has one writer).
A worker that dies mid-batch leaves rows in "sending"; `reclaim_stuck` returns them to the queue
after a timeout, which makes delivery at-least-once in that rare case and exactly-once otherwise.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from hearth import db
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, Channel, Notification, NotificationAttempt, NotificationStatus
from hearth.notify import access, delivery, recipients
from hearth.notify.channels import Channels, Result

log = logging.getLogger("hearth.notify")

MAX_ATTEMPTS = 8  # per channel; after that a transient failure counts as permanent for the channel
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
SENDERS = {
    Channel.PUSH: delivery.send_push,
    Channel.EMAIL: delivery.send_email,
    Channel.SMS: delivery.send_sms,
}


@dataclass
class Summary:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    fell_back: int = 0
    failed: int = 0
    dropped: int = 0  # cancelled at sending time: the recipient lost access to the patient

    def add(self, other: Summary) -> None:
        for name in ("claimed", "sent", "retrying", "fell_back", "failed", "dropped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """30 s, 1 min, 2 min ... capped at an hour; never sooner than the provider's Retry-After."""
    delay = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def claim_due(batch: int, worker_id: str, *, now: datetime | None = None) -> list[int]:
    """Mark up to `batch` due rows as being sent by `worker_id` and commit; returns their ids."""
    now = now or utcnow()
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
        .values(status=NotificationStatus.SENDING, claimed_by=worker_id, claimed_at=now)
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
    return ids


def reclaim_stuck(timeout: timedelta, *, now: datetime | None = None) -> int:
    """Put rows left in "sending" for longer than `timeout` (a crashed worker) back in the queue."""
    now = now or utcnow()
    count = db.session.execute(
        update(Notification)
        .where(Notification.status == NotificationStatus.SENDING, Notification.claimed_at < now - timeout)
        .values(
            status=NotificationStatus.PENDING,
            claimed_by=None,
            claimed_at=None,
            last_error="reclaimed after the sending timeout",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if count:
        log.warning("reclaimed %d notifications stuck in sending", count)
    return count


def process(ids: list[int], channels: Channels, worker_id: str) -> Summary:
    """Send the rows this worker claimed, record one attempt per message, and commit the outcomes."""
    summary = Summary(claimed=len(ids))
    if not ids:
        return summary
    rows = db.session.scalars(
        select(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.status == NotificationStatus.SENDING,
            Notification.claimed_by == worker_id,
        )
        .execution_options(populate_existing=True)
    ).all()
    lost = access.lost_access(rows)
    if lost:
        _drop(lost, summary)
        rows = [row for row in rows if row not in lost]
    groups: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        groups[str(row.channel)].append(row)
    outcomes: delivery.Outcomes = {}
    for channel, group in groups.items():
        outcomes.update(_send_group(channels, channel, group))
    now = utcnow()
    attempts: list[dict] = []
    sent: list[Notification] = []
    for row in rows:
        results = outcomes.get(row.id) or [(None, Result.transient("no result"))]
        attempts.extend(
            {
                "notification_id": row.id,
                "at": now,
                "channel": row.channel,
                "outcome": result.outcome,
                "error": result.error,
                "provider_message_id": result.provider_id,
            }
            for _device_id, result in results
        )
        result = delivery.overall(results)
        if result.outcome == AttemptOutcome.SENT:
            sent.append(row)
        else:
            _apply(row, result, now, summary)  # the rare paths (retry, fall back, fail) stay per row
    if attempts:
        db.session.execute(insert(NotificationAttempt), attempts)  # one executemany, not one flush per object
    _mark_sent(sent, now, summary)
    db.session.commit()
    return summary


def _drop(rows: list[Notification], summary: Summary) -> None:
    """Cancel rows whose recipient lost access to the patient since they were queued."""
    for row in rows:
        row.status = NotificationStatus.CANCELLED
        row.claimed_by = None
        row.last_error = "the recipient no longer has access to this patient"
    summary.dropped += len(rows)


def _mark_sent(rows: list[Notification], now: datetime, summary: Summary) -> None:
    """The common outcome, for the whole batch in one UPDATE; the loaded objects are kept in step."""
    if not rows:
        return
    values = {
        "status": NotificationStatus.SENT,
        "sent_at": now,
        "last_error": None,
        "next_attempt_at": None,
        "claimed_by": None,
    }
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_([row.id for row in rows]))
        .values(attempts=Notification.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    )
    for row in rows:
        for name, value in values.items():
            set_committed_value(row, name, value)
        set_committed_value(row, "attempts", row.attempts + 1)
    summary.sent += len(rows)


def dispatch(channels: Channels, worker_id: str, *, batch: int = 100, max_batches: int = 50) -> Summary:
    """Claim and send in bounded batches until nothing is due (or `max_batches` is reached)."""
    total = Summary()
    for _ in range(max_batches):
        ids = claim_due(batch, worker_id)
        summary = process(ids, channels, worker_id)
        total.add(summary)
        if len(ids) < batch and not summary.fell_back:  # rows that fell back are due again at once
            break
    return total


def _send_group(channels: Channels, channel: str, rows: list[Notification]) -> delivery.Outcomes:
    adapter = channels.get(channel)
    if adapter is None:
        return {row.id: [(None, Result.skipped(f"{channel} channel is off"))] for row in rows}
    try:
        return SENDERS[Channel(channel)](adapter, rows)
    except Exception as exc:  # a bug or an unexpected library error must not strand rows in "sending"
        log.exception("sending %d %s notifications failed", len(rows), channel)
        db.session.rollback()
        return {row.id: [(None, Result.transient(f"{type(exc).__name__}: {exc}"))] for row in rows}


def _apply(row: Notification, result: Result, now: datetime, summary: Summary) -> None:
    """Record the outcome on the row: sent, back to pending with a backoff, or on to the next channel."""
    row.attempts += 1
    row.claimed_by = None
    if result.outcome == AttemptOutcome.SENT:
        row.status = NotificationStatus.SENT
        row.sent_at = now
        row.last_error = None
        row.next_attempt_at = None
        summary.sent += 1
    elif result.outcome == AttemptOutcome.TRANSIENT and row.attempts < MAX_ATTEMPTS:
        row.status = NotificationStatus.PENDING
        row.last_error = result.error
        row.next_attempt_at = now + backoff(row.attempts, result.retry_after)
        summary.retrying += 1
    else:
        _fall_back(row, result.error or str(result.outcome), summary)


def _fall_back(row: Notification, error: str, summary: Summary) -> None:
    """Move the row to the next reachable channel in its list, or mark it failed."""
    remaining = row.fallbacks
    if remaining:
        recipient = recipients.load_recipient(row.recipient_user_id, row.patient_id)
        route = recipients.plan(recipient, remaining)
        if route:
            (channel, address), rest = route[0], route[1:]
            row.channel = Channel(channel)
            row.to_address = address
            row.fallback_channels = ",".join(c for c, _ in rest)
            row.status = NotificationStatus.PENDING
            row.next_attempt_at = None
            row.attempts = 0  # the count is per channel; NotificationAttempt keeps the whole history
            row.last_error = error[:500]
            summary.fell_back += 1
            return
    row.status = NotificationStatus.FAILED
    row.fallback_channels = ""
    row.last_error = error[:500]
    summary.failed += 1
