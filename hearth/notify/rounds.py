"""One claimed batch being sent: admit each message through the fence, record its attempt, apply outcomes.

`admit` runs right before a send: it renews the claim of the rows about to go (dropping any this
worker lost), writes one attempt per message with no outcome yet ("in flight") and commits, so a
worker killed during the send leaves a record of exactly what was in flight. `finish` runs right after
the provider answered: it completes those attempts and writes each row's outcome under the same
fence; the next `admit` (or `commit` at the end of a group) commits it with its own writes, so a
message costs one commit and nothing is sent while an earlier outcome is still unwritten. After a
crash at most the admitted messages can go out twice, never the batch.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm.attributes import set_committed_value

from hearth import db
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, Channel, Device, Notification, NotificationAttempt, NotificationStatus
from hearth.notify.channels import Result
from hearth.notify.claims import Claim, fence, mine
from hearth.notify.wishes import Wishes

log = logging.getLogger("hearth.notify")

MAX_ATTEMPTS = 8  # per channel; after that a transient failure counts as permanent for the channel
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)

# Per row: (device id or None, result) for each message sent on its behalf.
Outcomes = dict[int, list[tuple[int | None, Result]]]


@dataclass
class Summary:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    fell_back: int = 0
    failed: int = 0
    dropped: int = 0  # cancelled at sending time: the recipient lost access to the patient
    held: int = 0  # put back until the recipient's quiet hours end
    lost: int = 0  # rows this worker's claim no longer covered: neither sent nor marked by it

    def add(self, other: Summary) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """30 s, 1 min, 2 min ... capped at an hour; never sooner than the provider's Retry-After."""
    delay = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def overall(results: list[tuple[int | None, Result]]) -> Result:
    """One outcome for the row: sent if any device got it, else transient if any may, else permanent."""
    plain = [r for _, r in results]
    for wanted in (AttemptOutcome.SENT, AttemptOutcome.TRANSIENT):
        matching = [r for r in plain if r.outcome == wanted]
        if matching:
            if wanted == AttemptOutcome.TRANSIENT:
                waits = [r.retry_after for r in matching if r.retry_after is not None]
                return Result.transient(matching[0].error or "", max(waits) if waits else None)
            return matching[0]
    return plain[0] if plain else Result.permanent("nothing was sent")


class Round:
    """The sending of one claim. `now` fixes the clock (tests); otherwise each step reads the time."""

    def __init__(self, claim: Claim, wishes: dict[int, Wishes], summary: Summary,
                 reroute: Callable[[Notification, set[str]], list[tuple[str, str | None]]],
                 now: datetime | None = None) -> None:
        self.claim = claim
        self.wishes = wishes
        self.summary = summary
        self.reroute = reroute
        self.fixed_now = now
        self.open: dict[int, dict[int | None, int]] = {}  # row id -> {device id: in-flight attempt id}
        self.finished: set[int] = set()
        self._uncommitted: list[int] = []  # rows finished since the last commit

    def now(self) -> datetime:
        return self.fixed_now or utcnow()

    # -- before a send -------------------------------------------------------------------------------
    def admit(self, rows: list[Notification], devices: dict[int, list[int]] | None = None) -> list[Notification]:
        """The rows still ours, each with an in-flight attempt committed (one per device for push)."""
        now = self.now()
        held = fence(self.claim, [r.id for r in rows], now)
        admitted = [r for r in rows if r.id in held]
        self._lost([r for r in rows if r.id not in held])
        values = [
            {"notification_id": row.id, "at": now, "channel": row.channel, "outcome": None,
             "worker_id": self.claim.worker_id, "device_id": device_id}
            for row in admitted for device_id in ((devices or {}).get(row.id) or [None])
        ]
        if values:
            ids = db.session.scalars(
                insert(NotificationAttempt).returning(NotificationAttempt.id, sort_by_parameter_order=True), values
            ).all()
            for value, attempt_id in zip(values, ids, strict=True):
                self.open.setdefault(value["notification_id"], {})[value["device_id"]] = attempt_id
        self.commit()
        return admitted

    def commit(self) -> None:
        """Commit the outcomes finished so far (and whatever else was flushed)."""
        db.session.commit()
        self._uncommitted.clear()

    def forget_uncommitted(self) -> list[int]:
        """After a rollback: the rows whose outcome was lost, to be finished again; returns their ids."""
        lost, self._uncommitted = self._uncommitted, []
        self.finished.difference_update(lost)
        return lost

    # -- after a send --------------------------------------------------------------------------------
    def finish(self, rows: Iterable[Notification], outcomes: Outcomes,
               dead_tokens: dict[str, list[int]] | None = None) -> None:
        """Complete the attempts of `rows` and write each row's outcome under the fence (flushed, not committed)."""
        now = self.now()
        completed: list[dict[str, Any]] = []
        new: list[dict[str, Any]] = []
        sent: list[Notification] = []
        for row in rows:
            if row.id in self.finished:
                continue
            self.finished.add(row.id)
            self._uncommitted.append(row.id)
            results = outcomes.get(row.id) or [(None, Result.transient("no result"))]
            in_flight = self.open.pop(row.id, {})
            for device_id, result in results:
                values = {"outcome": result.outcome, "error": result.error,
                          "provider_message_id": result.provider_id, "finished_at": now}
                attempt_id = in_flight.pop(device_id, None)
                if attempt_id is not None:
                    completed.append({"id": attempt_id, **values})
                else:  # nothing reached a provider (channel off, no address): recorded, never in flight
                    new.append({"notification_id": row.id, "at": now, "channel": row.channel,
                                "worker_id": self.claim.worker_id, "device_id": device_id, **values})
            result = overall(results)
            completed.extend({"id": attempt_id, "outcome": result.outcome, "error": result.error,
                              "provider_message_id": None, "finished_at": now}
                             for attempt_id in in_flight.values())  # a send that broke off: its row's outcome
            if result.outcome == AttemptOutcome.SENT:
                sent.append(row)
            else:
                self._apply(row, result, now)
        if completed:
            db.session.execute(update(NotificationAttempt), completed)  # bulk UPDATE by primary key
        if new:
            db.session.execute(insert(NotificationAttempt), new)
        for reason, device_ids in (dead_tokens or {}).items():
            db.session.execute(
                update(Device).where(Device.id.in_(device_ids), Device.disabled_at.is_(None))
                .values(disabled_at=now, disabled_reason=reason).execution_options(synchronize_session=False)
            )
        self._mark_sent(sent, now)
        db.session.flush()

    def release(self, row: Notification, values: dict[str, Any]) -> bool:
        """Write `values` on a claimed row under the fence (flush only); False when the claim was lost."""
        count = db.session.execute(
            update(Notification).where(Notification.id == row.id, *mine(self.claim)).values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if count != 1:
            self._lost([row])
            return False
        for name, value in values.items():
            set_committed_value(row, name, value)
        return True

    def _lost(self, rows: list[Notification]) -> None:
        if rows:
            self.summary.lost += len(rows)
            log.warning("claim %s lost for notifications %s: not sent, not marked by this worker",
                        self.claim.token, [r.id for r in rows])

    def _mark_sent(self, rows: list[Notification], now: datetime) -> None:
        """The common outcome in one fenced UPDATE; the loaded objects are kept in step."""
        if not rows:
            return
        values = {"status": NotificationStatus.SENT, "sent_at": now, "last_error": None,
                  "next_attempt_at": None, "claimed_by": None, "claim_token": None}
        done = set(db.session.scalars(
            update(Notification).where(Notification.id.in_([r.id for r in rows]), *mine(self.claim))
            .values(attempts=Notification.attempts + 1, **values)
            .returning(Notification.id).execution_options(synchronize_session=False)
        ))
        for row in rows:
            if row.id in done:
                for name, value in values.items():
                    set_committed_value(row, name, value)
                set_committed_value(row, "attempts", row.attempts + 1)
        self._lost([r for r in rows if r.id not in done])
        self.summary.sent += len(done)

    def _apply(self, row: Notification, result: Result, now: datetime) -> None:
        """Back to pending with a backoff (held past quiet hours), or on to the next channel."""
        attempts = row.attempts + 1
        if result.outcome == AttemptOutcome.TRANSIENT and attempts < MAX_ATTEMPTS:
            retry_at = now + backoff(attempts, result.retry_after)
            wishes = self.wishes.get(row.id)
            if wishes is not None and row.kind != "account":
                retry_at = wishes.hold_until(retry_at, row.latest_at)
            if self.release(row, {"status": NotificationStatus.PENDING, "attempts": attempts,
                                  "last_error": result.error, "next_attempt_at": retry_at,
                                  "claimed_by": None, "claim_token": None}):
                self.summary.retrying += 1
                log.info("notification %s: %s failed for now (%s); retry %d at %s", row.id, row.channel,
                         reason(result.error), attempts, retry_at.isoformat(timespec="seconds"))
            return
        self.fall_back(row, result.error or str(result.outcome), attempts)

    def fall_back(self, row: Notification, error: str, attempts: int | None = None) -> None:
        """Give up the row's channel: on to the next one the person wants now, or failed."""
        failed = str(row.channel)
        gone = {c for c in (row.spent_channels or "").split(",") if c} | {failed}
        route = self.reroute(row, gone)
        base = {"spent_channels": ",".join(sorted(gone))[:40], "last_error": error[:500],
                "claimed_by": None, "claim_token": None}
        if route:
            (channel, address), rest = route[0], route[1:]
            if self.release(row, {**base, "channel": Channel(channel), "to_address": address,
                                  "fallback_channels": ",".join(c for c, _ in rest),
                                  "status": NotificationStatus.PENDING, "next_attempt_at": None,
                                  "attempts": 0}):  # the count is per channel; attempts keep the history
                self.summary.fell_back += 1
                log.warning("notification %s: %s failed (%s); falling back to %s", row.id, failed,
                            reason(error), channel)
            return
        if self.release(row, {**base, "status": NotificationStatus.FAILED, "fallback_channels": "",
                              "attempts": attempts if attempts is not None else row.attempts}):
            self.summary.failed += 1
            log.warning("notification %s: %s failed (%s); no channel left, given up", row.id, failed,
                        reason(error))


_PERSONAL = re.compile(r"[^\s<>'\"]+@[^\s<>'\"]+|\+?\d[\d ().-]{6,}\d")


def reason(error: str | None) -> str:
    """A provider's error for the log: its kind and text, with addresses and phone numbers masked."""
    return _PERSONAL.sub("[address]", (error or "unknown")[:160])


def group_by_channel(rows: Iterable[Notification]) -> dict[str, list[Notification]]:
    groups: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        groups[str(row.channel)].append(row)
    return groups
