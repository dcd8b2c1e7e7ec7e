"""Home to-do cards for visits: check-in is open, a visit waits for confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.i18n import _l
from hearth.models import Appointment, AppointmentStatus, User
from hearth.services.acting import Person
from hearth.services.home_cards import Card, register
from hearth.services.scheduling import checkin, confirmation
from hearth.services.scheduling.common import zone_for

HORIZON = timedelta(days=14)  # visits this close ask for something on the home page
LIMIT = 5


def coming(person: Person, now: datetime) -> list[Appointment]:
    """The person's booked visits starting within HORIZON, soonest first (one query)."""
    return list(db.session.scalars(
        select(Appointment)
        .where(Appointment.patient_id == person.patient.id, Appointment.status == AppointmentStatus.BOOKED,
               Appointment.ends_at >= now, Appointment.starts_at < now + HORIZON)
        .order_by(Appointment.starts_at).limit(LIMIT)
        .options(selectinload(Appointment.visit_type), selectinload(Appointment.location))
    ))


def _title(person: Person, mine, theirs) -> str:
    return str(mine if person.is_self else theirs) % {"name": person.first_name}


@register("appointments")
def visit_cards(user: User, person: Person, now: datetime) -> list[Card]:
    cards = []
    # The first one is the home's "next visit", shown with these same actions: cards are for the ones after it.
    for appointment in coming(person, now)[1:]:
        zone = zone_for(person.patient.practice, appointment.location)
        if checkin.is_open(appointment, now):
            cards.append(Card(
                "checkin_due",
                _title(person, _l("Check in for your visit"), _l("Check in for %(name)s's visit")),
                str(_l("Check in now")), "appointments.check_in", {"appointment_id": appointment.id},
                appointment.starts_at, zone, priority=10))
        elif confirmation.needs_confirmation(appointment):
            cards.append(Card(
                "confirm_visit",
                _title(person, _l("Please confirm your visit"), _l("Please confirm %(name)s's visit")),
                str(_l("See the visit")), "appointments.detail", {"appointment_id": appointment.id},
                appointment.starts_at, zone, priority=20))
    return cards
