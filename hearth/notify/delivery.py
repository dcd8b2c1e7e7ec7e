"""Turn claimed rows into channel sends, one group per channel, and map the results back to rows.

Push is the only channel that reads the database while sending: one query finds every active
device of every recipient in the batch, each device gets its own message, and dead tokens disable
their device.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select, update

from hearth import db
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, Device, Notification, User
from hearth.notify.channels import Result
from hearth.notify.channels.email import Email, EmailChannel
from hearth.notify.channels.fcm import FcmChannel, Push
from hearth.notify.channels.sms import SmsChannel
from hearth.notify.templates import Rendered, render

# Per row: (device id or None, result) for each message sent on its behalf.
Outcomes = dict[int, list[tuple[int | None, Result]]]


def current_locales(rows: Sequence[Notification]) -> dict[int, str]:
    """Each recipient's language now (one query): a message queued weeks ago reads in today's choice."""
    ids = {row.recipient_user_id for row in rows if row.recipient_user_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.locale).where(User.id.in_(ids))).all())


def _rendered(rows: Sequence[Notification], out: Outcomes) -> list[tuple[Notification, Rendered]]:
    """Render each row in its recipient's current language; a row whose template no longer renders
    fails for good."""
    ready = []
    locales = current_locales(rows)
    for row in rows:
        try:
            locale = locales.get(row.recipient_user_id) or row.locale
            ready.append((row, render(row.template, locale, row.params or {})))
        except (ValueError, KeyError) as exc:
            out[row.id] = [(None, Result.permanent(f"template: {exc}"))]
    return ready


def send_email(adapter: EmailChannel, rows: Sequence[Notification]) -> Outcomes:
    out: Outcomes = {}
    ready = [(row, r) for row, r in _rendered(rows, out) if row.to_address]
    for row in rows:
        if not row.to_address and row.id not in out:
            out[row.id] = [(None, Result.skipped("no email address"))]
    results = adapter.send_many([Email(row.to_address or "", rendered) for row, rendered in ready])
    for (row, _), result in zip(ready, results, strict=True):
        out[row.id] = [(None, result)]
    return out


def send_sms(adapter: SmsChannel, rows: Sequence[Notification]) -> Outcomes:
    out: Outcomes = {}
    for row, rendered in _rendered(rows, out):
        if not row.to_address:
            out[row.id] = [(None, Result.skipped("no phone number"))]
        else:
            out[row.id] = [(None, adapter.send(row.to_address, rendered.body))]
    return out


class DeviceTarget(NamedTuple):
    id: int
    user_id: int
    fcm_token: str


def active_devices(user_ids: set[int]) -> dict[int, list[DeviceTarget]]:
    """Every active device of these users in one query (plain rows: a batch may hold thousands)."""
    by_user: dict[int, list[DeviceTarget]] = defaultdict(list)
    if user_ids:
        devices = db.session.execute(
            select(Device.id, Device.user_id, Device.fcm_token)
            .where(Device.user_id.in_(user_ids), Device.disabled_at.is_(None))
            .order_by(Device.id)
        )
        for device in devices:
            by_user[device.user_id].append(DeviceTarget(*device))
    return by_user


def send_push(adapter: FcmChannel, rows: Sequence[Notification]) -> Outcomes:
    """One message per active device of each recipient; the title and body say nothing clinical."""
    out: Outcomes = {}
    ready = _rendered(rows, out)
    devices = active_devices({row.recipient_user_id for row, _ in ready if row.recipient_user_id is not None})
    pushes: list[Push] = []
    owners: list[tuple[int, int]] = []  # (row id, device id) per push
    for row, rendered in ready:
        targets = devices.get(row.recipient_user_id or -1, [])
        if not targets:
            out[row.id] = [(None, Result.permanent("no active device"))]
            continue
        data = {"notification_id": str(row.id), "kind": row.kind}
        if "ref" in (row.params or {}):
            data["ref"] = str(row.params["ref"])
        for device in targets:
            pushes.append(Push(device.fcm_token, rendered.title, rendered.short, data))
            owners.append((row.id, device.id))
    db.session.commit()  # end the read transaction before the network calls
    results = adapter.send(pushes) if pushes else []
    dead: dict[str, list[int]] = defaultdict(list)
    for (row_id, device_id), result in zip(owners, results, strict=True):
        out.setdefault(row_id, []).append((device_id, result))
        if result.drop_token:
            dead[result.drop_token].append(device_id)
    now = utcnow()
    for reason, device_ids in dead.items():
        db.session.execute(
            update(Device)
            .where(Device.id.in_(device_ids), Device.disabled_at.is_(None))
            .values(disabled_at=now, disabled_reason=reason)
            .execution_options(synchronize_session=False)
        )
    return out


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
