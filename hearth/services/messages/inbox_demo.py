"""Demo data for the care team's inbox: the default pools, two saved replies, and a few threads (idempotent).

Threads are written through the real write path (`add_message`), so due times, urgent flags and read
marks are what the app would make: one overdue in the nurse line, one urgent, one answered and waiting
on the patient. Added only to a practice that has no threads yet.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    AuthorRelation,
    MessagePool,
    MessageReason,
    MessageTemplate,
    MessageThread,
    Patient,
    Practice,
    User,
)
from hearth.services.messages.pools import ensure_default_pools
from hearth.services.messages.posting import add_message

TEMPLATES = [
    ("Please call us", "Hi {first_name}, thank you for your message. Please call us at {practice_phone} so we can "
                       "talk about this.",
     "Hola {first_name}, gracias por su mensaje. Llámenos al {practice_phone} para hablar de esto."),
    ("Book a visit", "Hi {first_name}, this is best looked at in person. Please book a visit in the app or call "
                     "{practice_phone}.",
     "Hola {first_name}, es mejor revisarlo en persona. Haga una cita en la aplicación o llame al "
     "{practice_phone}."),
]
# mrn, pool, reason, subject, text, hours ago, staff reply (email) or None
THREADS = [
    ("HFM-000110", "Nurse line", MessageReason.MEDICAL_QUESTION, "Blood pressure readings",
     "My home readings have been around 150/95 this week. Should I change my dose?", 192, None),
    ("HFM-000111", "Nurse line", MessageReason.MEDICAL_QUESTION, "Chest pain last night",
     "I had chest pain last night for a few minutes. It is gone now.", 3, None),
    ("HFM-000112", "Front desk", MessageReason.FORMS, "School form",
     "Can you fill in the sports form for my son? I can drop it off.", 20, None),
    ("HFM-000113", "Billing", MessageReason.BILLING, "Question about my bill",
     "I was charged twice for my visit in October.", 30, "tom.becker@hearth.example.com"),
]


def seed_inbox(practice: Practice) -> None:
    """Pools, saved replies and demo threads for `practice` (flushes; the caller's transaction commits)."""
    ensure_default_pools(practice)
    for title, body, body_es in TEMPLATES:
        if db.session.scalar(select(MessageTemplate.id).where(MessageTemplate.practice_id == practice.id,
                                                              MessageTemplate.title == title)) is None:
            db.session.add(MessageTemplate(practice_id=practice.id, title=title, body=body,
                                           translations={"es": {"body": body_es}}))
    if db.session.scalar(select(MessageThread.id).where(MessageThread.practice_id == practice.id).limit(1)):
        return
    pools = {p.name: p for p in db.session.scalars(select(MessagePool).where(MessagePool.practice_id == practice.id))}
    now = utcnow()
    for mrn, pool_name, reason, subject, text, hours_ago, replier in THREADS:
        patient = db.session.scalar(select(Patient).where(Patient.practice_id == practice.id, Patient.mrn == mrn))
        pool = pools.get(pool_name)
        if patient is None or patient.user is None or pool is None:
            continue
        at = now - timedelta(hours=hours_ago)
        thread = MessageThread(practice_id=practice.id, patient_id=patient.id, reason=reason, pool_id=pool.id,
                               subject=subject, created_by_user_id=patient.user_id,
                               created_by_relation=AuthorRelation.SELF, created_at=at, last_message_at=at)
        db.session.add(thread)
        db.session.flush()
        add_message(thread, patient.user, AuthorRelation.SELF, text, now=at)
        staff = db.session.scalar(select(User).where(User.email == replier)) if replier else None
        if staff is not None:
            add_message(thread, staff, AuthorRelation.STAFF, "Thank you, we are looking into it and will write back "
                                                             "within two days.", now=at + timedelta(hours=2))
    db.session.flush()
