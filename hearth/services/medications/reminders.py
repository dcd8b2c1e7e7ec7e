"""Refill-due reminders: a periodic job tells the patient a week before a medication runs out.

A medication runs out on `last_filled_on + supply_days` (`Medication.runs_out_on`, indexed). Every run
queues, for each active medication that runs out within `DAYS_AHEAD` days (and has not yet), one
reminder whose idempotency key names the medication and its fill date: however often the job runs,
one reminder per fill; a new fill gives a new key. Controlled medicines (not refillable online) and
medications with a request already waiting get none. The reminder goes by the patient's choices for
the "refill" kind, read when it is sent, with no medication name, and links to the refill form.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.clock import utcnow
from hearth.models import Medication, MedicationStatus, Patient, RefillRequestLine
from hearth.notify import outbox
from hearth.services.medications.common import KIND, local_today

DAYS_AHEAD = 7
BATCH = 500
TEMPLATE = "refill_due"


def reminder_key(med: Medication) -> str:
    return f"refill_due:{med.id}:{med.last_filled_on.isoformat()}"


def refill_url(base_url: str, med: Medication) -> str:
    """The refill form with this medication ticked (an id only: nothing a lock screen could read)."""
    return f"{base_url.rstrip('/')}/medications/refill?{urlencode({'medication': med.id})}" if base_url else ""


@db.transactional
def plan_due(*, base_url: str = "", now: datetime | None = None) -> int:
    """Queue the refill-due reminders that are due now; returns how many were new or already queued.

    Runs from Celery beat (hearth.jobs.tasks.refill_reminders) and `flask refill-reminders`; safe to run
    twice or side by side (the outbox keys are unique).
    """
    now = now or utcnow()
    # Clinic dates differ by at most a day across zones: take a day's margin and check each patient's own date.
    today_utc = now.date()
    pending = select(RefillRequestLine.medication_id).where(RefillRequestLine.pending.is_(True))
    stmt = (select(Medication)
            .where(Medication.status == MedicationStatus.ACTIVE, Medication.controlled_schedule.is_(None),
                   Medication.runs_out_on.is_not(None),
                   Medication.runs_out_on >= today_utc - timedelta(days=1),
                   Medication.runs_out_on <= today_utc + timedelta(days=DAYS_AHEAD + 1),
                   Medication.id.not_in(pending))
            .options(selectinload(Medication.patient).selectinload(Patient.user))
            .order_by(Medication.id))
    meds = db.session.scalars(stmt).all()  # a week's window of fills: small, and read before any write
    count = 0
    for start in range(0, len(meds), BATCH):
        batch = meds[start:start + BATCH]
        items = []
        for med in batch:
            if not _due(med, local_today(med.patient, now)):
                continue
            params = {"ref": f"medication:{med.id}"}
            url = refill_url(base_url, med)
            if url:
                params["url"] = url
            items.append(dict(key=reminder_key(med), kind=KIND, template=TEMPLATE, params=params,
                              user=med.patient.user, patient=med.patient,
                              latest_at=now + timedelta(days=DAYS_AHEAD)))
        if items:
            outbox.enqueue_many(items)
            count += len(items)
    return count


def _due(med: Medication, today: date) -> bool:
    return med.runs_out_on is not None and today <= med.runs_out_on <= today + timedelta(days=DAYS_AHEAD)
