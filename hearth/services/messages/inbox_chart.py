"""The patient's conversations on her chart, for the care team (newest activity first, a bounded list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import NotFound
from hearth.models import MessageThread, Patient, User
from hearth.services.messages.inbox import InboxRow, authorize_listed, is_overdue, is_unread

LIMIT = 10  # the latest conversations on the chart; the inbox searches the rest


@dataclass
class ChartThreads:
    patient: Patient
    rows: list[InboxRow]
    total: int


@db.transactional
def patient_threads(user: User, patient_id: int, *, practice_id: int | None = None, limit: int = LIMIT,
                    now: datetime | None = None) -> ChartThreads:
    """The patient's latest threads (internal notes' threads included: this is the care team's view).

    NotFound for anyone but the providers, staff and admins of her practice. Each listed thread is
    audited (list/message_thread); three statements whatever the number of threads.
    """
    now = now or utcnow()
    patient = db.session.get(Patient, patient_id)
    if patient is None or not policy.is_staff_of(user, patient.practice_id) or (
            practice_id is not None and patient.practice_id != practice_id):
        raise NotFound()
    threads = db.session.scalars(
        select(MessageThread).where(MessageThread.patient_id == patient_id)
        .options(joinedload(MessageThread.pool), joinedload(MessageThread.owner))
        .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc()).limit(limit)).unique().all()
    for thread in threads:
        thread.patient = patient
    total = db.session.scalar(select(func.count(MessageThread.id)).where(MessageThread.patient_id == patient_id)) or 0
    authorize_listed(user, list(threads))
    return ChartThreads(patient, [InboxRow(t, is_unread(t), is_overdue(t, now)) for t in threads], total)
