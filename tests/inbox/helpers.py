"""Factories for the inbox tests: pools, and threads written by the patient through the real write path."""

from __future__ import annotations

from datetime import datetime, timedelta

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    AuthorRelation,
    MessagePool,
    MessageReason,
    MessageThread,
    Patient,
    ThreadPriority,
    ThreadStatus,
)
from hearth.services.messages.posting import add_message


def make_pool(*, practice, name: str = "Nurse line", days: int = 2) -> MessagePool:
    pool = MessagePool(practice_id=practice.id, name=name, reply_target_business_days=days)
    db.session.add(pool)
    db.session.commit()
    return pool


def make_thread(*, patient: Patient, pool: MessagePool, subject: str = "A question", body: str = "Hello",
                reason: MessageReason = MessageReason.MEDICAL_QUESTION, at: datetime | None = None,
                due_in: timedelta | None = None, urgent: bool = False, confidential: bool = False,
                status: ThreadStatus | None = None) -> MessageThread:
    """A thread the patient started at `at` (default now); `due_in` overrides its reply-by time."""
    at = at or utcnow()
    thread = MessageThread(practice_id=patient.practice_id, patient_id=patient.id, reason=reason, pool_id=pool.id,
                           subject=subject, created_by_user_id=patient.user_id,
                           created_by_relation=AuthorRelation.SELF, created_at=at, last_message_at=at,
                           confidential=confidential)
    db.session.add(thread)
    db.session.flush()
    add_message(thread, patient.user, AuthorRelation.SELF, body, now=at)
    db.session.refresh(thread)
    if due_in is not None:
        thread.due_at = utcnow() + due_in
    if urgent:
        thread.priority = ThreadPriority.URGENT
    if status is not None:
        thread.status = status
        if status == ThreadStatus.CLOSED:
            thread.closed_at = at
    db.session.commit()  # kept when a use case under test rolls back
    return thread
