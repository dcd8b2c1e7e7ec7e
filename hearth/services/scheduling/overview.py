"""The patient's appointments page in one use case: visits, waitlist entries with offers, the join form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hearth import db, policy
from hearth.clock import utcnow
from hearth.models import Appointment, AppointmentStatus, Patient, User, WaitlistEntry
from hearth.services.scheduling import waitlist
from hearth.services.scheduling.availability import BookingOptions, options_for
from hearth.services.scheduling.booking import SCOPE, upcoming_and_past


@dataclass(frozen=True)
class Overview:
    upcoming: list[Appointment]
    past: list[Appointment]  # over, completed, no-show, or cancelled whenever it was due
    waitlist: list[WaitlistEntry]
    options: BookingOptions
    cancelled: list[Appointment]  # cancelled visits that were still to come: shown on their own



@db.transactional
def overview(user: User, patient: Patient, *, now: datetime | None = None) -> Overview:
    """Upcoming and past visits, open waitlist entries (offers first) and what the waitlist form offers.

    One authorization (and audit entry) for the page; a bounded number of queries whatever the counts.
    """
    granted = policy.authorize(user, patient, SCOPE, "list", "appointment")
    now = now or utcnow()
    upcoming, past = upcoming_and_past(patient, now)
    cancelled = [a for a in past if a.status == AppointmentStatus.CANCELLED and a.ends_at > now]
    past = [a for a in past if a not in cancelled]
    entries = sorted(waitlist.open_entries(patient), key=lambda e: e.open_offer is None)
    return Overview(upcoming, past, entries, options_for(patient, staff=granted.relation == "staff"), cancelled)
