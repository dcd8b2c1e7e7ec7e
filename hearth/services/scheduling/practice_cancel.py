"""The practice cancels the visits booked inside a provider's time off, and tells each patient.

Called by `admin_hours` when an admin adds or changes time off with "cancel the visits booked in this
time"; it runs in that use case's transaction. The patient's message carries only the date and time
and links into Hearth, and the practice's phone number: never the visit type, provider or reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.i18n import _l
from hearth.models import (
    Appointment,
    AppointmentStatus,
    ExceptionKind,
    Patient,
    Practice,
    ScheduleException,
    User,
)
from hearth.notify import outbox
from hearth.services.scheduling import booking, notices, reminders
from hearth.services.scheduling.common import practice_phone

TEMPLATE = "appointment_cancelled"
KIND = notices.KIND  # "appointment": booked, moved or cancelled (not a reminder)
# Stored as the visit's cancel reason, which patients see (the API's appointment): never the time
# off's own reason, which the admin form promises is for staff only.
DEFAULT_REASON = _l("The provider is not available at this time.")


def notification_key(appointment: Appointment) -> str:
    return notices.cancel_key(appointment)  # one message per cancelled visit, whoever cancelled it


def booked_inside(provider_id: int, starts_at: datetime, ends_at: datetime) -> list[Appointment]:
    """The provider's booked visits overlapping [starts_at, ends_at), row-locked, in id order (one lock order)."""
    return list(db.session.scalars(
        select(Appointment)
        .where(Appointment.provider_id == provider_id, Appointment.status == AppointmentStatus.BOOKED,
               Appointment.starts_at < ends_at, Appointment.ends_at > starts_at)
        .options(selectinload(Appointment.patient).selectinload(Patient.user), selectinload(Appointment.location),
                 selectinload(Appointment.visit_type))
        .order_by(Appointment.id)
        .with_for_update(of=Appointment)
        .execution_options(populate_existing=True)
    ))


def cancel_inside(user: User, practice: Practice, exception: ScheduleException) -> int:
    """Cancel the provider's booked visits inside the time off and queue one message per visit; how many.

    Each cancellation asks `policy` (and so is audited) as staff cancelling for the patient; the time
    is not offered to the waitlist, since the provider is away. Extra hours cancel nothing.
    Raises NotFound if `user` may not act for one of the patients (the whole use case rolls back).
    """
    if exception.kind != ExceptionKind.TIME_OFF:
        return 0
    db.session.flush()
    visits = booked_inside(exception.provider_id, exception.starts_at, exception.ends_at)
    reason = str(DEFAULT_REASON)
    for appointment in visits:
        patient = appointment.patient
        policy.authorize(user, patient, booking.SCOPE, "cancel", "appointment", appointment.id)
        booking.close(appointment, reason, offer_time=False, by=user)
        phone = practice_phone(practice, appointment.location)
        outbox.enqueue(key=notification_key(appointment), kind=KIND, template=TEMPLATE,
                       params={**reminders.when_params(appointment), **({"phone": phone} if phone else {})},
                       user=patient.user, patient=patient, locale=None)
    return len(visits)
