"""Tell the patient what was just done to her visit (booked, moved, cancelled), by her own channel choices.

Queued in the use case's transaction and sent after commit by the outbox worker. The words carry the
date and time only (never the visit type, provider or reason); a cancellation adds the practice's
phone number. A visit is cancelled once, so the practice's and the patient's cancellations share a key.
"""

from __future__ import annotations

from hearth.models import Appointment
from hearth.notify import outbox
from hearth.services.scheduling.common import practice_phone
from hearth.services.scheduling.reminders import when_params

KIND = "appointment"


def _send(appointment: Appointment, key: str, template: str, **extra: str) -> None:
    patient = appointment.patient
    outbox.enqueue(key=key, kind=KIND, template=template, params={**when_params(appointment), **extra},
                   user=patient.user, patient=patient, locale=None)


def booked(appointment: Appointment) -> None:
    _send(appointment, f"appointment-booked:{appointment.id}", "appointment_booked")


def moved(appointment: Appointment) -> None:
    """One message per new time (moving back and forth sends each)."""
    _send(appointment, f"appointment-moved:{appointment.id}:{int(appointment.starts_at.timestamp())}",
          "appointment_moved")


def cancelled(appointment: Appointment) -> None:
    phone = practice_phone(appointment.patient.practice, appointment.location)
    _send(appointment, cancel_key(appointment), "appointment_cancel_done", **({"phone": phone} if phone else {}))


def cancel_key(appointment: Appointment) -> str:
    return f"appointment-cancelled:{appointment.id}"
