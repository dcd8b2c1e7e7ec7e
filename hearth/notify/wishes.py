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

from hearth import db
from hearth.models import Notification, NotificationPreference, Patient, Practice, User
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


@dataclass(frozen=True)
class _Person:
    """The columns of a `User` a route needs (plain rows: a batch may hold thousands)."""

    id: int
    email: str
    locale: str | None
    timezone: str | None


@dataclass(frozen=True)
class _Place:
    timezone: str


@dataclass(frozen=True)
class _Contact:
    """The columns of a `Patient` record a route needs, with its practice's zone."""

    id: int
    user_id: int | None
    email: str | None
    phone: str | None
    preferred_language: str | None
    preferred_channels: str
    practice: _Place

    @property
    def channels(self) -> list[str]:
        return [c for c in (self.preferred_channels or "").split(",") if c]


def current(rows: Sequence[Notification]) -> dict[int, Wishes]:
    """{row id: its recipient's wishes now}, reading people, records and preferences in a few queries."""
    user_ids = {r.recipient_user_id for r in rows if r.recipient_user_id is not None and r.kind != ACCOUNT_KIND}
    patient_ids = {r.patient_id for r in rows if r.recipient_user_id is None and r.patient_id is not None
                   and r.kind != ACCOUNT_KIND}
    users: dict[int, _Person] = {}
    own: dict[int, _Contact] = {}
    prefs: dict[tuple[int, str], NotificationPreference] = {}
    if user_ids:
        users = {row.id: _Person(*row) for row in db.session.execute(
            select(User.id, User.email, User.locale, User.timezone).where(User.id.in_(user_ids)))}
        for contact in _contacts(Patient.user_id.in_(user_ids)):
            own.setdefault(contact.user_id, contact)  # the first record, as recipients.own_patient picks
        for pref in db.session.scalars(select(NotificationPreference).where(
                NotificationPreference.user_id.in_(user_ids))):
            prefs[(pref.user_id, pref.kind)] = pref
    contacts = {c.id: c for c in _contacts(Patient.id.in_(patient_ids))} if patient_ids else {}
    out: dict[int, Wishes] = {}
    for row in rows:
        user = users.get(row.recipient_user_id) if row.recipient_user_id is not None else None
        if row.kind == ACCOUNT_KIND or (user is None and row.patient_id not in contacts):
            out[row.id] = Wishes(route=_queued_route(row), locale=row.locale, zone="UTC", fixed=True)
            continue
        contact = own.get(user.id) if user is not None else contacts[row.patient_id]
        recipient = Recipient(user, contact)  # type: ignore[arg-type] - the same attributes, read-only
        pref = prefs.get((user.id, row.kind)) if user is not None else None
        out[row.id] = of(recipient, row, pref)
    return out


def _contacts(condition) -> list[_Contact]:
    return [
        _Contact(*row[:6], practice=_Place(row[6]))
        for row in db.session.execute(
            select(Patient.id, Patient.user_id, Patient.email, Patient.phone, Patient.preferred_language,
                   Patient.preferred_channels, Practice.timezone)
            .join(Practice, Practice.id == Patient.practice_id).where(condition).order_by(Patient.id))
    ]


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
