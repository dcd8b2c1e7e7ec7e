"""The care team works a thread: claim it, assign or reassign it, move it to another pool, change its
status or priority. Each change is one decision under the thread's row lock (or one conditional UPDATE
for a claim), recorded in the thread's history (MessageThreadEvent) and audited; repeating a change
that is already in place (a double submit) changes and records nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hearth import claims, db
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.models import User
from hearth.models.messages import (
    MessagePool,
    MessageThread,
    MessageThreadEvent,
    ThreadEventKind,
    ThreadPriority,
    ThreadStatus,
)
from hearth.services.messages import inbox as listing
from hearth.services.messages.inbox_thread import authorize, load_thread


def _record(thread: MessageThread, user: User, kind: ThreadEventKind, before: object, after: object,
            now: datetime) -> None:
    def text(value: object) -> str | None:
        return None if value is None else str(getattr(value, "value", value))

    db.session.add(MessageThreadEvent(thread_id=thread.id, actor_user_id=user.id, kind=kind,
                                      from_value=text(before), to_value=text(after), created_at=now))
    db.session.flush()
    db.session.expire(thread, ["owner", "pool"])  # follow the ids just changed


@db.transactional
def claim(user: User, thread_id: int, *, practice_id: int | None = None, now: datetime | None = None) -> MessageThread:
    """Take an unassigned thread (one conditional UPDATE: of two people claiming at once, one wins).

    Claiming one's own thread again changes nothing. Raises Conflict when someone else holds it,
    Forbidden / NotFound as load_thread.
    """
    now = now or utcnow()
    thread = load_thread(user, thread_id, practice_id=practice_id)
    authorize(user, thread, "claim")
    if thread.owner_user_id == user.id:
        return thread
    if not claims.claim(thread, MessageThread.owner_user_id.is_(None), owner_user_id=user.id, assigned_at=now):
        db.session.refresh(thread, ["owner_user_id"])
        if thread.owner_user_id == user.id:
            return thread
        raise Conflict(_l("Someone else has already claimed this conversation."))
    _record(thread, user, ThreadEventKind.CLAIMED, None, user.id, now)
    return thread


def _staff_member(practice_id: int, user_id: int) -> User:
    member = next((u for u in listing.practice_staff(practice_id) if u.id == user_id), None)
    if member is None:
        raise Invalid(fields={"assignee_id": [_l("Choose someone of the care team.")]})
    return member


@db.transactional
def assign(user: User, thread_id: int, assignee_id: int | None, *,
           practice_id: int | None = None, now: datetime | None = None) -> MessageThread:
    """Give the thread to a member of the care team, or back to the pool (`assignee_id` None).

    Invalid when the assignee is not an active provider, staff member or admin of the practice.
    """
    now = now or utcnow()
    thread = load_thread(user, thread_id, practice_id=practice_id, for_update=True)
    authorize(user, thread, "assign")
    if assignee_id is not None:
        _staff_member(thread.practice_id, assignee_id)
    before = thread.owner_user_id
    if before == assignee_id:
        return thread
    thread.owner_user_id = assignee_id
    thread.assigned_at = now if assignee_id is not None else None
    if assignee_id is None:
        _record(thread, user, ThreadEventKind.UNASSIGNED, before, None, now)
    elif assignee_id == user.id and before is None:
        _record(thread, user, ThreadEventKind.CLAIMED, None, user.id, now)
    else:
        _record(thread, user, ThreadEventKind.ASSIGNED, before, assignee_id, now)
    return thread


@db.transactional
def set_status(user: User, thread_id: int, status: ThreadStatus, *,
               practice_id: int | None = None, now: datetime | None = None) -> MessageThread:
    """Open, waiting on the patient, or closed (closing stamps who and when; reopening clears it)."""
    now = now or utcnow()
    thread = load_thread(user, thread_id, practice_id=practice_id, for_update=True)
    authorize(user, thread, "status")
    before = thread.status
    if before == status:
        return thread
    thread.status = status
    if status == ThreadStatus.CLOSED:
        thread.closed_at, thread.closed_by_user_id = now, user.id
    else:
        thread.closed_at, thread.closed_by_user_id = None, None
    _record(thread, user, ThreadEventKind.STATUS, before, status, now)
    return thread


@db.transactional
def set_priority(user: User, thread_id: int, priority: ThreadPriority, *,
                 practice_id: int | None = None, now: datetime | None = None) -> MessageThread:
    """Mark a thread urgent, or routine again."""
    now = now or utcnow()
    thread = load_thread(user, thread_id, practice_id=practice_id, for_update=True)
    authorize(user, thread, "priority")
    before = thread.priority
    if before == priority:
        return thread
    thread.priority = priority
    _record(thread, user, ThreadEventKind.PRIORITY, before, priority, now)
    return thread


@db.transactional
def move_to_pool(user: User, thread_id: int, pool_id: int, *,
                 practice_id: int | None = None, now: datetime | None = None) -> MessageThread:
    """Hand the thread to another of the practice's pools (it becomes unassigned there).

    Invalid for a pool of another practice or a retired one.
    """
    now = now or utcnow()
    thread = load_thread(user, thread_id, practice_id=practice_id, for_update=True)
    authorize(user, thread, "move")
    pool = db.session.scalar(select(MessagePool).where(MessagePool.id == pool_id,
                                                       MessagePool.practice_id == thread.practice_id,
                                                       MessagePool.active.is_(True)))
    if pool is None:
        raise Invalid(fields={"pool_id": [_l("Choose one of the practice's inboxes.")]})
    before = thread.pool_id
    if before == pool_id:
        return thread
    thread.pool_id = pool_id
    _record(thread, user, ThreadEventKind.POOL, before, pool_id, now)
    if thread.owner_user_id is not None:
        _record(thread, user, ThreadEventKind.UNASSIGNED, thread.owner_user_id, None, now)
        thread.owner_user_id, thread.assigned_at = None, None
    return thread
