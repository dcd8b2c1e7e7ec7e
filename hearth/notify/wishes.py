"""The recipient's wishes as they are when a message is sent: channels, address, quiet hours, language.

A reminder is queued up to 90 days ahead; meanwhile the person may choose SMS over email, set quiet
hours, change language or phone. So the route a row was queued with is only a first guess: the
dispatcher asks `current` for every claimed row just before sending, and retries and fallbacks ask
again. Account mail (sign-in and security, invitations to a fixed address) keeps its queued route.
Everything for a batch is read in a few queries, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.models import Notification, NotificationPreference, Patient, User
from hearth.notify import recipients
from hearth.notify.outbox import shift_out_of_quiet_hours
from hearth.notify.recipients import ACCOUNT_KIND, Recipient
from hearth.notify.templates import normalize_locale


@dataclass(frozen=True)
class Wishes:
    """What one row should do now: its route (channel, address), language and quiet hours."""

    route: list[tuple[str, str | None]]
    locale: str
    zone: str
    quiet_start: time | None = None
    quiet_end: time | None = None
    fixed: bool = False  # account mail: the queued route stands

    def hold_until(self, moment: datetime, latest_at: datetime | None) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (unless that passes `latest_at`)."""
        return shift_out_of_quiet_hours(moment, self.zone, self.quiet_start, self.quiet_end, latest_at=latest_at)


def spent(row: Notification) -> set[str]:
    return {c for c in (row.spent_channels or "").split(",") if c}


def current(rows: Sequence[Notification]) -> dict[int, Wishes]:
    """{row id: its recipient's wishes now}, reading people, records and preferences in a few queries."""
    user_ids = {r.recipient_user_id for r in rows if r.recipient_user_id is not None and r.kind != ACCOUNT_KIND}
    patient_ids = {r.patient_id for r in rows if r.recipient_user_id is None and r.patient_id is not None
                   and r.kind != ACCOUNT_KIND}
    users = _by_id(User, user_ids)
    own: dict[int, Patient] = {}
    if user_ids:
        for patient in db.session.scalars(select(Patient).where(Patient.user_id.in_(user_ids))
                                          .options(selectinload(Patient.practice)).order_by(Patient.id)):
            own.setdefault(patient.user_id, patient)
    contacts = _by_id(Patient, patient_ids, selectinload(Patient.practice))
    prefs: dict[tuple[int, str], NotificationPreference] = {}
    if user_ids:
        for pref in db.session.scalars(select(NotificationPreference).where(
                NotificationPreference.user_id.in_(user_ids))):
            prefs[(pref.user_id, pref.kind)] = pref
    out: dict[int, Wishes] = {}
    for row in rows:
        user = users.get(row.recipient_user_id) if row.recipient_user_id is not None else None
        if row.kind == ACCOUNT_KIND or (user is None and row.patient_id not in contacts):
            out[row.id] = Wishes(route=_queued_route(row), locale=row.locale, zone="UTC", fixed=True)
            continue
        recipient = Recipient(user, own.get(user.id) if user is not None else contacts[row.patient_id])
        pref = prefs.get((user.id, row.kind)) if user is not None else None
        out[row.id] = of(recipient, row, pref)
    return out


def of(recipient: Recipient, row: Notification, pref: NotificationPreference | None) -> Wishes:
    """The wishes of one recipient for `row`: channels in their order now, minus those already spent."""
    gone = spent(row)
    order = [c for c in recipients.channel_order(recipient, row.kind, pref) if c not in gone]
    user = recipient.user
    language = (user.locale if user is not None else None) or (
        recipient.contact.preferred_language if recipient.contact is not None else None)
    return Wishes(
        route=recipients.plan(recipient, order),
        locale=normalize_locale(language),
        zone=recipient.timezone,
        quiet_start=pref.quiet_hours_start if pref is not None else None,
        quiet_end=pref.quiet_hours_end if pref is not None else None,
    )


def _queued_route(row: Notification) -> list[tuple[str, str | None]]:
    route: list[tuple[str, str | None]] = [(str(row.channel), row.to_address)]
    return route + [(c, None) for c in row.fallbacks]


def _by_id(model, ids: set[int], *options) -> dict:
    if not ids:
        return {}
    return {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))}
