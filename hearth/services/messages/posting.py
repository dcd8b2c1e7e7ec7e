"""Posting a message into a thread: the one write path for patients, caregivers and staff.

`post_message` is the use case (authorizes, writes, notifies, commits); staff replies and notes in
the inbox call it too. `add_message` is the same write without the authorization and commit, for use
cases that already authorized (starting a thread).

What a new message does to its thread (FHIR Task):
- from the patient's side: status back to open; `due_at` set from the pool's reply target if the
  care team owes no reply yet; the care team's "read" mark cleared; urgent words flag the message
  and the thread urgent and are recorded;
- from staff (not a note): the first reply time is kept, `due_at` cleared, status "waiting on the
  patient" unless staff chose another, the patient's "read" mark cleared, and the patient and her
  caregivers (grant covering messages) notified without any detail;
- an internal note changes nothing the patient could see and notifies nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from hearth import claims, db, notify
from hearth.clock import utcnow
from hearth.errors import Conflict, Forbidden, NotFound
from hearth.i18n import _l
from hearth.models import (
    AuthorRelation,
    Message,
    MessageThread,
    ThreadPriority,
    ThreadStatus,
    User,
)
from hearth.services.messages import reads
from hearth.services.messages.common import (
    UrgentWordsFound,
    authorize_thread,
    clean_body,
    patient_side_users,
    relation_of,
)
from hearth.services.messages.hours import reply_by
from hearth.services.messages.urgent import is_crisis, urgent_topics

NOTIFY_KIND = "message"
NOTIFY_TEMPLATE = "new_message"


@db.transactional
def post_message(
    user: User,
    thread_id: int,
    body: str,
    *,
    internal: bool = False,
    status: ThreadStatus | None = None,
    files: Sequence = (),
    warning_shown: bool = False,
    confirm_urgent: bool = False,
    client_key: str | None = None,
    patient_id: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Add `user`'s message to thread `thread_id` (the use case: authorizes, audits, commits).

    `internal` (staff only) makes a note the patient's side never sees. `status` (staff only) sets
    the thread's status after the reply (default: waiting on the patient). `files` are uploads
    (objects with `.filename` and `.data`, or (filename, bytes) pairs) checked by hearth.files.
    `warning_shown`: the writer saw the 911/988 page for this text (recorded on the thread).
    `client_key` (form token, API Idempotency-Key): a repeat with the same key returns the first message.
    `confirm_urgent`: the patient's side must have seen the 911/988 warning for a text naming an
    emergency (UrgentWordsFound otherwise, before anything is written). `patient_id`: the thread must
    be about this patient (routes that name the patient in their path).
    Raises NotFound (no such thread, or not the user's to see), Forbidden (a note or status from
    the patient's side), Conflict (the thread is closed, for the patient's side), Invalid (empty
    or too long body, bad file).
    """
    thread = db.session.get(MessageThread, thread_id)
    if thread is None or (patient_id is not None and thread.patient_id != patient_id):
        raise NotFound()
    granted = authorize_thread(user, thread, "internal_note" if internal else "reply")
    relation = relation_of(granted)
    return add_message(thread, user, relation, body, internal=internal, status=status, files=files,
                       warning_shown=warning_shown, confirm_urgent=confirm_urgent, client_key=client_key, now=now)


def existing_by_key(user: User, client_key: str) -> Message | None:
    """`user`'s message sent with `client_key`, if any (double submits)."""
    return db.session.scalar(select(Message).where(Message.author_user_id == user.id,
                                                   Message.client_key == client_key))


def add_message(
    thread: MessageThread,
    user: User,
    relation: AuthorRelation,
    body: str,
    *,
    internal: bool = False,
    status: ThreadStatus | None = None,
    files: Sequence = (),
    warning_shown: bool = False,
    confirm_urgent: bool = False,
    client_key: str | None = None,
    notify_patient: bool = True,
    now: datetime | None = None,
) -> Message:
    """Write one message and update its thread (see the module docstring); flushes, never commits.

    The caller has authorized `user` for the thread with `relation`. Raises as `post_message`.
    `notify_patient=False` only for data loads (demo, imports) that must not message anyone.
    """
    now = now or utcnow()
    staff = relation == AuthorRelation.STAFF
    if (internal or status is not None) and not staff:
        raise Forbidden()
    text = clean_body(body)
    claims.lock(MessageThread, thread.id)  # one writer per thread: counters, due dates, keys stay exact
    db.session.refresh(thread)
    client_key = (client_key or "").strip()[:64] or None
    if client_key:
        earlier = existing_by_key(user, client_key)
        if earlier is not None:
            if earlier.thread_id != thread.id:
                raise Conflict(_l("This message was already sent."))
            return earlier
    if thread.status == ThreadStatus.CLOSED and not staff:
        raise Conflict(_l("This conversation is closed. Start a new message instead."))
    topics = [] if staff else urgent_topics(text)
    if topics and confirm_urgent and not warning_shown:
        raise UrgentWordsFound(topics, is_crisis(topics))
    message = Message(
        thread_id=thread.id, author_user_id=user.id, author_relation=relation,
        acting_for_patient_id=thread.patient_id if relation == AuthorRelation.CAREGIVER else None,
        body=text, internal=internal, urgent=bool(topics), urgent_terms=",".join(topics) or None,
        created_at=now, client_key=client_key,
    )
    db.session.add(message)
    db.session.flush()
    if files:
        from hearth.services.messages import attachments

        attachments.attach(message, files)
    values: dict = {"message_count": MessageThread.message_count + 1}
    if not internal:
        values["last_message_at"] = now
    if staff and not internal:
        values.update(due_at=None, patient_read_at=None, status=status or ThreadStatus.WAITING)
        if thread.first_staff_reply_at is None:
            values["first_staff_reply_at"] = now
        if status == ThreadStatus.CLOSED:
            values.update(closed_at=now, closed_by_user_id=user.id)
        elif thread.status == ThreadStatus.CLOSED:
            values.update(closed_at=None, closed_by_user_id=None)
    elif staff and status is not None:
        values["status"] = status
    elif not staff:
        values.update(status=ThreadStatus.OPEN, last_patient_message_at=now, staff_read_at=None)
        if thread.due_at is None:
            values["due_at"] = reply_by(thread.patient.practice, thread.pool.reply_target_business_days, now)
        if topics:
            known = [t for t in (thread.urgent_terms or "").split(",") if t]
            values.update(priority=ThreadPriority.URGENT,
                          urgent_terms=",".join(dict.fromkeys(known + topics))[:200])
        if topics and warning_shown:
            values["urgent_warning_at"] = now
    db.session.execute(update(MessageThread).where(MessageThread.id == thread.id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.expire(thread)
    reads.mark(user, thread, message.id, relation, now=now)
    if staff and not internal and notify_patient:
        _notify(thread, message)
    return message


def _notify(thread: MessageThread, message: Message) -> None:
    """Tell the patient's side a care-team message came: no text, subject, reason or name."""
    patient = thread.patient
    for recipient in patient_side_users(thread):
        notify.enqueue(key=f"message:{message.id}:to:{recipient.id}", kind=NOTIFY_KIND, template=NOTIFY_TEMPLATE,
                       user=recipient, patient=patient)
