"""Who gets a notification on which channel, at which address, in which language and time zone.

A signed-up person (a `User`) is reached through their account: push on their devices, email at the
account address, SMS at the phone of their own patient record. A patient without an account is
reached through the contact details on the patient record. The patient a notification is *about*
(a caregiver's child) never lends its phone or channel choices to the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hearth import db, phones
from hearth.models import Channel, NotificationPreference, Patient, User

ACCOUNT_KIND = "account"  # sign-in and security mail: always email, never held by quiet hours
PREFERENCE_KINDS = ("reminder", "appointment", "message", "result", "bill", "waitlist", "refill")
KINDS = (*PREFERENCE_KINDS, ACCOUNT_KIND)
DEFAULT_CHANNELS = (Channel.EMAIL.value,)


@dataclass(frozen=True)
class Recipient:
    user: User | None
    contact: Patient | None  # the record whose email/phone/channels belong to the recipient

    @property
    def locale(self) -> str:
        if self.user is not None:
            return self.user.locale or "en"
        return self.contact.preferred_language if self.contact is not None else "en"

    @property
    def timezone(self) -> str:
        if self.user is not None and self.user.timezone:
            return self.user.timezone
        if self.contact is not None:
            return self.contact.practice.timezone
        return "UTC"


def own_patient(user: User) -> Patient | None:
    """The user's own patient record (their contact details), if they are a patient."""
    return db.session.scalar(select(Patient).where(Patient.user_id == user.id).order_by(Patient.id).limit(1))


def recipient_for(user: User | None, patient: Patient | None) -> Recipient:
    if user is not None:
        contact = patient if patient is not None and patient.user_id == user.id else own_patient(user)
        return Recipient(user, contact)
    return Recipient(None, patient)


def load_recipient(user_id: int | None, patient_id: int | None) -> Recipient:
    """The recipient of a stored row (used when falling back to another channel)."""
    user = db.session.get(User, user_id) if user_id is not None else None
    patient = db.session.get(Patient, patient_id) if patient_id is not None and user is None else None
    return recipient_for(user, patient)


def preference(user: User | None, kind: str) -> NotificationPreference | None:
    if user is None or kind == ACCOUNT_KIND:
        return None
    return db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )


def channel_order(recipient: Recipient, kind: str, pref: NotificationPreference | None) -> list[str]:
    """The person's choice for the kind, else their patient record's, else email."""
    if kind == ACCOUNT_KIND:
        return [Channel.EMAIL.value]
    if pref is not None and pref.channel_list:
        return pref.channel_list
    if recipient.contact is not None and recipient.contact.channels:
        return recipient.contact.channels
    return list(DEFAULT_CHANNELS)


def address(recipient: Recipient, channel: str) -> tuple[bool, str | None]:
    """(reachable, address) on `channel`; push has no address, it goes to the user's devices."""
    if channel == Channel.PUSH:
        return recipient.user is not None, None
    if channel == Channel.EMAIL:
        value = (
            recipient.user.email if recipient.user is not None else getattr(recipient.contact, "email", None)
        )
    elif channel == Channel.SMS:
        value = getattr(recipient.contact, "phone", None)
        if value:  # E.164 for the provider, even for a number stored before E.164 (region: the practice's)
            country = getattr(getattr(recipient.contact, "practice", None), "country", None)
            value = phones.stored_or_none(value, country) or value
    else:
        return False, None
    return bool(value), value or None


def plan(recipient: Recipient, channels: list[str]) -> list[tuple[str, str | None]]:
    """The reachable channels in order, each with its address; duplicates dropped."""
    seen: set[str] = set()
    out: list[tuple[str, str | None]] = []
    for channel in channels:
        if channel in seen:
            continue
        seen.add(channel)
        ok, value = address(recipient, channel)
        if ok:
            out.append((channel, value))
    return out
