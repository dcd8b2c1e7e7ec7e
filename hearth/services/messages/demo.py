"""Demo messaging data (idempotent): pools and their reasons, office hours and holidays, saved replies,
and threads in each pool: one urgent, one overdue, one a caregiver wrote "for" her mother, and a
teen's confidential thread his guardian cannot see. No notification is queued for any of it.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import delete, select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    AuthorRelation,
    MessagePool,
    MessageReadMark,
    MessageReasonRoute,
    MessageTemplate,
    MessageThread,
    Patient,
    Practice,
    PracticeBusinessHours,
    PracticeClosedDay,
    ThreadStatus,
    User,
)
from hearth.services.messages.pools import ensure_default_pools
from hearth.services.messages.posting import add_message

TEMPLATES = [
    ("Photo received", "Hi {first_name}, thank you for the photo. A nurse will look at it today and write back.",
     {"es": {"title": "Foto recibida",
             "body": "Hola {first_name}, gracias por la foto. Una enfermera la revisará hoy y le responderá."}}),
    ("Please call us", "Hi {first_name}, please call us at {practice_phone} so we can talk about this.",
     {"es": {"title": "Llámenos",
             "body": "Hola {first_name}, llámenos al {practice_phone} para hablar de esto, por favor."}}),
]

# (patient MRN, author email or None for the patient herself, reason, subject, body, days ago, staff reply,
#  confidential, closed)
THREADS = [
    ("HFM-000101", None, "medical_question", "Rash on my arm",
     "I have a red, itchy rash on my left arm since Saturday. Should I come in? Photo to follow.", 1,
     "Thanks, Emily. Please keep it clean and dry; if it spreads or you get a fever, book a visit.", False, False),
    ("HFM-000102", None, "appointment", "Cambiar mi cita",
     "Hola, necesito cambiar mi cita del jueves a la próxima semana. Gracias.", 0, None, False, False),
    ("HFM-000110", None, "billing", "Question about my bill",
     "I was charged twice for my October visit. Can you check?", 8, None, False, False),
    ("HFM-000111", None, "medical_question", "Chest pain since this morning",
     "I have had chest pain and feel short of breath since this morning.", 0, None, False, False),
    ("HFM-000105", "sarah.mitchell@example.com", "refill", "Refill for Mom's blood pressure pills",
     "My mother is almost out of her blood pressure pills. Can the refill go to the usual pharmacy?", 2,
     None, False, False),
    ("HFM-000108", None, "medical_question", "A private question",
     "I would like to talk to a nurse about something private.", 1, None, True, False),
    ("HFM-000112", None, "forms", "School sports form",
     "Can you fill in the sports form for my son? I left it at the front desk.", 20,
     "Done: the form is ready to pick up at the front desk.", False, True),
]


def _hours(practice: Practice) -> None:
    if db.session.scalar(select(PracticeBusinessHours.id).where(PracticeBusinessHours.practice_id == practice.id)):
        return
    for weekday in range(5):
        db.session.add(PracticeBusinessHours(practice_id=practice.id, weekday=weekday, opens_at=time(8),
                                             closes_at=time(17)))
    year = utcnow().year
    for day, name in ((date(year, 12, 25), "Christmas Day"), (date(year + 1, 1, 1), "New Year's Day")):
        db.session.add(PracticeClosedDay(practice_id=practice.id, day=day, name=name))


def _templates(practice: Practice) -> None:
    for title, body, translations in TEMPLATES:
        found = db.session.scalar(select(MessageTemplate.id).where(MessageTemplate.practice_id == practice.id,
                                                                   MessageTemplate.title == title))
        if found is None:
            db.session.add(MessageTemplate(practice_id=practice.id, title=title, body=body, translations=translations))


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def seed_messages(practice: Practice, nurse_email: str, billing_email: str) -> None:
    """Give the demo practice its messaging setup and a few threads (nothing when threads exist)."""
    ensure_default_pools(practice)
    _hours(practice)
    _templates(practice)
    db.session.flush()
    if db.session.scalar(select(MessageThread.id).where(MessageThread.practice_id == practice.id).limit(1)):
        return
    routes = {r.reason.value: r for r in db.session.scalars(
        select(MessageReasonRoute).where(MessageReasonRoute.practice_id == practice.id))}
    nurse, billing = _user(nurse_email), _user(billing_email)
    now = utcnow()
    for mrn, author_email, reason, subject, body, days, reply, confidential, closed in THREADS:
        patient = db.session.scalar(select(Patient).where(Patient.practice_id == practice.id, Patient.mrn == mrn))
        author = _user(author_email) if author_email else patient.user if patient else None
        if patient is None:
            continue
        relation = AuthorRelation.CAREGIVER if author_email else AuthorRelation.SELF
        at = now - timedelta(days=days, hours=1)
        pool: MessagePool = routes[reason].pool
        thread = MessageThread(practice_id=practice.id, patient_id=patient.id, reason=reason, pool_id=pool.id,
                               subject=subject, confidential=confidential, created_at=at, last_message_at=at,
                               created_by_user_id=author.id if author else None, created_by_relation=relation)
        db.session.add(thread)
        db.session.flush()
        writer = author or nurse  # a patient without an account: the message is still hers (relation "self")
        first = add_message(thread, writer, relation, body, warning_shown=True, now=at)
        if author is None:
            first.author_user_id = None
            db.session.execute(delete(MessageReadMark).where(MessageReadMark.thread_id == thread.id))
        if reply:
            staff = billing if reason in ("billing", "forms") else nurse
            add_message(thread, staff, AuthorRelation.STAFF, reply, notify_patient=False,
                        status=ThreadStatus.CLOSED if closed else None, now=at + timedelta(hours=3))
    db.session.flush()
