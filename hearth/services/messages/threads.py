"""The patient's side of messaging: start a thread, list, read, mark read, close, mark confidential.

Every use case asks the policy (scope "messages") and writes the audit log. A caregiver always
writes "for" the patient (recorded on each message). A confidential thread (a teen's) is invisible,
in lists and by id, to a guardian without the teen's consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hearth import claims, db, policy
from hearth.clock import utcnow
from hearth.errors import Forbidden, NotFound
from hearth.models import (
    AuthorRelation,
    Message,
    MessagePool,
    MessageThread,
    Patient,
    ThreadStatus,
    User,
)
from hearth.services.messages import pools, reads
from hearth.services.messages.common import (
    RESOURCE,
    SCOPE,
    UrgentWordsFound,
    authorize_thread,
    clean_body,
    clean_subject,
    load_thread,
    relation_of,
)
from hearth.services.messages.posting import add_message, existing_by_key
from hearth.services.messages.urgent import is_crisis, urgent_topics
from hearth.services.pagination import Page, clamp, paginate

MAX_PER_PAGE = 50


@dataclass(frozen=True)
class ThreadView:
    """A thread as one side sees it: notes hidden from the patient's side."""

    thread: MessageThread
    messages: list[Message]
    relation: str


def sees_confidential(user: User, patient: Patient) -> bool:
    """Whether `user` may see the patient's confidential threads (no audit: a filter)."""
    return policy.access(user, patient, SCOPE, confidential=True) is not None


@db.transactional
def start_thread(
    user: User,
    patient: Patient,
    *,
    reason: str,
    subject: str,
    body: str,
    confidential: bool = False,
    files: Sequence = (),
    warning_shown: bool = False,
    confirm_urgent: bool = False,
    client_key: str | None = None,
    pool_id: int | None = None,
    now: datetime | None = None,
) -> MessageThread:
    """Start a thread about `patient` with its first message; the reason picks the pool.

    `confidential`: only a patient in her practice's teen tier, for herself. `pool_id`: staff
    outreach may name the pool. `client_key` makes a repeated submit return the first thread.
    `confirm_urgent`: a text naming an emergency needs `warning_shown` (the 911/988 page seen).
    Raises NotFound (no access), Forbidden (confidential by someone else), Invalid (reason,
    subject, body or files), UrgentWordsFound (nothing written).
    """
    now = now or utcnow()
    granted = policy.authorize(user, patient, SCOPE, "create", RESOURCE)
    relation = relation_of(granted)
    if confidential and not (relation == AuthorRelation.SELF and policy.in_teen_tier(patient, now)):
        raise Forbidden()
    claims.lock(Patient, patient.id)  # a double submit waits here, then finds the first one
    if client_key:
        earlier = existing_by_key(user, client_key)
        if earlier is not None and earlier.thread.patient_id == patient.id:
            return earlier.thread
    subject_text = clean_subject(subject)
    route = pools.route_for(patient.practice, reason)
    if confirm_urgent and not warning_shown and relation != AuthorRelation.STAFF:
        topics = urgent_topics(subject_text, clean_body(body))
        if topics:
            raise UrgentWordsFound(topics, is_crisis(topics))
    pool = route.pool
    if pool_id is not None and relation == AuthorRelation.STAFF:
        pool = db.session.get(MessagePool, pool_id)
        if pool is None or pool.practice_id != patient.practice_id:
            raise NotFound()
    thread = MessageThread(
        practice_id=patient.practice_id, patient_id=patient.id, reason=route.reason, pool_id=pool.id,
        subject=subject_text, confidential=confidential, created_by_user_id=user.id,
        created_by_relation=relation, created_at=now, last_message_at=now,
    )
    db.session.add(thread)
    db.session.flush()
    add_message(thread, user, relation, body, files=files, warning_shown=warning_shown, client_key=client_key,
                now=now)
    db.session.refresh(thread)
    return thread


@db.transactional
def list_threads(user: User, patient: Patient, *, page: int = 1, per_page: int = 20,
                 status: str | None = None) -> Page[MessageThread]:
    """The patient's threads, latest activity first (two statements, whatever the count).

    `status`: "open" (open or waiting) or "closed". Confidential threads only for who may see them.
    """
    policy.authorize(user, patient, SCOPE, "list", RESOURCE)
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    where = [MessageThread.patient_id == patient.id]
    if not sees_confidential(user, patient):
        where.append(MessageThread.confidential.is_(False))
    if status == "closed":
        where.append(MessageThread.status == ThreadStatus.CLOSED)
    elif status == "open":
        where.append(MessageThread.status != ThreadStatus.CLOSED)
    # The pool's practice with the pool: its default language names the pool (no lazy load per row).
    stmt = (select(MessageThread).where(*where)
            .options(selectinload(MessageThread.pool).joinedload(MessagePool.practice))
            .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc()))
    count = select(func.count()).select_from(MessageThread).where(*where)
    rows, total = paginate(stmt, count, page, per_page)
    return Page([r[0] for r in rows], page, per_page, total)


def _view(user: User, patient: Patient, thread_id: int, action: str) -> tuple[MessageThread, policy.Access]:
    thread = load_thread(patient, thread_id)
    return thread, authorize_thread(user, thread, action)


def _messages(thread: MessageThread, staff: bool) -> list[Message]:
    stmt = (select(Message).where(Message.thread_id == thread.id)
            .options(selectinload(Message.attachments), selectinload(Message.author))
            .order_by(Message.id))
    if not staff:
        stmt = stmt.where(Message.internal.is_(False))
    return list(db.session.scalars(stmt))


@db.transactional
def get_thread(user: User, patient: Patient, thread_id: int, *, mark_read: bool = True,
               include_notes: bool = True) -> ThreadView:
    """One thread with the messages `user`'s side may see (notes only for staff, and only with
    `include_notes`: the patient-facing pages and API pass False); marks it read.

    Raises NotFound (not the patient's thread, or confidential and hidden from `user`).
    """
    thread, granted = _view(user, patient, thread_id, "view")
    relation = relation_of(granted)
    notes = include_notes and relation == AuthorRelation.STAFF
    messages = _messages(thread, notes)
    if mark_read and messages:
        reads.mark(user, thread, messages[-1].id, relation)
        messages = _messages(thread, notes)
    return ThreadView(thread, messages, relation.value)


@db.transactional
def mark_read(user: User, patient: Patient, thread_id: int) -> MessageThread:
    """Mark the thread read by `user` up to its latest message. Raises NotFound."""
    thread, granted = _view(user, patient, thread_id, "mark_read")
    relation = relation_of(granted)
    last = db.session.scalar(select(func.max(Message.id)).where(
        Message.thread_id == thread.id, *([] if relation == AuthorRelation.STAFF else [Message.internal.is_(False)])))
    if last is not None:
        reads.mark(user, thread, last, relation)
    db.session.refresh(thread)
    return thread


@db.transactional
def close_thread(user: User, patient: Patient, thread_id: int, *, now: datetime | None = None) -> MessageThread:
    """Close the thread (the patient's side closes its own; once, whatever the repeats). Raises NotFound."""
    now = now or utcnow()
    thread, _granted = _view(user, patient, thread_id, "close")
    claims.claim(thread, MessageThread.status != ThreadStatus.CLOSED, status=ThreadStatus.CLOSED,
                 closed_at=now, closed_by_user_id=user.id, due_at=None)
    db.session.refresh(thread)
    return thread


@db.transactional
def set_confidential(user: User, patient: Patient, thread_id: int, confidential: bool) -> MessageThread:
    """A teen (in her practice's teen tier) marks her own thread confidential or not. Raises NotFound,
    Forbidden (not the teen herself, or not in the teen tier)."""
    thread, granted = _view(user, patient, thread_id, "set_confidential")
    if granted.relation != "self" or not policy.in_teen_tier(patient):
        raise Forbidden()
    claims.claim(thread, confidential=confidential)
    db.session.refresh(thread)
    return thread


def unread_count(user: User, patient: Patient) -> int:
    """Threads with a care-team message the patient's side has not read (no audit: a badge/card count)."""
    where = [MessageThread.patient_id == patient.id, MessageThread.patient_read_at.is_(None),
             MessageThread.first_staff_reply_at.is_not(None)]
    if not sees_confidential(user, patient):
        where.append(MessageThread.confidential.is_(False))
    return db.session.scalar(select(func.count()).select_from(MessageThread).where(*where)) or 0


def patient_of(thread_id: int) -> Patient:
    """The patient a thread is about (for API routes by thread id); NotFound when there is no such thread."""
    thread = db.session.get(MessageThread, thread_id)
    if thread is None:
        raise NotFound()
    return thread.patient


def may_mark_confidential(user: User, patient: Patient) -> bool:
    """Whether `user` may mark a thread confidential: the patient herself, in her practice's teen tier."""
    return patient.user_id == user.id and policy.in_teen_tier(patient)
