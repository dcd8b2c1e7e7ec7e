"""Turn claimed rows into channel sends, one group per channel, and map the results back to rows.

Each message goes through the round's fence: `rnd.admit` right before the provider is called (the
claim checked, the attempt committed as in flight), `rnd.finish` right after. Push is the only channel
that reads the database while sending: one query finds every active device of every recipient in the
batch, each device gets its own message, and dead tokens disable their device.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import Device, Notification
from hearth.notify.channels import Result
from hearth.notify.channels.email import Email, EmailChannel
from hearth.notify.channels.fcm import MAX_BATCH, FcmChannel, Push
from hearth.notify.channels.sms import SmsChannel
from hearth.notify.rounds import Outcomes, Round
from hearth.notify.templates import Rendered, render
from hearth.services import sessions


def _rendered(rows: Sequence[Notification], out: Outcomes, rnd: Round) -> list[tuple[Notification, Rendered]]:
    """Render each row in the language read at sending time (hearth.notify.wishes sets `row.locale`), times
    naming their zone when the recipient's differs; a row whose template no longer renders fails for good."""
    ready = []
    for row in rows:
        wish = rnd.wishes.get(row.id)
        reader_zone = wish.zone if wish is not None and not wish.fixed else None
        try:
            ready.append((row, render(row.template, row.locale, row.params or {}, reader_zone=reader_zone)))
        except (ValueError, KeyError) as exc:
            out[row.id] = [(None, Result.permanent(f"template: {exc}"))]
    return ready


def send_email(adapter: EmailChannel, rows: Sequence[Notification], rnd: Round) -> None:
    """One SMTP connection for the group; each email admitted right before it goes, finished right after."""
    out: Outcomes = {}
    ready = [(row, r) for row, r in _rendered(rows, out, rnd) if row.to_address]
    for row in rows:
        if not row.to_address and row.id not in out:
            out[row.id] = [(None, Result.skipped("no email address"))]
    if out:
        rnd.finish([row for row in rows if row.id in out], out)
        rnd.commit()  # before connecting: no write lock held over the network

    def before(i: int) -> bool:
        return bool(rnd.admit([ready[i][0]]))

    def after(i: int, result: Result) -> None:
        row = ready[i][0]
        rnd.finish([row], {row.id: [(None, result)]})
        if i == len(ready) - 1:
            rnd.commit()  # before the connection is closed: no write lock held over the network

    emails = [Email(row.to_address or "", rendered, adapter.unsubscribe_url(row)) for row, rendered in ready]
    adapter.send_many(emails, before=before, after=after)


def send_sms(adapter: SmsChannel, rows: Sequence[Notification], rnd: Round) -> None:
    """One text at a time, each admitted right before its request and finished right after."""
    out: Outcomes = {}
    ready = _rendered(rows, out, rnd)
    for row, _ in ready:
        if not row.to_address:
            out[row.id] = [(None, Result.skipped("no phone number"))]
    rnd.finish([row for row in rows if row.id in out], out)
    for row, rendered in ready:
        if row.id in out or not rnd.admit([row]):
            continue
        rnd.finish([row], {row.id: [(None, adapter.send(row.to_address or "", rendered.body))]})


class DeviceTarget(NamedTuple):
    id: int
    user_id: int
    fcm_token: str


def active_devices(user_ids: set[int]) -> dict[int, list[DeviceTarget]]:
    """Every active device of these users in one query (plain rows: a batch may hold thousands).

    A device registered through a sign-in that has ended (signed out, expired) is not active.
    """
    by_user: dict[int, list[DeviceTarget]] = defaultdict(list)
    if user_ids:
        devices = db.session.execute(
            select(Device.id, Device.user_id, Device.fcm_token)
            .where(Device.user_id.in_(user_ids), sessions.live_device_clause(utcnow()))
            .order_by(Device.id)
        )
        for device in devices:
            by_user[device.user_id].append(DeviceTarget(*device))
    return by_user


def send_push(adapter: FcmChannel, rows: Sequence[Notification], rnd: Round) -> None:
    """One message per active device of each recipient, in `send_each` calls of at most 500 messages.

    The title and body say nothing clinical; the collapse key (the notification's id) lets a phone fold
    a repeat of the same notification into one.
    """
    out: Outcomes = {}
    ready = _rendered(rows, out, rnd)
    devices = active_devices({row.recipient_user_id for row, _ in ready if row.recipient_user_id is not None})
    db.session.commit()  # end the read transaction before the network calls
    sendable: list[tuple[Notification, Rendered, list[DeviceTarget]]] = []
    for row, rendered in ready:
        targets = devices.get(row.recipient_user_id or -1, [])
        if targets:
            sendable.append((row, rendered, targets))
        else:
            out[row.id] = [(None, Result.permanent("no active device"))]
    rnd.finish([row for row in rows if row.id in out], out)
    for chunk in _chunks(sendable):
        admitted = {row.id for row in rnd.admit([row for row, _, _ in chunk],
                                                {row.id: [d.id for d in targets] for row, _, targets in chunk})}
        chunk = [item for item in chunk if item[0].id in admitted]
        pushes: list[Push] = []
        owners: list[tuple[int, int]] = []  # (row id, device id) per push
        for row, rendered, targets in chunk:
            data = {"notification_id": str(row.id), "kind": row.kind}
            if "ref" in (row.params or {}):
                data["ref"] = str(row.params["ref"])
            for device in targets:
                pushes.append(Push(device.fcm_token, rendered.title, rendered.short, data,
                                   collapse_key=collapse_key(row)))
                owners.append((row.id, device.id))
        results = adapter.send(pushes) if pushes else []
        sent: Outcomes = {}
        dead: dict[str, list[int]] = defaultdict(list)
        for (row_id, device_id), result in zip(owners, results, strict=True):
            sent.setdefault(row_id, []).append((device_id, result))
            if result.drop_token:
                dead[result.drop_token].append(device_id)
        rnd.finish([row for row, _, _ in chunk], sent, dead)


def collapse_key(row: Notification) -> str:
    """Stable per notification: a repeat of it replaces the first on the phone instead of adding one."""
    return f"hearth-{row.id}"


def _chunks(items: list[tuple[Notification, Rendered, list[DeviceTarget]]]):
    """Runs of rows whose devices add up to at most one `send_each` call (a row is never split)."""
    chunk: list = []
    size = 0
    for item in items:
        if chunk and size + len(item[2]) > MAX_BATCH:
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += len(item[2])
    if chunk:
        yield chunk
