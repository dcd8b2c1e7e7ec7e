"""The outbox: features write notification rows inside their own transaction; the dispatcher sends them.

`enqueue` only inserts (never sends), so a rolled-back use case sends nothing. Its idempotency key
is unique: enqueueing the same key again, in this transaction or any later one, returns the row
already there. Choose keys that name the event, e.g. ``f"appointment:{id}:{starts_at:%Y%m%dT%H%M}:24h"``
(include what would make a new message legitimate, such as a rescheduled time, because a cancelled
key stays taken).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from hearth import db
from hearth.clock import utcnow
from hearth.models import Notification, NotificationPreference, NotificationStatus, Patient, User
from hearth.notify import recipients
from hearth.notify.recipients import ACCOUNT_KIND, KINDS
from hearth.notify.templates import check_params, normalize_locale

MAX_KEY_LENGTH = 200
KEY_CHUNK = 500  # keys per IN (...) look-up and rows per INSERT


def enqueue(
    *,
    key: str,
    kind: str,
    template: str,
    params: Mapping[str, str | int] | None = None,
    user: User | None = None,
    patient: Patient | None = None,
    to_email: str | None = None,
    locale: str | None = None,
    due_at: datetime | None = None,
    latest_at: datetime | None = None,
    revive: bool = False,
) -> Notification:
    """Add a notification to the outbox in the caller's transaction (flushes, never commits).

    Recipient: `user` (an account), else `patient` (its own contact details), else `to_email` alone;
    `to_email` also forces email to that address (invitations, address checks). `patient` is who the
    notification is about. Kind "account" always goes by email and ignores quiet hours. The route and
    language stored here are a first guess: the dispatcher reads the recipient's channels, address,
    language and quiet hours again when it sends (`hearth.notify.wishes`), and a time in the quiet
    hours then moves to their end, unless that would pass `latest_at`.
    Returns the row for `key`, new or already there; with `revive`, a cancelled row for the key is
    queued again with these values (a reminder for a visit moved away and then back).
    Raises ValueError for a programming error (unknown kind or template, wrong params, naive time,
    no recipient).
    """
    item = dict(key=key, kind=kind, template=template, params=params, user=user, patient=patient,
                to_email=to_email, locale=locale, due_at=due_at, latest_at=latest_at, revive=revive)
    return enqueue_many([item])[0]


def enqueue_many(items: Sequence[Mapping[str, Any]]) -> list[Notification]:
    """`enqueue` for many notifications at once (each item holds `enqueue`'s arguments), same rules.

    One look-up of the keys already there, each recipient's channels and preference read once, and
    one multi-row INSERT: planning thousands of reminders (a practice changing its rules) stays quick.
    Returns the rows in the order of `items`.
    """
    for item in items:
        _check(**item)
    keys = [item["key"] for item in items]
    existing = _by_keys(keys)
    cache = _preferences(items)
    fresh: dict[str, dict[str, Any]] = {}
    for item in items:
        row = existing.get(item["key"])
        if row is not None and not (item.get("revive") and row.status == NotificationStatus.CANCELLED):
            continue
        values = _values(cache, **item)
        if row is not None:
            _requeue(row, values)
        else:
            fresh.setdefault(item["key"], values)
    if fresh:
        _insert_unless_taken(list(fresh.values()))
        existing.update(_by_keys(list(fresh)))
    return [existing[key] for key in keys]


def _check(*, key: str, kind: str, template: str, params: Mapping[str, Any] | None = None, user: User | None = None,
           patient: Patient | None = None, to_email: str | None = None, due_at: datetime | None = None,
           latest_at: datetime | None = None, **_: Any) -> None:
    """Raise ValueError for a programming error in an item."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency key must be 1-{MAX_KEY_LENGTH} characters")
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    check_params(template, dict(params or {}))
    if user is None and patient is None and not to_email:
        raise ValueError("a notification needs a user, a patient or an email address")
    for moment in (due_at, latest_at):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("due_at and latest_at must be aware datetimes")


def _values(cache: dict[tuple, Any], *, key: str, kind: str, template: str,
            params: Mapping[str, Any] | None = None, user: User | None = None, patient: Patient | None = None,
            to_email: str | None = None, locale: str | None = None, due_at: datetime | None = None,
            latest_at: datetime | None = None, revive: bool = False) -> dict[str, Any]:
    """The row's columns: route (channels in order, with addresses), language and due time."""
    who = ("recipient", user.id if user is not None else None, patient.id if patient is not None else None)
    if who not in cache:
        cache[who] = recipients.recipient_for(user, patient)
    recipient = cache[who]
    wants = ("preference", user.id if user is not None else None, kind)
    if wants not in cache:
        cache[wants] = recipients.preference(user, kind)
    pref = cache[wants]
    if to_email:
        route: list[tuple[str, str | None]] = [("email", to_email)]
    else:
        route = recipients.plan(recipient, recipients.channel_order(recipient, kind, pref))

    due = due_at or utcnow()  # the wanted time: quiet hours are applied when it is sent
    first_channel, first_address = route[0] if route else (recipients.DEFAULT_CHANNELS[0], None)
    return {
        "idempotency_key": key,
        "kind": kind,
        "template": template,
        "params": dict(params or {}),
        "recipient_user_id": user.id if user is not None else None,
        "patient_id": patient.id if patient is not None else None,
        "locale": normalize_locale(locale or recipient.locale),
        "channel": first_channel,
        "to_address": first_address,
        "fallback_channels": ",".join(c for c, _ in route[1:]),
        "due_at": due,
        "latest_at": latest_at,
        # Nobody reachable now is no reason to give up: a phone or an app may be added before it is due,
        # and the dispatcher decides (it fails the row if nobody is reachable then either).
        "status": NotificationStatus.PENDING,
        "last_error": None if route else "no reachable channel when queued",
    }


def cancel(*, key_prefix: str | None = None, ids: Iterable[int] | None = None, keep: Iterable[str] = ()) -> int:
    """Cancel pending rows whose key starts with `key_prefix` or whose id is in `ids`; returns how many.

    Rows already being sent, sent or failed are left alone, and so are rows whose key is in `keep`.
    """
    keep = list(keep)
    ids = list(ids or [])
    if not key_prefix and not ids:
        raise ValueError("cancel needs a key prefix or ids")
    conditions = []
    if key_prefix:
        conditions.append(Notification.idempotency_key.startswith(key_prefix, autoescape=True))
    if ids:
        conditions.append(Notification.id.in_(ids))
    stmt = (
        update(Notification)
        .where(Notification.status == NotificationStatus.PENDING, or_(*conditions),
               Notification.idempotency_key.not_in(keep))
        .values(status=NotificationStatus.CANCELLED, last_error="cancelled")
        .execution_options(synchronize_session="fetch")
    )
    return db.session.execute(stmt).rowcount


def shift_out_of_quiet_hours(
    due: datetime, zone: str, start: time | None, end: time | None, *, latest_at: datetime | None = None
) -> datetime:
    """`due`, or the end of the quiet hours (local times in `zone`, may wrap midnight) it falls in.

    When the end of the quiet hours would be after `latest_at`, the notification keeps its time.
    """
    if start is None or end is None or start == end:
        return due
    tz = ZoneInfo(zone)
    local = due.astimezone(tz)
    now_t = local.time().replace(tzinfo=None)
    end_day: date = local.date()
    if start < end:
        inside = start <= now_t < end
    else:
        inside = now_t >= start or now_t < end
        if now_t >= start:
            end_day = end_day + timedelta(days=1)
    if not inside:
        return due
    resume = datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)
    if latest_at is not None and resume > latest_at:
        return due
    return resume


def _requeue(row: Notification, values: dict[str, Any]) -> None:
    """Queue a cancelled row again as if new: fresh route, time and params, no attempts."""
    for name, value in values.items():
        setattr(row, name, value)
    row.attempts = 0
    row.next_attempt_at = row.claimed_at = row.claimed_by = row.claim_token = row.sent_at = None
    row.spent_channels = ""
    db.session.flush()


def _preferences(items: Sequence[Mapping[str, Any]]) -> dict[tuple, Any]:
    """The `_values` cache primed with every (user, kind) preference of the items, in one query."""
    wanted = {(item["user"].id, item["kind"]) for item in items if item.get("user") is not None}
    cache: dict[tuple, Any] = {("preference", user_id, kind): None for user_id, kind in wanted}
    user_ids = sorted({user_id for user_id, _ in wanted})
    for i in range(0, len(user_ids), KEY_CHUNK):
        for pref in db.session.scalars(select(NotificationPreference).where(
                NotificationPreference.user_id.in_(user_ids[i:i + KEY_CHUNK]))):
            if (pref.user_id, pref.kind) in wanted:
                cache[("preference", pref.user_id, pref.kind)] = pref
    for key in list(cache):
        if key[2] == ACCOUNT_KIND:
            cache[key] = None  # account mail has no preference (as recipients.preference says)
    return cache


def _by_keys(keys: Sequence[str]) -> dict[str, Notification]:
    found: dict[str, Notification] = {}
    unique = list(dict.fromkeys(keys))
    for i in range(0, len(unique), KEY_CHUNK):
        found.update((row.idempotency_key, row) for row in db.session.scalars(
            select(Notification).where(Notification.idempotency_key.in_(unique[i:i + KEY_CHUNK]))))
    return found


def _insert_unless_taken(rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on the key: a concurrent twin waits, then does nothing."""
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(Notification).on_conflict_do_nothing(index_elements=["idempotency_key"])
        for i in range(0, len(rows), KEY_CHUNK):
            db.session.execute(stmt, rows[i:i + KEY_CHUNK])
        return
    for values in rows:
        try:
            with db.session.begin_nested():
                db.session.add(Notification(**values))
        except IntegrityError:
            pass
