"""Claim due outbox rows, decide each one's route by the recipient's wishes now, send, record.

Claiming commits `status="sending"` with the worker's id and a claim token before anything is sent,
so concurrent workers (threads, processes, the Celery task beside `flask notify-worker`) never pick
the same row: PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, SQLite with a guarded UPDATE. Every
later write checks the token (`claims.fence`), a heartbeat renews the claim while a slow batch goes
on, and each message is admitted (its attempt committed) right before its send and finished right
after (`rounds.Round`). Without a crash nothing is sent twice, whatever the provider's speed; after a
crash, `reclaim_stuck` re-queues the dead worker's rows, and only the messages it had in flight can
go out a second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from hearth import db
from hearth.models import Channel, Notification, NotificationStatus
from hearth.notify import access, delivery, wishes
from hearth.notify.channels import Channels, Result
from hearth.notify.claims import Claim, Heartbeat, claim_due, reclaim_stuck
from hearth.notify.rounds import MAX_ATTEMPTS, Round, Summary, backoff, group_by_channel

__all__ = ["MAX_ATTEMPTS", "Summary", "backoff", "claim_due", "dispatch", "process", "reclaim_stuck"]

log = logging.getLogger("hearth.notify")

DEFAULT_SENDING_TIMEOUT = timedelta(seconds=300)
SENDERS = {
    Channel.PUSH: delivery.send_push,
    Channel.EMAIL: delivery.send_email,
    Channel.SMS: delivery.send_sms,
}


def process(claim: Claim, channels: Channels, worker_id: str | None = None, *,
            sending_timeout: timedelta = DEFAULT_SENDING_TIMEOUT, now: datetime | None = None) -> Summary:
    """Send the rows of `claim` that are still this worker's, one fenced step at a time; commits each step.

    `worker_id` (default: the claim's) must match the claim's owner. `now` fixes the clock (tests).
    """
    summary = Summary(claimed=len(claim))
    if not claim or (worker_id is not None and worker_id != claim.worker_id):
        return summary
    rows = list(db.session.scalars(
        select(Notification)
        .where(Notification.id.in_(list(claim)), Notification.status == NotificationStatus.SENDING,
               Notification.claim_token == claim.token, Notification.claimed_by == claim.worker_id)
        .order_by(Notification.id)
        .execution_options(populate_existing=True)
    ))
    summary.lost = len(claim) - len(rows)  # taken back before this worker began: not its to send
    with Heartbeat(claim, sending_timeout.total_seconds() / 3):
        lost = access.lost_access(rows)
        current = wishes.current([r for r in rows if r not in lost])
        db.session.commit()  # end the read transaction: the writes below begin as writers
        rnd = Round(claim, current, summary, _reroute_with(current), now=now)
        for row in lost:
            if rnd.release(row, {"status": NotificationStatus.CANCELLED, "claimed_by": None, "claim_token": None,
                                 "last_error": "the recipient no longer has access to this patient"}):
                summary.dropped += 1
        ready = [row for row in rows if row not in lost and _follow_wishes(rnd, row, current[row.id])]
        db.session.commit()
        for channel, group in group_by_channel(ready).items():
            _send_group(rnd, channels, channel, group)
    return summary


def _reroute_with(current: dict[int, wishes.Wishes]):
    def reroute(row: Notification, gone: set[str]) -> list[tuple[str, str | None]]:
        found = current.get(row.id)
        if found is None or found.fixed:
            queued = [(str(row.channel), row.to_address)] + [(c, None) for c in row.fallbacks]
            return [(c, a) for c, a in queued if c not in gone]
        return [(c, a) for c, a in found.route if c not in gone]
    return reroute


def _follow_wishes(rnd: Round, row: Notification, wish: wishes.Wishes) -> bool:
    """Hold the row past quiet hours, or give it the route and language wanted now; True to send now."""
    if wish.fixed:
        return True
    now = rnd.now()
    hold = wish.hold_until(now, row.latest_at)
    if hold > now:
        if rnd.release(row, {"status": NotificationStatus.PENDING, "next_attempt_at": hold, "claimed_by": None,
                             "claim_token": None, "last_error": None}):
            rnd.summary.held += 1
        return False
    if not wish.route:
        rnd.fall_back(row, "no reachable channel")
        return False
    (channel, address), rest = wish.route[0], wish.route[1:]
    values = {"channel": Channel(channel), "to_address": address,
              "fallback_channels": ",".join(c for c, _ in rest), "locale": wish.locale}
    if all(getattr(row, name) == value for name, value in values.items()):
        return True
    return rnd.release(row, values)


def dispatch(channels: Channels, worker_id: str, *, batch: int = 100, max_batches: int = 50,
             sending_timeout: timedelta = DEFAULT_SENDING_TIMEOUT, now: datetime | None = None) -> Summary:
    """Claim and send in bounded batches until nothing is due (or `max_batches` is reached)."""
    total = Summary()
    for _ in range(max_batches):
        claim = claim_due(batch, worker_id, now=now)
        summary = process(claim, channels, sending_timeout=sending_timeout, now=now)
        total.add(summary)
        if len(claim) < batch and not summary.fell_back:  # rows that fell back are due again at once
            break
    return total


def _send_group(rnd: Round, channels: Channels, channel: str, rows: list[Notification]) -> None:
    adapter = channels.get(channel)
    if adapter is None:
        rnd.finish(rows, {row.id: [(None, Result.skipped(f"{channel} channel is off"))] for row in rows})
        rnd.commit()
        return
    try:
        SENDERS[Channel(channel)](adapter, rows, rnd)
        rnd.commit()
    except Exception as exc:  # a bug or an unexpected library error must not strand rows in "sending"
        log.exception("sending %d %s notifications failed", len(rows), channel)
        try:
            rnd.commit()  # keep the outcomes of what did go out
        except Exception:
            db.session.rollback()
            log.error("outcomes of notifications %s were lost with the failure", rnd.forget_uncommitted())
        rest = [row for row in rows if row.id not in rnd.finished]
        rnd.finish(rest, {row.id: [(None, Result.transient(f"{type(exc).__name__}: {exc}"))] for row in rest})
        rnd.commit()
