"""The home page's "runs out soon" card: an active medication whose supply ends within a week (or ended in the
last two weeks) and has no refill request waiting, with a button to the refill form."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hearth import db
from hearth.i18n import _l
from hearth.models import Medication, MedicationStatus, RefillRequestLine, User
from hearth.services.acting import Person
from hearth.services.home_cards import Card, register
from hearth.services.medications.common import local_today
from hearth.services.medications.reminders import DAYS_AHEAD

LIMIT = 3
LATE_DAYS = 14


def running_out(patient, now: datetime) -> list[Medication]:
    """The patient's refillable medications running out soon, soonest first (one query)."""
    today = local_today(patient, now)
    pending = select(RefillRequestLine.medication_id).where(RefillRequestLine.pending.is_(True))
    return list(db.session.scalars(
        select(Medication).where(
            Medication.patient_id == patient.id, Medication.status == MedicationStatus.ACTIVE,
            Medication.controlled_schedule.is_(None), Medication.runs_out_on.is_not(None),
            Medication.runs_out_on >= today - timedelta(days=LATE_DAYS),
            Medication.runs_out_on <= today + timedelta(days=DAYS_AHEAD), Medication.id.not_in(pending))
        .order_by(Medication.runs_out_on, Medication.id).limit(LIMIT)))


@register("medications")
def refill_cards(user: User, person: Person, now: datetime) -> list[Card]:
    title = _l("%(medication)s runs out soon") if person.is_self else _l("%(name)s's %(medication)s runs out soon")
    return [Card("refill_due", str(title) % {"medication": med.label, "name": person.first_name},
                 str(_l("Ask for a refill")), "medications.refill_form", {"medication": med.id}, priority=30)
            for med in running_out(person.patient, now)]
