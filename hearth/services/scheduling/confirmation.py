"""Confirming a visit, and confirming or cancelling it straight from a reminder without signing in.

A reminder carries two signed links (itsdangerous, keyed by the app's secret). Each names one
appointment *and its start time*, so a link stops working when the visit is moved (the new time
gets new reminders with new links) and once the visit has started. Opening a link only shows a page
with one button: mail scanners that fetch links must not confirm or cancel anything. The page shows
the date, time and practice, never the visit type, provider or reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, NotFound
from hearth.i18n import _l
from hearth.models import Appointment, AppointmentStatus, Patient, User
from hearth.services.scheduling import booking, notices
from hearth.services.scheduling.common import load_appointment, practice_phone, zone_for
from hearth.services.scheduling.links import NOT_VALID, read_token

MOVED = _l("This appointment has moved or changed. Sign in to Hearth to see the new time.")
CLOSED = _l("This appointment can no longer be confirmed.")


@dataclass(frozen=True)
class LinkView:
    """What a reminder link's page may show: when and where (practice), and what can still be done."""

    appointment: Appointment
    action: str
    zone: str
    practice_name: str
    phone: str
    can_confirm: bool
    can_cancel: bool
    for_name: str | None = None  # the patient's first name, on a caregiver's link

    @property
    def starts_at(self) -> datetime:
        return self.appointment.starts_at

    @property
    def status(self) -> str:
        return self.appointment.status.value

    @property
    def confirmed_at(self) -> datetime | None:
        return self.appointment.confirmed_at

    @property
    def state(self) -> str:
        """"cancelled", "confirmed" or the status: what the page says about the visit."""
        if self.appointment.status == AppointmentStatus.CANCELLED:
            return "cancelled"
        return "confirmed" if self.appointment.is_confirmed else self.status

    @property
    def must_call(self) -> bool:
        """A cancel link for a visit still booked but past the online cutoff."""
        return self.action == "cancel" and self.appointment.status == AppointmentStatus.BOOKED and not self.can_cancel


def _resolve(token: str, *, for_update: bool = False) -> tuple[Appointment, str, User | None]:
    """The appointment, action and caregiver (None: the patient) a token names.

    NotFound (with the words to show) when forged, expired or the visit moved.
    """
    payload = read_token(token)
    stmt = (select(Appointment).where(Appointment.id == payload["a"])
            .options(selectinload(Appointment.patient).selectinload(Patient.practice),
                     selectinload(Appointment.location), selectinload(Appointment.visit_type)))
    if for_update:
        stmt = stmt.with_for_update(of=Appointment)
    appointment = db.session.scalar(stmt)
    if appointment is None:
        raise NotFound(str(NOT_VALID))
    if int(appointment.starts_at.timestamp()) != payload.get("s"):
        raise NotFound(str(MOVED))
    sent_to = db.session.get(User, payload["u"]) if "u" in payload else None
    if "u" in payload and sent_to is None:
        raise NotFound(str(NOT_VALID))
    return appointment, payload["do"], sent_to


def can_confirm(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether confirming is still possible (confirming again is harmless)."""
    return appointment.status == AppointmentStatus.BOOKED and (now or utcnow()) < appointment.starts_at


def needs_confirmation(appointment: Appointment) -> bool:
    """Whether to offer the "Confirm appointment" button (not once confirmed, nor after check-in)."""
    return can_confirm(appointment) and appointment.confirmed_at is None and appointment.checked_in_at is None


def _view(appointment: Appointment, action: str, sent_to: User | None) -> LinkView:
    patient = appointment.patient
    return LinkView(
        appointment=appointment, action=action, zone=zone_for(patient.practice, appointment.location),
        practice_name=patient.practice.name, phone=practice_phone(patient.practice, appointment.location),
        can_confirm=needs_confirmation(appointment),
        can_cancel=booking.can_change(appointment),
        for_name=patient.given_name if sent_to is not None else None,
    )


def _confirm(appointment: Appointment) -> Appointment:
    if not can_confirm(appointment):
        raise Conflict(CLOSED)
    if appointment.confirmed_at is None:  # confirming twice keeps the first time
        appointment.confirmed_at = utcnow()
    return appointment


@db.transactional
def confirm(user: User, patient: Patient, appointment_id: int) -> Appointment:
    """The patient (or a caregiver with the appointments scope) says they will come."""
    policy.authorize(user, patient, booking.SCOPE, "confirm", "appointment", appointment_id)
    return _confirm(load_appointment(patient, appointment_id, for_update=True))


@db.transactional
def open_link(token: str) -> LinkView:
    """The page behind a reminder link. NotFound (with the words to show) for a bad or stale link."""
    appointment, action, sent_to = _resolve(token)
    policy.authorize_link(appointment.patient, sent_to, booking.SCOPE, "view", "appointment", appointment.id)
    return _view(appointment, action, sent_to)


@db.transactional
def use_link(token: str, reason: str | None = None) -> LinkView:
    """Do what a reminder link is for: confirm, or cancel under the patient's rules (the online
    cutoff applies; `reason` is kept). Conflict once the visit is cancelled, started or past the cutoff."""
    appointment, action, sent_to = _resolve(token, for_update=True)
    policy.authorize_link(appointment.patient, sent_to, booking.SCOPE, action, "appointment", appointment.id)
    if action == "confirm":
        _confirm(appointment)
    else:
        booking.check_changeable(appointment, staff=False)
        booking.close(appointment, reason, by=sent_to or appointment.patient.user)
        notices.cancelled(appointment)
    return _view(appointment, action, sent_to)
