"""The care team starts a conversation with a patient (outreach), with attachments.

The thread belongs to a pool of the practice and to the staff member who wrote it, and waits on the
patient; the patient and her caregivers (grant covering messages) are told through the outbox,
without any detail, as for every care-team message (hearth.services.messages.posting).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    AuthorRelation,
    MessagePool,
    MessageReason,
    MessageThread,
    Patient,
    ThreadEventKind,
    ThreadStatus,
    User,
)
from hearth.services.messages import inbox as listing
from hearth.services.messages.common import clean_body, clean_subject
from hearth.services.messages.posting import add_message


def patient_of(user: User, practice_id: int, patient_id: int) -> Patient:
    """A patient of the practice, for its staff (Forbidden for others, NotFound for another practice's)."""
    listing.load_practice(user, practice_id)
    patient = db.session.get(Patient, patient_id)
    if patient is None or patient.practice_id != practice_id:
        raise NotFound()
    return patient


@db.transactional
def start_thread(user: User, practice_id: int, patient_id: int, *, pool_id: int, subject: str, body: str,
                 reason: MessageReason = MessageReason.OTHER, files: Sequence = (),
                 now: datetime | None = None) -> MessageThread:
    """Write to a patient first: a new thread, assigned to the writer, waiting on the patient.

    Raises Forbidden (not staff of the practice), NotFound (not the practice's patient), Invalid
    (pool of another practice, empty or too long subject or text, a refused file). Audited as
    start/message_thread.
    """
    from hearth.models import MessageThreadEvent

    now = now or utcnow()
    patient = patient_of(user, practice_id, patient_id)
    pool = db.session.scalar(select(MessagePool).where(MessagePool.id == pool_id,
                                                       MessagePool.practice_id == practice_id,
                                                       MessagePool.active.is_(True)))
    errors: dict[str, list] = {}
    if pool is None:
        errors["pool_id"] = [_l("Choose one of the practice's inboxes.")]
    for check, value in ((clean_subject, subject), (clean_body, body)):
        try:
            check(value)
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    thread = MessageThread(practice_id=practice_id, patient_id=patient.id, reason=reason, pool_id=pool.id,
                           subject=clean_subject(subject), status=ThreadStatus.WAITING, owner_user_id=user.id,
                           assigned_at=now, created_by_user_id=user.id, created_by_relation=AuthorRelation.STAFF,
                           created_at=now, last_message_at=now)
    db.session.add(thread)
    db.session.flush()
    policy.authorize(user, patient, listing.SCOPE, "start", "message_thread", thread.id)
    db.session.add(MessageThreadEvent(thread_id=thread.id, actor_user_id=user.id, kind=ThreadEventKind.CLAIMED,
                                      to_value=str(user.id), created_at=now))
    add_message(thread, user, AuthorRelation.STAFF, body, status=ThreadStatus.WAITING, files=files, now=now)
    return thread
