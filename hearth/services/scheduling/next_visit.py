"""The person's next visit, with what can be done about it now (the home page's first card)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, policy
from hearth.models import Appointment, AppointmentStatus, Patient, User, VisitMode
from hearth.services.scheduling import booking, checkin, confirmation
from hearth.services.scheduling.common import zone_for

SCOPE = "appointments"


@dataclass(frozen=True)
class NextVisit:
    appointment: Appointment
    zone: str  # the clinic's clock
    can_confirm: bool
    checkin_open: bool
    can_join: bool
    can_change: bool
    address: str | None  # for directions (None for a video visit or a place without an address)

    @property
    def is_video(self) -> bool:
        return self.appointment.visit_type.mode == VisitMode.VIDEO


def next_visit(user: User, patient: Patient, now: datetime) -> NextVisit | None:
    """The first booked visit not over yet (audited view/next_visit); None when there is none.

    Raises NotFound without the appointments scope (callers check `Person.may` first).
    """
    policy.authorize(user, patient, SCOPE, "view", "next_visit")
    appointment = db.session.scalar(
        select(Appointment)
        .where(Appointment.patient_id == patient.id, Appointment.status == AppointmentStatus.BOOKED,
               Appointment.ends_at >= now)
        .order_by(Appointment.starts_at).limit(1)
        .options(selectinload(Appointment.visit_type), selectinload(Appointment.location),
                 selectinload(Appointment.provider))
    )
    if appointment is None:
        return None
    location = appointment.location
    video = appointment.visit_type.mode == VisitMode.VIDEO
    return NextVisit(
        appointment, zone_for(patient.practice, location), confirmation.needs_confirmation(appointment),
        checkin.is_open(appointment, now), booking.can_join(appointment, now), booking.can_change(appointment, now),
        None if video or location is None else (location.address or location.name),
    )
